// Devices: doors with their lock, readers, line and lock-code sync state;
// open a door (recorded as a remote open), resync a lock; OSDP lines with
// their readers, and pairing a reader at a line's address for a door.
import { html, nothing } from "lit";
import type { Device, OsdpLine, OsdpReaderItem } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { openForm } from "../../components/dialog.js";
import { renderMessages, renderTable } from "../../components/table.js";
import { translateValue } from "../../i18n/index.js";

function problems(d: Device): number {
  const p = d.lock_codes?.problems;
  if (Array.isArray(p)) return p.length;
  return typeof p === "number" ? p : 0;
}

export class CaOfficeDevices extends CaBase {
  static override properties = {
    ...CaBase.properties,
    devices: { state: true },
    lines: { state: true },
  };

  devices?: Device[];
  lines?: OsdpLine[];

  protected override communityChanged(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      this.devices = await this.api.devices();
      this.lines = await this.api.osdpLines();
    });
  }

  private async pair(line?: OsdpLine): Promise<void> {
    const t = this.t;
    const lines = this.lines ?? [];
    let answer: Awaited<ReturnType<typeof this.api.osdpPair>> | undefined;
    const done = await openForm(t, {
      title: t("osdp.pair"),
      confirm: t("osdp.pair"),
      progress: t("osdp.pairing"),
      fields: [
        {
          name: "line",
          label: t("osdp.line"),
          type: "select",
          required: true,
          value: line?.line_id,
          options: lines.map((l) => ({ value: l.line_id, label: l.title })),
        },
        { name: "address", label: t("osdp.address"), type: "number", min: 0, step: "1", required: true, hint: t("osdp.address_hint") },
        {
          name: "door_id",
          label: t("osdp.door"),
          type: "select",
          required: true,
          options: (this.devices ?? []).map((d) => ({ value: d.door_id, label: d.name })),
        },
        { name: "name", label: t("osdp.name") },
      ],
      submit: async (v) => {
        answer = await this.api.osdpPair({
          line: String(v.line),
          address: Number(v.address),
          door_id: String(v.door_id),
          ...(v.name ? { name: String(v.name) } : {}),
        });
      },
    });
    if (!done || !answer) return;
    const r = answer.reader;
    await openForm(t, {
      title: t("osdp.paired_title"),
      message: t("osdp.paired", {
        reader: r.name,
        address: r.address,
        door: r.door ?? r.door_id,
        secure: answer.secure_channel ? t("osdp.yes") : t("osdp.no"),
        model: answer.identity.model,
        serial: answer.identity.serial,
      }),
      confirm: t("code.done"),
      noCancel: true,
      submit: async () => undefined,
    });
    await this.load();
  }

  private renderReaders(line: OsdpLine) {
    const t = this.t;
    if (!line.readers.length) return html`<p class="muted">${t("osdp.no_readers")}</p>`;
    return renderTable(
      t,
      [
        { label: t("osdp.address"), render: (r: OsdpReaderItem) => String(r.address) },
        { label: t("osdp.name"), render: (r) => html`${r.name}<br /><span class="muted">${r.door ?? r.door_id}</span>` },
        {
          label: t("osdp.state"),
          render: (r) =>
            html`<span class="chip ${r.online ? "good" : "bad"}">${r.online ? t("devices.is_online") : t("devices.is_offline")}</span>
              <span class="chip ${r.secure ? "good" : "warn"}">${r.secure ? t("osdp.secure") : t("osdp.plain")}</span>
              <span class="chip ${r.paired ? "good" : "warn"}">${r.paired ? t("osdp.key_own") : t("osdp.key_none")}</span>`,
        },
        {
          label: t("osdp.identity"),
          render: (r) => (r.identity ? `${r.identity.vendor} · ${r.identity.model} · ${r.identity.serial}` : "—"),
        },
      ],
      line.readers,
      this.narrow,
    );
  }

  private renderOsdp() {
    const t = this.t;
    const lines = this.lines ?? [];
    return html`<div class="card">
      <div class="row" style="margin-bottom:12px">
        <h3 style="margin:0">${t("osdp.title")}</h3>
        <span class="spacer"></span>
        ${lines.length
          ? html`<button class="primary" ?disabled=${this.busy} @click=${() => this.pair()}>${t("osdp.pair")}</button>`
          : nothing}
      </div>
      ${lines.length
        ? lines.map(
            (l) => html`<h4>
                ${l.title} <span class="muted">${l.port}</span>
                ${l.connected ? nothing : html`<span class="chip bad">${t("osdp.line_down")}</span>`}
              </h4>
              ${this.renderReaders(l)}`,
          )
        : html`<p class="muted">${t("osdp.no_lines")}</p>`}
    </div>`;
  }

  private async open(d: Device): Promise<void> {
    const t = this.t;
    const ok = await openForm(t, {
      title: t("devices.open"),
      message: t("devices.open_confirm", { door: d.name }),
      confirm: t("devices.open"),
      danger: true,
      submit: () => this.api.openDoor(d.door_id),
    });
    if (ok) this.notice = t("devices.opened", { door: d.name });
  }

  private async resync(d: Device): Promise<void> {
    const t = this.t;
    const done = await this.run(() => this.api.resyncLock(d.door_id), t("devices.resync_started", { door: d.name }));
    if (done !== undefined) await this.load();
  }

  override render() {
    const t = this.t;
    return html`${renderMessages(this.error, this.notice)}
      <div class="card">
        <div class="row" style="margin-bottom:12px">
          <h3 style="margin:0">${t("office.tab.devices")}</h3>
          <span class="spacer"></span>
          <button @click=${() => this.load()}>${t("common.refresh")}</button>
        </div>
        ${renderTable(
          t,
          [
            { label: t("access.door"), render: (d: Device) => html`${d.name}<br /><span class="muted">${d.zone}</span>` },
            {
              label: t("devices.direction"),
              render: (d) =>
                html`${translateValue(t, "direction", d.direction)}${d.escape_route
                  ? html` <span class="chip warn">${t("devices.escape_route")}</span>`
                  : nothing}`,
            },
            {
              label: t("devices.online"),
              render: (d) =>
                d.online === null
                  ? "—"
                  : html`<span class="chip ${d.online ? "good" : "bad"}"
                      >${d.online ? t("devices.is_online") : t("devices.is_offline")}</span
                    >`,
            },
            {
              label: t("devices.lock"),
              render: (d) =>
                d.lock_entity
                  ? html`${translateValue(t, "lock_state", d.lock_state)}<br /><span class="muted">${d.lock_entity}</span>`
                  : "—",
            },
            {
              label: t("devices.readers"),
              render: (d) => html`${(d.reader_entities ?? []).join(", ") || "—"}${d.line ? html`<br /><span class="muted">${d.line}</span>` : nothing}`,
            },
            {
              label: t("devices.codes"),
              render: (d) =>
                d.lock_codes
                  ? html`<span class="chip ${problems(d) ? "bad" : "good"}"
                      >${translateValue(t, "sync", d.lock_codes.state)}</span
                    >${problems(d) ? html` ${t("devices.problems", { count: problems(d) })}` : nothing}`
                  : "—",
            },
            {
              label: t("common.actions"),
              render: (d) =>
                html`<div class="row">
                  <button class="danger" @click=${() => this.open(d)}>${t("devices.open")}</button>
                  ${d.lock_entity
                    ? html`<button ?disabled=${this.busy} @click=${() => this.resync(d)}>${t("devices.resync")}</button>`
                    : nothing}
                </div>`,
            },
          ],
          this.devices ?? [],
          this.narrow,
        )}
      </div>
      ${this.lines ? this.renderOsdp() : nothing}`;
  }
}

if (!customElements.get("ca-office-devices")) customElements.define("ca-office-devices", CaOfficeDevices);
