"""The root Query: the patient in context, the caller, global IDs, and the account's views."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from db.account_queries import get_apps, list_approved_apps
from db.accounts import AccountRole, list_account_patients
from db.activity import Actor, EventKind, count_events, list_events, record_event
from db.apps import list_developer_apps
from db.grants import list_grants
from db.representatives import list_representations
from schema.account_nodes import ACCOUNT_NODE_TYPES, account_node
from schema.authorized_apps import authorized_apps
from schema.context import AppCaller, GraphQLContext
from schema.errors import BadUserInput, NotFound
from schema.export import export_record
from schema.mutations.representatives import own_patient_ids
from schema.permissions import account_only, check_category
from schema.records import BY_TYPE_NAME
from schema.types.account import (
    ActivityEvent,
    ActivityEventConnection,
    ActivityEventEdge,
    AppInfo,
    AuthorizedApp,
    CategoryInfo,
    DeveloperApp,
    PatientChoice,
    Viewer,
    ViewerKind,
    category_infos,
)
from schema.types.patient import Patient
from schema.types.relay import (
    Node,
    as_utc,
    decode_cursor,
    encode_cursor,
    expect_global_id,
    from_global_id,
    page_info,
    page_window,
    to_global_id,
)
from schema.types.representative import Representative
from sharing.activity_summary import summarize
from sharing.scopes import ALL_PATIENT_DATA, CATEGORIES, CategoryKey

Ctx = Info[GraphQLContext, Any]
FIRST = "Events per page from the newest, 1 to 100; 20 when no size is given."
AFTER = "The `endCursor` of the previous page: continue with older events."
LAST = "Events per page from the oldest, 1 to 100; pages backward with `before`."
BEFORE = "The `startCursor` of a page: the events just before it (newer ones)."
SINCE = "Keep events at or after this instant (without an offset: UTC)."
UNTIL = "Keep events before this instant (without an offset: UTC)."


async def _patient(info: Ctx) -> Patient | None:
    patient_id = info.context.patient_id
    if patient_id is None:
        return None
    row = await info.context.loaders.patient.load(patient_id)
    return Patient.from_row(row) if row else None


async def _refuse(info: Ctx, type_name: str) -> NotFound:
    """Log a read outside the caller's patient (or of nothing) and answer NOT_FOUND."""
    context = info.context
    caller = context.caller
    app = caller if isinstance(caller, AppCaller) else None
    context.later(
        lambda s: record_event(
            s,
            kind=EventKind.ACCESS_DENIED,
            outcome="denied",
            actor=Actor(None if app else caller.account_id, context.source_address),
            patient_id=caller.patient_id,
            app_id=app.app_id if app else None,
            grant_id=app.grant_id if app else None,
            details={"type": type_name, "field": "node"},
        )
    )
    return NotFound("No such object.")


@strawberry.type
class Query:
    @strawberry.field(
        description="The patient in context: the token's patient or the one acted for."
    )
    async def patient(self, info: Ctx) -> Patient | None:
        return await _patient(info)

    @strawberry.field(description="Who is calling and what it may read.")
    def viewer(self, info: Ctx) -> Viewer:
        caller = info.context.caller
        patient = to_global_id("Patient", caller.patient_id) if caller.patient_id else None
        if isinstance(caller, AppCaller):
            return Viewer(
                kind=ViewerKind.APP,
                account_name=None,
                app_name=caller.app_name,
                client_id=caller.client_id,
                patient_id=patient,
                granted_scopes=caller.scopes.canonical(),
                granted_categories=category_infos(caller.categories),
            )
        return Viewer(
            kind=ViewerKind.ACCOUNT,
            account_name=caller.account_name,
            app_name=None,
            client_id=None,
            patient_id=patient,
            granted_scopes=[ALL_PATIENT_DATA],
            granted_categories=category_infos(caller.categories),
        )

    @strawberry.field(description="Any record by global ID, under the same checks as its list.")
    async def node(self, info: Ctx, id: strawberry.ID) -> Node | None:
        type_name, db_id = from_global_id(id)
        if type_name in ACCOUNT_NODE_TYPES:
            found = await account_node(info, type_name, db_id)
            if found is None:
                raise await _refuse(info, type_name)
            return found
        if type_name == "Patient":
            if db_id != info.context.patient_id:
                raise await _refuse(info, type_name)
            return await _patient(info)
        kind = BY_TYPE_NAME.get(type_name)
        if kind is None or info.context.patient_id is None:
            # An unknown type, or an account acting for no patient: nothing to find.
            raise await _refuse(info, type_name)
        check_category(info, kind.key)
        row = await info.context.loaders.by_id(kind.model).load(db_id)
        if row is None:
            raise await _refuse(info, type_name)
        info.context.tally.saw(kind.key, [db_id])
        node: Node = kind.build(row)
        return node

    @strawberry.field(description="Every data category, its explanation and scope.")
    def data_categories(self) -> list[CategoryInfo]:
        return [CategoryInfo.of(c.key) for c in CATEGORIES]

    @strawberry.field(description="Approved apps (public information).")
    async def app_directory(self, info: Ctx) -> list[AppInfo]:
        rows = await info.context.db.run(list_approved_apps)
        return [AppInfo.from_row(r) for r in rows]

    @strawberry.field(description="The apps this developer account registered (empty for others).")
    async def developer_apps(self, info: Ctx) -> list[DeveloperApp] | None:
        caller = account_only(info)
        if caller.role != AccountRole.DEVELOPER:
            return []
        rows = await info.context.db.run(
            lambda s: list_developer_apps(s, developer_account_id=caller.account_id)
        )
        return [DeveloperApp.from_row(r) for r in rows]

    @strawberry.field(description="Apps allowed to read the account's patients' records.")
    async def authorized_apps(
        self, info: Ctx, include_ended: bool = False
    ) -> list[AuthorizedApp] | None:
        caller = account_only(info)
        db = info.context.db
        grants = await db.run(
            lambda s: list_grants(
                s, patient_ids=list(caller.patient_ids), include_ended=include_ended
            )
        )
        return await authorized_apps(info.context, grants)

    @strawberry.field(description="The account's activity log, newest first.")
    async def activity_log(
        self,
        info: Ctx,
        first: Annotated[int | None, strawberry.argument(description=FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER)] = None,
        last: Annotated[int | None, strawberry.argument(description=LAST)] = None,
        before: Annotated[str | None, strawberry.argument(description=BEFORE)] = None,
        app_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Keep events about this app.")
        ] = None,
        since: Annotated[datetime | None, strawberry.argument(description=SINCE)] = None,
        until: Annotated[datetime | None, strawberry.argument(description=UNTIL)] = None,
    ) -> ActivityEventConnection | None:
        caller = account_only(info)
        window = page_window(
            info.context.limits, first=first, after=after, last=last, before=before
        )
        limit = window.size
        cursor_id = None
        if window.cursor is not None:
            value, cursor_id = decode_cursor(window.cursor)
            if not isinstance(value, int):
                raise BadUserInput("Not a valid cursor.")
        app = expect_global_id(app_id, "App") if app_id is not None else None
        db = info.context.db
        visible: dict[str, Any] = {
            "account_id": caller.account_id,
            "patient_ids": list(caller.patient_ids),
            "app_id": app,
            "since": as_utc(since),
            "until": as_utc(until),
        }
        if window.backward:
            bounds: dict[str, Any] = {"after_id": cursor_id, "oldest_first": True}
        else:
            bounds = {"before_id": cursor_id}
        rows = await db.run(lambda s: list_events(s, **visible, **bounds, limit=limit + 1))
        total = await db.run(lambda s: count_events(s, **visible))
        page = list(reversed(rows[:limit])) if window.backward else rows[:limit]
        app_ids = list({r.app_id for r in page if r.app_id is not None})
        apps = {a.id: a for a in await db.run(lambda s: get_apps(s, ids=app_ids))}
        edges = []
        for row in page:
            assert row.id is not None
            found = apps.get(row.app_id) if row.app_id else None
            node = ActivityEvent.from_row(row, found, summarize(row, found.name if found else None))
            edges.append(ActivityEventEdge(cursor=encode_cursor(row.id, row.id), node=node))
        return ActivityEventConnection(
            edges=edges,
            total_count=total,
            page_info=page_info(edges, window, len(rows) > limit),
        )

    @strawberry.field(
        description="Who acts for the records that are your own (parents, guardians, others)."
    )
    async def representatives(self, info: Ctx) -> list[Representative] | None:
        own = await own_patient_ids(info)
        links = await info.context.db.run(lambda s: list_representations(s, patient_ids=own))
        return [Representative.from_link(link) for link in links]

    @strawberry.field(description="Patients this account may act for.")
    async def acting_for(self, info: Ctx) -> list[PatientChoice] | None:
        caller = account_only(info)
        rows = await info.context.db.run(
            lambda s: list_account_patients(s, account_id=caller.account_id)
        )
        return [
            PatientChoice(
                id=to_global_id("Patient", p.id or 0),
                name=" ".join(n for n in (p.given_name, p.family_name) if n),
                relationship=relationship,
                selected=p.id == caller.patient_id,
            )
            for p, relationship in rows
        ]

    @strawberry.field(
        description="The record of the patient acted for as a FHIR R4 Bundle (JSON): every "
        "item of the given categories, or of all of them when none are given. Account only."
    )
    async def record_bundle(
        self, info: Ctx, categories: list[CategoryKey] | None = None
    ) -> JSON | None:
        bundle = await export_record(info, categories)
        return None if bundle is None else JSON(bundle)
