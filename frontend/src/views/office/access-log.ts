// Access log: filters, paging, the reason in words, new records live, and a
// CSV export of the filtered records (full names only when ticked: the
// server records that in the audit trail).
import { html, nothing } from "lit";
import type { AccessFilter, AccessItem, Device, Page, PersonHit } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { renderMessages, renderPager, renderTable } from "../../components/table.js";
import { translateValue } from "../../i18n/index.js";
import { download, formatDateTime, localInputToIso, todayMidnightInput } from "../../format.js";
import "../../components/person-picker.js";

const LIMIT = 50;
export const REASONS = [
  "granted",
  "unknown_door",
  "unknown_credential",
  "lost",
  "returned",
  "cancelled",
  "expired",
  "not_yet_valid",
  "suspended",
  "moved_out",
  "zone_not_allowed",
  "outside_time_window",
  "remote_open",
  "guard_verified",
  "restricted",
  "anti_passback",
  "keypad_locked",
  "pass_used",
  "face_alone",
  "escape_route",
  "emergency_release",
  "lockdown",
  "maintenance",
  "not_accompanied",
  "patrol",
];

function matches(f: AccessFilter, r: AccessItem): boolean {
  if (f.person_id !== undefined && r.person_id !== f.person_id) return false;
  if (f.unit && r.unit !== f.unit && !(r.unit ?? "").startsWith(f.unit)) return false;
  if (f.door_id && r.door_id !== f.door_id) return false;
  if (f.granted !== undefined && r.granted !== f.granted) return false;
  if (f.reason && r.reason !== f.reason) return false;
  if (f.start && r.at < f.start) return false;
  if (f.end && r.at > f.end) return false;
  return true;
}

export class CaOfficeAccess extends CaBase {
  static override properties = {
    ...CaBase.properties,
    preset: { attribute: false },
    page: { state: true },
    offset: { state: true },
    doors: { state: true },
    person: { state: true },
    unit: { state: true },
    door: { state: true },
    result: { state: true },
    reason: { state: true },
    start: { state: true },
    end: { state: true },
    fullNames: { state: true },
    live: { state: true },
    fresh: { state: true },
  };

  preset: Record<string, unknown> = {};
  page?: Page<AccessItem>;
  offset = 0;
  doors: Device[] = [];
  person: PersonHit | null = null;
  unit = "";
  door = "";
  result = "";
  reason = "";
  start = "";
  end = "";
  fullNames = false;
  live = false;
  fresh = new Set<number>();
  private unsub?: Promise<() => Promise<void>>;
  /** Records pushed while a page is being read: the read may predate them. */
  private arrived?: AccessItem[];
  protected override reloadOnReconnect = true;

  protected override communityChanged(): void {
    this.stop();
    const p = this.preset ?? {};
    if (p.granted === true) this.result = "granted";
    if (p.granted === false) this.result = "denied";
    if (p.today) this.start = todayMidnightInput(this.hass);
    this.offset = 0;
    void this.api
      .devices()
      .then((d) => (this.doors = d))
      .catch(() => undefined);
    const sub = this.api.subscribe<{ record?: AccessItem }>("office/subscribe_access", {}, (ev) =>
      this.onRecord(ev.record),
    );
    this.unsub = sub;
    // The page is read once the subscription is in place: no record falls between.
    sub.then(
      () => {
        this.live = true;
        if (this.unsub === sub) void this.load();
      },
      () => {
        this.live = false;
        if (this.unsub === sub) void this.load();
      },
    );
  }

  private onRecord(rec: AccessItem | undefined): void {
    if (!rec || this.offset !== 0 || !matches(this.filter(), rec)) return;
    this.arrived?.push(rec);
    if (!this.page || this.page.items.some((r) => r.record_id === rec.record_id)) return;
    this.fresh = new Set([...this.fresh, rec.record_id]);
    this.page = {
      total: this.page.total + 1,
      items: [rec, ...this.page.items].slice(0, LIMIT),
    };
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

  private filter(): AccessFilter {
    return {
      person_id: this.person?.person_id,
      unit: this.unit.trim() || undefined,
      door_id: this.door || undefined,
      granted: this.result === "granted" ? true : this.result === "denied" ? false : undefined,
      reason: this.reason || undefined,
      start: localInputToIso(this.hass, this.start),
      end: localInputToIso(this.hass, this.end),
    };
  }

  private async load(): Promise<void> {
    const arrived: AccessItem[] = [];
    this.arrived = arrived;
    await this.run(async () => {
      const page = await this.api.accessLog({ ...this.filter(), offset: this.offset, limit: LIMIT });
      if (this.arrived !== arrived) return; // a newer read is under way
      // A record pushed during the read may be missing from it: keep it, marked new.
      const missing = arrived.filter((rec) => !page.items.some((r) => r.record_id === rec.record_id)).reverse();
      this.page = {
        total: page.total + missing.length,
        items: [...missing, ...page.items].slice(0, LIMIT),
      };
      this.fresh = new Set(arrived.map((rec) => rec.record_id));
    }).finally(() => {
      if (this.arrived === arrived) this.arrived = undefined;
    });
  }

  private apply(): void {
    this.offset = 0;
    void this.load();
  }

  private async exportCsv(): Promise<void> {
    const file = await this.run(() => this.api.accessLogCsv(this.filter(), this.fullNames));
    if (file) download(file.filename, file.csv);
  }

  private clear(): void {
    this.person = null;
    this.unit = this.door = this.result = this.reason = this.start = this.end = "";
    const picker = this.renderRoot.querySelector("ca-person-picker") as (HTMLElement & { chosen: unknown; query: string }) | null;
    if (picker) {
      picker.chosen = null;
      picker.query = "";
    }
    this.apply();
  }

  private renderFilters() {
    const t = this.t;
    const text = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
    return html`<div class="form">
        <ca-person-picker
          .t=${t}
          .search=${(q: string) => this.api.peopleSearch(q, 20)}
          label=${t("access.person")}
          @value-changed=${(e: CustomEvent<{ value: PersonHit | null }>) => (this.person = e.detail.value)}
        ></ca-person-picker>
        <label class="field"
          >${t("households.unit")}<input .value=${this.unit} @input=${text((v) => (this.unit = v))} placeholder="3-2-501"
        /></label>
        <label class="field"
          >${t("access.door")}
          <select @change=${text((v) => (this.door = v))}>
            <option value="" ?selected=${!this.door}>${t("common.all")}</option>
            ${this.doors.map((d) => html`<option value=${d.door_id} ?selected=${d.door_id === this.door}>${d.name}</option>`)}
          </select></label
        >
        <label class="field"
          >${t("access.result")}
          <select @change=${text((v) => (this.result = v))}>
            <option value="" ?selected=${!this.result}>${t("common.all")}</option>
            <option value="granted" ?selected=${this.result === "granted"}>${t("access.granted")}</option>
            <option value="denied" ?selected=${this.result === "denied"}>${t("access.denied")}</option>
          </select></label
        >
        <label class="field"
          >${t("access.reason")}
          <select @change=${text((v) => (this.reason = v))}>
            <option value="" ?selected=${!this.reason}>${t("common.all")}</option>
            ${REASONS.map(
              (r) => html`<option value=${r} ?selected=${r === this.reason}>${translateValue(t, "reason", r)}</option>`,
            )}
          </select></label
        >
        <label class="field"
          >${t("access.from")}<input type="datetime-local" .value=${this.start} @input=${text((v) => (this.start = v))}
        /></label>
        <label class="field"
          >${t("access.to")}<input type="datetime-local" .value=${this.end} @input=${text((v) => (this.end = v))}
        /></label>
      </div>
      <div class="row" style="margin:12px 0">
        <button class="primary" @click=${this.apply}>${t("access.apply")}</button>
        <button @click=${this.clear}>${t("access.clear")}</button>
        <span class="spacer"></span>
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.fullNames}
            @change=${(e: Event) => (this.fullNames = (e.target as HTMLInputElement).checked)}
          />${t("access.full_names")}</label
        >
        <button @click=${this.exportCsv}>${t("access.export")}</button>
      </div>
      ${this.fullNames ? html`<p class="muted">${t("access.full_names_audit")}</p>` : nothing}`;
  }

  override render() {
    const t = this.t;
    return html`${renderMessages(this.error, this.notice)}
      <div class="card">${this.renderFilters()}</div>
      <div class="card">
        <div class="row">
          <h3 style="margin:0">${t("office.tab.access")}</h3>
          <span class="spacer"></span>
          ${this.live ? html`<span class="chip good">● ${t("common.live")}</span>` : nothing}
        </div>
        ${renderTable(
          t,
          [
            {
              label: t("access.at"),
              render: (r: AccessItem) =>
                html`${formatDateTime(this.hass, r.at)}${this.fresh.has(r.record_id)
                  ? html` <span class="chip">${t("access.new")}</span>`
                  : nothing}`,
            },
            { label: t("access.door"), render: (r) => r.door },
            { label: t("access.person"), render: (r) => r.person_name ?? "—" },
            { label: t("households.unit"), render: (r) => r.unit ?? "—" },
            { label: t("credential.kind"), render: (r) => translateValue(t, "kind", r.kind) },
            {
              label: t("access.result"),
              render: (r) =>
                html`<span class="chip ${r.granted ? "good" : "bad"}"
                  >${r.granted ? t("access.granted") : t("access.denied")}</span
                >`,
            },
            { label: t("access.reason"), render: (r) => r.reason_text || translateValue(t, "reason", r.reason) },
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

if (!customElements.get("ca-office-access")) customElements.define("ca-office-access", CaOfficeAccess);
