"""App mutations of developer accounts: register an app, rotate its client secret."""

import strawberry

from db.accounts import AccountRole
from db.apps import find_developer_app
from schema.mutations.payloads import Ctx, user_error
from schema.permissions import account_only
from schema.types.account import AppInfo, DeveloperApp, UserError
from schema.types.relay import global_id_or_none
from sharing.apps import AppMetadata, RegistrationProblem, register_app, rotate_client_secret

REGISTRATION_FIELDS = {
    "client_name": "name",
    "redirect_uris": "redirectUris",
    "client_uri": "homepageUrl",
    "logo_uri": "logoUrl",
    "policy_uri": "privacyPolicyUrl",
    "tos_uri": "termsUrl",
}


@strawberry.input
class RegisterAppInput(AppMetadata):
    """The registration metadata as GraphQL input; scopes are not part of it."""

    scope: strawberry.Private[str] = ""


@strawberry.type
class RegisterAppPayload:
    app: AppInfo | None
    client_secret: str | None = strawberry.field(description="Shown once; store it now.")
    user_errors: list[UserError]


@strawberry.input
class RotateClientSecretInput:
    app_id: strawberry.ID


@strawberry.type
class RotateClientSecretPayload:
    app: DeveloperApp | None
    client_secret: str | None = strawberry.field(
        description="The new secret, shown once; the old one stops working at once."
    )
    user_errors: list[UserError]


def _rotation_refused(code: str, message: str) -> RotateClientSecretPayload:
    return RotateClientSecretPayload(
        app=None, client_secret=None, user_errors=user_error(code, "appId", message)
    )


@strawberry.type
class AppMutations:
    @strawberry.mutation(description="Register a partner app (developer accounts).")
    async def register_app(self, info: Ctx, input: RegisterAppInput) -> RegisterAppPayload | None:
        caller = account_only(info)
        context = info.context
        if caller.role != AccountRole.DEVELOPER or context.hasher is None:
            return RegisterAppPayload(
                app=None,
                client_secret=None,
                user_errors=user_error("FORBIDDEN", None, "Only developer accounts register apps."),
            )
        metadata = input
        hasher = context.hasher
        try:
            registered = await context.db.run(
                lambda s: register_app(
                    s,
                    metadata=metadata,
                    hasher=hasher,
                    developer_account_id=caller.account_id,
                    via="account",
                    source_address=context.source_address,
                )
            )
        except RegistrationProblem as problem:
            field = REGISTRATION_FIELDS.get(problem.field, problem.field)
            return RegisterAppPayload(
                app=None,
                client_secret=None,
                user_errors=user_error(problem.code.upper(), field, problem.message),
            )
        return RegisterAppPayload(
            app=AppInfo.from_row(registered.app),
            client_secret=registered.client_secret,
            user_errors=[],
        )

    @strawberry.mutation(
        description="Give one of the developer's confidential apps a new client secret."
    )
    async def rotate_client_secret(
        self, info: Ctx, input: RotateClientSecretInput
    ) -> RotateClientSecretPayload | None:
        caller = account_only(info)
        context = info.context
        app_id = global_id_or_none(input.app_id, "App")
        app = None
        if app_id is not None and caller.role == AccountRole.DEVELOPER:
            app = await context.db.run(
                lambda s: find_developer_app(
                    s, developer_account_id=caller.account_id, app_id=app_id
                )
            )
        if app is None or context.hasher is None:
            return _rotation_refused("NOT_FOUND", "No such app of yours.")
        if not app.is_confidential:
            return _rotation_refused("PUBLIC_CLIENT", "A public app has no secret to rotate.")
        hasher = context.hasher
        found = app
        secret = await context.db.run(
            lambda s: rotate_client_secret(
                s,
                app=found,
                hasher=hasher,
                account_id=caller.account_id,
                source_address=context.source_address,
            )
        )
        return RotateClientSecretPayload(
            app=DeveloperApp.from_row(found), client_secret=secret, user_errors=[]
        )
