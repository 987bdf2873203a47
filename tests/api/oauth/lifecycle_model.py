"""The model the OAuth lifecycle state machine checks the server against, and its world.

The model knows, from the answers the server gave, every tab (pending authorization
request), consent (grant), code and token, and whether each token should still work.
The world is one server, three patients with a full record each (Alice, her child
Lily, Bob) and two accounts: Alice acts for herself and Lily, Bob for himself.
"""

import asyncio
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
from sqlmodel import col, select
from starlette.applications import Starlette

from api.app import create_app
from api.settings import Settings
from db.accounts import Account, Relationship
from db.activity import ActivityEvent, EventKind
from db.apps import App
from db.grants import Grant
from db.patients import Patient
from db.tokens import Token, TokenKind, hash_secret
from schema.records import BY_CATEGORY
from schema.types.relay import from_global_id
from sharing.scopes import CategoryKey
from tests.builders.people import make_account, make_patient
from tests.builders.records import seed_record

MARKER = re.compile(r"\b([a-z_]+)#pt(\d+)-\d+")
TYPE_CATEGORY = {kind.type_name: kind.key for kind in BY_CATEGORY.values()}


@dataclass
class Browser:
    """One logged-in browser: its HTTP client (with the session cookie) and CSRF token."""

    name: str
    client: httpx.AsyncClient
    csrf: str
    patients: list[int]


@dataclass
class Tab:
    """One authorization request opened in a browser."""

    browser: Browser
    app: App
    request_id: str
    verifier: str
    state: str
    redirect_uri: str
    answered: bool = False


@dataclass
class Consent:
    """A grant: one per app and patient while live; a new consent updates it in place."""

    app: App
    patient_id: int
    categories: frozenset[CategoryKey]
    offline: bool
    grant_id: int
    live: bool = True


@dataclass
class Family:
    """One device: the tokens that began with one authorization code, refreshes included."""

    app: App
    patient_id: int
    categories: frozenset[CategoryKey]
    offline: bool
    browser: Browser
    grant_id: int
    consent: Consent
    live: bool = True


@dataclass
class Code:
    """An authorization code, its PKCE verifier and the consent it was issued for."""

    value: str
    tab: Tab
    family: Family
    used: bool = False


@dataclass
class TokenModel:
    """An access or refresh token as the app holds it."""

    value: str
    kind: str
    family: Family
    categories: frozenset[CategoryKey]
    revoked: bool = False
    rotated: bool = False

    @property
    def live(self) -> bool:
        return (
            self.family.consent.live and self.family.live and not self.revoked and not self.rotated
        )

    @property
    def reads(self) -> frozenset[CategoryKey]:
        """What the token may read now: its own scopes within the latest consent."""
        return self.categories & self.family.consent.categories


@dataclass
class Read:
    """A read by an app: the event the log must hold (kind, app, patient, outcome, categories)."""

    kind: EventKind
    app_id: int
    patient_id: int
    outcome: str
    categories: frozenset[CategoryKey]


@dataclass
class World:
    """The server and the people in it, shared by every example of one backend."""

    loop: asyncio.AbstractEventLoop
    app: Starlette
    settings: Settings
    accounts: dict[str, Account]
    patients: dict[str, Patient]

    def run(self, coroutine: Any) -> Any:
        """Run one step of the machine on the world's event loop."""
        return self.loop.run_until_complete(coroutine)

    def client(self) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=self.app, client=("203.0.113.70", 51000))
        return httpx.AsyncClient(transport=transport, base_url=self.settings.base_url)


async def build_world(loop: asyncio.AbstractEventLoop, database_url: str) -> World:
    """A server on a migrated database with Alice (and Lily) and Bob, each with a full record."""
    settings = Settings(
        database_url=database_url,
        base_url="http://testserver",
        argon2_memory_kib=1024,
        argon2_iterations=1,
        max_query_aliases=500,
        max_query_depth=30,
        max_query_tokens=20_000,
        max_query_cost=1_000_000,
    )
    app = create_app(settings)
    async with app.state.session_factory() as session:
        patients = {}
        for name in ("alice", "lily", "bob"):
            patient = await make_patient(session)
            patient.given_name = f"demographics#pt{patient.id}-0"
            session.add(patient)
            await seed_record(session, patient, per_category=1, tag=f"pt{patient.id}")
            patients[name] = patient
        alice = await make_account(
            session,
            username="lifecycle-alice",
            patients=[
                (patients["alice"], Relationship.SELF),
                (patients["lily"], Relationship.CHILD),
            ],
        )
        bob = await make_account(
            session, username="lifecycle-bob", patients=[(patients["bob"], Relationship.SELF)]
        )
        await session.commit()
        for row in (*patients.values(), alice, bob):
            await session.refresh(row)
    return World(loop, app, settings, {"alice": alice, "bob": bob}, patients)


def leaks(data: Any, *, patient_id: int, allowed: frozenset[CategoryKey]) -> list[str]:
    """Values in a response that belong to another patient or to a category outside `allowed`."""
    found = []
    dumped = json.dumps(data)
    for category, owner in MARKER.findall(dumped):
        if int(owner) != patient_id or CategoryKey(category) not in allowed:
            found.append(f"{category}#pt{owner}")
    for value in re.findall(r'"([A-Za-z0-9+/=]{8,})"', dumped):
        try:
            type_name, db_id = from_global_id(value)
        except Exception:  # noqa: S112 - not every string is an ID
            continue
        if type_name == "Patient" and db_id != patient_id:
            found.append(f"Patient {db_id}")
        category = TYPE_CATEGORY.get(type_name)
        if category is not None and category not in allowed:
            found.append(f"id of {type_name}")
    return found


def categories_shown(data: Any, *, patient_id: int) -> frozenset[CategoryKey]:
    """The categories of which the response holds at least one value of this patient."""
    return frozenset(
        CategoryKey(category)
        for category, owner in MARKER.findall(json.dumps(data))
        if int(owner) == patient_id
    )


async def check_tokens_and_log(
    world: World, apps: list[App], tokens: list[TokenModel], reads: list[Read]
) -> None:
    """Database and model agree on live tokens (one refresh per device) and logged reads."""
    app_ids = [a.id for a in apps]
    async with world.app.state.session_factory() as session:
        rows = (
            await session.exec(
                select(Token, Grant)
                .join(Grant, col(Grant.id) == col(Token.grant_id))
                .where(col(Grant.app_id).in_(app_ids))
            )
        ).all()
        events = (
            await session.exec(
                select(ActivityEvent)
                .where(
                    col(ActivityEvent.kind).in_([EventKind.DATA_READ, EventKind.ENDED_ACCESS_USED]),
                    col(ActivityEvent.app_id).in_(app_ids),
                )
                .order_by(col(ActivityEvent.id))
            )
        ).all()
    stored = {token.token_hash: (token, grant) for token, grant in rows}
    assert len(stored) == len(tokens)
    live_refresh: Counter[int] = Counter()
    for model in tokens:
        token, grant = stored[hash_secret(model.value)]
        live = token.revoked_at is None and token.rotated_at is None
        live = live and grant.revoked_at is None
        assert live == model.live, (model.kind, model.revoked, model.rotated)
        if live and token.kind == TokenKind.REFRESH:
            live_refresh[token.issued_from_code_id or 0] += 1
    assert all(count <= 1 for count in live_refresh.values()), live_refresh
    assert len(events) == len(reads)
    for event, read in zip(events, reads, strict=True):
        logged = (event.kind, event.app_id, event.patient_id, event.outcome)
        assert logged == (read.kind, read.app_id, read.patient_id, read.outcome)
        returned = json.loads(event.details).get("categories") or {}
        assert {CategoryKey(c) for c in returned} <= read.categories
