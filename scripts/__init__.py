"""Developer scripts; the benchmarks run as modules from the repository root (`python -m ...`)."""

import argparse


def argument_parser(module: str, doc: str | None) -> argparse.ArgumentParser:
    """A parser whose usage reads `python -m module`, described by the docstring's first line."""
    return argparse.ArgumentParser(
        prog=f"python -m {module}", description=doc.splitlines()[0] if doc else None
    )
