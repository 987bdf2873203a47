"""A one-line progress bar on stderr, redrawn at most a few times a second."""

import sys
import time
from typing import TextIO

WIDTH = 30
REDRAW_SECONDS = 0.2


class ProgressBar:
    """Counts patients written; draws nothing when disabled."""

    def __init__(self, total: int, *, enabled: bool, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.done = 0
        self.rows = 0
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.drawn_at = 0.0

    def advance(self, patients: int, rows: int) -> None:
        """Record a written chunk and redraw if it is time."""
        self.done += patients
        self.rows += rows
        now = time.perf_counter()
        if self.enabled and (now - self.drawn_at >= REDRAW_SECONDS or self.done >= self.total):
            self.drawn_at = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        filled = WIDTH * min(self.done, self.total) // self.total
        elapsed = now - self.started
        rate = self.rows / elapsed if elapsed > 0 else 0.0
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(
            f"\rseeding [{bar}] {self.done}/{self.total} patients, "
            f"{self.rows:,} rows, {elapsed:.1f} s ({rate:,.0f} rows/s)"
        )
        self.stream.flush()

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self.done:
            self.stream.write("\n")
            self.stream.flush()
