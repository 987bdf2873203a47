// "Who can act for you": the patient removes a parent, guardian or other representative from
// their own record; every app that representative allowed loses access at once.
import { useId, useState } from "react";

import { request } from "./api";
import { ConfirmDialog } from "./ConfirmDialog";
import { useMutation } from "./mutation";
import { ErrorNotice, UserErrors } from "./Notice";
import {
  END_REPRESENTATION,
  type EndRepresentationResult,
  type RepresentativeInfo,
} from "./operations";

const ROLE: Record<string, string> = {
  child: "parent or guardian",
  representative: "representative",
};

interface Props {
  representatives: RepresentativeInfo[];
  onChanged: (message: string) => void;
}

export function RepresentativesSection({ representatives, onChanged }: Props) {
  const headingId = useId();
  if (!representatives.length) return null;
  return (
    <section className="representatives" aria-labelledby={headingId}>
      <h3 id={headingId}>Who can act for you</h3>
      <p className="lede">
        These people can sign in and act for your record, and allow apps to read it. Removing
        someone also ends the access of every app they allowed.
      </p>
      <ul className="cards">
        {representatives.map((person) => (
          <li key={`${person.representativeId}-${person.patientId}`}>
            <RepresentativeCard person={person} onChanged={onChanged} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function RepresentativeCard({
  person,
  onChanged,
}: {
  person: RepresentativeInfo;
  onChanged: (message: string) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const { busy, errors, failure, run } = useMutation();

  const remove = async () => {
    const variables = { representativeId: person.representativeId, patientId: person.patientId };
    const done = await run(
      async () =>
        (await request<EndRepresentationResult>(END_REPRESENTATION, variables)).data
          .endRepresentation,
    );
    setConfirming(false);
    if (done) {
      const apps = done.revokedGrants === 1 ? "1 app" : `${done.revokedGrants} apps`;
      onChanged(`${person.name} can no longer act for your record; ${apps} they allowed lost access.`);
    }
  };

  return (
    <article className="app-card">
      <p>
        <strong>{person.name}</strong> ({ROLE[person.relationship] ?? person.relationship})
      </p>
      <ErrorNotice message={failure} />
      <UserErrors errors={errors} />
      <div className="actions">
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Remove<span className="visually-hidden"> {person.name}</span>
        </button>
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Remove ${person.name}?`}
        body={`${person.name} will no longer be able to act for your record, and every app they allowed will lose access at once.`}
        confirmLabel="Remove"
        busy={busy}
        onConfirm={() => void remove()}
        onCancel={() => setConfirming(false)}
      />
    </article>
  );
}
