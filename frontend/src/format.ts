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

/** A time window: the end's date is left out when it is the start's day. */
export function formatRange(
  hass: HomeAssistant,
  start: string | null | undefined,
  end: string | null | undefined,
): string {
  if (!start && !end) return "—";
  const sameDay = start && end && formatDate(hass, start) === formatDate(hass, end);
  return `${formatDateTime(hass, start)} – ${sameDay ? formatTime(hass, end) : formatDateTime(hass, end)}`;
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

/** How far the wall clock of `timeZone` is ahead of UTC at `at` (ms). */
function zoneOffset(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - at;
}

/**
 * A value of <input type="datetime-local"> ("2026-05-01T08:30"), read as a
 * wall-clock time in Home Assistant's time zone (the zone every time on the
 * page is shown in), as a UTC ISO string.
 */
export function localInputToIso(hass: HomeAssistant, value: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value ?? "");
  if (!m) return undefined;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0));
  const zone = hass.config?.time_zone;
  if (!zone) return new Date(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)).toISOString();
  try {
    let at = wall - zoneOffset(wall, zone);
    at = wall - zoneOffset(at, zone); // a second pass across a DST change
    return new Date(at).toISOString();
  } catch {
    return undefined;
  }
}

/** Today's midnight in Home Assistant's time zone, as a datetime-local value. */
export function todayMidnightInput(hass: HomeAssistant): string {
  let day: string;
  try {
    day = new Intl.DateTimeFormat("en-CA", {
      timeZone: hass.config?.time_zone || undefined,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    }).format(new Date());
  } catch {
    day = new Date().toISOString().slice(0, 10);
  }
  return `${day}T00:00`;
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
