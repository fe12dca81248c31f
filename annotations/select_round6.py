"""Round 6's selection: which upstream Phenikaa MDS articles were drawn for annotation (reproducible).

    python annotations/select_round6.py UPSTREAM_FOLDER

UPSTREAM_FOLDER is ``dataset/raw/News-mds/original`` of
Phenikaa-University/Vietnamese-News-Summarization at commit cc1106c (the commit
``../shared/data/vi-news/phenikaa-mds`` came from). Prints the drawn articles as
``Cluster_NNN__<k>`` (the shared folder's naming), in a seeded order, one per line.

Why these: the Dân trí corpus has little left with several figures (rounds 4
and 5 took it), while the unseen documents extraction is judged on are
provincial reports and national news; this corpus is national news, mostly
VnExpress 2022–24. The same exclusions as rounds 4 and 5: no article of
``../shared`` (compared by the ``Link:`` line, as the clusters repeat articles),
each article once, and none that passes (our re-count of) the filter the shared
subset was chosen by, since the few articles withdrawn from ``../shared`` for
evaluation elsewhere pass it (106 of the 109 shared articles pass the re-count).
"""
from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

from select_round4 import QUANTITY, passes_shared_filter

ROOT = Path(__file__).resolve().parents[1]
SHARED_INDEX = ROOT.parent / "shared" / "data" / "vi-news" / "phenikaa-mds" / "index.csv"
SEED = 20261213
MIN_QUANTITIES = 3
MAX_CHARS = 12000
_LINK = re.compile(r"^Link:\s*(\S+)", re.M)


def _link(text: str) -> str | None:
    m = _LINK.search(text)
    return m.group(1) if m else None


def candidates(upstream: Path) -> list[tuple[str, Path]]:
    """(Cluster_NNN__k, upstream file) of every article that may be drawn, in path order."""
    with SHARED_INDEX.open(encoding="utf-8") as f:
        seen = {row["url"] for row in csv.DictReader(f)}
    found = []
    files = sorted(upstream.glob("Cluster_*/original/*.txt"),
                   key=lambda p: (p.parent.parent.name, int(p.stem) if p.stem.isdigit() else 0, p.stem))
    for f in files:
        text = f.read_text(encoding="utf-8", errors="replace")
        link = _link(text)
        if link in seen:
            continue
        seen.add(link)
        if len(text) <= MAX_CHARS and len(QUANTITY.findall(text)) >= MIN_QUANTITIES \
                and not passes_shared_filter(text):
            found.append((f"{f.parent.parent.name}__{f.stem}", f))
    return found


def drawn(upstream: Path) -> list[tuple[str, Path]]:
    pool = candidates(upstream)
    random.Random(SEED).shuffle(pool)
    return pool


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python annotations/select_round6.py UPSTREAM_FOLDER", file=sys.stderr)
        return 2
    print("\n".join(doc_id for doc_id, _ in drawn(Path(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
