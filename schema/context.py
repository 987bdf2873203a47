"""The typed context of one GraphQL request: who calls, for which patient, with what limits."""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import Actor, EventKind, new_event
from db.activity_chain import ChainedEvent
from db.serial import SerialSession
from schema.loaders import Loaders
from sharing.categories import CATEGORIES, CategoryKey
from sharing.scopes import Scopes

__all__ = [
    "AccountCaller",
    "AppCaller",
    "Bookkeeping",
    "Caller",
    "GraphQLContext",
    "Limits",
    "ReadTally",
    "SerialSession",
]

Bookkeeping = Callable[[AsyncSession], Awaitable[object]]


@dataclass(frozen=True)
class AppCaller:
    """A partner app holding an access token under a grant for one patient."""

    grant_id: int
    app_id: int
    app_name: str
    client_id: str
    account_id: int
    patient_id: int
    scopes: Scopes  # the token's, within its grant's (which may have narrowed since)
    last_used_at: datetime | None = None  # the grant's, as read with the token

    @property
    def categories(self) -> frozenset[CategoryKey]:
        """The categories the token may read."""
        return self.scopes.categories

    def read_event(
        self, outcome: str, source_address: str | None, details: dict[str, Any]
    ) -> ChainedEvent:
        """The DATA_READ event of one request of the app, GraphQL or FHIR (not yet stored)."""
        return new_event(
            kind=EventKind.DATA_READ,
            outcome=outcome,
            actor=Actor(self.account_id, source_address),
            patient_id=self.patient_id,
            app_id=self.app_id,
            grant_id=self.grant_id,
            details=details,
        )


@dataclass(frozen=True)
class AccountCaller:
    """A logged-in account: it sees the whole record of the patient it acts for."""

    account_id: int
    account_name: str
    role: str
    patient_id: int | None
    patient_ids: tuple[int, ...]
    web_session_id: int
    categories: frozenset[CategoryKey] = frozenset(c.key for c in CATEGORIES)


Caller = AppCaller | AccountCaller


@dataclass(frozen=True)
class Limits:
    """Query limits from the settings; the defaults are the contract's (docs/contract.md)."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 10_000
    max_page_size: int = 100
    assumed_list_size: int = 20
    max_seconds: float = 5.0
    max_response_bytes: int = 4 * 1024 * 1024


@dataclass
class ReadTally:
    """What a request returned and was refused, per category: the activity log's facts."""

    returned: dict[CategoryKey, set[int]] = field(default_factory=lambda: defaultdict(set))
    denied: set[CategoryKey] = field(default_factory=set)

    def saw(self, key: CategoryKey, ids: list[int]) -> None:
        """Note records of a category that the response carries."""
        self.returned[key].update(ids)

    def discard(self) -> None:
        """Forget what was read: the response carrying it was not sent."""
        self.returned.clear()

    def counts(self) -> dict[str, int]:
        """Distinct records returned per category."""
        return {key.value: len(ids) for key, ids in sorted(self.returned.items()) if ids}


@dataclass
class GraphQLContext:
    """Everything a resolver may use; created per request by the HTTP layer."""

    caller: Caller
    db: SerialSession
    source_address: str | None
    limits: Limits
    loaders: Loaders
    base_url: str
    hasher: PasswordHasher | None = None
    tally: ReadTally = field(default_factory=ReadTally)
    executed: bool = False
    bookkeeping: list[Bookkeeping] = field(default_factory=list)

    def later(self, work: Bookkeeping) -> None:
        """Write something (an activity event) once the request has read what it reads.

        Queries run in a reading unit of work; their bookkeeping goes into one short
        writing unit after it, so a long read never holds the database's write lock.
        """
        self.bookkeeping.append(work)

    @property
    def patient_id(self) -> int | None:
        """The patient whose record this request reads."""
        return self.caller.patient_id
