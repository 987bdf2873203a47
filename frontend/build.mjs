// Bundles the account page and GraphiQL into api/static/account (served at /static/account).
import { readFile, readdir, rm, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

import * as esbuild from "esbuild";
import { stripIgnoredCharacters } from "graphql";

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

// The page's operations are sent to the server, never shown: ship them without the indentation and
// line breaks that keep src/operations.ts readable (operations.json below keeps the source text).
const GRAPHQL_TEMPLATE = /\/\* GraphQL \*\/ `([^`]*)`/g;
const compactOperations = {
  name: "compact-operations",
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/]operations\.ts$/ }, async (args) => {
      const source = await readFile(args.path, "utf8");
      const contents = source.replace(GRAPHQL_TEMPLATE, (_, query) => {
        if (query.includes("${")) throw new Error(`${args.path}: operations take no \${}`);
        return JSON.stringify(stripIgnoredCharacters(query));
      });
      return { contents, loader: "ts" };
    });
  },
};

// The GraphiQL examples (src/examples/*.graphql) are imported as strings and shown as written, line
// breaks included. esbuild's text loader would have the minifier print each one as a template literal
// whose lines repeat the .graphql file in the committed bundle; as JSON passed to JSON.parse the text
// stays on one line, its line breaks escaped.
const graphqlText = {
  name: "graphql-text",
  setup(build) {
    build.onLoad({ filter: /\.graphql$/ }, async (args) => {
      const json = JSON.stringify(await readFile(args.path, "utf8"));
      return { contents: `export default JSON.parse(${JSON.stringify(json)});`, loader: "js" };
    });
  },
};

// The page, the explorer and Monaco's workers share code through split chunks: React between the
// page and the explorer, graphql-js and Monaco's worker core between the explorer and the workers.
// Monaco and Prettier load on demand. The workers are ES module workers started from
// /static/account/workers (worker-src 'self').
await esbuild.build({
  ...common,
  entryPoints: {
    account: "src/main.tsx",
    explorer: "src/explorer.tsx",
    "workers/editor.worker": "monaco-editor/esm/vs/editor/editor.worker.js",
    "workers/json.worker": "monaco-editor/esm/vs/language/json/json.worker.js",
    "workers/graphql.worker": "monaco-graphql/esm/graphql.worker.js",
  },
  outdir,
  format: "esm",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
  assetNames: "assets/[name]-[hash]",
  loader: { ".ttf": "file" },
  plugins: [compactOperations, graphqlText],
  // GraphiQL and monaco-graphql also import Prettier's plugins by their old names, which resolve to
  // the UMD copies: bundled a second time, and with only a default export, so GraphiQL's Prettify
  // found no parser. The ES modules export the parsers by name.
  alias: {
    "prettier/parser-graphql": "prettier/plugins/graphql",
    "prettier/parser-babel": "prettier/plugins/babel",
  },
});

// esbuild also writes the CSS of lazily imported chunks into explorer.css, which the page links;
// the per-chunk copies are never loaded, so they are not shipped.
const chunks = new URL("chunks/", `file://${outdir}`);
for (const name of await readdir(chunks)) {
  if (name.endsWith(".css")) await rm(new URL(name, chunks));
}

// Every operation the page sends, for tests/api/test_frontend_operations.py to validate against the
// server's schema without Node (the test reads the GraphiQL examples from src/examples/ itself).
const extracted = await esbuild.build({
  stdin: {
    contents: 'export * as operations from "./src/operations.ts";',
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
const { operations } = await import(`data:text/javascript;base64,${source}`);
const documents = Object.entries(operations)
  .filter(([, value]) => typeof value === "string")
  .map(([name, query]) => ({ source: `operations.ts ${name}`, query }));
await writeFile(
  new URL("operations.json", import.meta.url),
  `${JSON.stringify({ documents }, null, 2)}\n`,
);
