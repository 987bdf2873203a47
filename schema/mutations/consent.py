"""Consent mutations of the account's own session: authorize, revoke, narrow, select patient."""

from collections.abc import Awaitable, Callable

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from db.account_queries import act_for_patient
from db.activity import Actor
from db.apps import find_app_by_client_id
from db.grants import Grant
from schema.authorized_apps import authorized_apps
from schema.mutations.payloads import Ctx, user_error
from schema.permissions import account_only
from schema.types.account import AccessDuration as AccessDurationEnum
from schema.types.account import AuthorizedApp, DataCategory, PatientChoice, UserError
from schema.types.relay import global_id_or_none
from sharing.consent import (
    AccessDuration,
    ConsentProblem,
    authorize_app,
    narrow_app_grant,
    revoke_app,
)
from sharing.scopes import CategoryKey, split_scope_string

_ = (DataCategory, AccessDurationEnum)  # the GraphQL enums wrap CategoryKey and AccessDuration


@strawberry.input
class AuthorizeAppInput:
    client_id: str
    scopes: list[str]
    allow_offline_access: bool
    duration: AccessDuration
    categories: list[CategoryKey] | None = strawberry.field(
        default=None, description="Approve only these of the requested categories (all if null)."
    )
    patient_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to the patient the session acts for."
    )


@strawberry.input
class RevokeAppInput:
    grant_id: strawberry.ID


@strawberry.input
class UpdateAppGrantInput:
    grant_id: strawberry.ID
    categories: list[CategoryKey]


@strawberry.input
class SelectPatientInput:
    patient_id: strawberry.ID


@strawberry.type
class AuthorizedAppPayload:
    authorized_app: AuthorizedApp | None
    user_errors: list[UserError]


@strawberry.type
class SelectPatientPayload:
    patient: PatientChoice | None
    user_errors: list[UserError]


async def _authorized(info: Ctx, grant: Grant) -> AuthorizedAppPayload:
    [view] = await authorized_apps(info.context, [grant])
    return AuthorizedAppPayload(authorized_app=view, user_errors=[])


def _grant_refused(code: str, field: str | None, message: str) -> AuthorizedAppPayload:
    return AuthorizedAppPayload(authorized_app=None, user_errors=user_error(code, field, message))


async def _change_grant(
    info: Ctx,
    raw_grant_id: strawberry.ID,
    change: Callable[[AsyncSession, int], Awaitable[Grant]],
) -> AuthorizedAppPayload:
    """Revoke or narrow one of the account's grants; expected refusals become userErrors."""
    grant_id = global_id_or_none(raw_grant_id, "Grant")
    try:
        if grant_id is None:
            raise ConsentProblem("NOT_FOUND", "grantId", "No such authorized app.")
        grant = await info.context.db.run(lambda s: change(s, grant_id))
    except ConsentProblem as problem:
        return _grant_refused(problem.code, problem.field, problem.message)
    return await _authorized(info, grant)


@strawberry.type
class ConsentMutations:
    @strawberry.mutation(description="Let an app read part of a record (same rules as consent).")
    async def authorize_app(
        self, info: Ctx, input: AuthorizeAppInput
    ) -> AuthorizedAppPayload | None:
        caller = account_only(info)
        context = info.context
        accepted, rejected = split_scope_string(" ".join(input.scopes))
        if rejected:
            message = "Unsupported scopes: " + " ".join(rejected)
            return _grant_refused("INVALID_SCOPE", "scopes", message)
        patient_id = (
            global_id_or_none(input.patient_id, "Patient")
            if input.patient_id is not None
            else caller.patient_id
        )
        if patient_id is None:
            return _grant_refused("NOT_FOUND", "patientId", "Choose a patient first.")
        app = await context.db.run(lambda s: find_app_by_client_id(s, client_id=input.client_id))
        if app is None:
            return _grant_refused("NOT_FOUND", "clientId", "No such app.")
        categories = frozenset(input.categories) if input.categories is not None else None
        try:
            grant = await context.db.run(
                lambda s: authorize_app(
                    s,
                    account_id=caller.account_id,
                    patient_id=patient_id,
                    app=app,
                    requested_scopes=accepted,
                    approved_categories=categories,
                    allow_offline=input.allow_offline_access,
                    duration=input.duration,
                    source_address=context.source_address,
                )
            )
        except ConsentProblem as problem:
            return _grant_refused(problem.code, problem.field, problem.message)
        return await _authorized(info, grant)

    @strawberry.mutation(description="End an app's access; its tokens stop on the next request.")
    async def revoke_app(self, info: Ctx, input: RevokeAppInput) -> AuthorizedAppPayload | None:
        caller = account_only(info)
        source = info.context.source_address
        return await _change_grant(
            info,
            input.grant_id,
            lambda s, grant_id: revoke_app(
                s, account_id=caller.account_id, grant_id=grant_id, source_address=source
            ),
        )

    @strawberry.mutation(description="Keep only some categories of an app's access (next request).")
    async def update_app_grant(
        self, info: Ctx, input: UpdateAppGrantInput
    ) -> AuthorizedAppPayload | None:
        caller = account_only(info)
        source = info.context.source_address
        categories = frozenset(input.categories)
        return await _change_grant(
            info,
            input.grant_id,
            lambda s, grant_id: narrow_app_grant(
                s,
                account_id=caller.account_id,
                grant_id=grant_id,
                categories=categories,
                source_address=source,
            ),
        )

    @strawberry.mutation(description="Act for another patient this account may act for.")
    async def select_patient(
        self, info: Ctx, input: SelectPatientInput
    ) -> SelectPatientPayload | None:
        caller = account_only(info)
        actor = Actor(caller.account_id, info.context.source_address)
        patient_id = global_id_or_none(input.patient_id, "Patient")
        chosen = None
        if patient_id is not None:
            chosen = await info.context.db.run(
                lambda s: act_for_patient(
                    s, web_session_id=caller.web_session_id, patient_id=patient_id, actor=actor
                )
            )
        if chosen is None:
            return SelectPatientPayload(
                patient=None,
                user_errors=user_error(
                    "NOT_FOUND", "patientId", "You cannot act for that patient."
                ),
            )
        patient, relationship = chosen
        return SelectPatientPayload(
            patient=PatientChoice(
                id=input.patient_id,
                name=f"{patient.given_name} {patient.family_name}",
                relationship=relationship,
                selected=True,
            ),
            user_errors=[],
        )
