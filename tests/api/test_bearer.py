"""The bearer check: one parsed scope set per token, the token's within its grant's."""

from sqlmodel.ext.asyncio.session import AsyncSession

from api.bearer import app_caller
from db.grants import narrow_grant
from sharing.categories import CategoryKey as K
from sharing.scopes import Scopes, SpecialScope
from tests.builders.people import issue_token, make_account, make_app, make_grant, make_patient


async def test_the_caller_holds_the_token_scopes_within_the_narrowed_grant(
    session: AsyncSession,
) -> None:
    account = await make_account(session)
    grant = await make_grant(
        session,
        account=account,
        patient=await make_patient(session),
        app=await make_app(session),
        scopes=["openid", "offline_access", "patient/*.rs"],
    )
    token = await issue_token(session, grant=grant)
    assert account.id is not None
    narrowed = ["openid", "patient/AllergyIntolerance.rs", "patient/MedicationRequest.rs"]
    await narrow_grant(
        session, grant=grant, scopes=narrowed, account_id=account.id, source_address=None
    )

    caller = await app_caller(session, f"Bearer {token}")

    assert caller is not None
    assert caller.scopes == Scopes(
        frozenset({K.ALLERGIES, K.MEDICATIONS}), (SpecialScope.OPENID.value,)
    )
    assert caller.categories == caller.scopes.categories
    assert caller.scopes.canonical() == narrowed


async def test_a_malformed_header_is_no_caller(session: AsyncSession) -> None:
    assert await app_caller(session, "Basic abc") is None
    assert await app_caller(session, "Bearer " + "x" * 600) is None
    assert await app_caller(session, "Bearer unknown") is None
