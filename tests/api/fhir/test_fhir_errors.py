"""FHIR errors: bad input is a 4xx OperationOutcome, never a 500; wrong methods are 405."""

import base64
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import ActivityEvent, EventKind
from sharing.fhir.search_parameters import PARAMETERS
from tests.builders.fhir_api import FHIRSetup, fhir_get, setup_fhir, validate

BAD_SEARCHES = [
    ("Observation", {"colour": "blue"}, "does not support"),
    ("Observation", {"code:text": "glucose"}, "modifiers"),
    ("Observation", {"date": "yesterday"}, "Not a valid date"),
    ("Observation", {"date": "2024-13-01"}, "Not a valid date"),
    ("Observation", {"date": "2024-02-30T10:00:00Z"}, "Not a valid date"),
    ("Observation", {"date": "ap2024-01-01"}, "prefix"),
    ("Observation", {"date": "9999-12-31"}, "years"),
    ("Observation", {"date": "0001-01-01T00:00:00+01:00"}, "years"),
    ("Patient", {"birthdate": "le9999-12-31T23:59:59Z"}, "years"),
    ("Observation", {"date": "xx2024"}, "prefix"),
    ("Observation", {"_count": "-1"}, "_count"),
    ("Observation", {"_count": "ten"}, "_count"),
    ("Observation", {"_count": "99999999999999999999"}, "_count"),
    ("Observation", {"_cursor": "not-a-cursor"}, "_cursor"),
    ("Observation", {"_format": "xml"}, "JSON"),
    ("Observation", {"code": "|"}, "token"),
    ("Observation", {"code": ","}, "no alternatives"),
    ("Observation", {"date": ",,"}, "no alternatives"),
    ("Patient", {"birthdate": ","}, "no alternatives"),
    ("Observation", {"code": "x" * 300}, "longer"),
    ("Observation", {"patient": "Encounter/1"}, "reference to a Patient"),
    ("Patient", {"category": "laboratory"}, "does not support"),
    ("Practitioner", {"patient": "1"}, "does not support"),
]


def _issue(response: httpx.Response) -> dict[str, str]:
    assert response.headers["content-type"].startswith("application/fhir+json"), response.text
    body = response.json()
    validate(body)
    assert body["resourceType"] == "OperationOutcome"
    issue: dict[str, str] = body["issue"][0]
    return issue


@pytest.fixture
async def setup(session: AsyncSession) -> FHIRSetup:
    return await setup_fhir(session, ["patient/*.rs"], per_category=1)


async def test_bad_search_parameters_are_400(
    client: httpx.AsyncClient, setup: FHIRSetup, session: AsyncSession
) -> None:
    for resource_type, params, phrase in BAD_SEARCHES:
        response = await fhir_get(client, resource_type, setup, **params)
        assert response.status_code == 400, (params, response.text)
        issue = _issue(response)
        assert issue["code"] == "invalid"
        assert phrase in issue["diagnostics"], (params, issue)
    events = (await session.exec(select(ActivityEvent).where(
        col(ActivityEvent.kind) == EventKind.DATA_READ))).all()  # fmt: skip
    assert [e.outcome for e in events] == ["rejected"] * len(BAD_SEARCHES)
    assert all(json.loads(e.details)["categories"] == {} for e in events)


async def test_a_cursor_of_another_search_is_400(
    client: httpx.AsyncClient, setup: FHIRSetup
) -> None:
    first = (await fhir_get(client, "Observation", setup, _count="1")).json()
    following = next(link["url"] for link in first["link"] if link["relation"] == "next")
    cursor = following.split("_cursor=")[1]
    response = await fhir_get(client, "Condition", setup, _cursor=cursor)
    assert response.status_code == 400
    assert "_cursor" in _issue(response)["diagnostics"]


def _crafted_cursor(kind: str, value: str, tag: str, row_id: int) -> str:
    raw = json.dumps([kind, value, tag, row_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("resource_type", "cursor"),
    [
        # A day where the table sorts by a moment, and the reverse.
        ("Observation", _crafted_cursor("d", "2024-01-01", "LabResult", 1)),
        ("Condition", _crafted_cursor("d", "2024-01-01", "Problem", 1)),
        ("Goal", _crafted_cursor("t", "2024-01-01T00:00:00+00:00", "Goal", 1)),
        # Moments whose UTC lies outside datetime's years.
        ("Observation", _crafted_cursor("t", "0001-01-01T00:00:00+14:00", "LabResult", 1)),
        ("Observation", _crafted_cursor("t", "9999-12-31T23:59:59-14:00", "LabResult", 1)),
        # An id past PostgreSQL's 32-bit id columns.
        ("Observation", _crafted_cursor("t", "2024-01-01T00:00:00+00:00", "LabResult", 2**31)),
    ],
)
async def test_a_crafted_cursor_is_400(
    client: httpx.AsyncClient, setup: FHIRSetup, resource_type: str, cursor: str
) -> None:
    for response in (
        await fhir_get(client, resource_type, setup, _cursor=cursor),
        await client.post(
            f"/fhir/{resource_type}/_search", data={"_cursor": cursor}, headers=setup.headers
        ),
    ):
        assert response.status_code == 400, response.text
        assert "_cursor" in _issue(response)["diagnostics"]


async def test_ids_past_the_id_columns_are_404(client: httpx.AsyncClient, setup: FHIRSetup) -> None:
    for path in ("Observation/LabResult-2147483648", "Observation/LabResult-9223372036854775807",
                 "Encounter/Encounter-2147483648"):  # fmt: skip
        response = await fhir_get(client, path, setup)
        assert response.status_code == 404, (path, response.text)
    for resource_type, value in (
        ("Observation", "LabResult-2147483648"),
        ("Patient", "2147483648"),
        ("Practitioner", "CareTeamMember-9223372036854775807"),
    ):
        response = await fhir_get(client, resource_type, setup, _id=value)
        assert response.status_code == 200, (resource_type, response.text)
        assert response.json()["total"] == 0


async def test_unknown_types_ids_and_paths_are_404(
    client: httpx.AsyncClient, setup: FHIRSetup
) -> None:
    for path in (
        "Medication",
        "Foo/1",
        "Bundle",
        "Foo/_search",
        "a/b/c/d",
        "",
        "Patient/1/$export",
    ):
        response = await fhir_get(client, path, setup)
        assert response.status_code == 404, path
        assert _issue(response)["code"] in ("not-supported", "not-found")
    for path in ("Observation/abc", "Observation/LabResult-0", "Observation/Encounter-1",
                 "Observation/LabResult-99999999999999999999", "Patient/0", "Patient/-1",
                 "CareTeam/x", "Condition/Problem-999999"):  # fmt: skip
        response = await fhir_get(client, path, setup)
        assert response.status_code == 404, path
        assert _issue(response)["code"] == "not-found"


async def test_wrong_methods_are_405(client: httpx.AsyncClient, setup: FHIRSetup) -> None:
    cases = [
        ("POST", "/fhir/Observation", "GET"),
        ("DELETE", "/fhir/Observation/LabResult-1", "GET"),
        ("PUT", "/fhir/Patient/1", "GET"),
        ("GET", "/fhir/Observation/_search", "POST"),
        ("PUT", "/fhir/metadata", "GET"),
        ("POST", "/fhir/Patient/1/$everything", "GET"),
    ]
    for method, path, allowed in cases:
        response = await client.request(method, path, headers=setup.headers)
        assert response.status_code == 405, (method, path)
        assert response.headers["allow"] == allowed
        assert _issue(response)["code"] == "not-supported"


async def test_missing_or_bad_tokens_are_401(client: httpx.AsyncClient, setup: FHIRSetup) -> None:
    anonymous = await client.get("/fhir/Observation")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert _issue(anonymous)["code"] == "login"
    for header in ("Bearer nonsense", "Basic abc", "Bearer " + "x" * 600, "Bearer"):
        response = await client.get("/fhir/Observation", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert 'error="invalid_token"' in response.headers["www-authenticate"]


async def test_post_search_needs_a_form_body(client: httpx.AsyncClient, setup: FHIRSetup) -> None:
    response = await client.post(
        "/fhir/Observation/_search", json={"category": "laboratory"}, headers=setup.headers
    )
    assert response.status_code == 415
    _issue(response)
    bad_form = await client.post(
        "/fhir/Observation/_search",
        content=b"date=%zz&code=\xff",
        headers={**setup.headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert bad_form.status_code in (200, 400), bad_form.text
    _ = bad_form.json()


values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["ge2024", "lt2024-06-01T09:00:00Z", "eq", "2024-", "laboratory",
                     "http://loinc.org|", "|", ",", "\\,", "Patient/1", "0", "9" * 30,
                     "ne2024-05-31", "sa1999", "2024-06-01T24:00:00Z", "9999-12-31",
                     "0001-01-01T00:00:00+14:00", "ge9998-12-31T23:59:59.999999-12:00"]),
)  # fmt: skip
names = st.one_of(
    st.sampled_from(
        sorted({p.name for ps in PARAMETERS.values() for p in ps} | {"_count", "_cursor"})
    ),
    st.text(max_size=10),
)


@given(
    resource_type=st.sampled_from(sorted(PARAMETERS)),
    query=st.lists(st.tuples(names, values), max_size=5),
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
async def test_random_searches_never_fail_with_a_500(
    client: httpx.AsyncClient, setup: FHIRSetup, resource_type: str, query: list[tuple[str, str]]
) -> None:
    clean = [(n, v) for n, v in query if "\x00" not in n + v]
    response = await client.get(f"/fhir/{resource_type}", params=clean, headers=setup.headers)
    assert response.status_code in (200, 400, 403), response.text
    assert response.headers["content-type"].startswith("application/fhir+json")
    validate(response.json())
