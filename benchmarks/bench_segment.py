"""Speed of the NLP stage: syllables per second of make_doc, and full extract() time per article.

    python benchmarks/bench_segment.py [FILE.txt ...]

Prints numbers only (no assertions): the target is a 10 kB article extracted
well under 2 s on one core.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.extract import extract  # noqa: E402
from extractors.normalize import clean_text  # noqa: E402
from extractors.segment import make_doc  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "gold" / "dev"


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted(DEFAULT.glob("*.txt"))
    if not files:
        print("no input files", file=sys.stderr)
        return 2
    texts = [clean_text(f.read_text(encoding="utf-8")) for f in files]
    make_doc("Khởi động bộ tách từ.")  # load the models once, outside the timing
    syll = sum(len(t.split()) for t in texts)
    t0 = time.perf_counter()
    for t in texts:
        make_doc(t)
    seg = time.perf_counter() - t0
    print(f"make_doc: {syll} syllables in {seg:.2f} s = {syll / seg:,.0f} syllables/s")
    for f, t in zip(files, texts):
        t0 = time.perf_counter()
        ex = extract(t)
        dt = time.perf_counter() - t0
        print(f"extract {f.name:32} {len(t.encode()) / 1024:5.1f} kB {dt:5.2f} s  "
              f"units={len(ex.units)} quantities={len(ex.quantities)} records={len(ex.records)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
