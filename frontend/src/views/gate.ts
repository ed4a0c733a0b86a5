// The gate desk: register a visitor and watch the host's answer live, check
// visitors in and out, guard-verified entry, goods passes and checks of goods,
// the latest entries at the gates.
import { html, nothing } from "lit";
import type {
  AccessItem,
  DoorAlarm,
  DoorAlarmEvent,
  GateOverview,
  GoodsCheckResult,
  PersonHit,
  Visit,
  VisitEvent,
} from "../api.js";
import { CaBase } from "../components/base.js";
import { openForm, showCode } from "../components/dialog.js";
import { renderMessages, renderTable } from "../components/table.js";
import { translateValue } from "../i18n/index.js";
import { formatRange, formatTime } from "../format.js";
import { upsert, without } from "./visit-list.js";
import "../components/person-picker.js";

type Form = Record<string, string>;

export class CaGateView extends CaBase {
  static override properties = {
    ...CaBase.properties,
    data: { state: true },
    live: { state: true },
    reg: { state: true },
    mine: { state: true },
    checkin: { state: true },
    gv: { state: true },
    gvPerson: { state: true },
    alarms: { state: true },
    goods: { state: true },
    goodsResult: { state: true },
    inspection: { state: true },
  };

  data?: GateOverview;
  live = false;
  reg: Form = { pass_kind: "card" };
  /** Visits registered from this desk: their answer is highlighted. */
  mine = new Set<number>();
  checkin: Form = {};
  gv: Form = {};
  gvPerson: PersonHit | null = null;
  goods: Form = {};
  /** The last goods pass checked here (shown until the next check). */
  goodsResult?: GoodsCheckResult;
  inspection: Form = {};
  private unsub?: Promise<() => Promise<void>>;
  protected override reloadOnReconnect = true;
  private pendingEvents: VisitEvent[] = [];
  /** Door alarms needing attention (active or not acknowledged), newest first. */
  alarms: DoorAlarm[] = [];
  private alarmsUnsub?: Promise<() => Promise<void>>;

  protected override communityChanged(): void {
    this.stop();
    this.data = undefined;
    this.pendingEvents = [];
    // The snapshot is read once the subscription is in place (HA's client
    // does not hand back a subscription's result): nothing falls between.
    const sub = this.api.subscribe<VisitEvent>("gate/subscribe", {}, (ev) => this.onEvent(ev));
    this.unsub = sub;
    const snapshot = () => {
      if (this.unsub !== sub) return;
      void this.run(async () => {
        const data = await this.api.gateOverview();
        this.data = {
          pending: data.pending ?? [],
          on_site: data.on_site ?? [],
          overdue: data.overdue ?? [],
          expected_today: data.expected_today ?? [],
          recent: data.recent ?? [],
        };
        const queued = this.pendingEvents;
        this.pendingEvents = [];
        queued.forEach((ev) => this.onEvent(ev));
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
    this.followAlarms();
  }

  // --- door alarms ---------------------------------------------------------

  private followAlarms(): void {
    this.alarms = [];
    const sub = this.api.subscribe<DoorAlarmEvent>("gate/alarms_subscribe", {}, (ev) => this.onAlarm(ev));
    this.alarmsUnsub = sub;
    const read = () => {
      if (this.alarmsUnsub !== sub) return;
      void this.run(async () => {
        const listed = await this.api.gateAlarms();
        // Events that came first are newer than the list: keep them.
        const seen = new Set(this.alarms.map((a) => a.alarm_id));
        this.alarms = [...this.alarms, ...listed.filter((a) => !seen.has(a.alarm_id))].filter(needsAttention);
      });
    };
    sub.then(read, read);
  }

  private onAlarm(ev: DoorAlarmEvent): void {
    const a = ev.alarm;
    const rest = this.alarms.filter((x) => x.alarm_id !== a.alarm_id);
    const known = rest.length !== this.alarms.length;
    this.alarms = needsAttention(a) ? [a, ...rest].sort((x, y) => y.started_at.localeCompare(x.started_at)) : rest;
    if (!known && a.active)
      this.error = this.t("gate.alarm_new", { door: a.door ?? a.door_id, kind: translateValue(this.t, "alarm_kind", a.kind) });
  }

  private async acknowledge(a: DoorAlarm): Promise<void> {
    const t = this.t;
    const door = a.door ?? a.door_id;
    let done: DoorAlarm | undefined;
    const ok = await openForm(t, {
      title: t("gate.alarm_acknowledge"),
      message: t("gate.alarm_acknowledge_confirm", { door, kind: translateValue(t, "alarm_kind", a.kind) }),
      confirm: t("gate.alarm_acknowledge"),
      fields: [{ name: "note", label: t("rules.note"), type: "textarea" }],
      submit: async (vals) => {
        const note = String(vals.note ?? "").trim();
        done = await this.api.acknowledgeAlarm(a.alarm_id, note || undefined);
      },
    });
    if (ok && done) {
      this.onAlarm({ event: "alarm_acknowledged", alarm: done });
      this.notice = t("gate.alarm_acknowledged_done", { door });
    }
  }

  private renderAlarms() {
    const t = this.t;
    if (!this.alarms.length) return html`<p class="muted">${t("gate.alarms_none")}</p>`;
    return renderTable(
      t,
      [
        { label: t("gate.alarm_started"), render: (a: DoorAlarm) => formatTime(this.hass, a.started_at) },
        { label: t("access.door"), render: (a) => a.door ?? a.door_id },
        { label: t("gate.alarm_kind"), render: (a) => translateValue(t, "alarm_kind", a.kind) },
        {
          label: t("gate.alarm_state"),
          render: (a) =>
            html`<span class="chip ${a.active ? "bad" : "warn"}">${a.active ? t("gate.alarm_active") : t("gate.alarm_ended")}</span>
              ${a.acknowledged_at ? html`<span class="chip good">${t("gate.alarm_acknowledged")}</span>` : nothing}`,
        },
        {
          label: t("common.actions"),
          render: (a) =>
            a.acknowledged_at
              ? a.note ?? nothing
              : html`<button class="primary" @click=${() => this.acknowledge(a)}>${t("gate.alarm_acknowledge")}</button>`,
        },
      ],
      this.alarms,
      this.narrow,
    );
  }

  private onEvent(ev: VisitEvent): void {
    if (!this.data) {
      this.pendingEvents.push(ev);
      return;
    }
    if (ev.visit) this.data = this.mergeVisit(this.data, ev.visit);
    if (ev.record) {
      const rec = ev.record;
      if (!this.data.recent.some((r) => r.record_id === rec.record_id))
        this.data = { ...this.data, recent: [rec, ...this.data.recent].slice(0, 30) };
    }
  }

  private mergeVisit(d: GateOverview, v: Visit): GateOverview {
    const s = v.status;
    // A visit waiting for the host stays in that list once answered, with
    // the answer, so the guard who registered it sees it; a visitor holding
    // a pass (approved or on site) is listed with those on site.
    const holding = s === "approved" || s === "on_site";
    return {
      pending: upsert(d.pending, v, s === "pending"),
      on_site: holding ? upsert(d.on_site, v, true) : without(d.on_site, v),
      overdue: s === "overdue" ? upsert(d.overdue, v, true) : without(d.overdue, v),
      expected_today: s === "expected" ? upsert(d.expected_today, v, false) : without(d.expected_today, v),
      recent: d.recent,
    };
  }

  private stop(): void {
    const u = this.unsub;
    this.unsub = undefined;
    this.live = false;
    u?.then((f) => f()).catch(() => undefined);
    const a = this.alarmsUnsub;
    this.alarmsUnsub = undefined;
    a?.then((f) => f()).catch(() => undefined);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stop();
  }

  // --- actions -------------------------------------------------------------

  private async register(e: Event): Promise<void> {
    e.preventDefault();
    // Kept now: after the event, its target is no longer set (shadow DOM).
    const form = e.target as HTMLFormElement;
    if (!form.reportValidity()) return;
    const r = this.reg;
    const visit = await this.run(() =>
      this.api.registerVisitor({
        name: r.name?.trim(),
        id_number: r.id_number?.trim(),
        unit: r.unit?.trim(),
        phone: r.phone?.trim(),
        purpose: r.purpose?.trim(),
        minutes: r.minutes ? Number(r.minutes) : undefined,
        pass_kind: r.pass_kind,
        card_number: r.pass_kind === "card" ? r.card_number?.trim() || undefined : undefined,
      }),
    );
    if (visit) {
      this.mine = new Set([...this.mine, visit.visit_id]);
      if (this.data) this.data = this.mergeVisit(this.data, visit);
      this.reg = { pass_kind: r.pass_kind ?? "card" };
      form.reset();
      this.notice = this.t("gate.registered", { name: visit.visitor_name, unit: visit.unit });
    }
  }

  private async checkIn(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const c = this.checkin;
    const code = c.code?.trim();
    if (!code && !(c.name?.trim() && c.phone?.trim())) {
      this.error = this.t("gate.checkin_need");
      return;
    }
    const card_number = c.card_number?.trim() || undefined;
    const visit = await this.run(() =>
      this.api.checkIn(code ? { code, card_number } : { name: c.name.trim(), phone: c.phone.trim(), card_number }),
    );
    if (visit) {
      const { code: pass, ...plain } = visit;
      if (this.data) this.data = this.mergeVisit(this.data, plain);
      this.checkin = {};
      form.reset();
      this.notice = this.t("gate.checked_in", { name: visit.visitor_name });
      if (pass) await showCode(this.t, this.t("gate.check_in"), this.t("gate.code_for", { name: visit.visitor_name }), pass);
    }
  }

  private async checkOut(v: Visit): Promise<void> {
    const t = this.t;
    const card = v.pass_kind === "card";
    let result: Visit | undefined;
    const ok = await openForm(t, {
      title: t("gate.check_out"),
      message: t("gate.check_out_confirm", { name: v.visitor_name, unit: v.unit }),
      confirm: t("gate.check_out"),
      fields: card ? [{ name: "card_returned", label: t("gate.card_returned"), type: "checkbox", value: true }] : [],
      submit: async (vals) => {
        result = await this.api.checkOut(v.visit_id, card ? Boolean(vals.card_returned) : true);
      },
    });
    if (ok && result && this.data) this.data = this.mergeVisit(this.data, result);
  }

  private async guardVerified(e: Event): Promise<void> {
    e.preventDefault();
    const t = this.t;
    const person = this.gvPerson;
    const door = this.gv.door?.trim();
    if (!person || !door) {
      this.error = t("gate.gv_need");
      return;
    }
    const doorName = this.doors().find(([id]) => id === door)?.[1] ?? door;
    let rec: AccessItem | undefined;
    const ok = await openForm(t, {
      title: t("gate.gv_title"),
      message: t("gate.gv_confirm", { name: person.name, unit: person.unit ?? "", door: doorName }),
      confirm: t("gate.gv_open"),
      danger: true,
      submit: async () => {
        rec = await this.api.guardVerifiedEntry(door, person.person_id, this.gv.note?.trim() || undefined);
      },
    });
    if (ok && rec) {
      this.onEvent({ record: rec });
      this.notice = t("gate.gv_done", { name: person.name });
    }
  }

  private async verifyGoods(e: Event): Promise<void> {
    e.preventDefault();
    const code = this.goods.code?.trim();
    const door = this.goods.door?.trim();
    if (!code || !door) {
      this.error = this.t("goods.need");
      return;
    }
    const form = e.target as HTMLFormElement;
    const result = await this.run(() => this.api.verifyGoodsPass(code, door));
    if (result) {
      this.goodsResult = result;
      this.goods = { door };
      form.reset();
    }
  }

  private async inspectGoods(e: Event): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    if (!form.reportValidity()) return;
    const i = this.inspection;
    const passId = this.goodsResult?.goods_pass_id;
    const done = await this.run(() =>
      this.api.inspectGoods({
        note: i.note.trim(),
        door_id: i.door?.trim() || undefined,
        goods_pass_id: passId ?? undefined,
        unit: this.goodsResult?.unit ?? undefined,
      }),
    );
    if (done) {
      this.inspection = { door: i.door ?? "" };
      form.reset();
      this.notice = this.t("goods.inspect_done");
    }
  }

  /** Doors seen at the gates (id, name), from the latest records. */
  private doors(): [string, string][] {
    const seen = new Map<string, string>();
    for (const r of this.data?.recent ?? []) if (!seen.has(r.door_id)) seen.set(r.door_id, r.door);
    return [...seen.entries()];
  }

  // --- rendering -----------------------------------------------------------

  private input(form: Form, key: string, label: string, opts: { type?: string; required?: boolean; placeholder?: string } = {}) {
    return html`<label class="field"
      >${label}
      <input
        type=${opts.type ?? "text"}
        ?required=${opts.required}
        placeholder=${opts.placeholder ?? ""}
        autocomplete="off"
        @input=${(e: Event) => (form[key] = (e.target as HTMLInputElement).value)}
    /></label>`;
  }

  private doorField(form: Form, required: boolean) {
    const t = this.t;
    return this.doors().length
      ? html`<label class="field"
          >${t("access.door")}
          <select ?required=${required} @change=${(e: Event) => (form.door = (e.target as HTMLSelectElement).value)}>
            <option value="">${t("gate.choose_door")}</option>
            ${this.doors().map(([id, name]) => html`<option value=${id} ?selected=${form.door === id}>${name}</option>`)}
          </select></label
        >`
      : this.input(form, "door", t("gate.door_id"), { required });
  }

  private renderGoodsResult(r: GoodsCheckResult) {
    const t = this.t;
    const chip = r.status === "valid" ? "good" : r.status === "invalid" ? "bad" : "warn";
    return html`<div style="margin-top:8px">
      <span class="chip ${chip}">${translateValue(t, "goods.status", r.status)}</span>
      ${r.goods_pass_id
        ? html`<dl style="display:grid;grid-template-columns:max-content 1fr;gap:4px 12px;margin:8px 0">
            <dt>${t("goods.items")}</dt>
            <dd>${(r.items ?? []).join(", ")}${r.large_or_valuable ? html` <span class="chip warn">${t("goods.large")}</span>` : nothing}</dd>
            <dt>${t("households.unit")}</dt>
            <dd>${r.unit ?? "—"}</dd>
            <dt>${t("goods.person")}</dt>
            <dd>${r.person ?? "—"}</dd>
            <dt>${t("goods.issued_by")}</dt>
            <dd>${r.issued_by ?? "—"}</dd>
            <dt>${t("goods.valid")}</dt>
            <dd>${formatRange(this.hass, r.valid_from ?? null, r.valid_until ?? null)}</dd>
            ${r.note ? html`<dt>${t("rules.note")}</dt><dd>${r.note}</dd>` : nothing}
          </dl>
          ${r.status === "used"
            ? html`<p class="muted">${t("goods.used_at", { at: formatTime(this.hass, r.used_at ?? null), door: r.used_door ?? r.used_door_id ?? "—" })}</p>`
            : nothing}`
        : nothing}
    </div>`;
  }

  private visitTable(list: Visit[], kind: "pending" | "on_site" | "overdue" | "expected") {
    const t = this.t;
    return renderTable(
      t,
      [
        {
          label: t("visit.visitor"),
          render: (v: Visit) => html`${v.visitor_name}${this.mine.has(v.visit_id) ? html` <span class="chip">${t("gate.mine")}</span>` : nothing}`,
        },
        { label: t("households.unit"), render: (v) => v.unit },
        {
          label: t("common.status"),
          render: (v) =>
            html`<span
              class="chip ${v.status === "approved" || v.status === "on_site"
                ? "good"
                : v.status === "pending"
                  ? "warn"
                  : v.status === "expected"
                    ? ""
                    : "bad"}"
              >${v.status === "pending" ? t("gate.waiting_host") : translateValue(t, "visit_status", v.status)}</span
            >`,
        },
        {
          label:
            kind === "on_site" || kind === "overdue"
              ? t("gate.since")
              : kind === "expected"
                ? t("visit.window")
                : t("visit.registered"),
          render: (v) =>
            kind === "on_site" || kind === "overdue"
              ? formatTime(this.hass, v.on_site_since)
              : kind === "expected"
                ? formatRange(this.hass, v.window_start, v.window_end)
                : formatTime(this.hass, v.registered_at),
        },
        { label: t("visit.pass"), render: (v) => translateValue(t, "pass", v.pass_kind) },
        {
          label: t("common.actions"),
          render: (v) =>
            v.status === "on_site" || v.status === "overdue" || (kind !== "pending" && v.status === "approved")
              ? html`<button @click=${() => this.checkOut(v)}>${t("gate.check_out")}</button>`
              : nothing,
        },
      ],
      list,
      this.narrow,
    );
  }

  override render() {
    const t = this.t;
    const d = this.data;
    return html`${renderMessages(this.error, this.notice)}
      <div class="row" style="margin-bottom:8px">
        <span class="spacer"></span>
        ${this.live ? html`<span class="chip good">● ${t("common.live")}</span>` : html`<span class="chip">${t("common.offline")}</span>`}
      </div>
      <div class="card">
        <h3>${t("gate.alarms")}</h3>
        ${this.renderAlarms()}
      </div>
      <div class="card">
        <h3>${t("gate.register")}</h3>
        <form class="form" @submit=${this.register}>
          ${this.input(this.reg, "name", t("visit.visitor"), { required: true })}
          ${this.input(this.reg, "id_number", t("person.id_number"), { required: true })}
          ${this.input(this.reg, "unit", t("gate.host_unit"), { required: true, placeholder: "3-2-501" })}
          ${this.input(this.reg, "phone", t("person.phone"), { type: "tel", required: true })}
          ${this.input(this.reg, "purpose", t("gate.purpose"))}
          ${this.input(this.reg, "minutes", t("gate.minutes"), { type: "number" })}
          <label class="field"
            >${t("visit.pass")}
            <select
              @change=${(e: Event) => {
                this.reg = { ...this.reg, pass_kind: (e.target as HTMLSelectElement).value };
              }}
            >
              ${["card", "pin", "qr"].map(
                (k) => html`<option value=${k} ?selected=${this.reg.pass_kind === k}>${translateValue(t, "pass", k)}</option>`,
              )}
            </select></label
          >
          ${this.reg.pass_kind === "card" ? this.input(this.reg, "card_number", t("gate.visitor_card")) : nothing}
          <button class="primary" type="submit" ?disabled=${this.busy}>${t("gate.register_button")}</button>
        </form>
        <p class="muted">${t("gate.id_note")}</p>
      </div>
      <div class="card">
        <h3>${t("gate.pending")}</h3>
        ${d ? this.visitTable(d.pending, "pending") : html`<p class="muted">${t("common.loading")}</p>`}
      </div>
      <div class="card">
        <h3>${t("gate.check_in")}</h3>
        <form class="form" @submit=${this.checkIn}>
          ${this.input(this.checkin, "code", t("gate.code"))}
          ${this.input(this.checkin, "name", t("visit.visitor"))}
          ${this.input(this.checkin, "phone", t("person.phone"), { type: "tel" })}
          ${this.input(this.checkin, "card_number", t("gate.visitor_card"))}
          <button class="primary" type="submit" ?disabled=${this.busy}>${t("gate.check_in")}</button>
        </form>
        <p class="muted">${t("gate.checkin_help")}</p>
      </div>
      <div class="card">
        <h3>${t("gate.on_site")}</h3>
        ${d ? this.visitTable(d.on_site, "on_site") : nothing}
      </div>
      <div class="card">
        <h3>${t("gate.overdue")}</h3>
        ${d ? this.visitTable(d.overdue, "overdue") : nothing}
      </div>
      <div class="card">
        <h3>${t("gate.expected")}</h3>
        ${d ? this.visitTable(d.expected_today, "expected") : nothing}
      </div>
      <div class="card">
        <h3>${t("gate.gv_title")}</h3>
        <p class="muted">${t("gate.gv_help")}</p>
        <form class="form" @submit=${this.guardVerified}>
          ${this.doors().length
            ? html`<label class="field"
                >${t("access.door")}
                <select required @change=${(e: Event) => (this.gv.door = (e.target as HTMLSelectElement).value)}>
                  <option value="">${t("gate.choose_door")}</option>
                  ${this.doors().map(([id, name]) => html`<option value=${id} ?selected=${this.gv.door === id}>${name}</option>`)}
                </select></label
              >`
            : this.input(this.gv, "door", t("gate.door_id"), { required: true })}
          <ca-person-picker
            .t=${t}
            .search=${(q: string) => this.api.gatePeopleSearch(q)}
            label=${t("access.person")}
            @value-changed=${(e: CustomEvent<{ value: PersonHit | null }>) => (this.gvPerson = e.detail.value)}
          ></ca-person-picker>
          ${this.input(this.gv, "note", t("rules.note"))}
          <button class="primary" type="submit">${t("gate.gv_open")}</button>
        </form>
      </div>
      <div class="card">
        <h3>${t("goods.title")}</h3>
        <p class="muted">${t("goods.help")}</p>
        <form class="form" @submit=${this.verifyGoods}>
          ${this.input(this.goods, "code", t("goods.code"), { required: true })} ${this.doorField(this.goods, true)}
          <button class="primary" type="submit" ?disabled=${this.busy}>${t("goods.verify")}</button>
        </form>
        ${this.goodsResult ? this.renderGoodsResult(this.goodsResult) : nothing}
        <h3 style="margin-top:16px">${t("goods.inspect")}</h3>
        <p class="muted">${t("goods.inspect_help")}</p>
        <form class="form" @submit=${this.inspectGoods}>
          ${this.input(this.inspection, "note", t("goods.inspect_note"), { required: true })}
          ${this.doorField(this.inspection, false)}
          <button type="submit" ?disabled=${this.busy}>${t("goods.inspect")}</button>
        </form>
      </div>
      <div class="card">
        <h3>${t("gate.recent")}</h3>
        ${d
          ? renderTable(
              t,
              [
                { label: t("access.at"), render: (r: AccessItem) => formatTime(this.hass, r.at) },
                { label: t("access.door"), render: (r) => r.door },
                { label: t("access.person"), render: (r) => `${r.person_name ?? "—"} ${r.unit ?? ""}` },
                {
                  label: t("access.result"),
                  render: (r) =>
                    html`<span class="chip ${r.granted ? "good" : "bad"}"
                        >${r.granted ? t("access.granted") : t("access.denied")}</span
                      >
                      ${r.reason_text}`,
                },
              ],
              d.recent,
              this.narrow,
            )
          : nothing}
      </div>`;
  }
}

/** Whether an alarm still needs the guard: active, or not acknowledged. */
function needsAttention(a: DoorAlarm): boolean {
  return a.active || !a.acknowledged_at;
}

if (!customElements.get("ca-gate-view")) customElements.define("ca-gate-view", CaGateView);
