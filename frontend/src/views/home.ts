// My home: one household's waiting visitors (approve / deny), pre-register a
// visitor, issue a goods pass (the code shown once), its people and
// credentials (masked), report a card lost, entries
// and denials of the last 30 days, the statement and the community's public
// notices in force (names masked, as published).
import { html, nothing } from "lit";
import type {
  AccessItem,
  Community,
  CredentialItem,
  HomeOverview,
  IssuedGoodsPass,
  Page,
  PublicNotice,
  Visit,
  VisitEvent,
  VisitPass,
} from "../api.js";
import { CaBase } from "../components/base.js";
import { openForm, showCode } from "../components/dialog.js";
import { renderMessages, renderPager, renderTable } from "../components/table.js";
import { translateValue } from "../i18n/index.js";
import { formatDate, formatDateTime, formatMoney, localInputToIso, formatRange } from "../format.js";
import { upsert, without } from "./visit-list.js";

const LIMIT = 20;

export class CaHomeView extends CaBase {
  static override properties = {
    ...CaBase.properties,
    community: { attribute: false },
    unit: { state: true },
    data: { state: true },
    access: { state: true },
    offset: { state: true },
    live: { state: true },
    notices: { state: true },
  };

  community!: Community;
  unit = "";
  data?: HomeOverview;
  access?: Page<AccessItem>;
  offset = 0;
  live = false;
  notices?: Page<PublicNotice>;
  private unsub?: Promise<() => Promise<void>>;
  protected override reloadOnReconnect = true;
  private queued: VisitEvent[] = [];

  protected override communityChanged(): void {
    const units = this.community?.units ?? [];
    let stored = "";
    try {
      stored = localStorage.getItem(`community_access.home.${this.api.entryId}.unit`) ?? "";
    } catch {
      stored = "";
    }
    this.choose(units.includes(stored) ? stored : (units[0] ?? ""));
  }

  private choose(unit: string): void {
    this.stop();
    this.unit = unit;
    this.data = undefined;
    this.access = undefined;
    this.notices = undefined;
    this.offset = 0;
    if (!unit) return;
    try {
      localStorage.setItem(`community_access.home.${this.api.entryId}.unit`, unit);
    } catch {
      /* not remembered */
    }
    this.queued = [];
    const sub = this.api.subscribe<VisitEvent>("home/subscribe", { unit }, (ev) => this.onEvent(ev));
    this.unsub = sub;
    // Read once the subscription is in place: no change falls between.
    const snapshot = () => {
      if (this.unsub !== sub) return;
      void this.run(async () => {
        const [data, notices] = await Promise.all([this.api.homeOverview(unit), this.api.homeNotices(unit)]);
        this.data = data;
        this.notices = notices;
        const q = this.queued;
        this.queued = [];
        q.forEach((ev) => this.onEvent(ev));
      });
    };
    sub.then(
      () => {
        this.live = true;
        snapshot();
      },
      () => {
        this.live = false;
        snapshot();
      },
    );
    void this.loadAccess();
  }

  private onEvent(ev: VisitEvent): void {
    const v = ev.visit;
    if (!v) return;
    if (!this.data) {
      this.queued.push(ev);
      return;
    }
    if (v.unit && v.unit !== this.unit) return;
    const d = this.data;
    this.data = {
      ...d,
      pending: v.status === "pending" ? upsert(d.pending ?? [], v, true) : without(d.pending ?? [], v),
      upcoming:
        v.status !== "pending" && v.status !== "closed"
          ? upsert(d.upcoming ?? [], v, true)
          : without(d.upcoming ?? [], v),
    };
  }

  private async loadAccess(): Promise<void> {
    const unit = this.unit;
    try {
      const page = await this.api.homeAccess(unit, { days: 30, offset: this.offset, limit: LIMIT });
      if (unit === this.unit) this.access = page;
    } catch (err) {
      this.error = (err as { message?: string }).message ?? String(err);
    }
  }

  private stop(): void {
    const u = this.unsub;
    this.unsub = undefined;
    this.live = false;
    u?.then((f) => f()).catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  private async decide(v: Visit, approve: boolean): Promise<void> {
    const t = this.t;
    let result: Visit | undefined;
    const ok = await openForm(t, {
      title: approve ? t("visit.approve") : t("visit.deny"),
      message: t(approve ? "visit.approve_confirm" : "visit.deny_confirm", { name: v.visitor_name, unit: v.unit }),
      confirm: approve ? t("visit.approve") : t("visit.deny"),
      danger: !approve,
      submit: async () => {
        result = approve ? await this.api.homeApprove(this.unit, v.visit_id) : await this.api.homeDeny(this.unit, v.visit_id);
      },
    });
    if (ok && result) this.onEvent({ visit: result });
  }

  private async preregister(): Promise<void> {
    const t = this.t;
    const unit = this.unit;
    let result: VisitPass | undefined;
    const ok = await openForm(t, {
      title: t("home.preregister"),
      confirm: t("home.preregister"),
      fields: [
        { name: "name", label: t("visit.visitor"), required: true },
        { name: "phone", label: t("person.phone"), type: "tel", required: true },
        { name: "start", label: t("home.arrives"), type: "datetime", required: true },
        { name: "end", label: t("home.leaves"), type: "datetime", required: true },
        { name: "purpose", label: t("gate.purpose") },
        { name: "id_number", label: t("person.id_number"), hint: t("home.id_optional") },
        { name: "multiple_entries", label: t("home.multiple_entries"), type: "checkbox" },
      ],
      submit: async (v) => {
        result = await this.api.preregister({
          unit,
          name: String(v.name ?? "").trim(),
          phone: String(v.phone ?? "").trim(),
          start: localInputToIso(this.hass, String(v.start ?? "")),
          end: localInputToIso(this.hass, String(v.end ?? "")),
          id_number: String(v.id_number ?? "").trim() || undefined,
          purpose: String(v.purpose ?? "").trim() || undefined,
          multiple_entries: Boolean(v.multiple_entries),
        });
      },
    });
    if (ok && result) {
      const { code, ...visit } = result;
      this.onEvent({ visit });
      this.notice = t("home.preregistered", { name: visit.visitor_name });
      if (code) await showCode(t, t("home.preregister"), t("home.code_for", { name: visit.visitor_name }), code);
    }
  }

  private async issueGoods(): Promise<void> {
    const t = this.t;
    const unit = this.unit;
    let result: IssuedGoodsPass | undefined;
    const ok = await openForm(t, {
      title: t("goods.issue"),
      confirm: t("goods.issue"),
      fields: [
        { name: "items", label: t("goods.items"), type: "textarea", required: true, hint: t("goods.items_hint") },
        { name: "large_or_valuable", label: t("goods.large"), type: "checkbox" },
        { name: "valid_from", label: t("common.valid_from"), type: "datetime", hint: t("goods.window_hint") },
        { name: "valid_until", label: t("common.valid_until"), type: "datetime" },
        { name: "note", label: t("goods.note") },
      ],
      submit: async (v) => {
        const from = localInputToIso(this.hass, String(v.valid_from ?? ""));
        const until = localInputToIso(this.hass, String(v.valid_until ?? ""));
        const items = String(v.items ?? "")
          .split("\n")
          .map((item) => item.trim())
          .filter(Boolean);
        result = await this.api.issueGoodsPass({
          unit,
          items,
          large_or_valuable: Boolean(v.large_or_valuable),
          valid_from: from && until ? from : undefined,
          valid_until: from && until ? until : undefined,
          note: String(v.note ?? "").trim() || undefined,
        });
      },
    });
    if (ok && result) {
      this.notice = t("goods.issued");
      await showCode(t, t("goods.issue"), t("goods.code_for", { items: result.items.join(", ") }), result.code);
    }
  }

  private async reportLost(c: CredentialItem): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("card.report_lost"),
      message: t("home.report_lost_confirm", { masked: c.masked ?? "" }),
      confirm: t("card.report_lost"),
      danger: true,
      submit: () => this.api.homeReportLost(this.unit, c.credential_id),
    });
    if (ok) {
      this.notice = t("home.reported_lost");
      await this.run(async () => {
        this.data = await this.api.homeOverview(this.unit);
      });
    }
  }

  private renderUnitPicker() {
    const t = this.t;
    const units = this.community?.units ?? [];
    if (units.length > 1)
      return html`<label class="field"
        >${t("households.unit")}
        <select @change=${(e: Event) => this.choose((e.target as HTMLSelectElement).value)}>
          ${units.map((u) => html`<option value=${u} ?selected=${u === this.unit}>${u}</option>`)}
        </select></label
      >`;
    if (!units.length && this.community?.roles.includes("admin"))
      return html`<form
        class="row"
        @submit=${(e: Event) => {
          e.preventDefault();
          const input = (e.target as HTMLFormElement).querySelector("input");
          this.choose(input?.value.trim() ?? "");
        }}
      >
        <label class="field">${t("home.admin_unit")}<input placeholder="3-2-501" required /></label>
        <button type="submit">${t("common.open")}</button>
      </form>`;
    return html`<h2 style="margin:0">${this.unit}</h2>`;
  }

  override render() {
    const t = this.t;
    const d = this.data;
    const nameOf = (id: number) => d?.people?.find((p) => p.person_id === id)?.name ?? "";
    return html`${renderMessages(this.error, this.notice)}
      <div class="row" style="margin-bottom:12px">
        ${this.renderUnitPicker()}
        <span class="spacer"></span>
        ${this.live ? html`<span class="chip good">● ${t("common.live")}</span>` : nothing}
        ${this.unit ? html`<button class="primary" @click=${this.preregister}>${t("home.preregister")}</button>` : nothing}
        ${this.unit ? html`<button @click=${this.issueGoods}>${t("goods.issue")}</button>` : nothing}
      </div>
      ${this.notices?.items.length
        ? html`<div class="card notices">
            <h3>${t("notices.title")}</h3>
            ${this.notices.items.map(
              (n) =>
                html`<div style="padding:6px 0;border-bottom:1px solid var(--divider-color)">
                  <strong>${n.person_name ?? "—"}</strong> ${n.unit ?? ""}
                  <span class="muted">${formatDate(this.hass, n.start)}</span><br />
                  ${t("notices.text")}${n.reason ? html`: ${n.reason}` : nothing}
                  <span class="muted">(${n.regulation})</span>
                </div>`,
            )}
          </div>`
        : nothing}
      ${!this.unit ? html`<p class="muted">${t("panel.no_home")}</p>` : nothing}
      ${d
        ? html`<div class="card">
              <h3>${t("home.waiting")}</h3>
              ${d.pending?.length
                ? d.pending.map(
                    (v) =>
                      html`<div class="row" style="padding:8px 0;border-bottom:1px solid var(--divider-color)">
                        <strong>${v.visitor_name}</strong>
                        <span class="muted">${formatDateTime(this.hass, v.registered_at)}</span>
                        <span class="spacer"></span>
                        <button class="primary" @click=${() => this.decide(v, true)}>${t("visit.approve")}</button>
                        <button class="danger" @click=${() => this.decide(v, false)}>${t("visit.deny")}</button>
                      </div>`,
                  )
                : html`<p class="muted">${t("home.no_waiting")}</p>`}
            </div>
            <div class="card">
              <h3>${t("home.upcoming")}</h3>
              ${renderTable(
                t,
                [
                  { label: t("visit.visitor"), render: (v: Visit) => v.visitor_name },
                  { label: t("common.status"), render: (v) => translateValue(t, "visit_status", v.status) },
                  {
                    label: t("visit.window"),
                    render: (v) => formatRange(this.hass, v.window_start, v.window_end),
                  },
                ],
                d.upcoming ?? [],
                this.narrow,
              )}
            </div>
            <div class="card">
              <h3>${t("home.people")}</h3>
              ${renderTable(
                t,
                [
                  { label: t("person.name"), render: (p: HomeOverview["people"][number]) => p.name },
                  { label: t("person.role"), render: (p) => translateValue(t, "role", p.role) },
                  { label: t("common.status"), render: (p) => translateValue(t, "status", p.status) },
                ],
                d.people ?? [],
                this.narrow,
              )}
              <h3 style="margin-top:16px">${t("credentials.title")}</h3>
              ${renderTable(
                t,
                [
                  { label: t("person.name"), render: (c: CredentialItem) => nameOf(c.person_id) },
                  { label: t("credential.kind"), render: (c) => translateValue(t, "kind", c.kind) },
                  { label: t("credential.masked"), render: (c) => c.masked ?? "—" },
                  { label: t("common.status"), render: (c) => translateValue(t, "cred_status", c.status) },
                  { label: t("common.valid_until"), render: (c) => formatDate(this.hass, c.valid_until) },
                  {
                    label: t("common.actions"),
                    render: (c) =>
                      c.kind === "card" && c.status === "active"
                        ? html`<button class="danger" @click=${() => this.reportLost(c)}>${t("card.report_lost")}</button>`
                        : nothing,
                  },
                ],
                d.credentials ?? [],
                this.narrow,
              )}
            </div>`
        : nothing}
      ${this.unit
        ? html`<div class="card">
            <h3>${t("home.access")}</h3>
            ${renderTable(
              t,
              [
                { label: t("access.at"), render: (r: AccessItem) => formatDateTime(this.hass, r.at) },
                { label: t("access.person"), render: (r) => r.person_name ?? "—" },
                { label: t("access.door"), render: (r) => r.door },
                {
                  label: t("access.result"),
                  render: (r) =>
                    html`<span class="chip ${r.granted ? "good" : "bad"}"
                      >${r.granted ? t("access.granted") : t("access.denied")}</span
                    >`,
                },
                { label: t("access.reason"), render: (r) => r.reason_text },
              ],
              this.access?.items ?? [],
              this.narrow,
            )}
            ${this.access
              ? renderPager(t, this.offset, LIMIT, this.access.total, (o) => {
                  this.offset = o;
                  void this.loadAccess();
                })
              : nothing}
          </div>`
        : nothing}
      ${d
        ? html`<div class="card">
            <h3>${t("statement.title")}</h3>
            <p>
              ${t("statement.balance")}: <strong>${formatMoney(this.hass, d.statement?.balance)}</strong> ·
              ${t("statement.deposits_held")}: <strong>${formatMoney(this.hass, d.statement?.deposits_held)}</strong>
            </p>
            ${renderTable(
              t,
              [
                { label: t("statement.at"), render: (e: HomeOverview["statement"]["entries"][number]) => formatDate(this.hass, e.at) },
                { label: t("statement.kind"), render: (e) => translateValue(t, "ledger", e.kind) },
                { label: t("statement.amount"), render: (e) => formatMoney(this.hass, e.amount) },
                { label: t("statement.note"), render: (e) => e.note ?? "" },
              ],
              d.statement?.entries ?? [],
              this.narrow,
            )}
          </div>`
        : nothing}`;
  }
}

if (!customElements.get("ca-home-view")) customElements.define("ca-home-view", CaHomeView);
