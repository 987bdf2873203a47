// "Explore my record": loads GraphiQL (explorer.js and explorer.css) only when opened.
import { useEffect, useRef, useState } from "react";

import { EXAMPLES } from "./examples";
import type { mountExplorer } from "./explorer";
import { ErrorNotice } from "./Notice";

type ExplorerModule = { mountExplorer: typeof mountExplorer };

const here = import.meta.url;
// account.js is loaded as account.js?v=<bundle version>; the explorer files carry the same one.
const version = new URL(here).search;

function loadStylesheet(href: string): Promise<void> {
  const existing = document.querySelector(`link[data-explorer]`);
  if (existing) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.dataset.explorer = "true";
    link.onload = () => resolve();
    link.onerror = () => reject(new Error("The explorer's styles could not be loaded."));
    document.head.append(link);
  });
}

export function ExplorerSection() {
  const container = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let unmount: (() => void) | undefined;
    let cancelled = false;
    const script = new URL(`./explorer.js${version}`, here).href;
    Promise.all([
      loadStylesheet(new URL(`./explorer.css${version}`, here).href),
      import(/* runtime asset, not bundled */ script) as Promise<ExplorerModule>,
    ])
      .then(([, module]) => {
        if (cancelled || !container.current) return;
        unmount = module.mountExplorer(container.current);
        setReady(true);
      })
      .catch(() => setError("The explorer could not be loaded. Reload the page to try again."));
    return () => {
      cancelled = true;
      unmount?.();
    };
  }, []);

  return (
    <>
      <h2>Explore my record</h2>
      <p className="lede">
        Ask for exactly the parts of your record you want, with the same GraphQL queries apps use.
        Each tab holds an example: {EXAMPLES.map((example) => example.title).join(", ")}. Press
        the run button (or Ctrl+Enter) to send a query. The Docs panel lists every field and the
        permission that guards it.
      </p>
      <ErrorNotice message={error} />
      {!ready && !error && <p aria-busy="true">Loading the explorer…</p>}
      <div className="explorer" ref={container} />
    </>
  );
}
