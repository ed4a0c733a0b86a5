// The property office: tabs over the office's pages.
import { html } from "lit";
import { CaBase } from "../../components/base.js";
import type { Key } from "../../i18n/index.js";
import "./today.js";
import "./households.js";
import "./visitors.js";
import "./rules.js";
import "./access-log.js";
import "./devices.js";
import "./import.js";

export type OfficeTab = "today" | "households" | "visitors" | "rules" | "access" | "devices" | "import";

const TABS: [OfficeTab, Key][] = [
  ["today", "office.tab.today"],
  ["households", "office.tab.households"],
  ["visitors", "office.tab.visitors"],
  ["rules", "office.tab.rules"],
  ["access", "office.tab.access"],
  ["devices", "office.tab.devices"],
  ["import", "office.tab.import"],
];

/** Detail of the "ca-navigate" event a page fires to open another tab. */
export interface Navigate {
  tab: OfficeTab;
  filter?: Record<string, unknown>;
}

export class CaOfficeView extends CaBase {
  static override properties = {
    ...CaBase.properties,
    tab: { state: true },
    filter: { state: true },
  };

  tab: OfficeTab = "today";
  filter: Record<string, unknown> = {};

  override connectedCallback(): void {
    super.connectedCallback();
    const fromHash = window.location.hash.replace("#", "") as OfficeTab;
    if (TABS.some(([id]) => id === fromHash)) this.tab = fromHash;
  }

  private go(tab: OfficeTab, filter: Record<string, unknown> = {}): void {
    this.tab = tab;
    this.filter = filter;
    history.replaceState(history.state, "", `#${tab}`);
  }

  private renderTab() {
    const p = { hass: this.hass, api: this.api, narrow: this.narrow };
    switch (this.tab) {
      case "households":
        return html`<ca-office-households .hass=${p.hass} .api=${p.api} .narrow=${p.narrow}></ca-office-households>`;
      case "visitors":
        return html`<ca-office-visitors
          .hass=${p.hass}
          .api=${p.api}
          .narrow=${p.narrow}
          .filter=${this.filter}
        ></ca-office-visitors>`;
      case "rules":
        return html`<ca-office-rules .hass=${p.hass} .api=${p.api} .narrow=${p.narrow}></ca-office-rules>`;
      case "access":
        return html`<ca-office-access
          .hass=${p.hass}
          .api=${p.api}
          .narrow=${p.narrow}
          .preset=${this.filter}
        ></ca-office-access>`;
      case "devices":
        return html`<ca-office-devices .hass=${p.hass} .api=${p.api} .narrow=${p.narrow}></ca-office-devices>`;
      case "import":
        return html`<ca-office-import .hass=${p.hass} .api=${p.api} .narrow=${p.narrow}></ca-office-import>`;
      default:
        return html`<ca-office-today
          .hass=${p.hass}
          .api=${p.api}
          .narrow=${p.narrow}
          @ca-navigate=${(e: CustomEvent<Navigate>) => this.go(e.detail.tab, e.detail.filter)}
        ></ca-office-today>`;
    }
  }

  override render() {
    return html`<nav class="tabs" role="tablist">
        ${TABS.map(
          ([id, key]) =>
            html`<button role="tab" aria-selected=${this.tab === id ? "true" : "false"} @click=${() => this.go(id)}>
              ${this.t(key)}
            </button>`,
        )}
      </nav>
      ${this.renderTab()}`;
  }
}

if (!customElements.get("ca-office-view")) customElements.define("ca-office-view", CaOfficeView);
