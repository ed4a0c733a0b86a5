// The committed bundle must be what the source builds to: rebuild into a
// temporary file and compare byte for byte (scripts/lint runs this).
import { mkdtempSync, readFileSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { bundle, BUNDLE } from "../build.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "ca-bundle-"));
try {
  const fresh = readFileSync(await bundle(path.join(dir, "bundle.js")));
  if (!existsSync(BUNDLE)) {
    console.error(`missing ${BUNDLE}: run "npm run build" in frontend/ and commit it`);
    process.exit(1);
  }
  const committed = readFileSync(BUNDLE);
  if (!fresh.equals(committed)) {
    console.error(
      "the committed panel bundle does not match frontend/src: run \"npm run build\" in frontend/ and commit the bundle",
    );
    process.exit(1);
  }
  console.log(`bundle up to date (${committed.length} bytes)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
