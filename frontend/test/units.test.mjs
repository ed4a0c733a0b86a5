// Unit tests of the panels' pure modules (node --test): translations and
// formatting. The TypeScript source is bundled by esbuild into a temporary
// module first, so the tests run the same code the panel bundle contains.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));
let dir;
let m;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "ca-units-"));
  const entry = path.join(dir, "entry.ts");
  writeFileSync(
    entry,
    [
      `export * from ${JSON.stringify(path.join(HERE, "..", "src", "format.ts"))};`,
      `export * from ${JSON.stringify(path.join(HERE, "..", "src", "i18n", "index.ts"))};`,
      `export { en } from ${JSON.stringify(path.join(HERE, "..", "src", "i18n", "en.ts"))};`,
      `export { zhHans } from ${JSON.stringify(path.join(HERE, "..", "src", "i18n", "zh-Hans.ts"))};`,
      `export { upsert, without } from ${JSON.stringify(path.join(HERE, "..", "src", "views", "visit-list.ts"))};`,
    ].join("\n"),
  );
  const out = path.join(dir, "units.mjs");
  await build({ entryPoints: [entry], outfile: out, bundle: true, format: "esm", logLevel: "error" });
  m = await import(pathToFileURL(out).href);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const hass = (time_zone, language = "en") => ({ language, config: { time_zone } });
const placeholders = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((x) => x[1]).sort();

test("en and zh-Hans have the same keys and the same placeholders", () => {
  assert.deepEqual(Object.keys(m.zhHans).sort(), Object.keys(m.en).sort());
  for (const key of Object.keys(m.en)) {
    assert.deepEqual(placeholders(m.zhHans[key]), placeholders(m.en[key]), key);
    assert.ok(m.zhHans[key].trim(), `empty zh-Hans string ${key}`);
  }
});

test("the language picks the table: zh* is simplified Chinese, anything else English", () => {
  assert.equal(m.translator("zh-Hans")("panel.office"), "社区门禁管理");
  assert.equal(m.translator("zh-Hant")("panel.gate"), "门岗");
  assert.equal(m.translator("de")("panel.home"), "My home");
  assert.equal(m.translator("en")("common.range", { first: 1, last: 50, total: 123 }), "1–50 of 123");
});

test("a value without a translation is shown as it is", () => {
  const t = m.translator("en");
  assert.equal(m.translateValue(t, "reason", "lost"), "Reported lost");
  assert.equal(m.translateValue(t, "reason", "brand_new_reason"), "brand_new_reason");
  assert.equal(m.translateValue(t, "reason", null), "—");
});

test("a typed time is read in Home Assistant's time zone", () => {
  assert.equal(m.localInputToIso(hass("Asia/Shanghai"), "2026-05-01T08:30"), "2026-05-01T00:30:00.000Z");
  // after the spring-forward change, and after the autumn one
  assert.equal(m.localInputToIso(hass("America/New_York"), "2026-03-08T03:30"), "2026-03-08T07:30:00.000Z");
  assert.equal(m.localInputToIso(hass("America/New_York"), "2026-11-01T12:00"), "2026-11-01T17:00:00.000Z");
  assert.equal(m.localInputToIso(hass("Asia/Shanghai"), ""), undefined);
});

test("times are shown in Home Assistant's time zone, money in yuan", () => {
  assert.match(m.formatDateTime(hass("Asia/Shanghai"), "2026-05-01T00:30:00Z"), /08:30/);
  assert.match(m.formatDateTime(hass("Europe/London"), "2026-05-01T00:30:00Z"), /01:30/);
  assert.equal(m.formatDateTime(hass("Asia/Shanghai"), null), "—");
  assert.equal(m.formatMoney(hass("Asia/Shanghai", "zh-Hans"), 50), "¥50.00");
  assert.equal(m.formatMoney(hass("Asia/Shanghai", "en"), -12.5), "-¥12.50");
});

test("a pushed visit replaces its row in place or is added on top", () => {
  const v = (id, status) => ({ visit_id: id, status });
  const list = [v(1, "pending"), v(2, "pending")];
  assert.deepEqual(m.upsert(list, v(2, "approved"), false), [v(1, "pending"), v(2, "approved")]);
  assert.deepEqual(m.upsert(list, v(3, "pending"), true).map((x) => x.visit_id), [3, 1, 2]);
  assert.equal(m.upsert(list, v(3, "pending"), false), list);
  assert.deepEqual(m.without(list, v(1, "closed")), [v(2, "pending")]);
});

test("a time window within one day names the day once", () => {
  const h = hass("Asia/Shanghai");
  const one = m.formatRange(h, "2026-05-01T01:00:00Z", "2026-05-01T03:00:00Z");
  assert.equal(one.match(/2026/g).length, 1, one);
  assert.match(one, /09:00 – 11:00$/);
  // 23:00 and 01:00 the next day in Shanghai (the same UTC day): two dates
  const two = m.formatRange(h, "2026-05-01T15:00:00Z", "2026-05-01T17:00:00Z");
  assert.equal(two.match(/2026/g).length, 2, two);
  assert.equal(m.formatRange(h, null, null), "—");
});
