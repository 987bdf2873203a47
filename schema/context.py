"""The typed context of one GraphQL request: who calls, for which patient, with what limits."""

from collections import defaultdict
from dataclasses import dataclass, field

from argon2 import PasswordHasher

from db.serial import SerialSession
from schema.loaders import Loaders
from sharing.categories import CATEGORIES, CategoryKey

__all__ = [
    "AccountCaller",
    "AppCaller",
    "Caller",
    "GraphQLContext",
    "Limits",
    "ReadTally",
    "SerialSession",
]


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
    """Query limits from the settings; the defaults are the contract's (docs/contract.md)."""

    max_depth: int = 10
    max_aliases: int = 15
    max_tokens: int = 2000
    max_cost: int = 10_000
    max_page_size: int = 100


@dataclass
class ReadTally:
    """What a request returned and was refused, per category: the activity log's facts."""

    returned: dict[CategoryKey, set[int]] = field(default_factory=lambda: defaultdict(set))
    denied: set[CategoryKey] = field(default_factory=set)

    def saw(self, key: CategoryKey, ids: list[int]) -> None:
        """Note records of a category that the response carries."""
        self.returned[key].update(ids)

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

    @property
    def patient_id(self) -> int | None:
        """The patient whose record this request reads."""
        return self.caller.patient_id
