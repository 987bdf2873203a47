// "Activity": reads, logins, consents and revocations, newest first, filtered and paged.
import { useCallback, useEffect, useId, useState } from "react";

import { describeError, request } from "./api";
import { dayBoundary, formatDateTime } from "./format";
import { ErrorNotice } from "./Notice";
import {
  ACTIVITY_LOG,
  AUTHORIZED_APPS,
  type ActivityEvent,
  type ActivityPage,
  type AuthorizedApp,
} from "./operations";

interface Filters {
  appId: string;
  since: string;
  until: string;
}

const NO_FILTERS: Filters = { appId: "", since: "", until: "" };

function variablesOf(filters: Filters, after: string | null): Record<string, unknown> {
  return {
    after,
    appId: filters.appId || null,
    since: dayBoundary(filters.since),
    until: dayBoundary(filters.until, true),
  };
}

export function ActivitySection() {
  const ids = { app: useId(), since: useId(), until: useId(), count: useId() };
  const [apps, setApps] = useState<{ id: string; name: string }[]>([]);
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [events, setEvents] = useState<ActivityEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [total, setTotal] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    request<{ authorizedApps: AuthorizedApp[] }>(AUTHORIZED_APPS)
      .then(({ data }) => {
        const unique = new Map(data.authorizedApps.map((grant) => [grant.app.id, grant.app.name]));
        setApps([...unique].map(([id, name]) => ({ id, name })));
      })
      .catch(() => setApps([]));
  }, []);

  const load = useCallback(async (active: Filters, after: string | null) => {
    setBusy(true);
    setError(null);
    try {
      const { data } = await request<ActivityPage>(ACTIVITY_LOG, variablesOf(active, after));
      const page = data.activityLog;
      const nodes = page.edges.map((edge) => edge.node);
      setEvents((current) => (after && current ? [...current, ...nodes] : nodes));
      setCursor(page.pageInfo.endCursor);
      setHasMore(page.pageInfo.hasNextPage);
      setTotal(page.totalCount);
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    void load(filters, null);
  }, [filters, load]);

  return (
    <>
      <h2>Activity</h2>
      <p className="lede">What each app read and when, and every login, consent and revocation.</p>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters(draft);
        }}
      >
        <div className="field">
          <label htmlFor={ids.app}>App</label>
          <select
            id={ids.app}
            value={draft.appId}
            onChange={(event) => setDraft({ ...draft, appId: event.target.value })}
          >
            <option value="">All apps and account events</option>
            {apps.map((app) => (
              <option key={app.id} value={app.id}>
                {app.name}
              </option>
            ))}
          </select>
        </div>
        <DayField
          id={ids.since}
          label="From"
          value={draft.since}
          onChange={(since) => setDraft({ ...draft, since })}
        />
        <DayField
          id={ids.until}
          label="To"
          value={draft.until}
          onChange={(until) => setDraft({ ...draft, until })}
        />
        <div className="actions">
          <button type="submit">Show activity</button>
          <button
            type="button"
            onClick={() => {
              setDraft(NO_FILTERS);
              setFilters(NO_FILTERS);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      <ErrorNotice message={error} />
      <p id={ids.count} role="status" className="muted">
        {events === null ? "Loading activity…" : `Showing ${events.length} of ${total} events.`}
      </p>
      {events !== null && events.length > 0 && (
        <ol className="activity" aria-describedby={ids.count}>
          {events.map((event) => (
            <ActivityItem key={event.id} event={event} />
          ))}
        </ol>
      )}
      {hasMore && (
        <button type="button" disabled={busy} onClick={() => void load(filters, cursor)}>
          {busy ? "Loading…" : "Load more"}
        </button>
      )}
    </>
  );
}

function ActivityItem({ event }: { event: ActivityEvent }) {
  return (
    <li className={`event outcome-${event.outcome.toLowerCase()}`}>
      <div className="event-head">
        <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt)}</time>
        <span className="tag">{event.kind.replaceAll("_", " ").toLowerCase()}</span>
        {event.outcome.toLowerCase() !== "success" && (
          <span className="tag warn">{event.outcome.toLowerCase()}</span>
        )}
      </div>
      {/* The summary already names the app ("Demo Health Tracker read 3 lab results."). */}
      <p>{event.summary}</p>
      {event.categories.length > 0 && (
        <ul className="read-counts" aria-label="Records read">
          {event.categories.map(({ category, label, count }) => (
            <li key={category}>
              {label}: {count} {count === 1 ? "record" : "records"}
            </li>
          ))}
        </ul>
      )}
      {event.deniedCategories.length > 0 && (
        <ul className="read-counts denied" aria-label="Refused: not shared with this app">
          {event.deniedCategories.map(({ key, label }) => (
            <li key={key}>Refused: {label}</li>
          ))}
        </ul>
      )}
    </li>
  );
}

function DayField({
  id,
  label,
  value,
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="date" value={value} onChange={(event) => onChange(event.target.value)} />
    </div>
  );
}
