"""An existing SMART on FHIR app, SMART's own Python client, launches against /fhir unchanged.

The client reads the CapabilityStatement, builds the authorization URL (aud = the FHIR
base, PKCE S256), the patient logs in and consents in the "browser", and the client
exchanges the code and then reads and searches with its own models.
"""

import asyncio

import httpx
import pytest
from fhirclient import client as smart_client
from fhirclient.models.condition import Condition
from fhirclient.models.fhirsearch import FHIRSearch
from fhirclient.models.observation import Observation
from fhirclient.server import FHIRPermissionDeniedException
from sqlmodel.ext.asyncio.session import AsyncSession

from sharing.fhir.ids import row_resource_id
from sharing.scopes import CategoryKey
from tests.builders.asgi_requests import ASGIAdapter
from tests.builders.oauth import (
    ISSUER,
    REDIRECT_URI,
    arrange,
    consent,
    login,
    query_of,
    request_of,
)
from tests.builders.records import seed_record

K = CategoryKey
SCOPE = "launch/patient openid fhirUser patient/Patient.read patient/Observation.read"


async def test_fhirclient_launches_reads_and_searches(
    session: AsyncSession, client: httpx.AsyncClient
) -> None:
    party = await arrange(session)
    record = await seed_record(session, party.patient, per_category=3)
    await session.commit()
    smart = smart_client.FHIRClient(
        settings={
            "app_id": party.app.client_id,
            "api_base": f"{ISSUER}/fhir",
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPE,
        }
    )
    smart.server.session.mount(ISSUER, ASGIAdapter(client, asyncio.get_running_loop()))

    url = await asyncio.to_thread(lambda: smart.authorize_url)
    params = query_of(url)
    assert url.startswith(f"{ISSUER}/oauth/authorize?")
    assert params["aud"] == f"{ISSUER}/fhir" and params["code_challenge_method"] == "S256"
    start = await client.get(url)
    assert start.status_code in (302, 303), start.text
    await login(client, party.account.username)
    answer = await consent(client, request_of(start.headers["location"]))
    assert answer.status_code == 303, answer.text
    await asyncio.to_thread(smart.handle_callback, answer.headers["location"])
    assert smart.ready
    assert smart.patient_id == str(party.patient.id)

    patient = await asyncio.to_thread(lambda: smart.patient)
    assert patient is not None
    assert (
        smart.human_name(patient.name[0])
        == f"{party.patient.given_name} {party.patient.family_name}"
    )

    def search_labs() -> list[str]:
        search = Observation.where(struct={"category": "laboratory", "_count": "2"})
        return [r.id for r in search.perform_resources_iter(smart.server)]

    labs = await asyncio.to_thread(search_labs)
    expected = [row_resource_id(K.LAB_RESULTS, i) for i in record.ids[K.LAB_RESULTS]]
    assert labs == expected  # newest first, across two pages of two

    def read_one() -> Observation:
        return Observation.read(labs[0], smart.server)

    lab = await asyncio.to_thread(read_one)
    assert lab.category[0].coding[0].code == "laboratory"
    assert lab.subject.reference == f"Patient/{party.patient.id}"

    def search_conditions() -> None:
        FHIRSearch(Condition, struct={"category": "problem-list-item"}).perform_resources_iter(
            smart.server
        ).__next__()

    with pytest.raises(FHIRPermissionDeniedException) as refused:
        await asyncio.to_thread(search_conditions)
    assert refused.value.response.status_code == 403
    assert "patient/Condition.rs" in refused.value.response.text
