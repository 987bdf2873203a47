"""The benchmark scripts' own checks: which checkout to compare with, which database to reuse."""

import argparse
import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from scripts.bench.admin import database_exists
from scripts.bench.compare import _checkout, _medians
from scripts.bench.run import ROOT
from tests.databases import postgres_admin_url


def test_the_baseline_must_be_another_checkout_of_chartshare(tmp_path: Path) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="not a checkout of chartshare"):
        _checkout(str(tmp_path))
    with pytest.raises(argparse.ArgumentTypeError, match="is this checkout"):
        _checkout(str(ROOT))
    other = tmp_path / "baseline"
    (other / "api").mkdir(parents=True)
    (other / "api" / "cli.py").write_text("")
    assert _checkout(str(other)) == other.resolve()


def test_the_medians_of_the_rounds_and_the_errors_of_all_of_them() -> None:
    rows = [
        {"requests_per_second": r, "p50_ms": 2 * r, "p99_ms": 3 * r, "cpu_ms_per_request": 1 / r,
         "errors": e}
        for r, e in [(100.0, 0), (300.0, 2), (200.0, 1)]
    ]  # fmt: skip
    assert _medians(rows) == {
        "requests_per_second": 200.0,
        "p50_ms": 400.0,
        "p99_ms": 600.0,
        "cpu_ms_per_request": 1 / 200,
        "errors": 3,
    }


async def test_reuse_finds_an_existing_database_and_not_a_missing_one(postgres_url: str) -> None:
    admin = postgres_admin_url()
    existing = make_url(postgres_url).database
    assert existing is not None
    assert await database_exists(admin, existing)
    assert not await database_exists(admin, f"chartshare_missing_{os.getpid()}")
