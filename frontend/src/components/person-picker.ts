// Pick a person by typing part of a name or a unit (office/people_search or
// gate/people_search); fires "value-changed" with the chosen person.
import { css, html, LitElement, nothing } from "lit";
import type { PersonHit } from "../api.js";
import { errorMessage } from "../api.js";
import type { Translate } from "../i18n/index.js";
import { sharedStyles } from "./styles.js";

export class CaPersonPicker extends LitElement {
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };

  static override styles = [
    sharedStyles,
    css`
      :host {
        position: relative;
      }
      input {
        width: 100%;
      }
      ul {
        list-style: none;
        margin: 4px 0 0;
        padding: 0;
        border: 1px solid var(--divider-color, #ccc);
        border-radius: 4px;
        max-height: 220px;
        overflow: auto;
        background: var(--card-background-color, #fff);
      }
      li button {
        width: 100%;
        border: none;
        border-radius: 0;
        text-align: start;
        color: var(--primary-text-color);
      }
      li button:hover {
        background: var(--secondary-background-color, rgba(0, 0, 0, 0.05));
      }
    `,
  ];

  static override properties = {
    search: { attribute: false },
    t: { attribute: false },
    label: {},
    query: { state: true },
    hits: { state: true },
    chosen: { state: true },
    problem: { state: true },
  };

  search!: (query: string) => Promise<PersonHit[]>;
  t!: Translate;
  label = "";
  query = "";
  hits: PersonHit[] = [];
  chosen: PersonHit | null = null;
  problem = "";
  private timer?: number;
  private seq = 0;

  private onInput(e: Event): void {
    this.query = (e.target as HTMLInputElement).value;
    this.setChosen(null);
    window.clearTimeout(this.timer);
    if (this.query.trim().length < 1) {
      this.hits = [];
      return;
    }
    this.timer = window.setTimeout(() => void this.lookUp(), 250);
  }

  private async lookUp(): Promise<void> {
    const mine = ++this.seq;
    try {
      const hits = await this.search(this.query.trim());
      if (mine === this.seq) {
        this.hits = hits;
        this.problem = "";
      }
    } catch (err) {
      if (mine === this.seq) this.problem = errorMessage(err);
    }
  }

  private setChosen(hit: PersonHit | null): void {
    this.chosen = hit;
    this.dispatchEvent(new CustomEvent("value-changed", { detail: { value: hit } }));
  }

  override render() {
    return html`<label class="field"
        >${this.label}
        <input
          type="search"
          autocomplete="off"
          .value=${this.chosen ? `${this.chosen.name} · ${this.chosen.unit ?? ""}` : this.query}
          placeholder=${this.t("picker.placeholder")}
          @input=${this.onInput}
      /></label>
      ${this.problem ? html`<div class="error">${this.problem}</div>` : nothing}
      ${!this.chosen && this.hits.length
        ? html`<ul role="listbox">
            ${this.hits.map(
              (h) =>
                html`<li>
                  <button
                    type="button"
                    @click=${() => {
                      this.setChosen(h);
                      this.hits = [];
                    }}
                  >
                    ${h.name} <span class="muted">${h.unit ?? ""}</span>
                  </button>
                </li>`,
            )}
          </ul>`
        : nothing}
      ${!this.chosen && this.query && !this.hits.length && !this.problem
        ? html`<div class="muted">${this.t("picker.no_match")}</div>`
        : nothing}`;
  }
}

if (!customElements.get("ca-person-picker")) customElements.define("ca-person-picker", CaPersonPicker);
