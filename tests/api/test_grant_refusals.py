"""The consent mutations answer expected refusals as one userError and no authorized app."""

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import Relationship
from tests.builders.graphql import post_graphql, sign_in
from tests.builders.people import make_app, make_patient

AUTHORIZE = """mutation A($input: AuthorizeAppInput!) { authorizeApp(input: $input) {
  authorizedApp { grantId } userErrors { code field message } } }"""
REVOKE = """mutation R($id: ID!) { revokeApp(input: {grantId: $id}) {
  authorizedApp { grantId } userErrors { code field message } } }"""


async def test_refusals_name_the_field_and_return_no_app(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    app = await make_app(session)
    await session.commit()

    async def authorize(client_id: str, scopes: list[str]) -> object:
        variables = {"input": {"clientId": client_id, "scopes": scopes,
                               "allowOfflineAccess": False, "duration": "ONE_HOUR"}}  # fmt: skip
        response = await post_graphql(client, AUTHORIZE, headers=csrf, variables=variables)
        return response.json()["data"]["authorizeApp"]

    assert await authorize(app.client_id, ["patient/Goal.rs", "user/Nope.x"]) == {
        "authorizedApp": None,
        "userErrors": [
            {
                "code": "INVALID_SCOPE",
                "field": "scopes",
                "message": "Unsupported scopes: user/Nope.x",
            }
        ],
    }
    assert await authorize("nope", ["patient/Goal.rs"]) == {
        "authorizedApp": None,
        "userErrors": [{"code": "NOT_FOUND", "field": "clientId", "message": "No such app."}],
    }
    revoked = await post_graphql(client, REVOKE, headers=csrf, variables={"id": "not-a-grant"})
    assert revoked.json()["data"]["revokeApp"] == {
        "authorizedApp": None,
        "userErrors": [
            {"code": "NOT_FOUND", "field": "grantId", "message": "No such authorized app."}
        ],
    }
