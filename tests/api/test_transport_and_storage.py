"""HSTS in production, an owner-only SQLite file, signing keys encrypted at rest, CLI edge cases."""

import asyncio
import json
import os
import stat
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette

from api.app import create_app
from api.cli import main
from api.oauth.signing import (
    ENCRYPTED_PEM,
    SigningKeyLocked,
    current_signing_key,
    sign_id_token,
    unlock_signing_keys,
)
from api.settings import DEVELOPMENT_KEY_SECRET, Settings, SettingsError, load_settings
from db.engine import create_engine
from db.keys import add_signing_key, list_all_keys
from tests.builders.oauth import arrange, tokens_for

SECRET = "a-random-secret-for-these-tests-0123456789"
HSTS = "max-age=63072000; includeSubDomains"


@pytest.fixture
def production(settings: Settings) -> Settings:
    return settings.with_overrides(
        environment="production", base_url="https://testserver", signing_key_secret=SECRET
    )


@pytest.fixture
async def production_client(production: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(production)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=production.base_url) as client:
        yield client
    await app.state.engine.dispose()


async def test_every_production_response_carries_hsts(
    production_client: httpx.AsyncClient, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Local development over http: browsers would pin a host that has no https at all.
    assert "strict-transport-security" not in (await client.get("/healthz")).headers
    answers = [
        await production_client.get("/healthz"),
        await production_client.get("/graphql"),
        await production_client.get("/no-such-page"),
        await production_client.get("/static/pages.css"),
        await production_client.get("/.well-known/jwks.json"),
        await production_client.post("/oauth/token", content=b"x" * 70_000),
        await production_client.get("/login"),
    ]

    async def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("api.health.database_is_reachable", crash)
    answers.append(await production_client.get("/readyz"))
    assert [a.status_code for a in answers] == [200, 405, 404, 200, 200, 413, 200, 500]
    assert [a.headers.get("strict-transport-security") for a in answers] == [HSTS] * 8


def test_production_refuses_to_start_without_a_real_signing_key_secret() -> None:
    base = {"CHARTSHARE_ENVIRONMENT": "production", "CHARTSHARE_BASE_URL": "https://x.example"}
    with pytest.raises(SettingsError, match=r"^CHARTSHARE_SIGNING_KEY_SECRET: production needs"):
        load_settings(base)
    for bad in ("short", "change-me-" * 5, DEVELOPMENT_KEY_SECRET):
        with pytest.raises(SettingsError, match=r"^CHARTSHARE_SIGNING_KEY_SECRET: "):
            load_settings({**base, "CHARTSHARE_SIGNING_KEY_SECRET": bad})
    settings = load_settings({**base, "CHARTSHARE_SIGNING_KEY_SECRET": SECRET})
    assert settings.key_encryption_secret == SECRET
    assert SECRET not in repr(settings)
    assert Settings().key_encryption_secret == DEVELOPMENT_KEY_SECRET


async def test_signing_keys_are_stored_encrypted(session: AsyncSession) -> None:
    key = await current_signing_key(session, secret=SECRET)
    assert key.private_key_pem.startswith(ENCRYPTED_PEM)
    with pytest.raises(TypeError, match="Password was not given"):
        RSAKey.import_key(key.private_key_pem)
    with pytest.raises(SigningKeyLocked, match="CHARTSHARE_SIGNING_KEY_SECRET"):
        sign_id_token(key, {"sub": "1"}, secret="another-secret-of-enough-length-000000")
    token = sign_id_token(key, {"sub": "1"}, secret=SECRET)
    public = KeySet.import_key_set({"keys": [json.loads(key.public_jwk)]})
    assert jwt.decode(token, public).claims["sub"] == "1"


async def test_a_plaintext_key_is_encrypted_at_start_and_its_tokens_still_verify(
    session: AsyncSession, production: Settings, client: httpx.AsyncClient
) -> None:
    legacy = RSAKey.generate_key(2048, parameters={"kid": "legacy", "use": "sig", "alg": "RS256"})
    await add_signing_key(
        session,
        kid="legacy",
        private_key_pem=legacy.as_pem(private=True).decode(),
        public_jwk=json.dumps(legacy.as_dict(private=False)),
    )
    await session.commit()
    earlier = jwt.encode({"alg": "RS256", "kid": "legacy"}, {"sub": "7"}, legacy)
    app: Starlette = create_app(production)
    async with app.router.lifespan_context(app):
        pass
    await app.state.engine.dispose()
    [stored] = await list_all_keys(session)
    await session.refresh(stored)
    assert stored.kid == "legacy" and stored.private_key_pem.startswith(ENCRYPTED_PEM)
    jwks = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    assert jwt.decode(earlier, jwks).claims["sub"] == "7"
    later = sign_id_token(stored, {"sub": "8"}, secret=SECRET)
    assert jwt.decode(later, jwks).header["kid"] == "legacy"


async def test_a_wrong_secret_stops_the_start(session: AsyncSession, production: Settings) -> None:
    await current_signing_key(session, secret=SECRET)
    await session.commit()
    with pytest.raises(SigningKeyLocked):
        await unlock_signing_keys(session, secret="a-different-secret-of-enough-length-0")
    app = create_app(production.with_overrides(signing_key_secret="x" * 40))
    with pytest.raises(SigningKeyLocked):
        async with app.router.lifespan_context(app):
            pass
    await app.state.engine.dispose()


async def test_rotation_and_the_flow_work_with_encrypted_keys(
    session: AsyncSession,
    client: httpx.AsyncClient,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    party = await arrange(session)
    before = await tokens_for(client, party)
    monkeypatch.setenv("CHARTSHARE_DATABASE_URL", database_url)
    assert await asyncio.to_thread(main, ["rotate-signing-key"]) == 0
    after = await tokens_for(client, party)
    jwks = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    kids = {jwt.decode(t["id_token"], jwks).header["kid"] for t in (before, after)}
    assert len(kids) == 2
    assert all(k.private_key_pem.startswith(ENCRYPTED_PEM) for k in await list_all_keys(session))


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
async def test_the_sqlite_file_and_its_wal_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    engine = create_engine(f"sqlite:///{path}")
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE t (x INTEGER)"))
            await connection.execute(text("INSERT INTO t VALUES (1)"))
        async with engine.connect() as connection:
            await connection.execute(text("SELECT x FROM t"))
            files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(f.exists() for f in files)
            assert [stat.S_IMODE(f.stat().st_mode) for f in files] == [0o600] * 3
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("open_umask")
async def test_an_existing_readable_sqlite_file_is_tightened(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    engine = create_engine(f"sqlite:///{path}")
    await engine.dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_export_schema_to_an_unwritable_path_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-directory" / "schema.graphql"
    assert main(["export-schema", "--output", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"chartshare: cannot write {target}: No such file or directory")
    assert "database" not in err


def test_seed_patients_has_an_upper_bound(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["seed", "--patients", "100001"])
    assert exit_.value.code == 2
    assert "at most 100000 patients per run, got '100001'" in capsys.readouterr().err
