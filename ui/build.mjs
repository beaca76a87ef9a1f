#!/usr/bin/env node
// Bundles the RCA explorer (ui/src) into dist/ui: hashed JS + CSS under assets/, an index.html
// that references them, and gzip siblings the server sends to browsers that accept them.
// Everything is local: the UI must work in an air-gapped cluster (no CDN, no web fonts).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, "../dist/ui");
const assetsDir = join(outDir, "assets");

const started = performance.now();
// No wipe first: a server may be serving dist/ui right now (tests run while others rebuild), so new
// hashed files are added, index.html is swapped atomically, and only then stale files go.
mkdirSync(assetsDir, { recursive: true });

const result = await esbuild.build({
  entryPoints: [join(here, "src/main.tsx")],
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome110", "firefox115", "safari16"],
  minify: true,
  sourcemap: "linked",
  outdir: assetsDir,
  entryNames: "[name]-[hash]",
  assetNames: "[name]-[hash]",
  jsx: "automatic",
  jsxImportSource: "preact",
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "linked",
  metafile: true,
  logLevel: "warning",
});

const outputs = Object.entries(result.metafile.outputs);
const entry = outputs.find(([, o]) => o.entryPoint?.endsWith("src/main.tsx"));
if (!entry) throw new Error("ui build: no output for src/main.tsx");
const [jsPath, jsOut] = entry;
const cssPath = jsOut.cssBundle;
const url = (p) => `/ui/${relative(outDir, resolve(p)).split("\\").join("/")}`;

const favicon =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="4" cy="4" r="3" fill="#d9480f"/><circle cx="12" cy="8" r="3" fill="#1971c2"/><circle cx="4" cy="12" r="3" fill="#2f9e44"/><path d="M4 4L12 8L4 12" stroke="#868e96" fill="none"/></svg>',
  );

const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>kg-rca explorer</title>
<link rel="icon" href="${favicon}">
${cssPath ? `<link rel="stylesheet" href="${url(cssPath)}">` : ""}
<script type="module" src="${url(jsPath)}"></script>
</head>
<body>
<noscript>The kg-rca explorer needs JavaScript. The same data is available from the API under /api/v1 (see /docs).</noscript>
<div id="app"></div>
</body>
</html>
`;

let bytes = 0;
let gzBytes = 0;
for (const [p] of outputs) {
  if (!/\.(js|css|map|txt)$/.test(p)) continue;
  const raw = readFileSync(p);
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(`${p}.gz`, gz);
  if (!p.endsWith(".map")) {
    bytes += raw.length;
    gzBytes += gz.length;
  }
}
const tmpIndex = join(outDir, `.index.html.${process.pid}`);
writeFileSync(tmpIndex, html);
renameSync(tmpIndex, join(outDir, "index.html"));
const keep = new Set(outputs.flatMap(([p]) => [basename(p), `${basename(p)}.gz`]));
for (const f of readdirSync(assetsDir)) if (!keep.has(f)) rmSync(join(assetsDir, f), { force: true });

const ms = Math.round(performance.now() - started);
process.stdout.write(
  `ui: ${relative(process.cwd(), outDir) || "."} (${basename(jsPath)}${cssPath ? `, ${basename(cssPath)}` : ""}; ` +
    `${(bytes / 1024).toFixed(0)} KiB, ${(gzBytes / 1024).toFixed(0)} KiB gzip) in ${ms} ms\n`,
);
