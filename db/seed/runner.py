"""Entry point of `chartshare seed` (being written: the generator lands with the seed work)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class SeedOptions:
    """What `chartshare seed` was asked to do."""

    patients: int
    seed: int
    force: bool
    progress: bool


async def run_seed(database_url: str, options: SeedOptions) -> str:
    """Write demo data and return a summary for the terminal."""
    raise NotImplementedError("the demo data generator is not written yet")
