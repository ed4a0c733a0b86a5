// Local times and money, in the user's language and HA's time zone.
import type { HomeAssistant } from "./types.js";

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(hass: HomeAssistant, kind: "datetime" | "date" | "time"): Intl.DateTimeFormat {
  const lang = hass.language || "en";
  const zone = hass.config?.time_zone || undefined;
  const key = `${lang}|${zone}|${kind}`;
  let fmt = cache.get(key);
  if (!fmt) {
    const opts: Intl.DateTimeFormatOptions = { timeZone: zone };
    if (kind !== "time") Object.assign(opts, { year: "numeric", month: "2-digit", day: "2-digit" });
    if (kind !== "date") Object.assign(opts, { hour: "2-digit", minute: "2-digit", hour12: false });
    try {
      fmt = new Intl.DateTimeFormat(lang, opts);
    } catch {
      fmt = new Intl.DateTimeFormat("en", opts);
    }
    cache.set(key, fmt);
  }
  return fmt;
}

export function formatDateTime(hass: HomeAssistant, iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter(hass, "datetime").format(d);
}

export function formatDate(hass: HomeAssistant, iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter(hass, "date").format(d);
}

export function formatTime(hass: HomeAssistant, iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter(hass, "time").format(d);
}

export function formatMoney(hass: HomeAssistant, yuan: number | null | undefined): string {
  if (yuan === null || yuan === undefined) return "—";
  try {
    return new Intl.NumberFormat(hass.language || "en", {
      style: "currency",
      currency: "CNY",
      currencyDisplay: "narrowSymbol",
    }).format(yuan);
  } catch {
    return `¥${yuan.toFixed(2)}`;
  }
}

/** A value of <input type="datetime-local"> (local time of the browser) as UTC ISO. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Offer a text as a file download. */
export function download(filename: string, text: string, type = "text/csv;charset=utf-8"): void {
  const blob = new Blob([text.startsWith("\ufeff") ? text : `\ufeff${text}`], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
