"""Which table and GraphQL type serve each clinical category; one page of a category."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import SQLModel
from strawberry.types import Info

from db.records_query import RecordFilter, sort_value, sorts_by_timestamp
from schema.context import GraphQLContext
from schema.errors import BadUserInput
from schema.loaders import CountKey, PageKey
from schema.types import care, clinical, conditions, observations
from schema.types.relay import (
    Connection,
    Edge,
    PageWindow,
    decode_cursor,
    encode_cursor,
    page_info,
)
from sharing.scopes import BY_KEY, CategoryKey

K = CategoryKey


@dataclass(frozen=True)
class RecordKind:
    """A category's GraphQL type name, table and row-to-type builder."""

    key: CategoryKey
    type_name: str
    build: Callable[[Any], Any]

    @property
    def model(self) -> type[SQLModel]:
        return BY_KEY[self.key].model


RECORD_KINDS: tuple[RecordKind, ...] = (
    RecordKind(K.CARE_TEAM, "CareTeamMember", care.CareTeamMember.from_row),
    RecordKind(K.ALLERGIES, "AllergyIntolerance", clinical.AllergyIntolerance.from_row),
    RecordKind(K.ASSESSMENT_AND_PLAN, "CarePlan", clinical.CarePlan.from_row),
    RecordKind(K.ENCOUNTERS, "Encounter", care.Encounter.from_row),
    RecordKind(K.FUNCTIONAL_STATUS, "FunctionalStatus", observations.FunctionalStatus.from_row),
    RecordKind(K.MENTAL_STATUS, "MentalStatus", observations.MentalStatus.from_row),
    RecordKind(K.LAB_RESULTS, "LabResult", observations.LabResult.from_row),
    RecordKind(K.VITAL_SIGNS, "VitalSign", observations.VitalSign.from_row),
    RecordKind(K.SMOKING_STATUS, "SmokingStatus", observations.SmokingStatus.from_row),
    RecordKind(K.GOALS, "Goal", clinical.Goal.from_row),
    RecordKind(K.PROBLEMS, "Problem", conditions.Problem.from_row),
    RecordKind(K.HEALTH_CONCERNS, "HealthConcern", conditions.HealthConcern.from_row),
    RecordKind(K.ENCOUNTER_DIAGNOSES, "EncounterDiagnosis", care.EncounterDiagnosis.from_row),
    RecordKind(K.IMMUNIZATIONS, "Immunization", clinical.Immunization.from_row),
    RecordKind(K.MEDICAL_EQUIPMENT, "ImplantableDevice", clinical.ImplantableDevice.from_row),
    RecordKind(K.MEDICATIONS, "Medication", clinical.Medication.from_row),
    RecordKind(K.PROCEDURES, "Procedure", clinical.Procedure.from_row),
    RecordKind(K.REFERRALS, "Referral", clinical.Referral.from_row),
)
BY_CATEGORY: dict[CategoryKey, RecordKind] = {kind.key: kind for kind in RECORD_KINDS}
BY_TYPE_NAME: dict[str, RecordKind] = {kind.type_name: kind for kind in RECORD_KINDS}


async def record_page(
    info: Info[GraphQLContext, Any],
    key: CategoryKey,
    *,
    window: PageWindow,
    status: list[str] | None,
    since: date | None,
    until: date | None,
) -> Connection[Any]:
    """One page of the caller's patient's records of a category (the guard already ran)."""
    context = info.context
    kind = BY_CATEGORY[key]
    limit = window.size
    start: tuple[Any, int] | None = None
    if window.cursor is not None:
        value, row_id = decode_cursor(window.cursor)
        # A cursor of another list (a day where this one sorts by time) is not ours either.
        if not isinstance(value, date) or isinstance(value, datetime) != sorts_by_timestamp(
            kind.model
        ):
            raise BadUserInput("Not a valid cursor.")
        start = (value, row_id)
    where = RecordFilter(
        statuses=tuple(sorted(set(status))) if status is not None else None,
        since=since,
        until=until,
    )
    if window.backward:
        page_key = PageKey(kind.model, where, None, limit + 1, before=start, oldest_first=True)
    else:
        page_key = PageKey(kind.model, where, start, limit + 1)
    rows = await context.loaders.pages.load(page_key)
    more = len(rows) > limit
    page = list(reversed(rows[:limit])) if window.backward else rows[:limit]
    context.tally.saw(key, [row.id for row in page])
    edges = [Edge(cursor=encode_cursor(sort_value(r), r.id), node=kind.build(r)) for r in page]

    async def count() -> int:
        return await context.loaders.counts.load(CountKey(kind.model, where))

    return Connection(
        edges=edges,
        page_info=page_info(edges, window, more),
        count=count,
    )
