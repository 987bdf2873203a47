"""One settings object, read from CHARTSHARE_* environment variables when the app starts."""

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from argon2 import PasswordHasher

from db.engine import parse_database_url
from db.passwords import ARGON2_ITERATIONS, ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, make_hasher
from schema.context import Limits

PREFIX = "CHARTSHARE_"
MIN_SECRET_LENGTH = 32
MAX_LIFETIME_SECONDS = 100 * 365 * 24 * 3600
MAX_STATEMENT_SECONDS = (2**31 - 1) // 1000
PLACEHOLDERS = ("changeme", "change-me", "change_me", "placeholder", "example", "xxxxxxxx")
# Development only: without CHARTSHARE_SIGNING_KEY_SECRET keys are encrypted with this
# published value, which production refuses.
DEVELOPMENT_KEY_SECRET = "chartshare-development-only-signing-key-secret"  # noqa: S105


class SettingsError(ValueError):
    """A setting has a value chartshare cannot use; the message names the variable."""


def _positive(kind: Callable[[str], float], what: str, raw: str) -> Any:
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"expected {what}, got {raw!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {raw!r}")
    if value <= 0:
        raise ValueError(f"expected a number above zero, got {raw!r}")
    return value


def _positive_int(raw: str) -> int:
    value: int = _positive(int, "a whole number", raw)
    return value


def _positive_float(raw: str) -> float:
    value: float = _positive(float, "a number", raw)
    return value


def _seconds(raw: str) -> int:
    """A lifetime in seconds: a longer one would put expiry dates past the year 9999."""
    value = _positive_int(raw)
    if value > MAX_LIFETIME_SECONDS:
        raise ValueError(
            f"expected at most {MAX_LIFETIME_SECONDS} seconds (100 years), got {raw!r}"
        )
    return value


def _statement_seconds(raw: str) -> float:
    """A statement timeout: PostgreSQL's statement_timeout holds at most 2**31 - 1 ms."""
    value = _positive_float(raw)
    if value > MAX_STATEMENT_SECONDS:
        raise ValueError(f"expected at most {MAX_STATEMENT_SECONDS} seconds, got {raw!r}")
    return value


def _database_url(raw: str) -> str:
    return parse_database_url(raw).render_as_string(hide_password=False)


def _base_url(raw: str) -> str:
    try:
        parts = urlsplit(raw.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:  # an unclosed IPv6 bracket, a port that is no port
        raise ValueError(f"expected an absolute http(s) URL, got {raw!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an absolute http(s) URL, got {raw!r}")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the base URL may not carry a user name or password")
    if parts.query or parts.fragment:
        raise ValueError("the base URL may not carry a query or fragment")
    return raw.strip().rstrip("/")


def _environment(raw: str) -> str:
    if raw not in ("development", "production"):
        raise ValueError(f"expected development or production, got {raw!r}")
    return raw


def _log_level(raw: str) -> str:
    level = raw.upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError(f"expected DEBUG, INFO, WARNING or ERROR, got {raw!r}")
    return level


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {raw!r}")


def _secret(raw: str) -> str:
    value = raw.strip()
    if len(value) < MIN_SECRET_LENGTH:
        raise ValueError(f"expected at least {MIN_SECRET_LENGTH} characters")
    if value == DEVELOPMENT_KEY_SECRET or any(p in value.lower() for p in PLACEHOLDERS):
        raise ValueError("looks like a placeholder; generate a random secret")
    return value


def _setting(default: Any, parse: Callable[[str], Any], *, secret: bool = False) -> Any:
    return field(default=default, metadata={"parse": parse}, repr=not secret)


def _limit(name: str, parse: Callable[[str], Any]) -> Any:
    """A setting that sets the query limit `name` (`Limits` holds its default)."""
    return field(default=getattr(Limits, name), metadata={"parse": parse, "limit": name})


@dataclass(frozen=True)
class Settings:
    """Every knob of chartshare; the defaults are the contract's (docs/contract.md)."""

    environment: str = _setting("development", _environment)
    database_url: str = _setting("sqlite+aiosqlite:///chartshare.db", _database_url)
    base_url: str = _setting("http://127.0.0.1:8000", _base_url)
    log_level: str = _setting("INFO", _log_level)
    database_pool_timeout: float = _setting(5.0, _positive_float)
    database_pool_size: int = _setting(10, _positive_int)
    # GraphQL limits
    max_query_depth: int = _limit("max_depth", _positive_int)
    max_query_aliases: int = _limit("max_aliases", _positive_int)
    max_query_tokens: int = _limit("max_tokens", _positive_int)
    max_query_cost: int = _limit("max_cost", _positive_int)
    max_body_bytes: int = _setting(64 * 1024, _positive_int)
    max_page_size: int = _limit("max_page_size", _positive_int)
    # Items a list without a page size (Encounter.diagnoses) counts for in the query cost.
    assumed_list_size: int = _limit("assumed_list_size", _positive_int)
    # Time budget of one GraphQL request; also every database statement's timeout.
    max_query_seconds: float = _limit("max_seconds", _statement_seconds)
    max_response_bytes: int = _limit("max_response_bytes", _positive_int)
    # Token lifetimes, in seconds
    access_token_ttl: int = _setting(15 * 60, _seconds)
    refresh_token_ttl: int = _setting(90 * 24 * 3600, _seconds)
    authorization_code_ttl: int = _setting(60, _seconds)
    # How long a patient has to answer one authorization request (login, choice, consent).
    authorization_request_ttl: int = _setting(10 * 60, _seconds)
    # Argon2id
    argon2_memory_kib: int = _setting(ARGON2_MEMORY_KIB, _positive_int)
    argon2_iterations: int = _setting(ARGON2_ITERATIONS, _positive_int)
    argon2_parallelism: int = _setting(ARGON2_PARALLELISM, _positive_int)
    # Login protection
    login_slowdown_after: int = _setting(5, _positive_int)
    login_lock_after: int = _setting(10, _positive_int)
    login_lock_seconds: int = _setting(15 * 60, _seconds)
    # How long a login answer is held back once an account is past the slow-down threshold.
    login_slowdown_seconds: float = _setting(2.0, _positive_float)
    # Sessions
    session_idle_seconds: int = _setting(30 * 60, _seconds)
    session_absolute_seconds: int = _setting(12 * 3600, _seconds)
    # Whether responses trust X-Forwarded-For for the activity log's source address.
    trust_forwarded_for: bool = _setting(False, _bool)
    # Whether app queries run on the compiled read path (false: always the Strawberry executor).
    compiled_reads: bool = _setting(True, _bool)
    # Encrypts the id_token signing keys at rest; production refuses to start without it.
    signing_key_secret: str = _setting("", _secret, secret=True)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def secure_cookies(self) -> bool:
        """Cookies are Secure outside local development."""
        return self.is_production or self.base_url.startswith("https://")

    @property
    def key_encryption_secret(self) -> str:
        """The secret the signing keys are encrypted with (a fixed one in development)."""
        return self.signing_key_secret or DEVELOPMENT_KEY_SECRET

    @cached_property
    def limits(self) -> Limits:
        """The GraphQL query limits (built once: every GraphQL request reads them)."""
        return Limits(
            **{
                f.metadata["limit"]: getattr(self, f.name)
                for f in fields(self)
                if "limit" in f.metadata
            }
        )

    def password_hasher(self) -> PasswordHasher:
        """An Argon2id hasher at the configured cost (build it once per process)."""
        return make_hasher(
            memory_kib=self.argon2_memory_kib,
            iterations=self.argon2_iterations,
            parallelism=self.argon2_parallelism,
        )

    def with_overrides(self, **changes: Any) -> "Settings":
        """A copy with some values replaced (for tests and CLI flags)."""
        return replace(self, **changes)


def env_name(attribute: str) -> str:
    """The environment variable that sets a settings attribute."""
    return PREFIX + attribute.upper()


# Variables of the same prefix that belong to the developer tools, not to the server:
# `scripts/dev.py run` reads HOST and PORT, the test suite reads TEST_*, CHROMIUM,
# FUZZ_SCALE and DIFFERENTIAL_EXAMPLES, the benchmarks BENCH_*. The tools start chartshare
# commands with their own environment, so these must not stop them.
TOOL_VARIABLES = frozenset(
    PREFIX + name for name in ("HOST", "PORT", "CHROMIUM", "FUZZ_SCALE", "DIFFERENTIAL_EXAMPLES")
)
TOOL_PREFIXES = (PREFIX + "TEST_", PREFIX + "BENCH_")


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from CHARTSHARE_* variables; SettingsError names the first bad one."""
    environ = os.environ if environ is None else environ
    known = {env_name(f.name): f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name in sorted(environ):
        if not name.startswith(PREFIX) or name in TOOL_VARIABLES:
            continue
        if name.startswith(TOOL_PREFIXES):
            continue
        spec = known.get(name)
        if spec is None:
            raise SettingsError(f"{name}: unknown setting (known: {', '.join(sorted(known))})")
        try:
            values[spec.name] = spec.metadata["parse"](environ[name])
        except ValueError as exc:
            raise SettingsError(f"{name}: {exc}") from None
    settings = Settings(**values)
    if settings.is_production and not settings.base_url.startswith("https://"):
        raise SettingsError(f"{env_name('base_url')}: production needs an https:// base URL")
    if settings.is_production and not settings.signing_key_secret:
        raise SettingsError(
            f"{env_name('signing_key_secret')}: production needs a random secret of at least "
            f"{MIN_SECRET_LENGTH} characters to encrypt the id_token signing keys"
        )
    return settings
