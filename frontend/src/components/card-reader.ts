// "Read from reader" in the card dialogs: pick a door, press Read, and the
// next card shown at that door's reader fills the card number (the door does
// not open; office/capture_card). Fires `card-read` with the read.
import { css, html, LitElement, nothing } from "lit";
import type { Api, CardRead, Device } from "../api.js";
import { errorMessage } from "../api.js";
import type { Translate } from "../i18n/index.js";
import { sharedStyles } from "./styles.js";

/** Seconds the server waits for a card (office/capture_card's default). */
const WAIT = 60;

/** Doors with a reader first (an entity or a line), then the others. */
function byReader(devices: Device[]): Device[] {
  const reader = (d: Device) => d.reader_entities.length > 0 || d.line !== null;
  return [...devices.filter(reader), ...devices.filter((d) => !reader(d))];
}

export class CaCardReader extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      .row {
        display: flex;
        gap: 8px;
        align-items: center;
        flex-wrap: wrap;
      }
      .wait {
        font-weight: 500;
      }
    `,
  ];

  static override properties = {
    api: { attribute: false },
    t: { attribute: false },
    doors: { state: true },
    door: { state: true },
    left: { state: true },
    waitingAt: { state: true },
    read: { state: true },
    problem: { state: true },
  };

  api!: Api;
  t!: Translate;
  doors?: Device[];
  door = "";
  /** Seconds left while waiting. */
  left = 0;
  /** The door's name while waiting for a card there. */
  waitingAt = "";
  read?: CardRead;
  problem = "";
  private unsubscribe?: () => Promise<void>;
  private ticker?: number;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadDoors();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    void this.stop();
  }

  private async loadDoors(): Promise<void> {
    try {
      this.doors = byReader(await this.api.devices());
      this.door = this.doors[0]?.door_id ?? "";
    } catch (err) {
      this.problem = errorMessage(err);
    }
  }

  private async start(): Promise<void> {
    const door = this.doors?.find((d) => d.door_id === this.door);
    if (!door) return;
    this.problem = "";
    this.read = undefined;
    try {
      this.unsubscribe = await this.api.captureCard(door.door_id, (event) => this.onEvent(event));
    } catch (err) {
      this.problem = errorMessage(err);
      return;
    }
    this.waitingAt = door.name;
    this.left = WAIT;
    this.ticker = window.setInterval(() => {
      this.left = Math.max(0, this.left - 1);
    }, 1000);
  }

  private async stop(): Promise<void> {
    if (this.ticker !== undefined) window.clearInterval(this.ticker);
    this.ticker = undefined;
    this.waitingAt = "";
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    if (unsubscribe) {
      try {
        await unsubscribe();
      } catch {
        // The connection is gone: the server released the door with it.
      }
    }
  }

  private onEvent(event: CardRead | { timeout: true }): void {
    void this.stop();
    if ("timeout" in event) {
      this.problem = this.t("reader.timeout");
      return;
    }
    this.read = event;
    this.dispatchEvent(new CustomEvent("card-read", { detail: event, bubbles: true, composed: true }));
  }

  override render() {
    const t = this.t;
    if (this.waitingAt) {
      return html`<div class="row" role="status">
        <span class="wait">${t("reader.present", { door: this.waitingAt })}</span>
        <span class="muted">${t("reader.left", { seconds: this.left })}</span>
        <button type="button" @click=${() => this.stop()}>${t("common.cancel")}</button>
      </div>`;
    }
    const holder = this.read?.known ? this.read.holder : undefined;
    return html`<div class="row">
        <label class="field"
          >${t("reader.door")}
          <select
            .value=${this.door}
            @change=${(e: Event) => (this.door = (e.target as HTMLSelectElement).value)}
          >
            ${(this.doors ?? []).map(
              (d) => html`<option value=${d.door_id} ?selected=${d.door_id === this.door}>${d.name}</option>`,
            )}
          </select></label
        >
        <button type="button" ?disabled=${!this.door} @click=${() => this.start()}>${t("reader.read")}</button>
      </div>
      ${this.read ? html`<div class="muted">${t("reader.read_done", { masked: this.read.masked })}</div>` : nothing}
      ${holder
        ? html`<div class="banner" role="alert">
            ${t(holder.status === "lost" ? "reader.known_lost" : "reader.known", {
              name: holder.name ?? "",
              unit: holder.unit ?? "",
            })}
          </div>`
        : nothing}
      ${this.problem ? html`<div class="banner" role="alert">${this.problem}</div>` : nothing}`;
  }
}

if (!customElements.get("ca-card-reader")) customElements.define("ca-card-reader", CaCardReader);
