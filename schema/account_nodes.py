"""`node(id:)` for the account's own objects: authorized apps, activity events and apps.

An app token finds none of them (NOT_FOUND, like any object outside its patient). An
account finds its patients' grants and the events its activity log shows; an app's
public information is found when the app is approved or the account developed it.
"""

from typing import Any

from strawberry.types import Info

from db.account_queries import get_apps
from db.activity import list_events
from db.apps import AppStatus
from db.errors import NotFound as RowNotFound
from db.grants import get_grant_for_account
from schema.authorized_apps import authorized_apps
from schema.context import AccountCaller, GraphQLContext
from schema.types.account import ActivityEvent, AppInfo
from schema.types.relay import Node
from sharing.activity_summary import summarize

ACCOUNT_NODE_TYPES = frozenset({"Grant", "ActivityEvent", "App"})


async def account_node(info: Info[GraphQLContext, Any], type_name: str, db_id: int) -> Node | None:
    """The account-side object a global ID names, or None if this caller may not see it."""
    caller = info.context.caller
    db = info.context.db
    if type_name == "App":
        apps = await db.run(lambda s: get_apps(s, ids=[db_id]))
        if not apps or apps[0].deleted_at is not None:
            return None
        app = apps[0]
        own = isinstance(caller, AccountCaller) and app.developer_account_id == caller.account_id
        return AppInfo.from_row(app) if app.status == AppStatus.APPROVED or own else None
    if not isinstance(caller, AccountCaller):
        return None
    if type_name == "Grant":
        try:
            grant = await db.run(
                lambda s: get_grant_for_account(
                    s, grant_id=db_id, account_id=caller.account_id,
                    patient_ids=list(caller.patient_ids),
                )
            )  # fmt: skip
        except RowNotFound:
            return None
        [view] = await authorized_apps(info.context, [grant])
        return view
    if type_name == "ActivityEvent":
        rows = await db.run(
            lambda s: list_events(
                s, account_id=caller.account_id, patient_ids=list(caller.patient_ids),
                before_id=db_id + 1, limit=1,
            )
        )  # fmt: skip
        if not rows or rows[0].id != db_id:
            return None
        row = rows[0]
        found = await db.run(lambda s: get_apps(s, ids=[row.app_id] if row.app_id else []))
        app_row = found[0] if found else None
        sentence = summarize(row, app_row.name if app_row else None)
        return ActivityEvent.from_row(row, app_row, sentence)
    return None
