"""Representatives: the patient sees and revokes their grants; patient or operator ends a link."""

import asyncio
from dataclasses import dataclass

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.cli import main
from api.sessions import cookie_name
from api.settings import Settings
from db.accounts import Account, AccountRole, Relationship
from db.activity import ActivityEvent, EventKind
from db.patients import Patient
from db.web_sessions import open_session
from schema.types.relay import to_global_id as global_id
from tests.builders.graphql import AppAccess, grant_app, post_graphql, sign_in
from tests.builders.oauth import csrf_of, login
from tests.builders.people import make_account, make_patient

GOALS = "patient/Goal.rs"
APPS = """query { authorizedApps { grantId app { name }
    grantedBy { accountName relationship you } } }"""
END = """mutation($rep: ID!, $patient: ID) {
  endRepresentation(input: {representativeId: $rep, patientId: $patient}) {
    representative { name relationship } revokedGrants userErrors { code field } } }"""


@dataclass
class Family:
    child: Patient
    parent: Account
    by_parent: AppAccess
    by_child: AppAccess
    csrf: dict[str, str]


@pytest.fixture
async def family(session: AsyncSession, client: httpx.AsyncClient, settings: Settings) -> Family:
    """A young adult signed in on their own record, for which a parent still acts."""
    child = await make_patient(session)
    parent = await make_account(session, username="parent", patients=[(child, Relationship.CHILD)])
    by_parent = await grant_app(session, child, [GOALS], account=parent, app_name="Parent Pick")
    own, csrf = await sign_in(session, client, settings, [(child, Relationship.SELF)])
    by_child = await grant_app(session, child, [GOALS], account=own, app_name="Own Pick")
    return Family(child, parent, by_parent, by_child, csrf)


async def _works(client: httpx.AsyncClient, access: AppAccess) -> bool:
    response = await post_graphql(client, "{ patient { id } }", token=access.token)
    return response.status_code == 200


async def test_the_patient_sees_who_allowed_each_app_and_revokes_a_representatives_grant(
    client: httpx.AsyncClient, family: Family
) -> None:
    apps = (await post_graphql(client, APPS, headers=family.csrf)).json()["data"]["authorizedApps"]
    by_name = {a["app"]["name"]: a for a in apps}
    assert by_name["Parent Pick"]["grantedBy"] == {
        "accountName": "Parent", "relationship": "child", "you": False
    }  # fmt: skip
    assert by_name["Own Pick"]["grantedBy"]["you"] is True
    revoke = """mutation($id: ID!) { revokeApp(input: {grantId: $id}) {
        authorizedApp { revokedAt } userErrors { code } } }"""
    grant = by_name["Parent Pick"]["grantId"]
    revoked = await post_graphql(client, revoke, variables={"id": grant}, headers=family.csrf)
    assert revoked.json()["data"]["revokeApp"]["userErrors"] == []
    assert not await _works(client, family.by_parent)
    assert await _works(client, family.by_child)


async def test_the_patient_ends_a_representative_link(
    session: AsyncSession, client: httpx.AsyncClient, family: Family
) -> None:
    listed = (await post_graphql(client, "{ representatives { name relationship } }",
                                 headers=family.csrf)).json()["data"]  # fmt: skip
    assert listed == {"representatives": [{"name": "Parent", "relationship": "child"}]}
    rep = global_id("Account", family.parent.id or 0)
    ended = await post_graphql(client, END, variables={"rep": rep}, headers=family.csrf)
    assert ended.json()["data"]["endRepresentation"] == {
        "representative": {"name": "Parent", "relationship": "child"},
        "revokedGrants": 1,
        "userErrors": [],
    }
    assert not await _works(client, family.by_parent)
    assert await _works(client, family.by_child)
    again = await post_graphql(client, END, variables={"rep": rep}, headers=family.csrf)
    assert again.json()["data"]["endRepresentation"]["userErrors"] == [
        {"code": "NOT_FOUND", "field": "representativeId"}
    ]
    kinds = (
        await session.exec(
            select(ActivityEvent.kind).where(col(ActivityEvent.patient_id) == family.child.id)
        )
    ).all()
    assert EventKind.REPRESENTATIVE_REMOVED in kinds
    apps = (await post_graphql(client, APPS, headers=family.csrf)).json()["data"]["authorizedApps"]
    assert [a["app"]["name"] for a in apps] == ["Own Pick"]


async def test_a_representative_cannot_end_links_and_loses_the_record_once_removed(
    session: AsyncSession,
    client: httpx.AsyncClient,
    app: Starlette,
    settings: Settings,
    family: Family,
) -> None:
    raw_id, row = await open_session(
        session,
        account_id=family.parent.id,
        patient_id=family.child.id,
        absolute_seconds=settings.session_absolute_seconds,
    )
    await session.commit()
    rep = global_id("Account", family.parent.id or 0)
    child = global_id("Patient", family.child.id or 0)
    whose = "{ patient { id } actingFor { id } }"
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=settings.base_url) as parent:
        parent.cookies.set(cookie_name(settings), raw_id)
        csrf = {"X-CSRF-Token": row.csrf_token}
        before = (await post_graphql(parent, whose, headers=csrf)).json()["data"]
        assert before == {"patient": {"id": child}, "actingFor": [{"id": child}]}
        for variables in ({"rep": rep}, {"rep": rep, "patient": child}):
            refused = await post_graphql(parent, END, variables=variables, headers=csrf)
            errors = refused.json()["data"]["endRepresentation"]["userErrors"]
            assert errors == [{"code": "FORBIDDEN", "field": "patientId"}]
        assert await _works(client, family.by_parent)
        ended = await post_graphql(client, END, variables={"rep": rep}, headers=family.csrf)
        assert ended.json()["data"]["endRepresentation"]["revokedGrants"] == 1
        after = (await post_graphql(parent, whose, headers=csrf)).json()["data"]
        assert after == {"patient": None, "actingFor": []}


async def test_the_operator_ends_a_link_from_the_operator_page(
    session: AsyncSession, client: httpx.AsyncClient, family: Family
) -> None:
    await make_account(session, username="olga", role=AccountRole.OPERATOR)
    await session.commit()
    client.cookies.clear()
    await login(client, "olga")
    page = await client.get("/operator")
    assert "Parent" in page.text and family.child.medical_record_number in page.text
    form = {"account_id": str(family.parent.id), "patient_id": str(family.child.id)}
    forged = await client.post("/operator/representatives", data={**form, "csrf_token": "x"})
    assert forged.status_code == 403 and await _works(client, family.by_parent)
    ended = await client.post(
        "/operator/representatives", data={**form, "csrf_token": csrf_of(page.text)}
    )
    assert ended.status_code == 303
    assert not await _works(client, family.by_parent)
    assert await _works(client, family.by_child)
    gone = await client.post(
        "/operator/representatives", data={**form, "csrf_token": csrf_of(page.text)}
    )
    assert gone.status_code == 404


async def test_a_patient_cannot_use_the_operator_route(
    client: httpx.AsyncClient, family: Family
) -> None:
    client.cookies.clear()
    await login(client, "parent")
    page = await client.post(
        "/operator/representatives",
        data={"account_id": str(family.parent.id), "patient_id": str(family.child.id)},
    )
    assert page.status_code == 403
    assert await _works(client, family.by_parent)


async def test_the_operator_ends_a_link_from_the_command_line(
    client: httpx.AsyncClient,
    family: Family,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["representatives"]) == 0
    assert f"parent\tacts for\t{family.child.medical_record_number}" in capsys.readouterr().out
    argv = ["end-representative", "--account", "parent", "--patient", "NO-SUCH"]
    assert await asyncio.to_thread(main, argv) == 2
    assert "no patient with the record number 'NO-SUCH'" in capsys.readouterr().err
    argv[-1] = family.child.medical_record_number
    assert await asyncio.to_thread(main, argv) == 0
    assert "1 app grant(s) they made were revoked" in capsys.readouterr().out
    assert not await _works(client, family.by_parent)
    assert await asyncio.to_thread(main, argv) == 2
    assert "is not a representative" in capsys.readouterr().err
