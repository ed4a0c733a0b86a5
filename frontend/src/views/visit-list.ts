// Merging a pushed visit into the live lists of the gate desk and my home.
import type { Visit } from "../api.js";

/** Replace the visit if present (keeping its place), else prepend it when `add`. */
export function upsert(list: Visit[], v: Visit, add: boolean): Visit[] {
  const i = list.findIndex((x) => x.visit_id === v.visit_id);
  if (i >= 0) return [...list.slice(0, i), v, ...list.slice(i + 1)];
  return add ? [v, ...list] : list;
}

export function without(list: Visit[], v: Visit): Visit[] {
  return list.some((x) => x.visit_id === v.visit_id) ? list.filter((x) => x.visit_id !== v.visit_id) : list;
}
