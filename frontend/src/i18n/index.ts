// The panels' strings: en and zh-Hans share the keys (zh-Hans.ts is typed
// by en's keys, so a missing or extra key fails the typecheck and the build).
import { en } from "./en.js";
import { zhHans } from "./zh-Hans.js";

export type Key = keyof typeof en;
export type Translate = (key: Key, values?: Record<string, string | number>) => string;

export function tableFor(language: string | undefined): Record<Key, string> {
  return language && language.toLowerCase().startsWith("zh") ? zhHans : en;
}

export function translator(language: string | undefined): Translate {
  const table = tableFor(language);
  return (key, values) => {
    const text = table[key] ?? en[key] ?? key;
    if (!values) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in values ? String(values[name]) : whole,
    );
  };
}

/** A key built from a value (role, status, kind): the value itself if unknown. */
export function translateValue(t: Translate, prefix: string, value: string | null | undefined): string {
  if (value === null || value === undefined || value === "") return "—";
  const key = `${prefix}.${value}`;
  return key in en ? t(key as Key) : value;
}
