"""Crawl speed on the demo portal: a first crawl, then a re-crawl (conditional requests).

Prints numbers; asserts nothing (timings belong here, not in tests).  The
portal's Crawl-delay is set to 0 so that the crawler's own cost shows
(``--crawl-delay`` to see politeness instead).

    python benchmarks/bench_crawl.py [--crawl-delay 0]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.crawl import crawl  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from tests.fixtures.portal.server import PortalServer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crawl-delay", type=float, default=0.0)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
