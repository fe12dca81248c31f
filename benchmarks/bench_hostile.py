"""A crawl of the hostile portal (tests/fixtures/hostile): peak memory, duration, what was refused.

One ``provnews crawl`` in a subprocess against a server with a 1 MB→1 GiB gzip
page, a gzipped sitemap bomb, a page dripping a byte a second, a token URL
space, random bytes, a lying charset and a robots.txt with a BOM.  Prints the
crawl's own peak RSS (VmHWM), how long it took with the given response time
limit (default: the packaged 120 s), the requests to robots-disallowed URLs
and the documents stored from the token space.  Nothing asserted.

    python benchmarks/bench_hostile.py [--max-response-seconds 120]
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import benchmarks._local_tests  # noqa: E402,F401  (before any tests.… import)

from tests.fixtures.hostile.server import PAGE_BOMB_PREFIX, SITEMAP_BOMB_PREFIX, HostileServer, gzip_bomb  # noqa: E402
from tests.test_hostile import crawl_measured  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-response-seconds", type=float, default=120.0)
    args = parser.parse_args()
    gzip_bomb(PAGE_BOMB_PREFIX), gzip_bomb(SITEMAP_BOMB_PREFIX)
    with HostileServer(robots="bom") as site, tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "crawl"
        run = crawl_measured(site.url, out, settings=f"max_response_seconds = {args.max_response_seconds}\n")
        paths = [r["path"] for r in site.requests]
        conn = sqlite3.connect(out / "corpus.sqlite")
        urls = [r[0] for r in conn.execute("SELECT url FROM documents")]
        conn.close()
        forbidden = [p for p in paths if p.startswith(("/rieng/", "/admin/", "/search/"))]
        print(f"exit {run['returncode']}, {run['seconds']:.1f} s with max_response_seconds={args.max_response_seconds:g}, "
              f"peak RSS {run['peak_rss'] / 2**20:.0f} MB")
        print(f"requests {len(paths)}, to robots-disallowed URLs {len(forbidden)}, "
              f"to the token space {sum(p.startswith('/phien/') for p in paths)}")
        print(f"documents {len(urls)}, from the token space {sum('/phien/' in u for u in urls)}, "
              f"articles of the portal stored {sum('/news/' in u for u in urls)} of {len(site.articles)}")
        print(f"warnings:\n  " + "\n  ".join(run["stderr"].strip().splitlines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
