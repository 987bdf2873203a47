"""An app's read is in the activity log, committed, before its response leaves the server."""

from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from api.settings import Settings
from db.activity import ActivityEvent, EventKind
from db.engine import create_engine, create_session_factory
from tests.builders.graphql import grant_app, post_graphql
from tests.builders.people import make_patient


async def _committed_reads(database_url: str) -> int:
    """Counted over a connection of its own, which sees committed rows only."""
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as other:
            statement = select(func.count()).where(col(ActivityEvent.kind) == EventKind.DATA_READ)
            return int((await other.exec(statement)).one())
    finally:
        await engine.dispose()


async def test_the_read_event_is_committed_before_the_response_starts(
    app: Starlette, settings: Settings, session: AsyncSession
) -> None:
    patient = await make_patient(session)
    access = await grant_app(session, patient, ["patient/Patient.rs"])
    counted_at_response_start: list[int] = []

    async def watching(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_after_looking(message: Message) -> None:
            if message["type"] == "http.response.start":
                counted_at_response_start.append(await _committed_reads(settings.database_url))
            await send(message)

        await app(scope, receive, send_after_looking)

    transport = httpx.ASGITransport(app=watching)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as client:
        before = await _committed_reads(settings.database_url)
        response = await post_graphql(
            client, "query Me { patient { birthDate } }", token=access.token
        )

    body: dict[str, Any] = response.json()
    assert body["data"]["patient"]["birthDate"] == "1980-01-01"
    assert before == 0
    assert counted_at_response_start == [1]
