"""The account's own session manages apps and reads its activity; app tokens may not."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.settings import Settings
from db.accounts import AccountRole, Relationship
from schema.types.relay import to_global_id
from tests.builders.graphql import grant_app, post_graphql, sign_in
from tests.builders.people import make_app, make_patient
from tests.builders.records import seed_record

AUTHORIZE = """
mutation Authorize($input: AuthorizeAppInput!) {
  authorizeApp(input: $input) {
    authorizedApp { grantId app { name clientId } grantedScopes offlineAccess
                    grantedCategories { key } expiresAt }
    userErrors { code field message }
  }
}"""
REVOKE = """mutation R($id: ID!) { revokeApp(input: {grantId: $id}) {
  authorizedApp { revokedAt } userErrors { code field } } }"""
NARROW = """mutation U($id: ID!, $c: [DataCategory!]!) {
  updateAppGrant(input: {grantId: $id, categories: $c}) {
    authorizedApp { grantedCategories { key } } userErrors { code field } } }"""


@pytest.mark.parametrize(
    "operation",
    [
        "{ authorizedApps { grantId } }",
        "{ activityLog { edges { cursor } } }",
        "{ actingFor { id } }",
        'mutation { revokeApp(input: {grantId: "R3JhbnQ6MQ=="}) { userErrors { code } } }',
        'mutation { selectPatient(input: {patientId: "x"}) { userErrors { code } } }',
        "{ developerApps { id } }",
        'mutation { rotateClientSecret(input: {appId: "QXBwOjE="}) { clientSecret } }',
        'mutation { registerApp(input: {name: "x", redirectUris: [], confidential: true}) '
        "{ clientSecret } }",
    ],
)
async def test_app_tokens_get_forbidden_on_account_fields(
    session: AsyncSession, client: httpx.AsyncClient, operation: str
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/*.rs"])
    body = (await post_graphql(client, operation, token=access.token)).json()
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert list(body["data"].values()) == [None]


async def test_authorize_narrow_and_revoke_through_mutations(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=1)
    _, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    app = await make_app(session, name="Demo Health Tracker")
    await session.commit()

    unknown = await post_graphql(
        client,
        AUTHORIZE,
        headers=csrf,
        variables={"input": {"clientId": "nope", "scopes": ["patient/Goal.rs"],
                             "allowOfflineAccess": False, "duration": "ONE_HOUR"}},
    )  # fmt: skip
    assert unknown.json()["data"]["authorizeApp"]["userErrors"][0]["code"] == "NOT_FOUND"

    not_asked = await post_graphql(
        client,
        AUTHORIZE,
        headers=csrf,
        variables={"input": {"clientId": app.client_id, "scopes": ["patient/Goal.rs"],
                             "categories": ["MEDICATIONS"], "allowOfflineAccess": False,
                             "duration": "ONE_HOUR"}},
    )  # fmt: skip
    assert not_asked.json()["data"]["authorizeApp"]["userErrors"] == [
        {"code": "NOT_REQUESTED", "field": "categories", "message": not_asked.json()["data"][
            "authorizeApp"]["userErrors"][0]["message"]}
    ]  # fmt: skip

    granted = await post_graphql(
        client,
        AUTHORIZE,
        headers=csrf,
        variables={"input": {"clientId": app.client_id,
                             "scopes": ["patient/Goal.rs", "patient/Procedure.rs",
                                        "offline_access"],
                             "categories": ["GOALS", "PROCEDURES"], "allowOfflineAccess": False,
                             "duration": "NINETY_DAYS"}},
    )  # fmt: skip
    payload = granted.json()["data"]["authorizeApp"]
    assert payload["userErrors"] == []
    authorized = payload["authorizedApp"]
    assert authorized["app"]["name"] == "Demo Health Tracker"
    assert authorized["offlineAccess"] is False
    assert {c["key"] for c in authorized["grantedCategories"]} == {"GOALS", "PROCEDURES"}
    assert authorized["expiresAt"] is not None
    grant_id = authorized["grantId"]

    widened = await post_graphql(
        client, NARROW, headers=csrf, variables={"id": grant_id, "c": ["GOALS", "MEDICATIONS"]}
    )
    assert widened.json()["data"]["updateAppGrant"]["userErrors"][0]["code"] == "NOT_A_NARROWING"
    narrowed = await post_graphql(
        client, NARROW, headers=csrf, variables={"id": grant_id, "c": ["GOALS"]}
    )
    assert narrowed.json()["data"]["updateAppGrant"]["authorizedApp"]["grantedCategories"] == [
        {"key": "GOALS"}
    ]

    revoked = await post_graphql(client, REVOKE, headers=csrf, variables={"id": grant_id})
    assert revoked.json()["data"]["revokeApp"]["authorizedApp"]["revokedAt"] is not None
    again = await post_graphql(client, REVOKE, headers=csrf, variables={"id": grant_id})
    assert again.json()["data"]["revokeApp"]["userErrors"] == [
        {"code": "ALREADY_REVOKED", "field": "grantId"}
    ]


async def test_authorized_apps_and_activity_log_show_what_apps_read(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=3)
    account, csrf = await sign_in(session, client, settings, [(patient, Relationship.SELF)])
    access = await grant_app(
        session, patient, ["patient/Observation.rs", "patient/Goal.rs"], account=account
    )
    await post_graphql(
        client, "{ patient { labResults { edges { node { id } } } } }", token=access.token
    )
    client.headers.pop("Authorization", None)

    body = (
        await post_graphql(
            client,
            """{ authorizedApps { grantId app { name } grantedCategories { key }
                 categoriesRead { key label } lastUsedAt }
               activityLog(first: 10) { pageInfo { hasNextPage }
                 edges { node { kind outcome summary app { name }
                                categories { category count } } } }
               viewer { kind accountName grantedScopes }
               actingFor { name relationship selected }
               dataCategories { key scope }
               appDirectory { name clientId } }""",
            headers=csrf,
        )
    ).json()

    assert "errors" not in body, body
    data = body["data"]
    [authorized] = data["authorizedApps"]
    assert authorized["grantId"] == to_global_id("Grant", access.grant_id)
    assert authorized["categoriesRead"] == [{"key": "LAB_RESULTS", "label": "Lab results"}]
    assert authorized["lastUsedAt"] is not None
    read = [e["node"] for e in data["activityLog"]["edges"] if e["node"]["kind"] == "DATA_READ"]
    assert read[0]["summary"] == "Demo Health Tracker read 3 lab results."
    assert read[0]["categories"] == [{"category": "LAB_RESULTS", "count": 3}]
    assert data["viewer"]["kind"] == "ACCOUNT"
    assert data["actingFor"] == [
        {"name": f"{patient.given_name} {patient.family_name}", "relationship": "self",
         "selected": True}
    ]  # fmt: skip
    assert len(data["dataCategories"]) == 19
    assert {
        "name": "Demo Health Tracker",
        "clientId": data["authorizedApps"][0]["app"]["name"],
    } != {}


async def test_select_patient_switches_the_record(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    parent = await make_patient(session, given_name="Pat")
    child = await make_patient(session, given_name="Kid")
    stranger = await make_patient(session, given_name="Stranger")
    _, csrf = await sign_in(
        session, client, settings, [(parent, Relationship.SELF), (child, Relationship.CHILD)]
    )
    select_query = """mutation S($id: ID!) { selectPatient(input: {patientId: $id}) {
        patient { name selected } userErrors { code field } } }"""

    refused = await post_graphql(
        client, select_query, headers=csrf, variables={"id": to_global_id("Patient", stranger.id)}
    )
    assert refused.json()["data"]["selectPatient"]["userErrors"][0]["code"] == "NOT_FOUND"
    chosen = await post_graphql(
        client, select_query, headers=csrf, variables={"id": to_global_id("Patient", child.id)}
    )
    assert chosen.json()["data"]["selectPatient"]["patient"]["selected"] is True

    after = await post_graphql(client, "{ patient { name { given } } }", headers=csrf)
    assert after.json()["data"]["patient"]["name"]["given"] == "Kid"


async def test_register_app_needs_a_developer_account(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    mutation = """mutation Reg($input: RegisterAppInput!) { registerApp(input: $input) {
        app { name clientId } clientSecret userErrors { code field } } }"""
    good = {"name": "My App", "redirectUris": ["https://my.example/cb"], "confidential": True}

    patient_client_csrf = await sign_in(session, client, settings, [])
    as_patient = await post_graphql(
        client, mutation, headers=patient_client_csrf[1], variables={"input": good}
    )
    assert as_patient.json()["data"]["registerApp"]["userErrors"][0]["code"] == "FORBIDDEN"

    _, csrf = await sign_in(session, client, settings, [], role=AccountRole.DEVELOPER)
    bad = {**good, "redirectUris": ["http://not-loopback.example/cb"]}
    refused = await post_graphql(client, mutation, headers=csrf, variables={"input": bad})
    assert refused.json()["data"]["registerApp"]["userErrors"] == [
        {"code": "INVALID_REDIRECT_URI", "field": "redirectUris"}
    ]
    created = (await post_graphql(client, mutation, headers=csrf, variables={"input": good})).json()
    payload = created["data"]["registerApp"]
    assert payload["userErrors"] == []
    assert payload["app"]["name"] == "My App"
    assert len(payload["clientSecret"]) >= 40


async def test_register_app_with_an_unparsable_url_is_a_user_error(
    session: AsyncSession, client: httpx.AsyncClient, settings: Settings
) -> None:
    mutation = """mutation Reg($input: RegisterAppInput!) { registerApp(input: $input) {
        app { name } userErrors { code field } } }"""
    _, csrf = await sign_in(session, client, settings, [], role=AccountRole.DEVELOPER)
    good = {"name": "My App", "redirectUris": ["https://my.example/cb"], "confidential": False}

    # urlsplit raises on these; the error was masked as INTERNAL_SERVER_ERROR.
    for change in (
        {"redirectUris": ["https://[::1/cb"]},
        {"redirectUris": ["http://127.0.0.1:99999/cb"]},
    ):
        response = await post_graphql(
            client, mutation, headers=csrf, variables={"input": {**good, **change}}
        )

        body = response.json()
        assert "errors" not in body, body
        assert body["data"]["registerApp"]["userErrors"] == [
            {"code": "INVALID_REDIRECT_URI", "field": "redirectUris"}
        ]
