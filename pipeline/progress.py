"""The crawl's progress line on stderr (the only place the crawler prints from).

On a terminal it redraws one line; into a file or pipe it writes a line every
few seconds, so logs stay readable.  ``quiet`` turns it off.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field


@dataclass
class CrawlCounts:
    fetched: int = 0
    stored: int = 0          # new or changed articles
    revisits: int = 0
    errors: int = 0
    blocked: int = 0         # robots.txt
    skipped: int = 0         # out of scope, traps, limits
    queued: int = 0
    waits: dict[str, float] = field(default_factory=dict)   # host → seconds waiting now


class Progress:
    def __init__(self, quiet: bool = False, stream=None, every: float | None = None):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every if every is not None else (0.3 if self.tty else 5.0)
        self.started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def line(self, c: CrawlCounts) -> str:
        elapsed = time.monotonic() - self.started
        parts = [f"fetched {c.fetched}", f"queued {c.queued}", f"stored {c.stored}"]
        if c.revisits:
            parts.append(f"unchanged {c.revisits}")
        if c.errors:
            parts.append(f"errors {c.errors}")
        if c.blocked:
            parts.append(f"robots {c.blocked}")
        waits = {h: w for h, w in c.waits.items() if w > 0.05}
        if waits:
            host, wait = max(waits.items(), key=lambda kv: kv[1])
            parts.append(f"wait {host} {wait:.1f}s")
        if c.fetched >= 5 and c.queued:
            eta = elapsed / c.fetched * c.queued
            parts.append(f"ETA {_duration(eta)}")
        parts.append(_duration(elapsed))
        return "crawl: " + " · ".join(parts)

    def update(self, counts: CrawlCounts, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        text = self.line(counts)
        if self.tty:
            self.stream.write("\r\x1b[K" + text)
            self._drawn = True
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        """A one-off line (a warning, the final summary) — shown even when quiet."""
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self, counts: CrawlCounts) -> None:
        if self.quiet:
            return
        self.update(counts, force=True)
        if self.tty:
            self.stream.write("\n")
            self._drawn = False
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
