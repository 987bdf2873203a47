// "Download my record": the whole record, or chosen categories, as a FHIR R4 Bundle in JSON.
import { useEffect, useState } from "react";

import { describeError, request } from "./api";
import { CategoryChecks } from "./CategoryChecks";
import { ErrorNotice, StatusNotice } from "./Notice";
import {
  DATA_CATEGORIES,
  RECORD_BUNDLE,
  type DataCategoryInfo,
  type RecordBundleResult,
} from "./operations";

export const DOWNLOAD_NAME = "chartshare-record.json";

function saveJson(value: unknown, filename: string): void {
  const blob = new Blob([JSON.stringify(value, null, 2)], { type: "application/fhir+json" });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL goes away.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function DownloadSection() {
  const [categories, setCategories] = useState<DataCategoryInfo[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  useEffect(() => {
    request<{ dataCategories: DataCategoryInfo[] }>(DATA_CATEGORIES)
      .then(({ data }) => {
        setCategories(data.dataCategories);
        setChosen(new Set(data.dataCategories.map((category) => category.key)));
      })
      .catch((failure: unknown) => setError(describeError(failure)));
  }, []);

  const setAll = (checked: boolean) =>
    setChosen(new Set(checked && categories ? categories.map((c) => c.key) : []));

  const download = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!categories || chosen.size === 0) {
      setError("Choose at least one part of your record to download.");
      return;
    }
    setBusy(true);
    setError(null);
    setStatus(null);
    try {
      const everything = chosen.size === categories.length;
      const keys = categories.filter((c) => chosen.has(c.key)).map((c) => c.key.toUpperCase());
      const { data } = await request<RecordBundleResult>(RECORD_BUNDLE, {
        categories: everything ? null : keys,
      });
      if (data.recordBundle == null) {
        throw new Error("Your record could not be prepared. Please try again later.");
      }
      saveJson(data.recordBundle, DOWNLOAD_NAME);
      setStatus(`Your record was saved as ${DOWNLOAD_NAME}.`);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h2>Download my record</h2>
      <p className="lede">
        Save your record as a FHIR R4 file (JSON), the standard other providers and apps can read.
        The file holds health information: keep it somewhere safe.
      </p>
      <ErrorNotice message={error} />
      <StatusNotice message={status} />
      {categories === null && !error && <p aria-busy="true">Loading…</p>}
      {categories !== null && (
        <form onSubmit={(event) => void download(event)}>
          <fieldset>
            <legend>What to include</legend>
            <div className="actions">
              <button type="button" onClick={() => setAll(true)}>
                Select all
              </button>
              <button type="button" onClick={() => setAll(false)}>
                Select none
              </button>
            </div>
            <CategoryChecks categories={categories} chosen={chosen} onChange={setChosen} />
          </fieldset>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Preparing your record…" : "Download my record"}
          </button>
        </form>
      )}
    </>
  );
}
