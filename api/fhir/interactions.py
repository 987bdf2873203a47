"""FHIR interactions for one app caller: read, search and Patient/$everything.

Each function checks the grant with `sharing.fhir.access`, reads through patient-scoped
queries, maps rows with `sharing.fhir.served` and notes what it returned in the tally.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, Relationship, list_account_patients
from db.clinical import CareTeamMember
from db.fhir_search import count_rows, find_patient, position_of, search_rows
from db.records_query import get_patient, get_patient_records, list_all_patient_records
from schema.context import AppCaller, ReadTally
from sharing.fhir.access import (
    SINGLE_CATEGORY_TYPES,
    ScopeRefused,
    refuse_unless_fhir_user,
    refuse_unless_granted,
)
from sharing.fhir.ids import BY_TYPE_NAME, parse_plain_id, parse_row_resource_id
from sharing.fhir.search import SearchPlan, encode_cursor, plan_search
from sharing.fhir.served import (
    GrantedReferences,
    care_team_status,
    references_for,
    served_care_team,
    served_patient,
    served_related_person,
    served_row,
)
from sharing.scopes import ALL_PATIENT_DATA, BY_KEY, CATEGORIES, CategoryKey

K = CategoryKey
Resource = dict[str, Any]


class NotFoundHere(LookupError):
    """Raised when the id names nothing this token's patient has (answered with 404)."""


@dataclass
class Interaction:
    """One FHIR request of an app: its database session, caller, limits and tally."""

    session: AsyncSession
    caller: AppCaller
    issuer: str
    max_count: int
    tally: ReadTally = field(default_factory=ReadTally)

    @property
    def fhir_base(self) -> str:
        return f"{self.issuer}/fhir"

    @property
    def specials(self) -> frozenset[str]:
        return frozenset(self.caller.scopes.specials)

    @property
    def refs(self) -> GrantedReferences:
        return references_for(self.caller.patient_id, self.caller.categories, self.issuer)

    def refuse(self, keys: Sequence[CategoryKey]) -> None:
        """Refuse unless the grant covers every category, noting refusals in the tally."""
        try:
            refuse_unless_granted(keys, self.caller.categories)
        except ScopeRefused as refused:
            self.tally.denied.update(refused.categories)
            raise


async def _care_team(ix: Interaction) -> list[CareTeamMember]:
    return await list_all_patient_records(
        ix.session, model=CareTeamMember, patient_id=ix.caller.patient_id
    )


async def _related_person(ix: Interaction, account_id: int) -> Resource | None:
    if account_id != ix.caller.account_id:
        return None
    links = await list_account_patients(ix.session, account_id=account_id)
    relationship = next((r for p, r in links if p.id == ix.caller.patient_id), None)
    account = await ix.session.get(Account, account_id)
    if relationship in (None, Relationship.SELF) or account is None:
        return None
    return served_related_person(
        account_id=account_id,
        name=account.display_name,
        relationship=str(relationship),
        patient_id=ix.caller.patient_id,
    )


async def read(ix: Interaction, resource_type: str, raw_id: str) -> Resource:
    """`GET /fhir/{type}/{id}`."""
    patient_id = ix.caller.patient_id
    if resource_type == "RelatedPerson":
        refuse_unless_fhir_user(ix.specials)
        account_id = parse_plain_id(raw_id)
        found = None if account_id is None else await _related_person(ix, account_id)
        if found is None:
            raise NotFoundHere(raw_id)
        return found
    if resource_type in SINGLE_CATEGORY_TYPES:
        key = SINGLE_CATEGORY_TYPES[resource_type]
        ix.refuse([key])
        if parse_plain_id(raw_id) != patient_id:
            raise NotFoundHere(raw_id)
        if resource_type == "Patient":
            patient = await get_patient(ix.session, patient_id=patient_id)
            if patient is None:
                raise NotFoundHere(raw_id)
            ix.tally.saw(key, [patient_id])
            return served_patient(patient, ix.refs)
        members = await _care_team(ix)
        if not members:
            raise NotFoundHere(raw_id)
        ix.tally.saw(key, [m.id or 0 for m in members])
        return served_care_team(members, patient_id, ix.refs)
    parsed = parse_row_resource_id(resource_type, raw_id)
    if parsed is None:
        raise NotFoundHere(raw_id)
    key, row_id = parsed
    ix.refuse([key])
    rows = await get_patient_records(
        ix.session, model=BY_KEY[key].model, patient_id=patient_id, ids=[row_id]
    )
    if not rows:
        raise NotFoundHere(raw_id)
    ix.tally.saw(key, [row_id])
    return served_row(key, rows[0], ix.refs)


def _bundle(
    ix: Interaction, resources: list[Resource], total: int, links: list[Resource]
) -> Resource:
    entries = [
        {
            "fullUrl": f"{ix.fhir_base}/{r['resourceType']}/{r['id']}",
            "resource": r,
            "search": {"mode": "match"},
        }
        for r in resources
    ]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries,
    }


def _link(ix: Interaction, plan: SearchPlan, relation: str, cursor: str | None) -> Resource:
    params = list(plan.echo) + ([("_cursor", cursor)] if cursor else [])
    return {"relation": relation, "url": f"{ix.fhir_base}/{plan.resource_type}?{urlencode(params)}"}


async def _search_rows(ix: Interaction, plan: SearchPlan, self_cursor: str | None) -> Resource:
    patient_id = ix.caller.patient_id
    total = await count_rows(ix.session, patient_id=patient_id, tables=plan.tables)
    found = await search_rows(
        ix.session,
        patient_id=patient_id,
        tables=plan.tables,
        after=plan.after,
        limit=plan.count + 1 if plan.count else 0,
    )
    page = found[: plan.count]
    links = [_link(ix, plan, "self", self_cursor)]
    if len(found) > plan.count and page:
        tag, last = page[-1]
        links.append(_link(ix, plan, "next", encode_cursor(position_of(tag, last))))
    refs = ix.refs
    resources = []
    for tag, row in page:
        key = BY_TYPE_NAME[tag]
        ix.tally.saw(key, [row.id])
        resources.append(served_row(key, row, refs))
    return _bundle(ix, resources, total, links)


async def _search_single(ix: Interaction, plan: SearchPlan) -> list[Resource]:
    patient_id = ix.caller.patient_id
    if plan.resource_type == "Patient":
        patient = await find_patient(ix.session, patient_id=patient_id, where=plan.where)
        if patient is None:
            return []
        ix.tally.saw(K.DEMOGRAPHICS, [patient_id])
        return [served_patient(patient, ix.refs)]
    if plan.ids is not None and patient_id not in plan.ids:
        return []
    members = await _care_team(ix)
    if not members or (
        plan.statuses is not None and care_team_status(members) not in plan.statuses
    ):
        return []
    ix.tally.saw(K.CARE_TEAM, [m.id or 0 for m in members])
    return [served_care_team(members, patient_id, ix.refs)]


async def search(
    ix: Interaction, resource_type: str, params: Sequence[tuple[str, str]]
) -> Resource:
    """`GET /fhir/{type}?…` and `POST /fhir/{type}/_search`: a searchset Bundle."""
    plan = plan_search(
        resource_type,
        params,
        patient_id=ix.caller.patient_id,
        granted=ix.caller.categories,
        specials=ix.specials,
        base_url=ix.issuer,
        max_count=ix.max_count,
    )
    cursor = next((raw for name, raw in params if name == "_cursor" and raw), None)
    if plan.tables or resource_type not in ("Patient", "CareTeam", "RelatedPerson"):
        return await _search_rows(ix, plan, cursor)
    if resource_type == "RelatedPerson":
        account_id = ix.caller.account_id
        found = None
        if plan.ids is None or account_id in plan.ids:
            found = await _related_person(ix, account_id)
        resources = [found] if found else []
    else:
        resources = await _search_single(ix, plan)
    shown = resources[: plan.count]
    return _bundle(ix, shown, len(resources), [_link(ix, plan, "self", None)])


async def everything(ix: Interaction, raw_id: str) -> Resource:
    """`GET /fhir/Patient/{id}/$everything`: every resource of the patient the grant covers."""
    patient_id = ix.caller.patient_id
    granted = ix.caller.categories
    if not granted:
        raise ScopeRefused((), [ALL_PATIENT_DATA])
    if parse_plain_id(raw_id) != patient_id:
        raise NotFoundHere(raw_id)
    refs = ix.refs
    resources: list[Resource] = []
    for category in CATEGORIES:
        key = category.key
        if key not in granted:
            continue
        if key is K.DEMOGRAPHICS:
            patient = await get_patient(ix.session, patient_id=patient_id)
            if patient is not None:
                ix.tally.saw(key, [patient_id])
                resources.append(served_patient(patient, refs))
            continue
        rows: list[Any] = await list_all_patient_records(
            ix.session, model=category.model, patient_id=patient_id
        )
        if key is K.CARE_TEAM and rows:
            resources.append(served_care_team(rows, patient_id, refs))
        ix.tally.saw(key, [row.id for row in rows])
        resources.extend(served_row(key, row, refs) for row in rows)
    self_link = {"relation": "self", "url": f"{ix.fhir_base}/Patient/{patient_id}/$everything"}
    return _bundle(ix, resources, len(resources), [self_link])
