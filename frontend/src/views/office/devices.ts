// Devices: doors with their lock, readers, line and lock-code sync state;
// open a door (recorded as a remote open), resync a lock.
import { html, nothing } from "lit";
import type { Device } from "../../api.js";
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
  };

  devices?: Device[];

  protected override communityChanged(): void {
    void this.load();
  }

  private async load(): Promise<void> {
    await this.run(async () => {
      this.devices = await this.api.devices();
    });
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
      </div>`;
  }
}

if (!customElements.get("ca-office-devices")) customElements.define("ca-office-devices", CaOfficeDevices);
