// Whom the account acts for, shown only when it acts for more than one patient.
import { useEffect, useId, useState } from "react";

import { request } from "./api";
import { useMutation } from "./mutation";
import { ErrorNotice, UserErrors } from "./Notice";
import { ACTING_FOR, SELECT_PATIENT, type ActingFor, type SelectPatientResult } from "./operations";

export function PatientPicker({ onSelected }: { onSelected: (name: string) => void }) {
  const selectId = useId();
  const [patients, setPatients] = useState<ActingFor[]>([]);
  const [current, setCurrent] = useState("");
  const { busy, errors, failure, fail, run } = useMutation();

  useEffect(() => {
    request<{ actingFor: ActingFor[] }>(ACTING_FOR)
      .then(({ data }) => {
        setPatients(data.actingFor);
        setCurrent(data.actingFor.find((patient) => patient.selected)?.id ?? "");
      })
      .catch(fail);
  }, []);

  if (patients.length < 2) return <ErrorNotice message={failure} />;

  const choose = async (event: React.FormEvent) => {
    event.preventDefault();
    const done = await run(
      async () =>
        (await request<SelectPatientResult>(SELECT_PATIENT, { patientId: current })).data
          .selectPatient,
    );
    const patient = done?.patient;
    if (patient) {
      setPatients((all) => all.map((p) => ({ ...p, selected: p.id === patient.id })));
      onSelected(patient.name);
    }
  };

  return (
    <form className="picker" onSubmit={(event) => void choose(event)}>
      <label htmlFor={selectId}>Acting for</label>
      <select id={selectId} value={current} onChange={(event) => setCurrent(event.target.value)}>
        {patients.map((patient) => (
          <option key={patient.id} value={patient.id}>
            {patient.name} ({patient.relationship.toLowerCase()})
          </option>
        ))}
      </select>
      <button type="submit" disabled={busy}>
        {busy ? "Switching…" : "Switch"}
      </button>
      <ErrorNotice message={failure} />
      <UserErrors errors={errors} />
    </form>
  );
}
