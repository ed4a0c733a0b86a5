// <community-access-panel>: the web component the three sidebar panels
// (office, gate desk, my home) load; panel.config.view chooses the view.
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import { Api, errorMessage, listCommunities, type Community } from "./api.js";
import { sharedStyles } from "./components/styles.js";
import { translator, type Key } from "./i18n/index.js";
import type { HomeAssistant, PanelInfo, Route, View } from "./types.js";
import "./views/office/office.js";
import "./views/gate.js";
import "./views/home.js";

const TITLES: Record<View, Key> = {
  office: "panel.office",
  gate: "panel.gate",
  home: "panel.home",
};

function allowed(view: View, c: Community): boolean {
  if (view === "office") return c.roles.includes("admin");
  if (view === "gate") return c.roles.includes("guard") || c.roles.includes("admin");
  return c.roles.includes("resident") || c.roles.includes("admin");
}

export class CommunityAccessPanel extends LitElement {
  static override styles = [
    sharedStyles,
    css`
      :host {
        background: var(--primary-background-color);
        min-height: 100vh;
      }
      header {
        display: flex;
        align-items: center;
        gap: 12px;
        height: var(--header-height, 56px);
        padding: 0 16px;
        box-sizing: border-box;
        background: var(--app-header-background-color, var(--primary-color));
        color: var(--app-header-text-color, var(--text-primary-color, #fff));
        border-bottom: var(--app-header-border-bottom, none);
        position: sticky;
        top: 0;
        z-index: 2;
      }
      header h1 {
        font-size: 20px;
        font-weight: 400;
        margin: 0;
        flex: 1;
        white-space: nowrap;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      header button {
        color: inherit;
        border-color: transparent;
        font-size: 20px;
        line-height: 1;
      }
      header select {
        max-width: 50%;
        color: var(--primary-text-color);
        background: var(--card-background-color, #fff);
      }
      main {
        padding: 16px;
        max-width: 1200px;
        margin: 0 auto;
      }
      :host([narrow]) main {
        padding: 8px;
      }
    `,
  ];

  static override properties = {
    hass: { attribute: false },
    narrow: { type: Boolean, reflect: true },
    route: { attribute: false },
    panel: { attribute: false },
    communities: { state: true },
    entryId: { state: true },
    problem: { state: true },
  };

  hass!: HomeAssistant;
  narrow = false;
  route?: Route;
  panel?: PanelInfo;
  communities?: Community[];
  entryId = "";
  problem = "";
  private api?: Api;
  private loading = false;

  get view(): View {
    const v = this.panel?.config?.view;
    return v === "gate" || v === "home" ? v : "office";
  }

  private get storageKey(): string {
    return `community_access.${this.view}.entry`;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has("hass") && this.hass) {
      if (this.api) this.api.hass = this.hass;
      if (!this.communities && !this.loading) void this.load();
    }
  }

  private async load(): Promise<void> {
    this.loading = true;
    try {
      const all = await listCommunities(this.hass);
      this.communities = all.filter((c) => allowed(this.view, c));
      let stored = "";
      try {
        stored = localStorage.getItem(this.storageKey) ?? "";
      } catch {
        stored = "";
      }
      const pick = this.communities.find((c) => c.entry_id === stored) ?? this.communities[0];
      if (pick) this.choose(pick.entry_id);
    } catch (err) {
      this.problem = errorMessage(err);
    } finally {
      this.loading = false;
    }
  }

  private choose(entryId: string): void {
    this.entryId = entryId;
    this.api = new Api(this.hass, entryId);
    try {
      localStorage.setItem(this.storageKey, entryId);
    } catch {
      /* private mode: not remembered */
    }
  }

  private toggleMenu(): void {
    this.dispatchEvent(new CustomEvent("hass-toggle-menu", { bubbles: true, composed: true }));
  }

  private renderView(community: Community) {
    const api = this.api;
    if (!api) return nothing;
    switch (this.view) {
      case "gate":
        return html`<ca-gate-view .hass=${this.hass} .api=${api} .narrow=${this.narrow}></ca-gate-view>`;
      case "home":
        return html`<ca-home-view
          .hass=${this.hass}
          .api=${api}
          .narrow=${this.narrow}
          .community=${community}
        ></ca-home-view>`;
      default:
        return html`<ca-office-view .hass=${this.hass} .api=${api} .narrow=${this.narrow}></ca-office-view>`;
    }
  }

  override render() {
    if (!this.hass) return nothing;
    const t = translator(this.hass.language);
    const list = this.communities ?? [];
    const community = list.find((c) => c.entry_id === this.entryId);
    return html`<header>
        ${this.narrow
          ? html`<button aria-label=${t("panel.menu")} @click=${this.toggleMenu}>☰</button>`
          : nothing}
        <h1>${t(TITLES[this.view])}${community && list.length === 1 ? ` · ${community.title}` : ""}</h1>
        ${list.length > 1
          ? html`<select
              aria-label=${t("panel.community")}
              @change=${(e: Event) => this.choose((e.target as HTMLSelectElement).value)}
            >
              ${list.map(
                (c) =>
                  html`<option value=${c.entry_id} ?selected=${c.entry_id === this.entryId}>${c.title}</option>`,
              )}
            </select>`
          : nothing}
      </header>
      <main>
        ${this.problem ? html`<div class="banner" role="alert">${this.problem}</div>` : nothing}
        ${this.communities === undefined && !this.problem
          ? html`<p class="muted">${t("common.loading")}</p>`
          : nothing}
        ${this.communities && !this.communities.length
          ? html`<div class="card">${t(this.view === "home" ? "panel.no_home" : "panel.no_community")}</div>`
          : nothing}
        ${community ? this.renderView(community) : nothing}
      </main>`;
  }
}

if (!customElements.get("community-access-panel")) {
  customElements.define("community-access-panel", CommunityAccessPanel);
}
