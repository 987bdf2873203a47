"""The typed context of one GraphQL request: who calls, for which patient, with what limits."""

import asyncio
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from argon2 import PasswordHasher
from sqlmodel.ext.asyncio.session import AsyncSession

from schema.errors import OUT_OF_TIME, QueryTooComplex
from sharing.scopes import CATEGORIES, CategoryKey

if TYPE_CHECKING:
    from schema.loaders import Loaders

T = TypeVar("T")
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
    scopes: tuple[str, ...]
    categories: frozenset[CategoryKey]


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
    """Query limits from the settings (DESIGN.md defaults)."""

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


class SerialSession:
    """The request's AsyncSession, used by one coroutine at a time, within the time budget.

    Sibling resolvers and DataLoader batches run concurrently; an AsyncSession may not.
    Once the request's deadline has passed, every further read raises QueryTooComplex,
    so that a slow query ends by itself instead of being cancelled midway.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._lock = asyncio.Lock()
        self.deadline: float | None = None

    def start_clock(self, seconds: float) -> None:
        """Allow reads for `seconds` from now."""
        self.deadline = time.monotonic() + seconds

    def out_of_time(self) -> bool:
        """Whether the request's time budget is spent."""
        return self.deadline is not None and time.monotonic() > self.deadline

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run one piece of database work with the session to itself."""
        async with self._lock:
            if self.out_of_time():
                raise QueryTooComplex(OUT_OF_TIME)
            return await work(self.session)


@dataclass
class GraphQLContext:
    """Everything a resolver may use; created per request by the HTTP layer."""

    caller: Caller
    db: SerialSession
    source_address: str | None
    limits: Limits
    loaders: "Loaders"
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
