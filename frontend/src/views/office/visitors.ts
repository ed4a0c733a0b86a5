// Visitors: visits by status with paging (pending approval, today and
// upcoming, on site, all); approve or deny the pending ones; pre-register a
// visitor for a unit; the watch list (bar a visitor by ID number, lift a bar).
import { html, nothing } from "lit";
import type { Page, Visit, VisitPass, WatchEntry } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { openForm, showCode } from "../../components/dialog.js";
import { renderMessages, renderPager, renderTable } from "../../components/table.js";
import { translateValue } from "../../i18n/index.js";
import { formatDateTime, formatRange, localInputToIso } from "../../format.js";

const LIMIT = 50;
/** The filters and the statuses each one lists (undefined: every status). */
const FILTERS: Record<string, string[] | undefined> = {
  pending: ["pending"],
  upcoming: ["expected", "approved"],
  on_site: ["on_site", "overdue"],
  overdue: ["overdue"],
  active: ["pending", "expected", "approved", "on_site", "overdue"],
  closed: ["closed"],
  all: undefined,
};
/** Statuses a link from another page may ask for, and the filter showing them. */
const LINKED: Record<string, string> = {
  pending: "pending",
  expected: "upcoming",
  approved: "upcoming",
  upcoming: "upcoming",
  on_site: "on_site",
  overdue: "overdue",
  closed: "closed",
  all: "all",
};

export class CaOfficeVisitors extends CaBase {
  static override properties = {
    ...CaBase.properties,
    filter: { attribute: false },
    section: { state: true },
    status: { state: true },
    offset: { state: true },
    page: { state: true },
    wOffset: { state: true },
    watch: { state: true },
  };

  filter: Record<string, unknown> = {};
  section: "visits" | "watchlist" = "visits";
  status = "active";
  offset = 0;
  page?: Page<Visit>;
  wOffset = 0;
  watch?: Page<WatchEntry>;

  protected override communityChanged(): void {
    const wanted = this.filter?.status;
    if (typeof wanted === "string" && wanted in LINKED) {
      this.status = LINKED[wanted];
      this.section = "visits";
    }
    this.offset = 0;
    this.wOffset = 0;
    void this.load();
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      if (this.section === "watchlist") {
        this.watch = await this.api.watchlist({ offset: this.wOffset, limit: LIMIT });
        return;
      }
      this.page = await this.api.visits({ status: FILTERS[this.status], offset: this.offset, limit: LIMIT });
    });
  }

  private show(section: "visits" | "watchlist"): void {
    this.section = section;
    this.notice = "";
    void this.load();
  }

  private async decide(v: Visit, approve: boolean): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: approve ? t("visit.approve") : t("visit.deny"),
      message: t(approve ? "visit.approve_confirm" : "visit.deny_confirm", { name: v.visitor_name, unit: v.unit }),
      confirm: approve ? t("visit.approve") : t("visit.deny"),
      danger: !approve,
      submit: () => (approve ? this.api.approveVisit(v.visit_id) : this.api.denyVisit(v.visit_id)),
    });
    if (ok) await this.load();
  }

  private async preregister(): Promise<void> {
    const t = this.t;
    let result: VisitPass | undefined;
    const ok = await openForm(t, {
      title: t("visitors.preregister"),
      confirm: t("visitors.preregister"),
      fields: [
        { name: "unit", label: t("households.unit"), required: true },
        { name: "name", label: t("visit.visitor"), required: true },
        { name: "phone", label: t("person.phone"), type: "tel", required: true },
        { name: "start", label: t("home.arrives"), type: "datetime", required: true },
        { name: "end", label: t("home.leaves"), type: "datetime", required: true },
        { name: "id_number", label: t("person.id_number"), hint: t("home.id_optional") },
      ],
      submit: async (v) => {
        result = await this.api.officePreregister({
          unit: String(v.unit ?? "").trim(),
          name: String(v.name ?? "").trim(),
          phone: String(v.phone ?? "").trim(),
          start: localInputToIso(this.hass, String(v.start ?? "")),
          end: localInputToIso(this.hass, String(v.end ?? "")),
          id_number: String(v.id_number ?? "").trim() || undefined,
        });
      },
    });
    if (ok && result) {
      const { code, ...visit } = result;
      this.status = "upcoming";
      this.offset = 0;
      await this.load(); // clears the notice: set it afterwards
      this.notice = t("home.preregistered", { name: visit.visitor_name });
      if (code) await showCode(t, t("visitors.preregister"), t("home.code_for", { name: visit.visitor_name }), code);
    }
  }

  private async bar(): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("watchlist.add"),
      message: t("watchlist.add_confirm"),
      confirm: t("watchlist.add"),
      danger: true,
      fields: [
        { name: "name", label: t("visit.visitor"), required: true },
        { name: "id_number", label: t("person.id_number"), required: true, hint: t("watchlist.id_hint") },
        { name: "reason", label: t("watchlist.reason"), type: "textarea" },
      ],
      submit: (v) =>
        this.api.barVisitor({
          name: String(v.name ?? "").trim(),
          id_number: String(v.id_number ?? "").trim(),
          reason: String(v.reason ?? "").trim() || undefined,
        }),
    });
    if (ok) {
      this.wOffset = 0;
      await this.load();
      this.notice = t("watchlist.added");
    }
  }

  private async unbar(w: WatchEntry): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("watchlist.remove"),
      message: t("watchlist.remove_confirm", { name: w.name ?? "—" }),
      confirm: t("watchlist.remove"),
      submit: () => this.api.unbarVisitor(w.watch_id),
    });
    if (ok) {
      await this.load();
      this.notice = t("watchlist.removed");
    }
  }

  override render() {
    const t = this.t;
    return html`${renderMessages(this.error, this.notice)}
      <nav class="tabs" role="tablist">
        ${(["visits", "watchlist"] as const).map(
          (s) =>
            html`<button role="tab" aria-selected=${this.section === s ? "true" : "false"} @click=${() => this.show(s)}>
              ${t(s === "visits" ? "visitors.visits" : "watchlist.title")}
            </button>`,
        )}
      </nav>
      ${this.section === "visits" ? this.renderVisits() : this.renderWatchList()}`;
  }

  private renderVisits() {
    const t = this.t;
    return html`<div class="card">
      <div class="row" style="margin-bottom:12px">
        <label class="field"
          >${t("common.status")}
          <select
            @change=${(e: Event) => {
              this.status = (e.target as HTMLSelectElement).value;
              this.offset = 0;
              void this.load();
            }}
          >
            ${Object.keys(FILTERS).map(
              (s) =>
                html`<option value=${s} ?selected=${s === this.status}>${translateValue(t, "visit_filter", s)}</option>`,
            )}
          </select></label
        >
        <span class="spacer"></span>
        <button @click=${() => this.load()}>${t("common.refresh")}</button>
        <button class="primary" @click=${() => this.preregister()}>${t("visitors.preregister")}</button>
      </div>
      ${renderTable(
        t,
        [
          { label: t("visit.visitor"), render: (v: Visit) => v.visitor_name },
          { label: t("households.unit"), render: (v) => v.unit },
          {
            label: t("common.status"),
            render: (v) =>
              html`<span class="chip ${v.status === "overdue" ? "bad" : v.status === "pending" ? "warn" : ""}"
                >${translateValue(t, "visit_status", v.status)}</span
              >`,
          },
          { label: t("visit.pass"), render: (v) => translateValue(t, "pass", v.pass_kind) },
          {
            label: t("visit.window"),
            render: (v) => formatRange(this.hass, v.window_start, v.window_end),
          },
          { label: t("visit.registered"), render: (v) => formatDateTime(this.hass, v.registered_at) },
          {
            label: t("common.actions"),
            render: (v) =>
              v.status === "pending"
                ? html`<div class="row">
                    <button class="primary" @click=${() => this.decide(v, true)}>${t("visit.approve")}</button>
                    <button class="danger" @click=${() => this.decide(v, false)}>${t("visit.deny")}</button>
                  </div>`
                : nothing,
          },
        ],
        this.page?.items ?? [],
        this.narrow,
      )}
      ${this.page
        ? renderPager(t, this.offset, LIMIT, this.page.total, (o) => {
            this.offset = o;
            void this.load();
          })
        : nothing}
    </div>`;
  }

  private renderWatchList() {
    const t = this.t;
    return html`<div class="card watchlist">
      <div class="row" style="margin-bottom:12px">
        <p class="muted" style="margin:0">${t("watchlist.explain")}</p>
        <span class="spacer"></span>
        <button class="primary" @click=${() => this.bar()}>${t("watchlist.add")}</button>
      </div>
      ${renderTable(
        t,
        [
          { label: t("visit.visitor"), render: (w: WatchEntry) => w.name ?? "—" },
          { label: t("watchlist.reason"), render: (w) => w.reason ?? "—" },
          { label: t("watchlist.added_at"), render: (w) => formatDateTime(this.hass, w.added_at) },
          {
            label: t("common.actions"),
            render: (w) => html`<button @click=${() => this.unbar(w)}>${t("watchlist.remove")}</button>`,
          },
        ],
        this.watch?.items ?? [],
        this.narrow,
      )}
      ${this.watch
        ? renderPager(t, this.wOffset, LIMIT, this.watch.total, (o) => {
            this.wOffset = o;
            void this.load();
          })
        : nothing}
    </div>`;
  }
}

if (!customElements.get("ca-office-visitors")) customElements.define("ca-office-visitors", CaOfficeVisitors);
