"""No path reaches a category outside the grant or another patient's record."""

import json

import httpx
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.activity import ActivityEvent, EventKind
from schema.types.relay import to_global_id
from sharing.scopes import CategoryKey
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import make_patient
from tests.builders.records import SeededRecord, seed_record

K = CategoryKey


async def _two_patients(session: AsyncSession) -> tuple[SeededRecord, SeededRecord]:
    mine = await make_patient(session)
    other = await make_patient(session)
    my_record = await seed_record(session, mine, per_category=1, tag="mine")
    other_record = await seed_record(session, other, per_category=1, tag="other")
    return my_record, other_record


async def test_another_patients_id_answers_like_a_missing_one_and_is_logged(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    mine, other = await _two_patients(session)
    access = await grant_app(session, mine.patient, ["patient/*.rs"])
    query = "query N($id: ID!) { node(id: $id) { id ... on LabResult { valueText } } }"

    own_id = to_global_id("LabResult", mine.ids[K.LAB_RESULTS][0])
    theirs_id = to_global_id("LabResult", other.ids[K.LAB_RESULTS][0])
    missing_id = to_global_id("LabResult", 999_999)
    own = (await post_graphql(client, query, token=access.token, variables={"id": own_id})).json()
    theirs = (
        await post_graphql(client, query, token=access.token, variables={"id": theirs_id})
    ).json()
    missing = (
        await post_graphql(client, query, token=access.token, variables={"id": missing_id})
    ).json()
    patient = (
        await post_graphql(
            client,
            query,
            token=access.token,
            variables={"id": to_global_id("Patient", other.patient.id)},
        )
    ).json()

    assert own["data"]["node"]["valueText"] == "lab_results#mine-0"
    for refused in (theirs, missing, patient):
        assert refused["data"] == {"node": None}
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["NOT_FOUND"]
    assert theirs["errors"][0]["message"] == missing["errors"][0]["message"]
    assert "other" not in json.dumps(theirs) + json.dumps(patient)
    denied = await session.exec(
        select(ActivityEvent).where(col(ActivityEvent.kind) == EventKind.ACCESS_DENIED)
    )
    events = denied.all()
    assert len(events) == 3
    assert {e.app_id for e in events} == {access.app_id}


async def test_node_checks_the_category_before_reading(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    mine, _ = await _two_patients(session)
    access = await grant_app(session, mine.patient, ["patient/Goal.rs"])
    lab_id = to_global_id("LabResult", mine.ids[K.LAB_RESULTS][0])
    body = (
        await post_graphql(
            client,
            "query N($id: ID!) { node(id: $id) { id } }",
            token=access.token,
            variables={"id": lab_id},
        )
    ).json()
    assert body["data"] == {"node": None}
    assert body["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"


async def test_links_aliases_fragments_and_variables_are_all_guarded(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    mine, _ = await _two_patients(session)
    access = await grant_app(session, mine.patient, ["patient/MedicationRequest.rs"])
    query = """
    query Sneaky($n: Int!, $enc: ID!) {
      patient {
        meds: medications(first: $n) { edges { node { ...Med } } }
        hidden: labResults(first: $n) { edges { node { id } } }
        ... on Patient { v: vitalSigns { totalCount } }
      }
      again: node(id: $enc) { ... on Encounter { location } }
    }
    fragment Med on Medication { dosageText encounter { location } who: prescriber { name } }
    """
    variables = {"n": 5, "enc": to_global_id("Encounter", mine.ids[K.ENCOUNTERS][0])}

    body = (await post_graphql(client, query, token=access.token, variables=variables)).json()

    text = json.dumps(body["data"])
    assert "medications#mine-0" in text
    for forbidden in ("encounters#", "care_team#", "lab_results#", "vital_signs#"):
        assert forbidden not in text
    paths = sorted(tuple(map(str, e["path"])) for e in body["errors"])
    assert paths == [
        ("again",),
        ("patient", "hidden"),
        ("patient", "meds", "edges", "0", "node", "encounter"),
        ("patient", "meds", "edges", "0", "node", "who"),
        ("patient", "v"),
    ]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"INSUFFICIENT_SCOPE"}


async def test_narrowing_a_grant_applies_to_the_next_request(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    from sharing.consent import narrow_app_grant

    mine, _ = await _two_patients(session)
    access = await grant_app(session, mine.patient, ["patient/Goal.rs", "patient/Procedure.rs"])
    query = "{ patient { goals { totalCount } procedures { totalCount } } }"
    before = (await post_graphql(client, query, token=access.token)).json()
    assert before["data"]["patient"] == {
        "goals": {"totalCount": 1},
        "procedures": {"totalCount": 1},
    }

    await narrow_app_grant(
        session,
        account_id=access.account.id,
        grant_id=access.grant_id,
        categories=frozenset({K.GOALS}),
        source_address=None,
    )
    await session.commit()

    after = (await post_graphql(client, query, token=access.token)).json()
    assert after["data"]["patient"] == {"goals": {"totalCount": 1}, "procedures": None}
    assert after["errors"][0]["extensions"]["code"] == "INSUFFICIENT_SCOPE"


async def test_an_account_acting_for_no_patient_finds_no_record(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    owner = await make_patient(session)
    seeded = await seed_record(session, owner, per_category=1)
    lab_id = to_global_id("LabResult", seeded.ids[CategoryKey.LAB_RESULTS][0])
    _account, csrf = await sign_in(session, client, settings, [])

    response = await post_graphql(
        client, f'{{ node(id: "{lab_id}") {{ id }} patient {{ id }} }}', headers=csrf
    )

    body = response.json()
    assert body["data"] == {"node": None, "patient": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]
