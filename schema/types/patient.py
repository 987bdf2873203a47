"""The patient: demographics and one connection per data category of the registry."""

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any, TypeVar

import strawberry
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from db import patients
from db.code_systems import CDC_RACE_ETHNICITY as RACE_ETHNICITY
from schema.context import GraphQLContext
from schema.permissions import RequireCategory, describe, scope_note
from schema.records import RECORD_KINDS, RecordKind, record_page
from schema.types.common import Coding, HumanName, coding
from schema.types.relay import Connection, Node, page_window, to_global_id
from sharing.categories import REGISTRY, CategoryKey

# The category of the patient row itself: its fields are the demographics.
DEMOGRAPHICS: CategoryKey = REGISTRY.by_node_type["Patient"].key
T = TypeVar("T")
FIRST = "Items per page from the start (newest first), 1 to 100; 20 when no size is given."
AFTER = "The `endCursor` of the previous page: continue after it (older items)."
LAST = "Items per page from the end (oldest), 1 to 100; pages backward with `before`."
BEFORE = "The `startCursor` of a page: the items just before it (newer items)."
STATUS = "Keep items with any of these statuses (e.g. `active`)."
SINCE = "Keep items dated on or after this day."
UNTIL = "Keep items dated on or before this day."


class Demographic(RequireCategory):
    """Guard a demographic field and note that demographics were returned."""

    def __init__(self) -> None:
        super().__init__(DEMOGRAPHICS)

    def resolve(
        self, next_: Any, source: Any, info: Info[GraphQLContext, Any], **kwargs: Any
    ) -> Any:
        value = super().resolve(next_, source, info, **kwargs)
        info.context.tally.saw(DEMOGRAPHICS, [source.db_id])
        return value


def _demographic(text: str) -> Any:
    return strawberry.field(description=describe(text, DEMOGRAPHICS), extensions=[Demographic()])


def _records(kind: RecordKind) -> StrawberryField:
    """The guarded connection field of a category's rows on `Patient`."""
    key, field_name = kind.key, kind.category.field

    async def resolve(
        self: "Patient",
        info: Info[GraphQLContext, Any],
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Annotated[int | None, strawberry.argument(description=LAST)] = None,
        before: Annotated[str | None, strawberry.argument(description=BEFORE)] = None,
        status: Annotated[list[str] | None, strawberry.argument(description=STATUS)] = None,
        since: Annotated[date | None, strawberry.argument(description=SINCE)] = None,
        until: Annotated[date | None, strawberry.argument(description=UNTIL)] = None,
    ) -> Any:
        window = page_window(
            info.context.limits, first=first, after=after, last=last, before=before
        )
        return await record_page(info, key, window=window, status=status, since=since, until=until)

    resolve.__annotations__["return"] = Connection[kind.node] | None  # type: ignore[name-defined]
    field: StrawberryField = strawberry.field(
        resolver=resolve,
        name=field_name,
        description=f"{kind.category.description} Newest first. {scope_note(kind.category)}",
        extensions=[RequireCategory(key)],
    )
    return field


def with_connections(kinds: Iterable[RecordKind]) -> Callable[[type[T]], type[T]]:
    """Add to a class one connection per kind whose category has a `Patient` field."""

    def add(cls: type[T]) -> type[T]:
        for kind in kinds:
            if kind.category.field is not None:
                attribute = re.sub(r"(?<!^)(?=[A-Z])", "_", kind.category.field).lower()
                setattr(cls, attribute, _records(kind))
        return cls

    return add


@strawberry.type(description="The patient whose record the caller reads.")
@with_connections(RECORD_KINDS)
class Patient(Node):
    db_id: strawberry.Private[int]
    fhir_id: strawberry.ID = strawberry.field(
        description=(
            "The patient's id outside GraphQL: the token response's `patient`, the `{id}` of "
            "`fhirUser` `{issuer}/fhir/Patient/{id}` and of FHIR `Patient/{id}`. The global "
            "`id` of the same patient is base64 of `Patient:{fhirId}`."
        )
    )
    name: HumanName | None = _demographic("The patient's name.")
    birth_date: date | None = _demographic("Date of birth.")
    sex: str | None = _demographic("Birth sex (US Core): F, M or UNK.")
    race: Coding | None = _demographic("Race (CDC Race & Ethnicity, OMB category).")
    ethnicity: Coding | None = _demographic("Ethnicity (CDC Race & Ethnicity).")
    preferred_language: str | None = _demographic(
        "Preferred language (BCP 47 tag, e.g. `en`, `es`)."
    )

    @classmethod
    def from_row(cls, row: patients.Patient) -> "Patient":
        assert row.id is not None
        parts = [row.given_name, row.middle_name, row.family_name, row.name_suffix]
        return cls(
            id=to_global_id("Patient", row.id),
            db_id=row.id,
            fhir_id=strawberry.ID(str(row.id)),
            name=HumanName(
                given=row.given_name,
                middle=row.middle_name,
                family=row.family_name,
                suffix=row.name_suffix,
                text=" ".join(p for p in parts if p),
            ),
            birth_date=row.birth_date,
            sex=row.sex,
            race=coding(RACE_ETHNICITY, row.race_code, row.race_display),
            ethnicity=coding(RACE_ETHNICITY, row.ethnicity_code, row.ethnicity_display),
            preferred_language=row.preferred_language,
        )
