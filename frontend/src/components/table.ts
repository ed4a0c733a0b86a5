// A plain table styled with HA's variables; stacked rows on a narrow screen.
import { html, nothing, type TemplateResult } from "lit";
import type { Translate } from "../i18n/index.js";

export interface Column<T> {
  label: string;
  render: (row: T) => unknown;
}

export function renderTable<T>(
  t: Translate,
  columns: Column<T>[],
  rows: T[],
  narrow: boolean,
  onRow?: (row: T) => void,
): TemplateResult {
  if (!rows.length) return html`<p class="muted">${t("common.none")}</p>`;
  return html`<table class=${narrow ? "stacked" : ""}>
    <thead>
      <tr>
        ${columns.map((c) => html`<th scope="col">${c.label}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (row) =>
          html`<tr
            class=${onRow ? "clickable" : ""}
            tabindex=${onRow ? "0" : nothing}
            @click=${onRow ? () => onRow(row) : nothing}
            @keydown=${onRow
              ? (e: KeyboardEvent) => {
                  if (e.key === "Enter" || e.key === " ") {
                    e.preventDefault();
                    onRow(row);
                  }
                }
              : nothing}
          >
            ${columns.map((c) => html`<td data-label=${c.label}>${c.render(row)}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function renderPager(
  t: Translate,
  offset: number,
  limit: number,
  total: number,
  go: (offset: number) => void,
): TemplateResult {
  const first = total ? offset + 1 : 0;
  const last = Math.min(offset + limit, total);
  return html`<div class="row pager">
    <span class="muted">${t("common.range", { first, last, total })}</span>
    <span class="spacer"></span>
    <button ?disabled=${offset <= 0} @click=${() => go(Math.max(0, offset - limit))}>
      ${t("common.previous")}
    </button>
    <button ?disabled=${offset + limit >= total} @click=${() => go(offset + limit)}>
      ${t("common.next")}
    </button>
  </div>`;
}

export function renderMessages(error: string, notice: string): TemplateResult {
  return html`${error ? html`<div class="banner" role="alert">${error}</div>` : nothing}
  ${notice ? html`<div class="banner info" role="status">${notice}</div>` : nothing}`;
}
