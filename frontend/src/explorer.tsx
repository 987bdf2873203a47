// GraphiQL over the patient's own record, built from the npm package and served by chartshare.
import "@graphiql/react/style.css";
import "@graphiql/plugin-doc-explorer/style.css";
import "@graphiql/plugin-history/style.css";
import "graphiql/graphiql.css";
import "./explorer.css";

import { GraphiQL, type GraphiQLProps } from "graphiql";
import { createRoot } from "react-dom/client";

import { postGraphQL } from "./api";
import { EXAMPLES } from "./examples";

// Monaco runs its language services in workers served from /static/account/workers.
const workers = new URL("./workers/", import.meta.url);
const version = new URL(import.meta.url).search;
globalThis.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    const name = label === "graphql" || label === "json" ? label : "editor";
    return new Worker(new URL(`${name}.worker.js${version}`, workers), {
      type: "module",
      name: `${name} worker`,
    });
  },
};

// Queries and answers hold health data: keep GraphiQL's tabs and history in memory only,
// never in the browser's localStorage.
function memoryStorage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
    clear: () => items.clear(),
    key: (index) => [...items.keys()][index] ?? null,
    get length() {
      return items.size;
    },
  };
}

const fetcher: GraphiQLProps["fetcher"] = async (params) => {
  const response = await postGraphQL(params);
  return response.json();
};

/** Render GraphiQL into the element; returns a function that removes it. */
export function mountExplorer(element: HTMLElement): () => void {
  const root = createRoot(element);
  root.render(
    <GraphiQL
      fetcher={fetcher}
      storage={memoryStorage()}
      defaultTabs={EXAMPLES.map(({ query, variables }) => ({ query, variables }))}
      defaultEditorToolsVisibility="variables"
      isHeadersEditorEnabled={false}
      shouldPersistHeaders={false}
    />,
  );
  return () => root.unmount();
}
