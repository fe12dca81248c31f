"""The progress display on stderr of every long command (crawl, extract, run).

On a terminal it redraws one line (tqdm); into a file or pipe it writes a line
every few seconds, so logs stay readable.  ``quiet`` turns it off.
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
    """One progress display on stderr, for every long command.

    On a terminal, a tqdm line redrawn in place; into a file or a pipe, a plain
    line every few seconds, so logs stay readable.  ``quiet`` turns it off
    (``message`` still prints).  A crawl hands it ``CrawlCounts`` (``update``);
    a batch of documents counts steps (``step``) towards ``total``.
    """

    def __init__(self, quiet: bool = False, stream=None, every: float | None = None,
                 label: str = "crawl", total: int | None = None, unit: str = "documents"):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.label, self.total, self.unit = label, total, unit
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every if every is not None else (0.3 if self.tty else 5.0)
        self.started = time.monotonic()
        self.done = 0
        self._last = 0.0
        self._bar = None

    # --- the terminal line (tqdm) ------------------------------------------------------
    def _tqdm(self, counted: bool):
        if self._bar is None:
            from tqdm import tqdm

            if counted:
                self._bar = tqdm(total=self.total, desc=self.label, unit=" " + self.unit.rstrip("s"),
                                 file=self.stream, mininterval=self.every, dynamic_ncols=True, leave=True)
            else:
                self._bar = tqdm(file=self.stream, bar_format="{desc}", mininterval=self.every,
                                 dynamic_ncols=True, leave=True)
        return self._bar

    # --- a crawl -----------------------------------------------------------------------
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
        return f"{self.label}: " + " · ".join(parts)

    def update(self, counts: CrawlCounts, force: bool = False) -> None:
        if self.quiet:
            return
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        text = self.line(counts)
        if self.tty:
            bar = self._tqdm(counted=False)
            bar.set_description_str(text, refresh=False)
            bar.refresh()
        else:
            self.stream.write(text + "\n")
            self.stream.flush()

    # --- a batch of documents ------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        self.done += n
        if self.quiet or (self.total is not None and self.total <= 1):
            return
        if self.tty:
            self._tqdm(counted=True).update(n)
            return
        now = time.monotonic()
        if now - max(self._last, self.started) < self.every:      # short batches print nothing
            return
        self._last = now
        rate = self.done / max(now - self.started, 1e-9)
        of = f"/{self.total}" if self.total is not None else ""
        eta = f", ETA {_duration((self.total - self.done) / rate)}" if self.total and rate else ""
        self.stream.write(f"{self.label}: {self.done}{of} {self.unit}, {rate:.1f}/s{eta}\n")
        self.stream.flush()

    # --- both ----------------------------------------------------------------------------
    def message(self, text: str) -> None:
        """A one-off line (a warning, the final summary) — shown even when quiet."""
        if self._bar is not None:
            self._bar.clear()
            self.stream.write(text + "\n")
            self._bar.refresh()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self, counts: CrawlCounts | None = None) -> None:
        if self.quiet:
            return
        if counts is not None:
            self.update(counts, force=True)
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
