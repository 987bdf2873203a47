"""The fixed demo identities: logins, the demo apps, one consent, the operator's switch."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.accounts import Account, AccountPatient, AccountRole, Relationship
from db.apps import App, OperatorSetting
from db.grants import create_grant
from db.passwords import hash_password
from db.patients import Patient

DEMO_PASSWORD = "chartshare-demo"  # noqa: S105 - a published demo login, not a secret
DEMO_APP_CLIENT_ID = "chartshare-demo-app"
CONFIDENTIAL_APP_CLIENT_ID = "chartshare-demo-confidential"
CONFIDENTIAL_APP_SECRET = "demo-confidential-secret"  # noqa: S105 - published demo credential
REDIRECT_URIS = ["http://127.0.0.1:8765/callback", "http://localhost:8765/callback"]
PORTAL_REDIRECT_URIS = ["http://127.0.0.1:8766/callback", "http://localhost:8766/callback"]
AUTO_APPROVE_SETTING = "auto_approve_dynamic_registration"
GRANT_SCOPES = [
    "launch/patient",
    "openid",
    "fhirUser",
    "offline_access",
    "patient/Patient.rs",
    "patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category"
    "|laboratory",
    "patient/MedicationRequest.rs",
    "patient/AllergyIntolerance.rs",
]

ACCOUNTS = (
    ("alice", "Alice Carter", AccountRole.PATIENT),
    ("bob", "Bob Okafor", AccountRole.PATIENT),
    ("devon", "Devon Price", AccountRole.DEVELOPER),
    ("olivia", "Olivia Grant", AccountRole.OPERATOR),
)


@dataclass(frozen=True)
class DemoApp:
    """A demo app as its developer would register it, with the published demo credentials."""

    client_id: str
    name: str
    description: str
    homepage_url: str
    redirect_uris: tuple[str, ...]
    client_secret: str | None = None

    @property
    def privacy_policy_url(self) -> str:
        return f"{self.homepage_url}/privacy"

    @property
    def terms_url(self) -> str:
        return f"{self.homepage_url}/terms"


DEMO_APP = DemoApp(
    DEMO_APP_CLIENT_ID,
    "Demo Health Tracker",
    "A sample SMART app that charts your lab results, medications and allergies.",
    "https://example.com/demo-health-tracker",
    tuple(REDIRECT_URIS),
)
CONFIDENTIAL_DEMO_APP = DemoApp(
    CONFIDENTIAL_APP_CLIENT_ID,
    "Demo Clinic Portal",
    "A sample server-side portal that authenticates with a client secret.",
    "https://example.com/demo-clinic-portal",
    tuple(PORTAL_REDIRECT_URIS),
    CONFIDENTIAL_APP_SECRET,
)
# Registers a demo app for its developer through the one registration path (in sharing/,
# which db/ may not import: the caller of the seed passes it in).
RegisterDemoApp = Callable[[AsyncSession, DemoApp, int | None], Awaitable[App]]


@dataclass(frozen=True)
class DemoPatients:
    """Ids of the fixed demo patients."""

    alice: int
    child: int
    bob: int


async def demo_accounts_exist(session: AsyncSession) -> bool:
    """Whether the demo identities were already created (by the `alice` login)."""
    found = await session.exec(select(Account.id).where(col(Account.username) == "alice"))
    return found.first() is not None


async def _app(
    session: AsyncSession, demo: DemoApp, developer_id: int | None, register: RegisterDemoApp
) -> App:
    existing = (await session.exec(select(App).where(col(App.client_id) == demo.client_id))).first()
    return existing if existing is not None else await register(session, demo, developer_id)


async def create_demo_identities(
    session: AsyncSession,
    patients: DemoPatients,
    *,
    hasher: PasswordHasher,
    register: RegisterDemoApp,
) -> None:
    """Create the demo logins, apps, grant and setting that do not exist yet."""
    created: dict[str, Account] = {}
    for username, display_name, role in ACCOUNTS:
        taken = await session.exec(select(Account.id).where(col(Account.username) == username))
        if taken.first() is not None:
            continue  # someone holds the name; never hand them a demo patient
        created[username] = Account(
            username=username,
            email=f"{username}@example.com",
            display_name=display_name,
            role=role,
            password_hash=await asyncio.to_thread(hash_password, hasher, DEMO_PASSWORD),
        )
        session.add(created[username])
    await session.flush()
    links = (
        ("alice", patients.alice, Relationship.SELF),
        ("alice", patients.child, Relationship.CHILD),
        ("bob", patients.bob, Relationship.SELF),
    )
    for username, patient_id, relationship in links:
        account = created.get(username)
        if account is not None and account.id is not None:
            session.add(
                AccountPatient(
                    account_id=account.id, patient_id=patient_id, relationship=relationship
                )
            )
    devon = created.get("devon")
    developer_id = devon.id if devon is not None else None
    app = await _app(session, DEMO_APP, developer_id, register)
    await _app(session, CONFIDENTIAL_DEMO_APP, developer_id, register)
    if await session.get(OperatorSetting, AUTO_APPROVE_SETTING) is None:
        session.add(OperatorSetting(key=AUTO_APPROVE_SETTING, value="true"))
    alice = created.get("alice")
    if alice is None or alice.id is None or app.id is None:
        return
    await session.flush()
    await create_grant(
        session,
        account_id=alice.id,
        patient_id=patients.alice,
        app_id=app.id,
        scopes=GRANT_SCOPES,
        refused_scopes=[],
        expires_at=None,
        source_address=None,
    )


async def describe_demo_logins(session: AsyncSession) -> str:
    """The demo logins as they stand in the database, for the terminal."""
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for username, _, role in ACCOUNTS:
        account = (
            await session.exec(select(Account).where(col(Account.username) == username))
        ).first()
        if account is None:
            lines.append(
                f"  {username:<7} (not created: run `chartshare seed` on an empty database)"
            )
            continue
        statement = (
            select(Patient, AccountPatient)
            .join(AccountPatient, col(AccountPatient.patient_id) == col(Patient.id))
            .where(col(AccountPatient.account_id) == account.id)
            .order_by(col(Patient.id))
        )
        acts_for = [
            f"{p.given_name} {p.family_name} ({link.relationship})"
            for p, link in (await session.exec(statement)).all()
        ]
        detail = f"acts for {', '.join(acts_for)}" if acts_for else ""
        lines.append(f"  {username:<7} {role.value:<10} {detail}".rstrip())
    public = (
        await session.exec(select(App).where(col(App.client_id) == DEMO_APP_CLIENT_ID))
    ).first()
    if public is not None:
        lines.append(
            f"Demo app: client_id {DEMO_APP_CLIENT_ID} (public client, PKCE S256), "
            f"redirect URI {REDIRECT_URIS[0]}"
        )
    portal = await session.exec(select(App).where(col(App.client_id) == CONFIDENTIAL_APP_CLIENT_ID))
    if portal.first() is not None:
        lines.append(
            f"Confidential demo app: client_id {CONFIDENTIAL_APP_CLIENT_ID}, "
            f"client secret {CONFIDENTIAL_APP_SECRET}"
        )
    auto = await session.get(OperatorSetting, AUTO_APPROVE_SETTING)
    if auto is not None and auto.value == "true":
        lines.append(
            "Auto-approval of dynamically registered apps is ON (a demo convenience: anyone "
            "can register an app patients can authorize at once); turn it off on /operator."
        )
    return "\n".join(lines)
