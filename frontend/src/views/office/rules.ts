// Rules: violations and penalties; record a violation for a person picked by
// search, apply a penalty, lift one; commendations (表扬); the public notices
// (公告批评).
import { html, nothing } from "lit";
import type { Commendation, Page, Penalty, PublicNotice, Violation } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { openForm } from "../../components/dialog.js";
import { renderMessages, renderPager, renderTable } from "../../components/table.js";
import { translateValue } from "../../i18n/index.js";
import { formatDate, formatDateTime, formatMoney } from "../../format.js";

const LIMIT = 50;
const VIOLATION_KINDS = ["using_anothers_card", "lending_card", "tampering", "tailgating", "other"];
const PENALTY_KINDS = ["warning", "restriction", "suspension", "public_notice", "report", "fine"];

function who(name: string | null | undefined, unit: string | null | undefined, id: number | null): string {
  if (name) return unit ? `${name} · ${unit}` : name;
  return id === null ? "—" : `#${id}`;
}

export class CaOfficeRules extends CaBase {
  static override properties = {
    ...CaBase.properties,
    openOnly: { state: true },
    activeOnly: { state: true },
    vOffset: { state: true },
    pOffset: { state: true },
    violations: { state: true },
    penalties: { state: true },
    noticesActive: { state: true },
    nOffset: { state: true },
    notices: { state: true },
    cOffset: { state: true },
    commendations: { state: true },
  };

  openOnly = true;
  activeOnly = true;
  vOffset = 0;
  pOffset = 0;
  violations?: Page<Violation>;
  penalties?: Page<Penalty>;
  noticesActive = true;
  nOffset = 0;
  notices?: Page<PublicNotice>;
  cOffset = 0;
  commendations?: Page<Commendation>;

  protected override communityChanged(): void {
    this.vOffset = 0;
    this.pOffset = 0;
    this.nOffset = 0;
    this.cOffset = 0;
    void this.load();
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      const [v, p, n, c] = await Promise.all([
        this.api.violations({ open_only: this.openOnly, offset: this.vOffset, limit: LIMIT }),
        this.api.penalties({ active_only: this.activeOnly, offset: this.pOffset, limit: LIMIT }),
        this.api.notices({ active_only: this.noticesActive, offset: this.nOffset, limit: LIMIT }),
        this.api.commendations({ offset: this.cOffset, limit: LIMIT }),
      ]);
      this.violations = v;
      this.penalties = p;
      this.notices = n;
      this.commendations = c;
    });
  }

  private search = (q: string) => this.api.peopleSearch(q, 20);

  private async record(): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("rules.record"),
      confirm: t("rules.record"),
      fields: [
        { name: "person_id", label: t("rules.person"), type: "person", required: true, search: this.search },
        {
          name: "kind",
          label: t("rules.kind"),
          type: "select",
          options: VIOLATION_KINDS.map((k) => ({ value: k, label: translateValue(t, "violation", k) })),
        },
        { name: "note", label: t("rules.note"), type: "textarea" },
      ],
      submit: (v) =>
        this.api.recordViolation({ person_id: v.person_id, kind: v.kind, note: typeof v.note === "string" ? v.note.trim() : undefined }),
    });
    if (ok) {
      await this.load(); // clears the notice: set it afterwards
      this.notice = t("rules.recorded");
    }
  }

  private async commend(): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("rules.commend"),
      message: t("rules.commend_hint"),
      confirm: t("rules.commend"),
      fields: [
        { name: "person_id", label: t("rules.person"), type: "person", required: true, search: this.search },
        { name: "note", label: t("rules.note"), type: "textarea" },
      ],
      submit: (v) =>
        this.api.recordCommendation({
          person_id: v.person_id,
          note: typeof v.note === "string" && v.note.trim() ? v.note.trim() : undefined,
        }),
    });
    if (ok) {
      await this.load(); // clears the notice: set it afterwards
      this.notice = t("rules.commended");
    }
  }

  private async apply(violation?: Violation): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("rules.apply"),
      message: violation
        ? t("rules.apply_for", {
            person: who(violation.person_name, violation.unit, violation.person_id),
            kind: translateValue(t, "violation", violation.kind),
          })
        : undefined,
      confirm: t("rules.apply"),
      fields: [
        ...(violation
          ? []
          : [{ name: "person_id", label: t("rules.person"), type: "person" as const, required: true, search: this.search }]),
        {
          name: "kind",
          label: t("rules.penalty_kind"),
          type: "select",
          options: PENALTY_KINDS.map((k) => ({ value: k, label: translateValue(t, "penalty", k) })),
        },
        { name: "days", label: t("rules.days"), type: "number", min: 1 },
        { name: "amount", label: t("rules.amount"), type: "number", min: 0, step: "0.01" },
        { name: "note", label: t("rules.note"), type: "textarea" },
      ],
      submit: (v) =>
        this.api.applyPenalty({
          person_id: violation ? violation.person_id : v.person_id,
          violation_id: violation?.violation_id,
          kind: v.kind,
          days: v.days ? Number(v.days) : undefined,
          amount: v.amount ? Number(v.amount) : undefined,
          note: typeof v.note === "string" ? v.note.trim() : undefined,
        }),
    });
    if (ok) await this.load();
  }

  private async lift(p: Penalty): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("rules.lift"),
      message: t("rules.lift_confirm", {
        kind: translateValue(t, "penalty", p.kind),
        person: who(p.person_name, p.unit, p.person_id),
      }),
      confirm: t("rules.lift"),
      submit: () => this.api.liftPenalty(p.penalty_id),
    });
    if (ok) await this.load();
  }

  override render() {
    const t = this.t;
    return html`${renderMessages(this.error, this.notice)}
      <div class="card">
        <div class="row" style="margin-bottom:12px">
          <h3 style="margin:0">${t("rules.violations")}</h3>
          <label class="check"
            ><input
              type="checkbox"
              .checked=${this.openOnly}
              @change=${(e: Event) => {
                this.openOnly = (e.target as HTMLInputElement).checked;
                this.vOffset = 0;
                void this.load();
              }}
            />${t("rules.open_only")}</label
          >
          <span class="spacer"></span>
          <button class="primary" @click=${() => this.record()}>${t("rules.record")}</button>
        </div>
        ${renderTable(
          t,
          [
            { label: t("statement.at"), render: (v: Violation) => formatDateTime(this.hass, v.at) },
            { label: t("rules.person"), render: (v) => who(v.person_name, v.unit, v.person_id) },
            { label: t("rules.kind"), render: (v) => translateValue(t, "violation", v.kind) },
            { label: t("rules.note"), render: (v) => v.note ?? "" },
            { label: t("common.status"), render: (v) => translateValue(t, "violation_status", v.status) },
            {
              label: t("common.actions"),
              render: (v) =>
                v.person_id !== null ? html`<button @click=${() => this.apply(v)}>${t("rules.apply")}</button>` : nothing,
            },
          ],
          this.violations?.items ?? [],
          this.narrow,
        )}
        ${this.violations
          ? renderPager(t, this.vOffset, LIMIT, this.violations.total, (o) => {
              this.vOffset = o;
              void this.load();
            })
          : nothing}
      </div>
      <div class="card">
        <div class="row" style="margin-bottom:12px">
          <h3 style="margin:0">${t("rules.penalties")}</h3>
          <label class="check"
            ><input
              type="checkbox"
              .checked=${this.activeOnly}
              @change=${(e: Event) => {
                this.activeOnly = (e.target as HTMLInputElement).checked;
                this.pOffset = 0;
                void this.load();
              }}
            />${t("rules.active_only")}</label
          >
          <span class="spacer"></span>
          <button @click=${() => this.apply()}>${t("rules.apply")}</button>
        </div>
        ${renderTable(
          t,
          [
            { label: t("rules.person"), render: (p: Penalty) => who(p.person_name, p.unit, p.person_id) },
            { label: t("rules.penalty_kind"), render: (p) => translateValue(t, "penalty", p.kind) },
            { label: t("common.valid_from"), render: (p) => formatDate(this.hass, p.start) },
            { label: t("common.valid_until"), render: (p) => formatDate(this.hass, p.end ?? p.deadline) },
            { label: t("rules.amount"), render: (p) => (p.amount ? formatMoney(this.hass, p.amount) : "—") },
            {
              label: t("common.status"),
              render: (p) =>
                p.lifted_at
                  ? html`<span class="chip">${t("rules.lifted")} ${formatDate(this.hass, p.lifted_at)}</span>`
                  : html`<span class="chip bad">${t("rules.in_force")}</span>`,
            },
            {
              label: t("common.actions"),
              render: (p) => (p.lifted_at ? nothing : html`<button @click=${() => this.lift(p)}>${t("rules.lift")}</button>`),
            },
          ],
          this.penalties?.items ?? [],
          this.narrow,
        )}
        ${this.penalties
          ? renderPager(t, this.pOffset, LIMIT, this.penalties.total, (o) => {
              this.pOffset = o;
              void this.load();
            })
          : nothing}
      </div>
      ${this.renderCommendations()} ${this.renderNotices()}`;
  }

  private renderCommendations() {
    const t = this.t;
    return html`<div class="card commendations">
      <div class="row" style="margin-bottom:12px">
        <h3 style="margin:0">${t("rules.commendations")}</h3>
        <span class="spacer"></span>
        <button @click=${() => this.commend()}>${t("rules.commend")}</button>
      </div>
      ${renderTable(
        t,
        [
          { label: t("statement.at"), render: (c: Commendation) => formatDateTime(this.hass, c.at) },
          { label: t("rules.person"), render: (c) => who(c.person_name, c.unit, c.person_id) },
          { label: t("rules.note"), render: (c) => c.note ?? "" },
        ],
        this.commendations?.items ?? [],
        this.narrow,
      )}
      ${this.commendations
        ? renderPager(t, this.cOffset, LIMIT, this.commendations.total, (o) => {
            this.cOffset = o;
            void this.load();
          })
        : nothing}
    </div>`;
  }

  private renderNotices() {
    const t = this.t;
    return html`<div class="card notices">
      <div class="row" style="margin-bottom:12px">
        <h3 style="margin:0">${t("notices.title")}</h3>
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.noticesActive}
            @change=${(e: Event) => {
              this.noticesActive = (e.target as HTMLInputElement).checked;
              this.nOffset = 0;
              void this.load();
            }}
          />${t("rules.active_only")}</label
        >
      </div>
      ${renderTable(
        t,
        [
          { label: t("rules.person"), render: (n: PublicNotice) => who(n.person_name, n.unit, null) },
          { label: t("notices.reason"), render: (n) => [n.reason, n.note].filter(Boolean).join(" — ") || "—" },
          { label: t("common.valid_from"), render: (n) => formatDate(this.hass, n.start) },
          { label: t("common.valid_until"), render: (n) => formatDate(this.hass, n.end) },
          { label: t("notices.regulation"), render: (n) => n.regulation },
          {
            label: t("common.status"),
            render: (n) =>
              n.lifted_at
                ? html`<span class="chip">${t("rules.lifted")} ${formatDate(this.hass, n.lifted_at)}</span>`
                : html`<span class="chip bad">${t("rules.in_force")}</span>`,
          },
        ],
        this.notices?.items ?? [],
        this.narrow,
      )}
      ${this.notices
        ? renderPager(t, this.nOffset, LIMIT, this.notices.total, (o) => {
            this.nOffset = o;
            void this.load();
          })
        : nothing}
    </div>`;
  }
}

if (!customElements.get("ca-office-rules")) customElements.define("ca-office-rules", CaOfficeRules);
