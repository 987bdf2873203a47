// Bundles the account page and GraphiQL into api/static/account (served at /static/account).
import { readdir, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";

const outdir = fileURLToPath(new URL("../api/static/account/", import.meta.url));
const common = {
  bundle: true,
  minify: true,
  legalComments: "none",
  target: ["es2022", "chrome111", "firefox115", "safari16"],
  logLevel: "info",
  define: { "process.env.NODE_ENV": '"production"' },
};

await rm(outdir, { recursive: true, force: true });

// The page and the explorer share React through split chunks; monaco and prettier load on demand.
await esbuild.build({
  ...common,
  entryPoints: { account: "src/main.tsx", explorer: "src/explorer.tsx" },
  outdir,
  format: "esm",
  splitting: true,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  loader: { ".ttf": "file" },
});

// esbuild also writes the CSS of lazily imported chunks into explorer.css, which the page links;
// the per-chunk copies are never loaded, so they are not shipped.
const chunks = new URL("chunks/", `file://${outdir}`);
for (const name of await readdir(chunks)) {
  if (name.endsWith(".css")) await rm(new URL(name, chunks));
}

// Monaco's workers are classic scripts started from /static/account (worker-src 'self').
await esbuild.build({
  ...common,
  entryPoints: {
    "editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
    "json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
    "graphql.worker": "monaco-graphql/esm/graphql.worker.js",
  },
  outdir,
  format: "iife",
  entryNames: "workers/[name]",
});

// Every operation the page sends and every GraphiQL example, for tests/api/test_frontend_operations.py
// to validate against the server's schema without Node.
const extracted = await esbuild.build({
  stdin: {
    contents:
      'export * as operations from "./src/operations.ts"; export { EXAMPLES } from "./src/examples.ts";',
    resolveDir: fileURLToPath(new URL(".", import.meta.url)),
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "neutral",
  write: false,
  logLevel: "warning",
});
const source = Buffer.from(extracted.outputFiles[0].text).toString("base64");
const { operations, EXAMPLES } = await import(`data:text/javascript;base64,${source}`);
const documents = [
  ...Object.entries(operations)
    .filter(([, value]) => typeof value === "string")
    .map(([name, query]) => ({ source: `operations.ts ${name}`, query })),
  ...EXAMPLES.map((example) => ({ source: `examples.ts ${example.title}`, query: example.query })),
];
await writeFile(
  new URL("operations.json", import.meta.url),
  `${JSON.stringify({ documents }, null, 2)}\n`,
);
