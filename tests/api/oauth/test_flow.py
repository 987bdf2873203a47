"""The full authorization code flow as a partner app and a patient would drive it."""

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from tests.builders.oauth import ISSUER, arrange, authorize, exchange, pkce_pair


async def test_public_app_gets_tokens_with_pkce(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    party = await arrange(session)
    verifier, challenge = pkce_pair()
    query = await authorize(client, party, challenge)
    assert query["iss"] == ISSUER
    response = await exchange(client, party, query["code"], verifier)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["patient"] == str(party.patient.id)
    assert "refresh_token" in body and "id_token" in body
    assert response.headers["cache-control"] == "no-store"
