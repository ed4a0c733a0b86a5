// Visitors: visits by status with paging; approve or deny the pending ones.
import { html, nothing } from "lit";
import type { Page, Visit } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { openForm } from "../../components/dialog.js";
import { renderMessages, renderPager, renderTable } from "../../components/table.js";
import { translateValue } from "../../i18n/index.js";
import { formatDateTime, formatRange } from "../../format.js";

const LIMIT = 50;
const STATUSES = ["pending", "expected", "approved", "on_site", "overdue", "closed"];
const ACTIVE = ["pending", "expected", "approved", "on_site", "overdue"];

export class CaOfficeVisitors extends CaBase {
  static override properties = {
    ...CaBase.properties,
    filter: { attribute: false },
    status: { state: true },
    offset: { state: true },
    page: { state: true },
  };

  filter: Record<string, unknown> = {};
  status = "active";
  offset = 0;
  page?: Page<Visit>;

  protected override communityChanged(): void {
    const wanted = this.filter?.status;
    if (typeof wanted === "string" && STATUSES.includes(wanted)) this.status = wanted;
    this.offset = 0;
    void this.load();
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      this.page = await this.api.visits({
        status: this.status === "active" ? ACTIVE : this.status === "all" ? undefined : [this.status],
        offset: this.offset,
        limit: LIMIT,
      });
    });
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

  override render() {
    const t = this.t;
    return html`${renderMessages(this.error, this.notice)}
      <div class="card">
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
              ${["active", ...STATUSES, "all"].map(
                (s) =>
                  html`<option value=${s} ?selected=${s === this.status}>${translateValue(t, "visit_status", s)}</option>`,
              )}
            </select></label
          >
          <span class="spacer"></span>
          <button @click=${() => this.load()}>${t("common.refresh")}</button>
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
}

if (!customElements.get("ca-office-visitors")) customElements.define("ca-office-visitors", CaOfficeVisitors);
