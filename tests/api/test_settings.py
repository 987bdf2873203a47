"""Settings come from CHARTSHARE_* variables; a bad value names the variable in one line."""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from api.settings import Settings, SettingsError, env_name, load_settings
from schema.context import Limits


def test_defaults_follow_the_design() -> None:
    settings = load_settings({})
    assert settings == Settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert (settings.max_query_depth, settings.max_query_aliases, settings.max_query_tokens) == (
        10,
        15,
        2000,
    )
    assert settings.max_body_bytes == 64 * 1024
    assert settings.access_token_ttl == 900
    assert settings.authorization_code_ttl == 60
    assert (settings.argon2_memory_kib, settings.argon2_iterations) == (19456, 2)
    assert settings.database_pool_timeout == 5.0


def test_query_limits_and_hasher_cost_come_from_the_settings() -> None:
    settings = load_settings({"CHARTSHARE_MAX_QUERY_DEPTH": "4", "CHARTSHARE_MAX_PAGE_SIZE": "7"})
    assert Settings().limits == Limits()
    assert (settings.limits.max_depth, settings.limits.max_page_size) == (4, 7)
    assert settings.limits.max_cost == Limits().max_cost
    cheap = Settings(argon2_memory_kib=8192, argon2_iterations=1).password_hasher()
    assert (cheap.memory_cost, cheap.time_cost, cheap.parallelism) == (8192, 1, 1)


def test_every_query_limit_has_exactly_one_setting() -> None:
    limit_settings = {
        f.metadata["limit"]: f.name for f in fields(Settings) if "limit" in f.metadata
    }
    assert sorted(limit_settings) == sorted(f.name for f in fields(Limits))
    # Each variable reaches its own limit and no other.
    for limit, attribute in limit_settings.items():
        raw = "3.5" if isinstance(getattr(Limits, limit), float) else "3"
        limits = load_settings({env_name(attribute): raw}).limits
        assert getattr(limits, limit) == float(raw)
        others = {f.name for f in fields(Limits)} - {limit}
        assert all(getattr(limits, name) == getattr(Limits(), name) for name in others)


def test_values_are_parsed_and_postgres_urls_get_the_async_driver() -> None:
    settings = load_settings(
        {
            "CHARTSHARE_DATABASE_URL": "postgresql://app:secret@db.internal:5432/chartshare",
            "CHARTSHARE_MAX_QUERY_DEPTH": "7",
            "CHARTSHARE_TRUST_FORWARDED_FOR": "yes",
            "OTHER_VARIABLE": "ignored",
        }
    )
    assert settings.database_url == "postgresql+asyncpg://app:secret@db.internal:5432/chartshare"
    assert settings.max_query_depth == 7
    assert settings.trust_forwarded_for is True


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("CHARTSHARE_DATABASE_URL", "not a url", "not a database URL"),
        ("CHARTSHARE_DATABASE_URL", "mysql://x/y", "unsupported database"),
        ("CHARTSHARE_DATABASE_URL", "sqlite://", "needs a file path"),
        ("CHARTSHARE_DATABASE_URL", "sqlite:///:memory:", "needs a file path"),
        ("CHARTSHARE_DATABASE_URL", "postgresql://app@[::1/chartshare", "not a database URL"),
        ("CHARTSHARE_DATABASE_URL", "postgresql://app@db:port/chartshare", "not a database URL"),
        ("CHARTSHARE_MAX_QUERY_DEPTH", "deep", "whole number"),
        ("CHARTSHARE_MAX_QUERY_DEPTH", "0", "above zero"),
        # NaN passed "above zero" (every comparison with it is false); infinity failed the
        # engine's creation and 1e300 every PostgreSQL connection (statement_timeout).
        ("CHARTSHARE_MAX_QUERY_SECONDS", "nan", "finite number"),
        ("CHARTSHARE_MAX_QUERY_SECONDS", "inf", "finite number"),
        ("CHARTSHARE_MAX_QUERY_SECONDS", "1e300", "at most 2147483 seconds"),
        ("CHARTSHARE_LOGIN_SLOWDOWN_SECONDS", "NaN", "finite number"),
        ("CHARTSHARE_DATABASE_POOL_TIMEOUT", "-inf", "finite number"),
        # Lifetimes that put expiry dates past the year 9999 made every authorization a 500.
        ("CHARTSHARE_AUTHORIZATION_REQUEST_TTL", "9999999999999", "at most 3153600000 seconds"),
        ("CHARTSHARE_ACCESS_TOKEN_TTL", "99999999999999999999", "at most"),
        ("CHARTSHARE_SESSION_ABSOLUTE_SECONDS", "3153600001", "at most"),
        ("CHARTSHARE_BASE_URL", "ftp://x", "http(s) URL"),
        # Accepted before, and then published as the issuer of every token.
        ("CHARTSHARE_BASE_URL", "http://x:99999", "http(s) URL"),
        ("CHARTSHARE_BASE_URL", "http://[::1", "http(s) URL"),
        ("CHARTSHARE_BASE_URL", "https://user:secret@x.example", "user name or password"),
        ("CHARTSHARE_ENVIRONMENT", "staging", "development or production"),
        ("CHARTSHARE_TRUST_FORWARDED_FOR", "maybe", "true or false"),
        ("CHARTSHARE_DATABSE_URL", "sqlite:///x.db", "unknown setting"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str, says: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings({variable: value})
    message = str(error.value)
    assert message.startswith(f"{variable}: ")
    assert says in message
    assert "\n" not in message.split(" (known:")[0]


def test_the_longest_lifetime_is_accepted() -> None:
    settings = load_settings({"CHARTSHARE_REFRESH_TOKEN_TTL": "3153600000"})
    assert settings.refresh_token_ttl == 100 * 365 * 24 * 3600


def test_the_developer_tools_variables_are_not_settings() -> None:
    settings = load_settings(
        {
            "CHARTSHARE_PORT": "9000",
            "CHARTSHARE_HOST": "localhost",
            "CHARTSHARE_TEST_BACKENDS": "sqlite",
            "CHARTSHARE_CHROMIUM": "/usr/bin/chromium",
            "CHARTSHARE_FUZZ_SCALE": "20",
            "CHARTSHARE_DIFFERENTIAL_EXAMPLES": "3000",
            "CHARTSHARE_BENCH_POSTGRES_URL": "postgresql://postgres@127.0.0.1:5432/test",
        }
    )
    assert settings == Settings()


def test_every_documented_or_read_variable_is_a_setting_or_a_tool_variable() -> None:
    # A tool starts chartshare commands with its own environment: a variable it reads
    # that is neither would stop them with "unknown setting".
    root = Path(__file__).resolve().parents[2]
    texts = [root / "README.md", *(root / "docs").glob("*.md"), *(root / "scripts").rglob("*.py")]
    found = {n for t in texts for n in re.findall(r"CHARTSHARE_[A-Z0-9_]+\*?", t.read_text())}
    named = {n.rstrip("_") for n in found if not n.endswith("*")}  # not `CHARTSHARE_TEST_*`
    read = {
        n
        for t in (root / "tests").rglob("*.py")
        for n in re.findall(r"environ\.get\(\s*\"(CHARTSHARE_[A-Z0-9_]+)\"", t.read_text())
    }
    assert read, "the pattern finds the variables the tests read"
    environ = dict.fromkeys(named | read, "1")
    settings_variables = {env_name(f.name) for f in fields(Settings)}
    tools = {name: value for name, value in environ.items() if name not in settings_variables}
    assert load_settings(tools) == Settings()


def test_production_requires_https_and_secure_cookies() -> None:
    with pytest.raises(SettingsError, match="CHARTSHARE_BASE_URL: production needs"):
        load_settings({"CHARTSHARE_ENVIRONMENT": "production"})
    settings = load_settings(
        {
            "CHARTSHARE_ENVIRONMENT": "production",
            "CHARTSHARE_BASE_URL": "https://api.example.org/",
            "CHARTSHARE_SIGNING_KEY_SECRET": "k" * 40,
        }
    )
    assert settings.base_url == "https://api.example.org"
    assert settings.secure_cookies
    assert not Settings().secure_cookies


def test_every_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    undocumented = [env_name(f.name) for f in fields(Settings) if env_name(f.name) not in readme]
    assert undocumented == []
