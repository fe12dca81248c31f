"""Crawl speed on the demo portal, and politeness across several hosts.

1. One portal with ``Crawl-delay: 0``: a first crawl, then a re-crawl
   (conditional requests) — the crawler's own cost per request.
2. ``--hosts`` portals on 127.0.0.1 (each port is a host), each with
   ``Crawl-delay: --polite-delay``, crawled together: requests/s against the
   politeness bound (one request per host per delay, hosts in parallel).

Prints numbers; asserts nothing (timings belong here, not in tests).

    python benchmarks/bench_crawl.py [--crawl-delay 0] [--hosts 8] [--polite-delay 0.5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import benchmarks._local_tests  # noqa: E402,F401  (before any tests.… import)

from pipeline.crawl import crawl  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from tests.fixtures.portal.server import PortalServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawl-delay", type=float, default=0.0)
    parser.add_argument("--hosts", type=int, default=8, help="portals crawled together (0: skip)")
    parser.add_argument("--polite-delay", type=float, default=0.5, help="their Crawl-delay (default 0.5)")
    args = parser.parse_args()
    settings = Settings(delay=0, quiet=True)
    with PortalServer(crawl_delay=args.crawl_delay) as portal, tempfile.TemporaryDirectory() as tmp:
        for label in ("first crawl", "re-crawl"):
            start = len(portal.requests)
            t0 = time.perf_counter()
            result = crawl([portal.url], tmp, settings)
            seconds = time.perf_counter() - t0
            requests = len(portal.requests) - start
            warc_bytes = sum(p.stat().st_size for p in Path(tmp, "warcs").glob("*.warc.gz"))
            print(f"{label:12s} {seconds:6.2f} s  {requests:3d} requests  {requests / seconds:6.1f} req/s  "
                  f"stored {result.counts.stored:2d}  unchanged {result.counts.revisits:2d}  "
                  f"documents {result.documents}  WARC {warc_bytes / 1024:.0f} KiB")
    if args.hosts:
        polite(args.hosts, args.polite_delay)
    return 0


def polite(hosts: int, delay: float) -> None:
    """Hosts in parallel, each at most one request per ``delay``: how close to the bound."""
    portals = [PortalServer(crawl_delay=delay).start() for _ in range(hosts)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            crawl([p.url for p in portals], tmp, Settings(delay=0, quiet=True, max_workers=hosts))
            seconds = time.perf_counter() - t0
        per_host = [len(p.requests) for p in portals]
        requests = sum(per_host)
        # each host's first request goes at once, then one per delay
        bound_seconds = max((n - 1) * delay for n in per_host)
        bound_rate = requests / bound_seconds if bound_seconds else float("inf")
        gaps = []
        for p in portals:
            times = sorted(r["time"] for r in p.requests)
            gaps += [b - a for a, b in zip(times, times[1:])]
        print(f"{hosts} hosts, Crawl-delay {delay}: {requests} requests in {seconds:.2f} s = "
              f"{requests / seconds:.1f} req/s; politeness bound {bound_rate:.1f} req/s "
              f"({bound_seconds:.2f} s) → {bound_seconds / seconds:.2f} of the bound; "
              f"shortest gap between two requests to one host {min(gaps):.3f} s")
    finally:
        for p in portals:
            p.stop()


if __name__ == "__main__":
    sys.exit(main())
