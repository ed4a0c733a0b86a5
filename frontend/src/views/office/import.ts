// Import and export: a CSV file is first checked (dry run) and every row
// error listed; only then can it be written, all or nothing.
import { html, nothing } from "lit";
import type { ImportResult } from "../../api.js";
import { CaBase } from "../../components/base.js";
import { openForm } from "../../components/dialog.js";
import { renderMessages, renderTable } from "../../components/table.js";
import { download } from "../../format.js";

// Home Assistant's websocket takes messages up to 4 MiB (aiohttp's default):
// a larger one closes the whole connection, so the file is refused here.
const MAX_MESSAGE = 4 * 1024 * 1024 - 4096;

// The file goes as its bytes in base64: the server reads UTF-8 (with or
// without BOM) and GB18030, which Excel in China writes for "CSV".
function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

export class CaOfficeImport extends CaBase {
  static override properties = {
    ...CaBase.properties,
    fileName: { state: true },
    result: { state: true },
  };

  fileName = "";
  result?: ImportResult;
  private csv = "";

  private async pick(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    input.value = ""; // the same file can be chosen again after a correction
    this.result = undefined;
    this.csv = "";
    this.fileName = "";
    if (!file) return;
    const encoded = toBase64(new Uint8Array(await file.arrayBuffer()));
    if (encoded.length > MAX_MESSAGE) {
      this.error = this.t("import.too_big");
      return;
    }
    this.fileName = file.name;
    this.csv = encoded;
    await this.check();
  }

  private async check(): Promise<void> {
    const res = await this.run(() => this.api.importCsv(this.csv, true));
    if (res) this.result = res;
  }

  private async write(): Promise<void> {
    const t = this.t;
    const r = this.result;
    if (!r) return;
    const ok = await openForm(t, {
      title: t("import.write"),
      message: t("import.write_confirm", { households: r.households, people: r.people, cards: r.cards }),
      confirm: t("import.write"),
      submit: async () => {
        const done = await this.api.importCsv(this.csv, false);
        this.result = done;
      },
    });
    if (ok && this.result?.written) this.notice = t("import.written", { rows: this.result.rows });
  }

  private async file(which: "template" | "export"): Promise<void> {
    const f = await this.run(() => (which === "template" ? this.api.csvTemplate() : this.api.exportCsv()));
    if (f) download(f.filename, f.csv);
  }

  override render() {
    const t = this.t;
    const r = this.result;
    return html`${renderMessages(this.error, this.notice)}
      <div class="card">
        <h3>${t("import.title")}</h3>
        <p class="muted">${t("import.help")}</p>
        <div class="row">
          <input id="file" type="file" accept=".csv,text/csv" hidden @change=${this.pick} />
          <button
            class="primary"
            @click=${() => (this.renderRoot.querySelector("#file") as HTMLInputElement | null)?.click()}
          >
            ${t("import.choose")}
          </button>
          ${this.fileName ? html`<span>${this.fileName}</span>` : nothing}
          <span class="spacer"></span>
          <button @click=${() => this.file("template")}>${t("import.template")}</button>
          <button @click=${() => this.file("export")}>${t("import.export")}</button>
        </div>
        ${this.busy ? html`<p class="muted">${t("import.checking")}</p>` : nothing}
      </div>
      ${r
        ? html`<div class="card">
            <h3>${r.written ? t("import.result_written") : t("import.result_dry", { file: this.fileName })}</h3>
            <p>${t("import.counts", { rows: r.rows, households: r.households, people: r.people, cards: r.cards })}</p>
            ${r.errors?.length
              ? html`<div class="banner" role="alert">${t("import.has_errors", { count: r.errors.length })}</div>
                  ${renderTable(
                    t,
                    [
                      { label: t("import.line"), render: (e: ImportResult["errors"][number]) => e.line ?? "—" },
                      { label: t("import.column"), render: (e) => e.column },
                      { label: t("import.reason"), render: (e) => e.reason },
                    ],
                    r.errors,
                    this.narrow,
                  )}`
              : r.written
                ? nothing
                : html`<div class="row">
                    <span class="ok">${t("import.no_errors")}</span>
                    <span class="spacer"></span>
                    <button class="primary" ?disabled=${!r.rows} @click=${this.write}>${t("import.write")}</button>
                  </div>`}
          </div>`
        : nothing}`;
  }
}

if (!customElements.get("ca-office-import")) customElements.define("ca-office-import", CaOfficeImport);
