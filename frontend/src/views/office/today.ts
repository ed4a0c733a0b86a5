// Today: the day's counts, each a link to its page, and the latest records live.
import { html } from "lit";
import type { AccessItem, Today } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { renderMessages } from "../../components/table.js";
import type { Key } from "../../i18n/index.js";
import { formatTime } from "../../format.js";
import type { Navigate, OfficeTab } from "./office.js";

const STATS: [keyof Today, Key, OfficeTab, Record<string, unknown>, boolean][] = [
  ["granted_today", "today.granted", "access", { granted: true, today: true }, false],
  ["denied_today", "today.denied", "access", { granted: false, today: true }, true],
  ["on_site", "today.on_site", "visitors", { status: "on_site" }, false],
  ["pending", "today.pending", "visitors", { status: "pending" }, false],
  ["overdue", "today.overdue", "visitors", { status: "overdue" }, true],
  ["open_violations", "today.open_violations", "rules", {}, true],
  ["suspended", "today.suspended", "households", {}, true],
  ["devices_offline", "today.devices_offline", "devices", {}, true],
  ["lock_sync_problems", "today.lock_sync_problems", "devices", {}, true],
];

export class CaOfficeToday extends CaBase {
  static override properties = {
    ...CaBase.properties,
    today: { state: true },
    latest: { state: true },
  };

  today?: Today;
  latest: AccessItem[] = [];
  private unsub?: Promise<() => Promise<void>>;
  protected override reloadOnReconnect = true;

  protected override communityChanged(): void {
    this.stop();
    void this.run(async () => {
      this.today = await this.api.today();
    });
    this.unsub = this.api.subscribe<{ record?: AccessItem }>("office/subscribe_access", {}, (ev) => {
      const rec = ev.record;
      if (!rec) return;
      this.latest = [rec, ...this.latest.filter((r) => r.record_id !== rec.record_id)].slice(0, 10);
      if (this.today) {
        const key = rec.granted ? "granted_today" : "denied_today";
        this.today = { ...this.today, [key]: this.today[key] + 1 };
      }
    });
    const sub = this.unsub;
    const latest = () => {
      if (this.unsub !== sub) return;
      this.api
        .accessLog({ limit: 10 })
        .then((page) => {
          const seen = new Set(this.latest.map((r) => r.record_id));
          this.latest = [...this.latest, ...page.items.filter((r) => !seen.has(r.record_id))]
            .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : b.record_id - a.record_id))
            .slice(0, 10);
        })
        .catch(() => undefined);
    };
    // Read once the subscription is in place: no record falls between.
    sub.then(latest, latest);
  }

  private stop(): void {
    const u = this.unsub;
    this.unsub = undefined;
    u?.then((f) => f()).catch(() => undefined);
  }

  private timer?: number;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
    window.clearInterval(this.timer);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.api && !this.unsub && this.hasUpdated) this.communityChanged();
    // The counts that no record changes (visitors, devices, violations).
    this.timer = window.setInterval(() => {
      if (this.api && document.visibilityState === "visible")
        this.api.today().then(
          (d) => (this.today = d),
          () => undefined,
        );
    }, 60_000);
  }

  private go(tab: OfficeTab, filter: Record<string, unknown>): void {
    this.dispatchEvent(new CustomEvent<Navigate>("ca-navigate", { detail: { tab, filter }, bubbles: true, composed: true }));
  }

  override render() {
    const d = this.today;
    return html`${renderMessages(this.error, this.notice)}
      <div class="grid">
        ${STATS.map(
          ([field, key, tab, filter, alert]) =>
            html`<button class="stat ${alert && d && d[field] > 0 ? "alert" : ""}" @click=${() => this.go(tab, filter)}>
              <span class="n">${d ? d[field] : "…"}</span>
              <span>${this.t(key)}</span>
            </button>`,
        )}
      </div>
      <div class="card" style="margin-top:16px">
        <h3>${this.t("today.latest")}</h3>
        ${this.latest.length
          ? html`<table class=${this.narrow ? "stacked" : ""}>
              <tbody>
                ${this.latest.map(
                  (r) =>
                    html`<tr>
                      <td data-label=${this.t("access.at")}>${formatTime(this.hass, r.at)}</td>
                      <td data-label=${this.t("access.door")}>${r.door}</td>
                      <td data-label=${this.t("access.person")}>${r.person_name ?? "—"} ${r.unit ?? ""}</td>
                      <td data-label=${this.t("access.result")}>
                        <span class="chip ${r.granted ? "good" : "bad"}"
                          >${r.granted ? this.t("access.granted") : this.t("access.denied")}</span
                        >
                        ${r.reason_text}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>`
          : html`<p class="muted">${this.t("common.none")}</p>`}
      </div>`;
  }
}

if (!customElements.get("ca-office-today")) customElements.define("ca-office-today", CaOfficeToday);
