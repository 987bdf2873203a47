// The account page: a patient picker and four sections behind an accessible tab list.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from "react";

import { ActivitySection } from "./ActivitySection";
import { AppsSection } from "./AppsSection";
import { DownloadSection } from "./DownloadSection";
import { ExplorerSection } from "./ExplorerSection";
import { StatusNotice } from "./Notice";
import { PatientPicker } from "./PatientPicker";

const SECTIONS = [
  { id: "apps", label: "Authorized apps", render: () => <AppsSection /> },
  { id: "activity", label: "Activity", render: () => <ActivitySection /> },
  { id: "explore", label: "Explore my record", render: () => <ExplorerSection /> },
  { id: "download", label: "Download my record", render: () => <DownloadSection /> },
] as const;

type SectionId = (typeof SECTIONS)[number]["id"];

function sectionFromHash(): SectionId {
  const wanted = window.location.hash.slice(1);
  return SECTIONS.find((section) => section.id === wanted)?.id ?? "apps";
}

export function App() {
  const [active, setActive] = useState<SectionId>(sectionFromHash);
  // Switching patient remounts every section so each one reloads its data.
  const [generation, setGeneration] = useState(0);
  const [status, setStatus] = useState<string | null>(null);
  const tabs = useRef(new Map<SectionId, HTMLButtonElement>());

  useEffect(() => {
    const onHashChange = () => setActive(sectionFromHash());
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
  }, []);

  const select = useCallback((id: SectionId, focus = false) => {
    setActive(id);
    window.history.replaceState(null, "", `#${id}`);
    if (focus) tabs.current.get(id)?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return; // Alt+Left is the browser's Back
    const index = SECTIONS.findIndex((section) => section.id === active);
    // A horizontal tab list (WAI-ARIA APG): Up and Down are left to the page, for scrolling.
    const moves: Record<string, number> = {
      ArrowRight: index + 1,
      ArrowLeft: index - 1,
      Home: 0,
      End: SECTIONS.length - 1,
    };
    const target = moves[event.key];
    if (target === undefined) return;
    event.preventDefault();
    select(SECTIONS[(target + SECTIONS.length) % SECTIONS.length].id, true);
  };

  return (
    <>
      <PatientPicker
        onSelected={(name) => {
          setStatus(`Now showing ${name}'s record.`);
          setGeneration((n) => n + 1);
        }}
      />
      <StatusNotice message={status} />
      <div className="tabs" role="tablist" aria-label="Account sections" onKeyDown={onKeyDown}>
        {SECTIONS.map((section) => (
          <button
            key={section.id}
            ref={(element) => {
              if (element) tabs.current.set(section.id, element);
            }}
            type="button"
            role="tab"
            id={`tab-${section.id}`}
            aria-selected={section.id === active}
            aria-controls={`panel-${section.id}`}
            tabIndex={section.id === active ? 0 : -1}
            onClick={() => select(section.id)}
          >
            {section.label}
          </button>
        ))}
      </div>
      {SECTIONS.filter((section) => section.id === active).map((section) => (
        <section
          key={`${section.id}-${generation}`}
          className={`panel panel-${section.id}`}
          role="tabpanel"
          id={`panel-${section.id}`}
          aria-labelledby={`tab-${section.id}`}
          tabIndex={0}
        >
          {section.render()}
        </section>
      ))}
    </>
  );
}
