"""The compiled read path answers an app with a fixed number of statements, whatever it selects."""

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from tests.api.test_graphql_statements import counting
from tests.builders.graphql import full_record_query, grant_app, post_graphql
from tests.builders.people import make_patient
from tests.builders.records import seed_record


async def test_a_compiled_app_read_is_three_statements_whatever_it_selects(
    session: AsyncSession, client: httpx.AsyncClient, app: Starlette
) -> None:
    patient = await make_patient(session)
    await seed_record(session, patient, per_category=12)
    access = await grant_app(session, patient, ["patient/*.rs"])
    await post_graphql(client, full_record_query(first=2), token=access.token)

    with counting(app) as full:
        whole = await post_graphql(client, full_record_query(first=100), token=access.token)
    with counting(app) as small:
        await post_graphql(client, "{ patient { birthDate } }", token=access.token)

    assert "errors" not in whole.json()
    # The token check folded into the data statement, and the DATA_READ event: the activity
    # chain's head, then the event itself (last_used_at was set a moment ago, so it is not
    # written again).
    assert len(full) == 3, "\n".join(s[:200] for s in full)
    assert len(small) == 3, "\n".join(s[:200] for s in small)
    assert full[0].startswith("SELECT a.id,") and "token.token_hash" in full[0]
