// "Authorized apps": every app the patient let in, what it may read and has read, revoke, narrow.
import { useCallback, useEffect, useId, useRef, useState } from "react";

import { describeError, request } from "./api";
import { CategoryChecks } from "./CategoryChecks";
import { ConfirmDialog } from "./ConfirmDialog";
import { formatDateTime, joinLabels } from "./format";
import { useMutation } from "./mutation";
import { ErrorNotice, StatusNotice, UserErrors } from "./Notice";
import { RepresentativesSection } from "./RepresentativesSection";
import {
  AUTHORIZED_APPS,
  REVOKE_APP,
  UPDATE_APP_GRANT,
  type AuthorizedApp,
  type AuthorizedAppsResult,
  type RepresentativeInfo,
  type RevokeAppResult,
  type UpdateAppGrantResult,
} from "./operations";

export function AppsSection() {
  const [apps, setApps] = useState<AuthorizedApp[] | null>(null);
  const [representatives, setRepresentatives] = useState<RepresentativeInfo[]>([]);
  // Whose record each grant covers, named only when the account acts for several people.
  const [owners, setOwners] = useState<Map<string, string>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    setError(null);
    try {
      const { data } = await request<AuthorizedAppsResult>(AUTHORIZED_APPS);
      const people = data.actingFor ?? [];
      setOwners(new Map(people.length > 1 ? people.map((p) => [p.id, p.name]) : []));
      setApps(data.authorizedApps);
      setRepresentatives(data.representatives ?? []);
    } catch (failure) {
      setError(describeError(failure));
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const onChanged = (message: string) => {
    setStatus(message);
    void load();
  };

  // The revoked app's card (and the button that had focus) is gone: keyboard and screen
  // reader users continue from the top of the list rather than from the top of the page.
  const onRevoked = (message: string) => {
    setStatus(message);
    void load().then(() => heading.current?.focus());
  };

  return (
    <>
      <h2 ref={heading} tabIndex={-1}>
        Authorized apps
      </h2>
      <p className="lede">
        These apps can read parts of your record. Revoking access stops an app at its next request.
      </p>
      <StatusNotice message={status} />
      <ErrorNotice message={error} />
      {apps === null && !error && <p aria-busy="true">Loading your apps…</p>}
      {apps !== null && apps.length === 0 && <p>No app has access to your record.</p>}
      {apps !== null && apps.length > 0 && (
        <ul className="cards">
          {apps.map((app) => (
            <li key={app.grantId}>
              <AppCard
                app={app}
                owner={owners.get(app.patientId)}
                onChanged={onChanged}
                onRevoked={onRevoked}
              />
            </li>
          ))}
        </ul>
      )}
      <RepresentativesSection representatives={representatives} onChanged={onChanged} />
    </>
  );
}

interface AppCardProps {
  app: AuthorizedApp;
  owner: string | undefined;
  onChanged: (message: string) => void;
  onRevoked: (message: string) => void;
}

function AppCard({ app, owner, onChanged, onRevoked }: AppCardProps) {
  const headingId = useId();
  const changeButton = useRef<HTMLButtonElement>(null);
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const { busy, errors, failure, run } = useMutation();
  const name = app.app.name;

  const revoke = async () => {
    const done = await run(
      async () =>
        (await request<RevokeAppResult>(REVOKE_APP, { grantId: app.grantId })).data.revokeApp,
    );
    setConfirming(false);
    if (done) onRevoked(`${name} can no longer read your record.`);
  };

  return (
    <article className="app-card" aria-labelledby={headingId}>
      <header>
        {app.app.logoUrl ? (
          <img className="logo" src={app.app.logoUrl} alt={`${name} logo`} width={48} height={48} />
        ) : (
          // No logo registered: the app's initial stands in, so every card looks alike.
          <span className="logo logo-initial" aria-hidden="true">
            {name.charAt(0).toUpperCase()}
          </span>
        )}
        <div>
          <h3 id={headingId}>{name}</h3>
          {app.app.description && <p className="muted">{app.app.description}</p>}
        </div>
      </header>
      <dl className="facts">
        {owner && (
          <>
            <dt>Whose record</dt>
            <dd>{owner}</dd>
          </>
        )}
        <dt>May read</dt>
        <dd>{joinLabels(app.grantedCategories, "Nothing from your record")}</dd>
        <dt>Has read</dt>
        <dd>{joinLabels(app.categoriesRead, "Nothing yet")}</dd>
        <dt>Allowed by</dt>
        <dd>{describeGrantor(app.grantedBy)}</dd>
        <dt>Access granted</dt>
        <dd>{formatDateTime(app.grantedAt)}</dd>
        <dt>Last used</dt>
        <dd>{formatDateTime(app.lastUsedAt, "Not used yet")}</dd>
        <dt>Access ends</dt>
        <dd>{formatDateTime(app.expiresAt, "Until you revoke it")}</dd>
        {app.offlineAccess && (
          <>
            <dt>When you are away</dt>
            <dd>Keeps access while you are not using the app</dd>
          </>
        )}
      </dl>
      <AppLinks app={app} />
      <ErrorNotice message={failure} />
      <UserErrors errors={errors} />
      <div className="actions">
        <button
          type="button"
          ref={changeButton}
          onClick={() => setEditing((open) => !open)}
          aria-expanded={editing}
        >
          Change what is shared
        </button>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Revoke access
        </button>
      </div>
      {editing && (
        <NarrowForm
          app={app}
          onDone={(message) => {
            setEditing(false);
            changeButton.current?.focus(); // the form and its Save button are gone
            onChanged(message);
          }}
        />
      )}
      <ConfirmDialog
        open={confirming}
        title={`Revoke access for ${name}?`}
        body={`${name} will not be able to read your record any more. To share again you would have to connect the app again.`}
        confirmLabel="Revoke access"
        busy={busy}
        onConfirm={() => void revoke()}
        onCancel={() => setConfirming(false)}
      />
    </article>
  );
}

function AppLinks({ app }: { app: AuthorizedApp }) {
  const links = [
    ["Website", app.app.homepageUrl],
    ["Privacy policy", app.app.privacyPolicyUrl],
    ["Terms of use", app.app.termsUrl],
  ].filter((link): link is [string, string] => Boolean(link[1]));
  if (!links.length) return null;
  return (
    <ul className="links">
      {links.map(([label, href]) => (
        <li key={label}>
          <a href={href} rel="noopener noreferrer" target="_blank">
            {label}
            <span className="visually-hidden"> of {app.app.name} (opens in a new tab)</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

function NarrowForm({ app, onDone }: { app: AuthorizedApp; onDone: (message: string) => void }) {
  const legendId = useId();
  const [kept, setKept] = useState(() => new Set(app.grantedCategories.map((c) => c.key)));
  const { busy, errors, failure, run } = useMutation();

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    const categories = app.grantedCategories
      .filter((category) => kept.has(category.key))
      .map((category) => category.key.toUpperCase());
    const done = await run(async () => {
      const variables = { grantId: app.grantId, categories };
      return (await request<UpdateAppGrantResult>(UPDATE_APP_GRANT, variables)).data.updateAppGrant;
    });
    if (done) onDone(`${app.app.name} now reads only what you kept.`);
  };

  return (
    <form className="narrow" onSubmit={(event) => void save(event)}>
      <fieldset aria-describedby={legendId}>
        <legend>Share with {app.app.name}</legend>
        <p id={legendId} className="muted">
          Untick what the app should no longer read. You cannot add categories here; the app
          has to ask you again for that.
        </p>
        <CategoryChecks categories={app.grantedCategories} chosen={kept} onChange={setKept} />
      </fieldset>
      <ErrorNotice message={failure} />
      <UserErrors errors={errors} />
      <button type="submit" disabled={busy}>
        {busy ? "Saving…" : "Save changes"}
      </button>
    </form>
  );
}

// Who consented: the patient, or a representative acting for them (named, so the patient
// can recognise and revoke a grant they did not make themselves).
function describeGrantor(by: AuthorizedApp["grantedBy"]): string {
  if (by.you) return "You";
  if (by.relationship === "self") return `${by.accountName} (the patient)`;
  if (by.relationship === null) return `${by.accountName} (no longer acts for this record)`;
  return `${by.accountName} (acting for the patient as ${by.relationship === "child" ? "parent or guardian" : "representative"})`;
}
