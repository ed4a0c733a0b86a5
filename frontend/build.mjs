// Bundle src/panel.ts into one ES module. Reproducible: fixed target, no
// timestamps, no sourcemap, no banner; the same source gives the same bytes.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import path from "node:path";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BUNDLE = path.join(
  HERE,
  "..",
  "custom_components",
  "community_access",
  "panel",
  "frontend",
  "community-access-panel.js",
);

export async function bundle(outfile = BUNDLE) {
  await build({
    absWorkingDir: HERE,
    entryPoints: ["src/panel.ts"],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "warning",
    define: { "process.env.NODE_ENV": '"production"' },
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = await bundle(process.argv[2] ?? BUNDLE);
  console.log(`built ${path.relative(process.cwd(), out)}`);
}
