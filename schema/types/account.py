"""Types of the account page: viewer, apps, grants, categories, activity, patient choices."""

import json
from datetime import datetime
from enum import Enum
from typing import Self

import strawberry

from db.activity import ActivityEvent as ActivityRow
from db.activity import EventKind
from db.apps import App, AppStatus, redirect_uris_of
from db.grants import Grant
from schema.types.relay import Node, PageInfo, node_values, to_global_id
from sharing.activity_summary import denied_categories
from sharing.consent import AccessDuration as ConsentDuration
from sharing.scopes import BY_KEY, CATEGORIES, CategoryKey, SpecialScope, granted_categories

DataCategory = strawberry.enum(
    CategoryKey, name="DataCategory", description="A data category of the scope registry."
)
KEY_VALUES = frozenset(key.value for key in CategoryKey)
AccessDuration = strawberry.enum(
    ConsentDuration, name="AccessDuration", description="How long an app keeps access."
)


ActivityKind = strawberry.enum(
    EventKind, name="ActivityKind", description="What an activity log entry records."
)


@strawberry.enum(description="How the recorded attempt ended.")
class ActivityOutcome(Enum):
    SUCCESS = "success"
    PARTIAL = "partial"
    REJECTED = "rejected"
    DENIED = "denied"
    REFUSED = "refused"
    ERROR = "error"
    OTHER = "other"

    @classmethod
    def of(cls, stored: str) -> "ActivityOutcome":
        """The enum value of a stored outcome; OTHER for one this schema does not name."""
        try:
            return cls(stored)
        except ValueError:
            return cls.OTHER


DeveloperAppStatus = strawberry.enum(
    AppStatus, name="AppStatus", description="Where an app stands in the operator's review."
)


@strawberry.enum(description="Who is calling.")
class ViewerKind(Enum):
    ACCOUNT = "account"
    APP = "app"


@strawberry.type(description="A data category: what it covers and the scope that grants it.")
class CategoryInfo:
    key: CategoryKey
    label: str
    explanation: str = strawberry.field(description="Plain-language text for consent screens.")
    scope: str = strawberry.field(description="The narrowest SMART scope that grants it.")

    @classmethod
    def of(cls, key: CategoryKey) -> "CategoryInfo":
        category = BY_KEY[key]
        return cls(
            key=key, label=category.label, explanation=category.explanation, scope=category.scope
        )


def category_infos(keys: set[CategoryKey] | frozenset[CategoryKey]) -> list[CategoryInfo]:
    """CategoryInfo for the keys, in registry order."""
    return [CategoryInfo.of(c.key) for c in CATEGORIES if c.key in keys]


@strawberry.type(description="Who is calling and what it may read.")
class Viewer:
    kind: ViewerKind
    account_name: str | None = strawberry.field(description="The account's display name.")
    app_name: str | None
    client_id: str | None
    patient_id: strawberry.ID | None = strawberry.field(description="The patient in context.")
    granted_scopes: list[str]
    granted_categories: list[CategoryInfo]


@strawberry.type(description="A registered app: its public information.")
class AppInfo(Node):
    client_id: str
    name: str
    description: str | None
    homepage_url: str | None
    logo_url: str | None
    privacy_policy_url: str | None
    terms_url: str | None

    @classmethod
    def from_row(cls, row: App) -> Self:
        assert row.id is not None
        return cls(**node_values(cls, row, id=to_global_id("App", row.id)))


@strawberry.type(description="An app as its developer manages it.")
class DeveloperApp(AppInfo):
    status: AppStatus = strawberry.field(description="pending, approved or suspended.")
    redirect_uris: list[str]
    confidential: bool = strawberry.field(description="Whether it authenticates with a secret.")
    created_at: datetime
    secret_rotated_at: datetime | None

    @classmethod
    def from_row(cls, row: App) -> Self:
        assert row.id is not None
        status, uris = AppStatus(row.status), redirect_uris_of(row)
        computed = {"id": to_global_id("App", row.id), "status": status, "redirect_uris": uris}
        return cls(**node_values(cls, row, **computed, confidential=row.is_confidential))


@strawberry.type(description="The account whose consent created a grant.")
class GrantedBy:
    account_name: str
    relationship: str | None = strawberry.field(
        description="self, child or representative; null once that account no longer acts "
        "for the patient."
    )
    you: bool = strawberry.field(description="Whether the calling account gave the consent.")


@strawberry.type(description="An app allowed to read part of a record; one per app and patient.")
class AuthorizedApp(Node):
    grant_id: strawberry.ID = strawberry.field(
        description="The same global ID as `id`; `revokeApp` and `updateAppGrant` take it."
    )
    app: AppInfo
    granted_by: GrantedBy = strawberry.field(
        description="Who allowed it: the patient, or a representative acting for them."
    )
    patient_id: strawberry.ID = strawberry.field(description="Whose record the app may read.")
    granted_scopes: list[str]
    granted_categories: list[CategoryInfo]
    categories_read: list[CategoryInfo] = strawberry.field(
        description="Categories the app has actually received so far."
    )
    offline_access: bool = strawberry.field(description="Whether it may keep access offline.")
    granted_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def from_row(
        cls, grant: Grant, app: App, read: set[str], granted_by: GrantedBy
    ) -> "AuthorizedApp":
        assert grant.id is not None
        scopes = grant.scopes.split()
        return cls(
            id=to_global_id("Grant", grant.id),
            grant_id=to_global_id("Grant", grant.id),
            app=AppInfo.from_row(app),
            granted_by=granted_by,
            patient_id=to_global_id("Patient", grant.patient_id),
            granted_scopes=scopes,
            granted_categories=category_infos(granted_categories(scopes)),
            categories_read=category_infos({CategoryKey(k) for k in read if k in KEY_VALUES}),
            offline_access=SpecialScope.OFFLINE_ACCESS in scopes,
            granted_at=grant.created_at,
            last_used_at=grant.last_used_at,
            expires_at=grant.expires_at,
            revoked_at=grant.revoked_at,
        )


@strawberry.type(description="How many records of a category an event concerned.")
class CategoryCount:
    category: CategoryKey
    label: str
    count: int


@strawberry.type(description="One entry of the activity log.")
class ActivityEvent(Node):
    occurred_at: datetime
    kind: ActivityKind  # type: ignore[valid-type]
    outcome: ActivityOutcome
    app: AppInfo | None
    patient_id: strawberry.ID | None
    source_address: str | None
    categories: list[CategoryCount]
    denied_categories: list[CategoryInfo] = strawberry.field(
        description="Categories the app asked for and was refused (outside its grant)."
    )
    summary: str = strawberry.field(description="A plain-language sentence about the event.")

    @classmethod
    def from_row(cls, row: ActivityRow, app: App | None, summary: str) -> "ActivityEvent":
        assert row.id is not None
        details = json.loads(row.details)
        counts = details.get("categories", {})
        categories = [
            CategoryCount(category=c.key, label=c.label, count=int(counts[c.key.value]))
            for c in CATEGORIES
            if isinstance(counts, dict) and c.key.value in counts
        ]
        return cls(
            id=to_global_id("ActivityEvent", row.id),
            occurred_at=row.occurred_at,
            kind=EventKind(row.kind),
            outcome=ActivityOutcome.of(row.outcome),
            app=AppInfo.from_row(app) if app else None,
            patient_id=to_global_id("Patient", row.patient_id) if row.patient_id else None,
            source_address=row.source_address,
            categories=categories,
            denied_categories=category_infos({c.key for c in denied_categories(details)}),
            summary=summary,
        )


@strawberry.type(description="One activity log entry and its cursor.")
class ActivityEventEdge:
    cursor: str
    node: ActivityEvent


@strawberry.type(description="A page of the activity log.")
class ActivityEventConnection:
    edges: list[ActivityEventEdge]
    page_info: PageInfo
    total_count: int = strawberry.field(
        description="How many events match the filters, across all pages."
    )


@strawberry.type(description="A patient the account may act for.")
class PatientChoice:
    id: strawberry.ID
    name: str
    relationship: str = strawberry.field(description="self, child or representative.")
    selected: bool = strawberry.field(description="Whether the session acts for this patient.")


@strawberry.type(description="An expected reason a mutation did not do what was asked.")
class UserError:
    code: str
    field: str | None
    message: str
