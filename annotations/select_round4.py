"""Round 4's selection: which upstream UNC articles were drawn for annotation (reproducible).

    python annotations/select_round4.py UPSTREAM_FOLDER

UPSTREAM_FOLDER is `resources/CP_Vietnamese-UNC/datasets/CP_Vietnamese-UNC` of
undertheseanlp/resources at commit cbdb3c3 (the commit ../shared's unc-dantri
subset came from). Prints the drawn doc ids with their wave, one per line:
wave 1 is a seeded draw of 112, wave 2 every other candidate in a seeded order,
waves 3 and 4 the candidates of wider rules in a seeded order (annotated from
the top as far as time allowed). The texts kept in
`annotations/texts/unc-dantri/` are the annotated ones.

Why these: every article ../shared/data/vi-news holds is annotated, and the
dev split's learning curve still rises with more training documents. The
shared subset was chosen by rough counts of quantities and of government
names; a few of the articles that passed that filter were withdrawn from
../shared and are kept elsewhere for evaluation, so no article that passes
(our re-count of) that filter is drawn: only articles that fall below it.
Of the 272 shared articles, 262 pass the re-count, so a withdrawn article has
little chance to slip through.
"""
from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_INDEX = ROOT.parent / "shared" / "data" / "vi-news" / "unc-dantri" / "index.csv"
SEED = 20261208
DRAWN = 112
# the second wave: every candidate the first draw left, in a seeded order
SECOND_SEED = 20261209
# the third wave, once the first two were done: the same categories down to two rough
# quantity mentions; the fourth: tech and science articles by that rule. Each in a seeded order
THIRD_SEED = 20261210
FOURTH_SEED = 20261211
WIDER_MIN_QUANTITIES = 2
MAX_CHARS = 7000
MIN_QUANTITIES = 3
# the categories nearest to provincial reporting (no tech, science, entertainment, world, sport)
CATEGORIES = ("business", "health", "education", "society", "travel")
MORE_CATEGORIES = ("tech", "science")

_UOM = (r"(ha|tấn|tạ/ha|tạ|kg|tỷ đồng|triệu đồng|tỷ|triệu|%|hộ|lượt|cơ sở|người|m2|m²|km|con|HTX|USD|"
        r"ca|học sinh|đồng|trường|xã|bệnh nhân|doanh nghiệp|lớp|sinh viên|cây|m3|lít|chiếc|căn|nhà|dự án)")
QUANTITY = re.compile(r"\d[\d.,]*\s*" + _UOM + r"(?![\wÀ-ỹ])")
GOVERNMENT = re.compile(r"\b(UBND|HĐND|Sở [A-ZĐÀ-Ỹ]|Chi cục|Trung tâm [A-ZĐÀ-Ỹ]|Phòng [A-ZĐÀ-Ỹ]|Cục [A-ZĐÀ-Ỹ]|"
                        r"Bộ [A-ZĐÀ-Ỹ]|tỉnh [A-ZĐÀ-Ỹ]|huyện [A-ZĐÀ-Ỹ]|thành phố [A-ZĐÀ-Ỹ]|TP\.? ?[A-ZĐÀ-Ỹ])")


def passes_shared_filter(text: str) -> bool:
    q, g = len(QUANTITY.findall(text)), len(GOVERNMENT.findall(text))
    return (q >= 5 and g >= 2) or (q >= 3 and g >= 5)


def candidates(upstream: Path, categories=CATEGORIES, min_quantities=MIN_QUANTITIES) -> list[str]:
    shared = {row["doc_id"] for row in csv.DictReader(SHARED_INDEX.open(encoding="utf-8"))}
    found = []
    for f in sorted(upstream.glob("news_*.txt")):
        text = f.read_text(encoding="utf-8")
        if (f.stem.split("_")[1] in categories and f.stem not in shared and len(text) <= MAX_CHARS
                and len(QUANTITY.findall(text)) >= min_quantities and not passes_shared_filter(text)):
            found.append(f.stem)
    return found


def drawn(upstream: Path) -> tuple[list[str], ...]:
    """The first wave (sorted), then the later waves in the order they were annotated."""
    pool = candidates(upstream)
    first = sorted(random.Random(SEED).sample(pool, DRAWN))
    second = [c for c in pool if c not in set(first)]
    random.Random(SECOND_SEED).shuffle(second)
    third = [c for c in candidates(upstream, CATEGORIES, WIDER_MIN_QUANTITIES) if c not in set(pool)]
    random.Random(THIRD_SEED).shuffle(third)
    fourth = candidates(upstream, MORE_CATEGORIES, WIDER_MIN_QUANTITIES)
    random.Random(FOURTH_SEED).shuffle(fourth)
    return first, second, third, fourth


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print("usage: python annotations/select_round4.py UPSTREAM_FOLDER", file=sys.stderr)
        return 2
    waves = drawn(Path(argv[0]))
    print("\n".join(f"{doc_id}\t{wave}" for wave, ids in enumerate(waves, 1) for doc_id in ids))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
