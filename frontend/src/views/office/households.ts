// Households: search, list with paging, and one household's detail with the
// desk's actions (each behind a confirmation dialog).
import { html, nothing } from "lit";
import type { CredentialItem, HouseholdDetail, HouseholdItem, Page, PersonDetail } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { openForm, type Field, type Values } from "../../components/dialog.js";
import { renderMessages, renderPager, renderTable } from "../../components/table.js";
import { translateValue } from "../../i18n/index.js";
import { formatDate, formatDateTime, formatMoney, localInputToIso } from "../../format.js";

const LIMIT = 50;
const ROLES = ["owner", "family", "tenant", "helper", "staff", "contractor"];
const CREDENTIAL_KINDS = ["pin", "fingerprint", "face", "phone_tag", "plate"];

function str(v: unknown): string | undefined {
  return typeof v === "string" && v.trim() ? v.trim() : undefined;
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export class CaOfficeHouseholds extends CaBase {
  static override properties = {
    ...CaBase.properties,
    search: { state: true },
    movedOut: { state: true },
    offset: { state: true },
    page: { state: true },
    detail: { state: true },
  };

  search = "";
  movedOut = false;
  offset = 0;
  page?: Page<HouseholdItem>;
  detail?: HouseholdDetail;
  private timer?: number;

  protected override communityChanged(): void {
    this.detail = undefined;
    this.offset = 0;
    void this.load();
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      this.page = await this.api.households({
        search: this.search || undefined,
        include_moved_out: this.movedOut,
        offset: this.offset,
        limit: LIMIT,
      });
    });
  }

  private async open(unit: string): Promise<void> {
    await this.run(async () => {
      this.detail = await this.api.household(unit);
    });
  }

  private async refresh(): Promise<void> {
    if (this.detail) await this.open(this.detail.household.unit);
  }

  private onSearch(e: Event): void {
    this.search = (e.target as HTMLInputElement).value;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      this.offset = 0;
      void this.load();
    }, 300);
  }

  // --- actions -------------------------------------------------------------

  private async addHousehold(): Promise<void> {
    const t = this.t;
    let unit = "";
    const ok = await openForm(t, {
      title: t("households.add"),
      confirm: t("common.add"),
      fields: [
        { name: "unit", label: t("households.unit"), required: true, hint: t("households.unit_hint") },
        { name: "card_quota", label: t("households.card_quota"), type: "number", min: 0 },
      ],
      submit: async (v) => {
        unit = str(v.unit) ?? "";
        await this.api.addHousehold(unit, num(v.card_quota));
      },
    });
    if (ok) {
      await this.load();
      await this.open(unit); // both clear the notice: set it afterwards
      this.notice = t("households.added", { unit });
    }
  }

  private personFields(p?: PersonDetail): Field[] {
    const t = this.t;
    const fields: Field[] = [
      { name: "name", label: t("person.name"), required: !p, value: p?.name },
      {
        name: "role",
        label: t("person.role"),
        type: "select",
        value: p?.role,
        options: ROLES.map((r) => ({ value: r, label: translateValue(t, "role", r) })),
      },
      {
        name: "id_number",
        label: t("person.id_number"),
        hint: p?.id_number_masked ? t("person.keep_hint", { masked: p.id_number_masked }) : undefined,
      },
      {
        name: "phone",
        label: t("person.phone"),
        type: "tel",
        hint: p?.phone_masked ? t("person.keep_hint", { masked: p.phone_masked }) : undefined,
      },
      { name: "valid_from", label: t("common.valid_from"), type: "datetime" },
      { name: "valid_until", label: t("common.valid_until"), type: "datetime" },
    ];
    return fields;
  }

  private personParams(v: Values): Record<string, unknown> {
    return {
      name: str(v.name),
      role: str(v.role),
      id_number: str(v.id_number),
      phone: str(v.phone),
      valid_from: localInputToIso(this.hass, String(v.valid_from ?? "")),
      valid_until: localInputToIso(this.hass, String(v.valid_until ?? "")),
    };
  }

  private async addPerson(unit: string): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("person.add_to", { unit }),
      confirm: t("common.add"),
      fields: this.personFields(),
      submit: (v) => this.api.addPerson({ unit, ...this.personParams(v) }),
    });
    if (ok) await this.refresh();
  }

  private async editPerson(p: PersonDetail): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("person.edit", { name: p.name }),
      confirm: t("common.save"),
      fields: this.personFields(p),
      submit: (v) => this.api.updatePerson({ person_id: p.person_id, ...this.personParams(v) }),
    });
    if (ok) await this.refresh();
  }

  private async setStatus(p: PersonDetail): Promise<void> {
    const t = this.t;
    const suspend = p.status === "active";
    const ok = await openForm(t, {
      title: suspend ? t("person.suspend") : t("person.reactivate"),
      message: suspend ? t("person.suspend_confirm", { name: p.name }) : t("person.reactivate_confirm", { name: p.name }),
      confirm: suspend ? t("person.suspend") : t("person.reactivate"),
      danger: suspend,
      submit: () => this.api.setPersonStatus(p.person_id, suspend ? "suspended" : "active"),
    });
    if (ok) await this.refresh();
  }

  private async issueCard(p: PersonDetail): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("card.issue_to", { name: p.name }),
      confirm: t("card.issue"),
      fields: [
        { name: "card_number", label: t("card.number"), required: true, hint: t("card.number_hint"), reader: this.api },
        { name: "deposit", label: t("card.deposit"), type: "number", min: 0, step: "0.01" },
        { name: "valid_until", label: t("common.valid_until"), type: "datetime" },
      ],
      submit: (v) =>
        this.api.issueCard({
          person_id: p.person_id,
          card_number: str(v.card_number),
          deposit: num(v.deposit),
          valid_until: localInputToIso(this.hass, String(v.valid_until ?? "")),
        }),
    });
    if (ok) await this.refresh();
  }

  private async addCredential(p: PersonDetail): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("credential.add_to", { name: p.name }),
      confirm: t("common.add"),
      fields: [
        {
          name: "kind",
          label: t("credential.kind"),
          type: "select",
          options: CREDENTIAL_KINDS.map((k) => ({ value: k, label: translateValue(t, "kind", k) })),
        },
        { name: "value", label: t("credential.value"), type: "password", required: true, hint: t("credential.value_hint") },
        { name: "valid_from", label: t("common.valid_from"), type: "datetime" },
        { name: "valid_until", label: t("common.valid_until"), type: "datetime" },
      ],
      submit: (v) =>
        this.api.addCredential({
          person_id: p.person_id,
          kind: str(v.kind),
          value: str(v.value),
          valid_from: localInputToIso(this.hass, String(v.valid_from ?? "")),
          valid_until: localInputToIso(this.hass, String(v.valid_until ?? "")),
        }),
    });
    if (ok) await this.refresh();
  }

  private async reportLost(c: CredentialItem): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("card.report_lost"),
      message: t("card.report_lost_confirm", { masked: c.masked ?? "" }),
      confirm: t("card.report_lost"),
      danger: true,
      submit: () => this.api.reportCardLost(c.credential_id),
    });
    if (ok) await this.refresh();
  }

  private async reissue(c: CredentialItem): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("card.reissue"),
      message: t("card.reissue_message", { masked: c.masked ?? "" }),
      confirm: t("card.reissue"),
      fields: [
        { name: "card_number", label: t("card.new_number"), required: true, hint: t("card.number_hint"), reader: this.api },
        { name: "fee", label: t("card.fee"), type: "number", min: 0, step: "0.01" },
      ],
      submit: (v) => this.api.reissueCard(c.credential_id, str(v.card_number) ?? "", num(v.fee)),
    });
    if (ok) await this.refresh();
  }

  private async returnCard(c: CredentialItem): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("card.return"),
      message: t("card.return_message", {
        masked: c.masked ?? "",
        deposit: formatMoney(this.hass, c.deposit ?? 0),
      }),
      confirm: t("card.return"),
      fields: [{ name: "damaged", label: t("card.damaged"), type: "checkbox" }],
      submit: (v) => this.api.returnCard(c.credential_id, Boolean(v.damaged)),
    });
    if (ok) await this.refresh();
  }

  private async revoke(c: CredentialItem): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("credential.revoke"),
      message: t("credential.revoke_confirm", {
        kind: translateValue(t, "kind", c.kind),
        masked: c.masked ?? "",
      }),
      confirm: t("credential.revoke"),
      danger: true,
      submit: () => this.api.revokeCredential(c.credential_id),
    });
    if (ok) await this.refresh();
  }

  private async moveOut(unit: string): Promise<void> {
    const t = this.t;
    const preview = await this.run(() => this.api.moveOutPreview(unit));
    if (!preview) return;
    const fields: Field[] = preview.refunds.map((r) => ({
      name: String(r.credential_id),
      type: "checkbox",
      value: true,
      label: t("moveout.returned", { masked: r.masked ?? "", deposit: formatMoney(this.hass, r.deposit) }),
    }));
    const total = preview.refunds.reduce((s, r) => s + (r.deposit || 0), 0);
    const ok = await openForm(t, {
      title: t("moveout.title", { unit }),
      message: html`<p>${t("moveout.summary", { people: preview.people })}</p>
        <p>
          ${preview.refunds.length
            ? t("moveout.refunds", { count: preview.refunds.length, total: formatMoney(this.hass, total) })
            : t("moveout.no_refunds")}
        </p>
        ${preview.kept.length ? html`<p class="muted">${t("moveout.kept", { count: preview.kept.length })}</p>` : nothing}
        <p class="muted">${t("moveout.tick")}</p>`,
      fields,
      confirm: t("moveout.confirm"),
      danger: true,
      submit: (v) =>
        this.api.moveOut(
          unit,
          preview.refunds.filter((r) => v[String(r.credential_id)] === true).map((r) => r.credential_id),
        ),
    });
    if (ok) {
      await this.refresh();
      await this.load();
      this.notice = t("moveout.done", { unit });
    }
  }

  // --- rendering -----------------------------------------------------------

  private renderList() {
    const t = this.t;
    const page = this.page;
    return html`<div class="card">
      <div class="row" style="margin-bottom:12px">
        <input
          type="search"
          placeholder=${t("households.search")}
          aria-label=${t("households.search")}
          .value=${this.search}
          @input=${this.onSearch}
        />
        <label class="check"
          ><input
            type="checkbox"
            .checked=${this.movedOut}
            @change=${(e: Event) => {
              this.movedOut = (e.target as HTMLInputElement).checked;
              this.offset = 0;
              void this.load();
            }}
          />${t("households.include_moved_out")}</label
        >
        <span class="spacer"></span>
        <button class="primary" @click=${this.addHousehold}>${t("households.add")}</button>
      </div>
      ${renderTable(
        t,
        [
          { label: t("households.unit"), render: (h: HouseholdItem) => h.unit },
          { label: t("households.people"), render: (h) => h.people },
          {
            label: t("households.cards"),
            render: (h) => (h.card_quota ? `${h.active_cards} / ${h.card_quota}` : h.active_cards),
          },
          {
            label: t("common.status"),
            render: (h) =>
              h.moved_out
                ? html`<span class="chip">${t("households.moved_out")}</span>`
                : html`<span class="chip good">${t("households.occupied")}</span>`,
          },
        ],
        page?.items ?? [],
        this.narrow,
        (h) => void this.open(h.unit),
      )}
      ${page
        ? renderPager(t, this.offset, LIMIT, page.total, (o) => {
            this.offset = o;
            void this.load();
          })
        : nothing}
    </div>`;
  }

  private renderDetail(d: HouseholdDetail) {
    const t = this.t;
    const h = d.household;
    const nameOf = (id: number) => (d.people ?? []).find((p) => p.person_id === id)?.name ?? `#${id}`;
    return html`<div class="row" style="margin-bottom:12px">
        <button @click=${() => (this.detail = undefined)}>← ${t("common.back")}</button>
        <h2 style="margin:0">${t("households.unit")} ${h.unit}</h2>
        ${h.moved_out ? html`<span class="chip">${t("households.moved_out")}</span>` : nothing}
        <span class="spacer"></span>
        ${h.moved_out
          ? nothing
          : html`<button @click=${() => this.addPerson(h.unit)}>${t("person.add")}</button>
              <button class="danger" @click=${() => this.moveOut(h.unit)}>${t("moveout.button")}</button>`}
      </div>
      <div class="card">
        <h3>${t("households.people")}</h3>
        ${renderTable(
          t,
          [
            { label: t("person.name"), render: (p: PersonDetail) => p.name },
            { label: t("person.role"), render: (p) => translateValue(t, "role", p.role) },
            {
              label: t("common.status"),
              render: (p) =>
                html`<span class="chip ${p.status === "active" ? "good" : "bad"}"
                  >${translateValue(t, "status", p.status)}</span
                >`,
            },
            { label: t("person.id_number"), render: (p) => p.id_number_masked ?? "—" },
            { label: t("person.phone"), render: (p) => p.phone_masked ?? "—" },
            { label: t("common.valid_until"), render: (p) => formatDate(this.hass, p.valid_until) },
            {
              label: t("common.actions"),
              render: (p) =>
                p.status === "moved_out"
                  ? nothing
                  : html`<div class="row">
                      <button @click=${() => this.issueCard(p)}>${t("card.issue")}</button>
                      <button @click=${() => this.addCredential(p)}>${t("credential.add")}</button>
                      <button @click=${() => this.editPerson(p)}>${t("common.edit")}</button>
                      <button class=${p.status === "active" ? "danger" : ""} @click=${() => this.setStatus(p)}>
                        ${p.status === "active" ? t("person.suspend") : t("person.reactivate")}
                      </button>
                    </div>`,
            },
          ],
          d.people ?? [],
          this.narrow,
        )}
      </div>
      <div class="card">
        <h3>${t("credentials.title")}</h3>
        ${renderTable(
          t,
          [
            { label: t("credential.kind"), render: (c: CredentialItem) => translateValue(t, "kind", c.kind) },
            { label: t("credential.masked"), render: (c) => c.masked ?? "—" },
            { label: t("person.name"), render: (c) => nameOf(c.person_id) },
            {
              label: t("common.status"),
              render: (c) =>
                html`<span class="chip ${c.status === "active" ? "good" : c.status === "lost" ? "bad" : ""}"
                  >${translateValue(t, "cred_status", c.status)}</span
                >`,
            },
            { label: t("card.deposit"), render: (c) => (c.deposit ? formatMoney(this.hass, c.deposit) : "—") },
            { label: t("common.valid_until"), render: (c) => formatDate(this.hass, c.valid_until) },
            { label: t("common.actions"), render: (c) => this.credentialActions(c) },
          ],
          d.credentials ?? [],
          this.narrow,
        )}
      </div>
      <div class="card">
        <h3>${t("statement.title")}</h3>
        <p>
          ${t("statement.balance")}: <strong>${formatMoney(this.hass, d.statement?.balance)}</strong> ·
          ${t("statement.deposits_held")}: <strong>${formatMoney(this.hass, d.statement?.deposits_held)}</strong>
        </p>
        ${renderTable(
          t,
          [
            { label: t("statement.at"), render: (e: HouseholdDetail["statement"]["entries"][number]) => formatDateTime(this.hass, e.at) },
            { label: t("statement.kind"), render: (e) => translateValue(t, "ledger", e.kind) },
            { label: t("statement.amount"), render: (e) => formatMoney(this.hass, e.amount) },
            { label: t("statement.note"), render: (e) => e.note ?? "" },
          ],
          d.statement?.entries ?? [],
          this.narrow,
        )}
      </div>
      ${d.links?.users?.length || d.links?.notify_services?.length
        ? html`<div class="card">
            <h3>${t("households.links")}</h3>
            <p>${(d.links.users ?? []).map((u) => u.name).join(", ")}</p>
            <p class="muted">${(d.links.notify_services ?? []).join(", ")}</p>
          </div>`
        : nothing}`;
  }

  private credentialActions(c: CredentialItem) {
    const t = this.t;
    if (c.kind === "card") {
      if (c.status === "active")
        return html`<div class="row">
          <button class="danger" @click=${() => this.reportLost(c)}>${t("card.report_lost")}</button>
          <button @click=${() => this.returnCard(c)}>${t("card.return")}</button>
        </div>`;
      if (c.status === "lost")
        return html`<div class="row">
          <button @click=${() => this.reissue(c)}>${t("card.reissue")}</button>
        </div>`;
      return nothing;
    }
    if (c.status === "active")
      return html`<button class="danger" @click=${() => this.revoke(c)}>${t("credential.revoke")}</button>`;
    return nothing;
  }

  override render() {
    return html`${renderMessages(this.error, this.notice)}
    ${this.detail ? this.renderDetail(this.detail) : this.renderList()}`;
  }
}

if (!customElements.get("ca-office-households")) customElements.define("ca-office-households", CaOfficeHouseholds);
