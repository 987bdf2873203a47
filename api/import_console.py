"""What `chartshare import` shows: problems as they happen, a progress bar, the summary."""

import sys
import time
from typing import TextIO

from sharing.fhir.importer import OUTCOMES, ImportReport
from sharing.fhir.intake import Problem

BAR_WIDTH = 30
REDRAW_SECONDS = 0.2


class ImportConsole:
    """Writes problems and the progress bar to stderr, the summary to stdout."""

    def __init__(
        self, *, progress: bool, out: TextIO | None = None, err: TextIO | None = None
    ) -> None:
        self.progress_enabled = progress
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.started = time.perf_counter()
        self.drawn_at = 0.0
        self.bar_shown = False
        self.writing_since: float | None = None

    def _clear_bar(self) -> None:
        if self.bar_shown:
            self.err.write("\r\033[K")
            self.bar_shown = False

    def problem(self, problem: Problem) -> None:
        """One line per resource not stored (or stored without a link)."""
        self._clear_bar()
        label = "note" if problem.kept else "rejected"
        self.err.write(f"{label}: {problem.where}: {problem.reason}\n")
        self.err.flush()

    def progress(self, stage: str, done: int, total: int) -> None:
        """Redraw the bar a few times a second (only when enabled)."""
        now = time.perf_counter()
        if stage == "writing" and self.writing_since is None:
            self.writing_since = now
        if not self.progress_enabled or (now - self.drawn_at < REDRAW_SECONDS and done < total):
            return
        self.drawn_at = now
        filled = BAR_WIDTH * min(done, total) // max(total, 1)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        amount = (
            f"{done / 1e6:,.1f}/{total / 1e6:,.1f} MB" if stage == "reading"
            else f"{done:,}/{total:,} patients"
        )  # fmt: skip
        self.err.write(f"\r{stage} [{bar}] {amount}, {now - self.started:.1f} s")
        self.err.flush()
        self.bar_shown = True

    def summary(self, report: ImportReport, *, dry_run: bool) -> None:
        """The counts per resource type and outcome, and the rate."""
        self._clear_bar()
        elapsed = time.perf_counter() - self.started
        header = f"{'resource type':<20}" + "".join(f"{name:>10}" for name in OUTCOMES)
        lines = [header]
        for resource_type in sorted(report.counts):
            counter = report.counts[resource_type]
            lines.append(
                f"{resource_type:<20}" + "".join(f"{counter[name]:>10,}" for name in OUTCOMES)
            )
        lines.append(f"{'total':<20}" + "".join(f"{report.total(name):>10,}" for name in OUTCOMES))
        read = sum(sum(counter.values()) for counter in report.counts.values())
        rate = read / elapsed if elapsed > 0 else 0.0
        reading = (self.writing_since or self.started + elapsed) - self.started
        lines.append(
            f"{read:,} resources in {elapsed:.1f} s ({rate:,.0f}/s; reading {reading:.1f} s, "
            f"writing {elapsed - reading:.1f} s); {report.patients['written']:,} patients written."
        )
        if dry_run:
            lines.append("Dry run: nothing was kept.")
        self.out.write("\n".join(lines) + "\n")
        self.out.flush()
