"""Each link answers only when the grant covers the record it reaches, also through node(id:)."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from schema.records import BY_TYPE_NAME
from schema.types.relay import to_global_id
from sharing.scopes import BY_KEY, required_scopes
from tests.builders.graphql import grant_app, post_graphql
from tests.builders.links import LINKS
from tests.builders.people import make_patient
from tests.builders.records import seed_record


@pytest.mark.parametrize(("link", "target"), sorted(LINKS.items()), ids=lambda v: str(v))
async def test_a_link_needs_its_targets_scope(
    session: AsyncSession, client: httpx.AsyncClient, link: tuple[str, str], target: object
) -> None:
    type_name, field = link
    source = BY_TYPE_NAME[type_name].key
    patient = await make_patient(session)
    seeded = await seed_record(session, patient, per_category=1)
    query = (
        f"query L($id: ID!) {{ node(id: $id) {{ id ... on {type_name} {{ {field} {{ id }} }} }} }}"
    )
    variables = {"id": to_global_id(type_name, seeded.ids[source][0])}

    narrow = await grant_app(session, patient, [BY_KEY[source].scope])
    body = (await post_graphql(client, query, token=narrow.token, variables=variables)).json()
    assert body["data"]["node"] == {"id": variables["id"], field: None}
    assert body["errors"] == [
        {
            "message": body["errors"][0]["message"],
            "locations": body["errors"][0]["locations"],
            "path": ["node", field],
            "extensions": {
                "code": "INSUFFICIENT_SCOPE",
                "requiredScopes": required_scopes(LINKS[link]),
            },
        }
    ]

    both = await grant_app(session, patient, [BY_KEY[source].scope, BY_KEY[LINKS[link]].scope])
    body = (await post_graphql(client, query, token=both.token, variables=variables)).json()
    assert "errors" not in body
    assert body["data"]["node"][field]
