"""PostGraphile 5 as the baseline: installed on demand outside the repository.

The W1/W2 queries are written against the schema it generates from the same tables (one
document each, the patient as a variable, so that its plan cache works as for a real client).
"""

import os
import subprocess
from pathlib import Path

CACHE = Path(os.environ.get("BENCH_CACHE_DIR", Path.home() / ".cache" / "chartshare-bench"))
# Node 20 lacks Promise.withResolvers, which PostGraphile 5 uses.
POLYFILL = (
    "if (!Promise.withResolvers) { Promise.withResolvers = function () { let resolve, reject; "
    "const promise = new Promise((a, b) => { resolve = a; reject = b; }); "
    "return { promise, resolve, reject }; }; }\n"
)

OBSERVATION = (
    "rowId codeSystem code codeDisplay status effectiveAt valueQuantity valueUnit valueText "
    "referenceLow referenceHigh interpretation encounterByEncounterId { rowId location }"
)
CONDITION = "rowId code codeDisplay icd10Code icd10Display clinicalStatus recordedAt"
LISTS = {
    "careTeamMembersByPatientId": ("PERIOD_START", "rowId name roleCode roleDisplay status"),
    "allergyIntolerancesByPatientId": (
        "RECORDED_AT", "rowId codeDisplay clinicalStatus reactionDisplay",
    ),
    "carePlansByPatientId": (
        "AUTHORED_AT", "rowId assessment plan encounterByEncounterId { rowId }",
    ),
    "encountersByPatientId": (
        "START_AT",
        "rowId codeDisplay classCode status startAt location "
        "careTeamMemberByProviderId { rowId name } "
        "encounterDiagnosesByEncounterId(orderBy: [RECORDED_AT_DESC, ROW_ID_DESC]) "
        "{ nodes { rowId codeDisplay icd10Display } }",
    ),
    "functionalStatusesByPatientId": ("EFFECTIVE_AT", OBSERVATION),
    "mentalStatusesByPatientId": ("EFFECTIVE_AT", OBSERVATION),
    "labResultsByPatientId": ("EFFECTIVE_AT", OBSERVATION),
    "vitalSignsByPatientId": ("EFFECTIVE_AT", OBSERVATION),
    "smokingStatusesByPatientId": ("EFFECTIVE_AT", OBSERVATION),
    "goalsByPatientId": ("START_DATE", "rowId description lifecycleStatus startDate"),
    "problemsByPatientId": ("RECORDED_AT", CONDITION),
    "healthConcernsByPatientId": ("RECORDED_AT", CONDITION),
    "immunizationsByPatientId": (
        "OCCURRED_AT", "rowId codeSystem code codeDisplay occurredAt performer",
    ),
    "implantableDevicesByPatientId": (
        "IMPLANTED_ON", "rowId udiCarrier udiDeviceIdentifier implantedOn",
    ),
    "medicationRequestsByPatientId": (
        "AUTHORED_AT",
        "rowId codeDisplay status dosageText careTeamMemberByPrescriberId { rowId name } "
        "encounterByEncounterId { rowId }",
    ),
    "proceduresByPatientId": (
        "PERFORMED_AT", "rowId codeDisplay performedAt bodySite encounterByEncounterId { rowId }",
    ),
    "referralsByPatientId": (
        "AUTHORED_AT",
        "rowId reasonText careTeamMemberByRequesterId { rowId name } "
        "encounterByEncounterId { rowId }",
    ),
}  # fmt: skip
DEMOGRAPHICS = "rowId givenName familyName birthDate sex raceCode raceDisplay preferredLanguage"


def w1() -> str:
    """The full record of patient `$id`, 20 items per list, with the same links as W1."""
    lists = " ".join(
        f"{name}(first: 20, orderBy: [{order}_DESC, ROW_ID_DESC]) {{ totalCount "
        f"pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ {fields} }} }} }}"
        for name, (order, fields) in LISTS.items()
    )
    return f"query W1($id: Int!) {{ patientByRowId(rowId: $id) {{ {DEMOGRAPHICS} {lists} }} }}"


def w2() -> str:
    """The 10 newest lab results of patient `$id`, 4 fields."""
    return (
        "query W2($id: Int!) { patientByRowId(rowId: $id) { labResultsByPatientId(first: 10, "
        "orderBy: [EFFECTIVE_AT_DESC, ROW_ID_DESC]) { edges { node "
        "{ rowId code codeDisplay effectiveAt valueQuantity valueUnit } } } } }"
    )


def install() -> Path:
    """PostGraphile 5 in the cache directory (npm install on first use); its binary."""
    folder = CACHE / "postgraphile"
    binary = folder / "node_modules" / ".bin" / "postgraphile"
    if not binary.exists():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "package.json").write_text('{"name": "bench-postgraphile", "private": true}\n')
        subprocess.run(["npm", "install", "--silent", "postgraphile@^5"], cwd=folder, check=True)
    (folder / "polyfill.cjs").write_text(POLYFILL)
    return binary


def command(binary: Path, url: str, port: int) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that serve PostGraphile (amber preset) on a port."""
    env = {**os.environ, "NODE_OPTIONS": f"--require {binary.parents[2] / 'polyfill.cjs'}"}
    return [str(binary), "-c", url, "--preset", "postgraphile/presets/amber", "-p", str(port)], env
