"""A patient's revocation stops the app's token in every server process, on its next request.

Two app instances with their own engines and pools stand for two workers: nothing
about a token is cached in a process, so the worker that did not see the revocation
refuses the token all the same.
"""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from db.accounts import Relationship
from schema.types.relay import to_global_id
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import make_patient

QUERY = "query Me { patient { birthDate } }"


@pytest.fixture
async def second_worker(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    worker: Starlette = create_app(settings)
    transport = httpx.ASGITransport(app=worker)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        yield client
    await worker.state.engine.dispose()


async def test_revoking_on_one_worker_stops_the_token_on_another(
    session: AsyncSession,
    client: httpx.AsyncClient,
    second_worker: httpx.AsyncClient,
    settings: Settings,
) -> None:
    patient = await make_patient(session)
    account, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    access = await grant_app(session, patient, ["patient/Patient.rs"], account=account)
    warm = await post_graphql(second_worker, QUERY, token=access.token)
    assert warm.json()["data"]["patient"]["birthDate"] == "1980-01-01"

    revoked = await post_graphql(
        client,
        "mutation Revoke($id: ID!) { revokeApp(input: {grantId: $id}) { userErrors { code } } }",
        variables={"id": to_global_id("Grant", access.grant_id)},
        headers=csrf,
    )
    assert revoked.json()["data"]["revokeApp"]["userErrors"] == []

    after = await post_graphql(second_worker, QUERY, token=access.token)
    assert after.status_code == 401
    assert 'error="invalid_token"' in after.headers["www-authenticate"]
