// Parse every string of the given translation files the way Home Assistant's
// frontend does (FormatJS ICU MessageFormat, tags parsed) and print the
// strings it cannot parse as a JSON list on stdout.
//
//   node scripts/check-messages.mjs <file.json>...
//
// Exit status: 0 when every string parses, 1 when some do not, 2 on bad use.
import { readFileSync } from "node:fs";
import { parse } from "@formatjs/icu-messageformat-parser";

function* strings(node, path) {
  if (typeof node === "string") {
    yield [path.join("."), node];
  } else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      yield* strings(value, [...path, key]);
    }
  }
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write("usage: check-messages.mjs <file.json>...\n");
  process.exit(2);
}

const failures = [];
for (const file of files) {
  const data = JSON.parse(readFileSync(file, "utf8"));
  for (const [key, text] of strings(data, [])) {
    try {
      parse(text);
    } catch (err) {
      failures.push({
        file,
        key,
        // The parser throws an Error whose message is the error kind,
        // e.g. MALFORMED_ARGUMENT (the text the frontend shows).
        error: err.message,
        offset: err.location?.start?.offset ?? null,
        text,
      });
    }
  }
}
process.stdout.write(JSON.stringify(failures, null, 2) + "\n");
process.exit(failures.length ? 1 : 0);
