"""Every clinical item reaches apps coded in the standard system of its category (demo data)."""

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, AccountPatient, Relationship
from db.patients import Patient
from tests.builders.graphql import grant_app, post_graphql
from tests.db.seed_helpers import seed

LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
CVX = "http://hl7.org/fhir/sid/cvx"
CPT = "http://www.ama-assn.org/go/cpt"
UCUM = "http://unitsofmeasure.org"

# Patient field -> the code systems its items may use (docs/contract.md, "GraphQL").
EXPECTED_SYSTEMS = {
    "labResults": {LOINC},
    "vitalSigns": {LOINC},
    "functionalStatus": {LOINC},
    "mentalStatus": {LOINC},
    "smokingStatus": {LOINC},
    "problems": {SNOMED},
    "healthConcerns": {SNOMED},
    "medications": {RXNORM},
    "immunizations": {CVX},
    "procedures": {CPT, SNOMED},
    "medicalEquipment": {SNOMED},
    "encounters": {CPT, SNOMED},
}
QUANTITIES = ("labResults", "vitalSigns")


def _query() -> str:
    lists = []
    for field in EXPECTED_SYSTEMS:
        extra = " valueQuantity { value unit unitSystem }" if field in QUANTITIES else ""
        node = "code { system code display }" + extra
        lists.append(f"{field}(first: 100) {{ edges {{ node {{ {node} }} }} }}")
    conditions = " ".join(
        f"{field}(first: 100) {{ edges {{ node {{ icd10 {{ system code }} }} }} }}"
        for field in ("problems",)
    )
    return "query Codes { patient { " + " ".join(lists) + " p2: " + conditions + " } }"


async def _alice(session: AsyncSession) -> tuple[Account, Patient]:
    account = (await session.exec(select(Account).where(col(Account.username) == "alice"))).one()
    link = (
        await session.exec(
            select(AccountPatient).where(
                col(AccountPatient.account_id) == account.id,
                col(AccountPatient.relationship) == Relationship.SELF,
            )
        )
    ).one()
    patient = await session.get(Patient, link.patient_id)
    assert patient is not None
    return account, patient


async def test_each_category_uses_its_standard_code_system_and_ucum_units(
    database_url: str, session: AsyncSession, client: httpx.AsyncClient
) -> None:
    await seed(database_url, patients=3)
    account, alice = await _alice(session)
    access = await grant_app(session, alice, ["patient/*.rs"], account=account)

    response = await post_graphql(client, _query(), token=access.token)

    body = response.json()
    assert "errors" not in body, body.get("errors")
    record = body["data"]["patient"]
    for field, systems in EXPECTED_SYSTEMS.items():
        nodes = [edge["node"] for edge in record[field]["edges"]]
        assert nodes, f"the demo patient has no {field}"
        used = {node["code"]["system"] for node in nodes}
        assert used <= systems, (field, used)
        assert all(node["code"]["code"] and node["code"]["display"] for node in nodes), field
    for field in QUANTITIES:
        quantities = [e["node"]["valueQuantity"] for e in record[field]["edges"]]
        measured = [q for q in quantities if q is not None and q["unit"]]
        assert measured, field
        assert {q["unitSystem"] for q in measured} == {UCUM}, field
    icd10 = [e["node"]["icd10"] for e in record["p2"]["edges"] if e["node"]["icd10"]]
    assert icd10
    assert {c["system"] for c in icd10} == {"http://hl7.org/fhir/sid/icd-10-cm"}
