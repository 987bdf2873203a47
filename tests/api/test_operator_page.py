"""The operator's review pages and the public directory."""

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import AccountRole
from db.apps import AUTO_APPROVE_DYNAMIC_REGISTRATION, AppStatus, get_operator_flag
from tests.builders.oauth import csrf_of, login
from tests.builders.people import make_account, make_app


async def _operator(client: httpx.AsyncClient, session: AsyncSession) -> str:
    await make_account(session, username="olga", role=AccountRole.OPERATOR)
    await session.commit()
    await login(client, "olga")
    page = await client.get("/operator")
    assert page.status_code == 200
    return csrf_of(page.text)


async def test_operator_approves_and_suspends_apps(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    app = await make_app(session, status=AppStatus.PENDING, name="Pending Pal")
    await session.commit()
    token = await _operator(client, session)
    assert "Pending Pal" in (await client.get("/operator")).text
    approved = await client.post(
        f"/operator/apps/{app.client_id}", data={"csrf_token": token, "status": "approved"}
    )
    assert approved.status_code == 303
    await session.refresh(app)
    assert app.status == AppStatus.APPROVED
    await client.post(
        f"/operator/apps/{app.client_id}", data={"csrf_token": token, "status": "suspended"}
    )
    await session.refresh(app)
    assert app.status == AppStatus.SUSPENDED


async def test_operator_toggles_auto_approval(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await _operator(client, session)
    response = await client.post(
        "/operator/settings", data={"csrf_token": token, "auto_approve": "yes"}
    )
    assert response.status_code == 303
    assert await get_operator_flag(session, key=AUTO_APPROVE_DYNAMIC_REGISTRATION)


async def test_operator_change_needs_csrf(client: httpx.AsyncClient, session: AsyncSession) -> None:
    app = await make_app(session, status=AppStatus.PENDING)
    await session.commit()
    await _operator(client, session)
    response = await client.post(f"/operator/apps/{app.client_id}", data={"status": "approved"})
    assert response.status_code == 403
    await session.refresh(app)
    assert app.status == AppStatus.PENDING


async def test_patients_and_anonymous_visitors_cannot_use_operator_pages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    anonymous = await client.get("/operator")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/operator"
    await make_account(session, username="pat")
    await session.commit()
    await login(client, "pat")
    assert (await client.get("/operator")).status_code == 403


async def test_directory_lists_only_approved_apps(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await make_app(session, name="Approved Helper")
    await make_app(session, name="Suspended Snoop", status=AppStatus.SUSPENDED)
    await make_app(session, name="Pending Thing", status=AppStatus.PENDING)
    await session.commit()
    page = await client.get("/apps")
    assert page.status_code == 200
    assert "Approved Helper" in page.text
    assert "Suspended Snoop" not in page.text and "Pending Thing" not in page.text
    assert "Not provided by app developer" in page.text
    assert page.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize("raw", ["²", "٣", "2147483648", "99999999999", "-1", ""])
async def test_ending_a_representative_link_with_a_malformed_id_is_not_found(
    client: httpx.AsyncClient, session: AsyncSession, raw: str
) -> None:
    token = await _operator(client, session)

    response = await client.post(
        "/operator/representatives",
        data={"csrf_token": token, "account_id": raw, "patient_id": raw},
    )

    assert response.status_code == 404
    assert "does not act for that patient" in response.text
