"""A re-crawl of a portal that sends no ETag / Last-Modified (as many provincial CMSs do).

Crawls the demo portal (served without validators) once, then again with the
default revisit policy, then with ``--refresh-after 0`` (every article due):
prints requests made, response bytes sent by the server, and articles fetched
again.  Numbers only; nothing asserted.

    python benchmarks/bench_recrawl.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import benchmarks._local_tests  # noqa: E402,F401  (before any tests.… import)

from pipeline.crawl import crawl  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from tests.fixtures.hostile.server import HostileServer  # noqa: E402
from tests.fixtures.portal.server import article_path  # noqa: E402


def main() -> int:
    with HostileServer(robots="plain", validators=False, hostile_links=False) as site, \
            tempfile.TemporaryDirectory() as tmp:
        articles = {article_path(a) for a in site.articles}
        runs = [("first crawl", Settings(delay=0, quiet=True)),
                ("re-crawl (default policy)", Settings(delay=0, quiet=True)),
                ("re-crawl --refresh-after 0", Settings(delay=0, quiet=True, refresh_after=0))]
        print(f"portal without validators: {len(articles)} articles")
        for label, settings in runs:
            start, sent = len(site.requests), site.portal.bytes_sent
            t0 = time.perf_counter()
            result = crawl([site.url], tmp, settings)
            seconds = time.perf_counter() - t0
            made = site.requests[start:]
            refetched = sum(1 for r in made if r["path"].split("?")[0] in articles)
            print(f"{label:28s} {seconds:6.2f} s  {len(made):3d} requests  "
                  f"{(site.portal.bytes_sent - sent) / 1024:8.0f} KiB sent  articles fetched {refetched:2d}  "
                  f"documents {result.documents}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
