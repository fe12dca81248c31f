"""Round 5's selection: which upstream UNC articles were drawn for annotation (reproducible).

    python annotations/select_round5.py UPSTREAM_FOLDER

UPSTREAM_FOLDER as for ``select_round4.py`` (undertheseanlp/resources at commit
cbdb3c3). Prints the drawn doc ids in the order they were handed to annotators,
one per line; the texts kept in ``annotations/texts/unc-dantri/`` are the
annotated ones (annotated from the top as far as time allowed).

Why these: round 4 took every article of the categories nearest to provincial
reporting with two or more rough quantity mentions, and the learning curve
still rises. What is left with several figures an article is mostly world news
(foreign governments, companies and agencies: casualties, money, trade) and
entertainment, plus longer articles of every category. The same exclusions
hold: no article of ``../shared``, none annotated before, and none that passes
the filter ``../shared``'s subset was chosen by (articles withdrawn from
``../shared`` for evaluation elsewhere pass it). Sport is left out: its
figures are mostly scores and rankings that provincial reports never hold.
"""
from __future__ import annotations

import random
import sys
from pathlib import Path

from select_round4 import QUANTITY, SHARED_INDEX, passes_shared_filter

ROOT = Path(__file__).resolve().parents[1]
ANNOTATED = ROOT / "annotations" / "texts" / "unc-dantri" / "index.csv"
SEED = 20261212
MIN_QUANTITIES = 3
MAX_CHARS = 12000
SKIPPED_CATEGORIES = ("sport",)


def _ids(index: Path) -> set[str]:
    import csv

    with index.open(encoding="utf-8") as f:
        return {Path(row.get("doc_id") or row["file"]).stem for row in csv.DictReader(f)}


def candidates(upstream: Path) -> list[str]:
    taken = _ids(SHARED_INDEX) | _ids(ANNOTATED)
    found = []
    for f in sorted(upstream.glob("news_*.txt")):
        if f.stem in taken or f.stem.split("_")[1] in SKIPPED_CATEGORIES:
            continue
        text = f.read_text(encoding="utf-8")
        if len(text) <= MAX_CHARS and len(QUANTITY.findall(text)) >= MIN_QUANTITIES \
                and not passes_shared_filter(text):
            found.append(f.stem)
    return found


def drawn(upstream: Path) -> list[str]:
    pool = candidates(upstream)
    random.Random(SEED).shuffle(pool)
    return pool


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python annotations/select_round5.py UPSTREAM_FOLDER", file=sys.stderr)
        return 2
    print("\n".join(drawn(Path(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
