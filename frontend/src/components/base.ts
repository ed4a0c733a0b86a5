// The base of every view: hass, the community's Api, translations and a
// uniform way to run an action and show the server's (translated) error.
import { LitElement, type PropertyValues } from "lit";
import { Api, errorMessage } from "../api.js";
import { translator, type Translate } from "../i18n/index.js";
import type { HomeAssistant } from "../types.js";
import { sharedStyles } from "./styles.js";

export class CaBase extends LitElement {
  static override styles = [sharedStyles];

  static override properties = {
    hass: { attribute: false },
    api: { attribute: false },
    narrow: { type: Boolean },
    error: { state: true },
    notice: { state: true },
    busy: { state: true },
  };

  hass!: HomeAssistant;
  api!: Api;
  narrow = false;
  error = "";
  notice = "";
  busy = false;

  private _t?: Translate;
  private _tLang?: string;

  get t(): Translate {
    const lang = this.hass?.language;
    if (!this._t || this._tLang !== lang) {
      this._t = translator(lang);
      this._tLang = lang;
    }
    return this._t;
  }

  /** Run an action; show its error (the server's translated message) or a notice. */
  async run<T>(action: () => Promise<T>, done?: string): Promise<T | undefined> {
    this.error = "";
    this.notice = "";
    this.busy = true;
    try {
      const result = await action();
      if (done) this.notice = done;
      return result;
    } catch (err) {
      this.error = errorMessage(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    if (changed.has("api") && this.api) {
      const before = changed.get("api") as Api | undefined;
      if (!before || before.entryId !== this.api.entryId) this.communityChanged();
    }
  }

  /** Called when the community (Api) is set or changes: load the data. */
  protected communityChanged(): void {}

  /**
   * Live pages: Home Assistant's websocket client resubscribes by itself
   * after a reconnect but does not hand back a command's result, and changes
   * made while disconnected were never pushed: such pages reload their
   * snapshot when the connection is ready again.
   */
  protected reloadOnReconnect = false;

  private readonly onReady = (): void => {
    if (this.api) this.communityChanged();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.reloadOnReconnect) this.hass?.connection?.addEventListener?.("ready", this.onReady);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.hass?.connection?.removeEventListener?.("ready", this.onReady);
  }
}
