"""Seed options for the benchmark's databases, as `chartshare seed` builds them."""

from db.passwords import make_hasher
from db.seed.runner import SeedOptions
from sharing.apps import demo_app_registrar


def seed_options(patients: int) -> SeedOptions:
    """Deterministic demo data (seed 1) for `patients` patients."""
    hasher = make_hasher()
    return SeedOptions(patients, 1, False, False, hasher, register_app=demo_app_registrar(hasher))
