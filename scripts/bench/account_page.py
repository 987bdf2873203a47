"""W4 and W5: the account page's first screen with a patient's session, and token refreshes.

W4 sends, in one request, what the account page asks for when it opens: its
`AuthorizedApps` operation and the first page of its `ActivityLog` (the documents from
frontend/operations.json, so the benchmark reads what the page reads). W5 posts the
refresh-token grant; every refresh uses the token the previous one returned, as a
client must (a refresh token presented twice ends the grant).
"""

import json
import secrets
from datetime import timedelta
from pathlib import Path

from graphql import OperationDefinitionNode, parse, print_ast
from sqlmodel import col, select

from api.sessions import cookie_name
from api.settings import load_settings
from db.accounts import AccountPatient, Relationship
from db.grants import Grant
from db.tokens import TokenKind
from db.web_sessions import open_session
from scripts.bench.load import Requests
from scripts.bench.tokens import add_account, add_grant_token, bench_session

ROOT = Path(__file__).resolve().parents[2]
PAGE_OPERATIONS = ("operations.ts AUTHORIZED_APPS", "operations.ts ACTIVITY_LOG")
SESSION_SECONDS = 12 * 3600
REFRESHABLE = ["launch/patient", "patient/*.rs", "offline_access"]


def account_page_query() -> str:
    """The page's two opening queries as one operation (their variables all optional)."""
    documents = json.loads((ROOT / "frontend" / "operations.json").read_text())["documents"]
    sources = {d["source"]: d["query"] for d in documents}
    operations = [parse(sources[name]).definitions[0] for name in PAGE_OPERATIONS]
    first, second = operations
    assert isinstance(first, OperationDefinitionNode)
    assert isinstance(second, OperationDefinitionNode)
    merged = first.__class__(
        operation=first.operation,
        name=first.name.__class__(value="AccountPage") if first.name else None,
        variable_definitions=(
            *(first.variable_definitions or ()),
            *(second.variable_definitions or ()),
        ),
        directives=(),
        selection_set=first.selection_set.__class__(
            selections=(*first.selection_set.selections, *second.selection_set.selections)
        ),
    )
    return print_ast(merged)


async def open_patient_sessions(url: str, patient_ids: list[int]) -> list[tuple[str, str]]:
    """(session cookie, CSRF token) for a new account of each patient, signed in."""
    found: list[tuple[str, str]] = []
    async with bench_session(url) as session:
        for patient_id in patient_ids:
            username = f"bench-patient-{patient_id}-{secrets.token_hex(3)}"
            account_id = await add_account(session, username)
            session.add(AccountPatient(account_id=account_id, patient_id=patient_id,
                                       relationship=Relationship.SELF))  # fmt: skip
            raw_id, row = await open_session(
                session,
                account_id=account_id,
                patient_id=patient_id,
                absolute_seconds=SESSION_SECONDS,
            )
            found.append((raw_id, row.csrf_token))
    return found


def account_page_requests(sessions: list[tuple[str, str]], base_url: str) -> Requests:
    """W4's requests: the page's query with each patient's cookie and CSRF header."""
    name = cookie_name(load_settings({"CHARTSHARE_BASE_URL": base_url}))
    body = json.dumps({"query": account_page_query(), "operationName": "AccountPage"})
    return Requests("/graphql", [
        ({"Content-Type": "application/json", "Cookie": f"{name}={cookie}",
          "X-CSRF-Token": csrf}, body)
        for cookie, csrf in sessions
    ])  # fmt: skip


async def mint_refresh_tokens(url: str, patient_ids: list[int]) -> list[str]:
    """A refresh token under each patient's live grant (minted as `mint_tokens` mints)."""
    async with bench_session(url) as session:
        grants = (
            await session.exec(
                select(Grant).where(
                    col(Grant.patient_id).in_(patient_ids), col(Grant.revoked_at).is_(None)
                )
            )
        ).all()
        return [
            await add_grant_token(session, grant, TokenKind.REFRESH, timedelta(days=30))
            for grant in grants
        ]


def refresh_requests(tokens: list[str], client_id: str) -> Requests:
    """W5's first requests; the load script replaces each token with the one that comes back."""
    return Requests("/oauth/token", [
        ({"Content-Type": "application/x-www-form-urlencoded"},
         f"grant_type=refresh_token&client_id={client_id}&refresh_token={token}")
        for token in tokens
    ], rotate="refresh_token")  # fmt: skip
