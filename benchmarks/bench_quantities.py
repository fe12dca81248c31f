"""How fast the quantities extractor runs: prints quantities/s and seconds per 10 kB.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/bench_quantities.py [TEXT_DIR]

TEXT_DIR defaults to ../shared/gold/dev.  The segmenter (underthesea POS) runs
once per document as in the pipeline and is timed apart from find_quantities.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from extractors.normalize import clean_text  # noqa: E402
from extractors.quantities import find_quantities  # noqa: E402
from extractors.segment import make_doc  # noqa: E402


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "gold" / "dev"
    files = sorted(folder.glob("*.txt"))
    if not files:
        print(f"no .txt files in {folder}", file=sys.stderr)
        return 2
    texts = [clean_text(p.read_text(encoding="utf-8")) for p in files]
    make_doc(texts[0])  # load the tagger once, as a long-running worker would
    seg_time = q_time = 0.0
    n_q = n_chars = 0
    for text in texts:
        t0 = time.perf_counter()
        doc = make_doc(text)
        t1 = time.perf_counter()
        qs, _ = find_quantities(text, doc)
        t2 = time.perf_counter()
        seg_time += t1 - t0
        q_time += t2 - t1
        n_q += len(qs)
        n_chars += len(text)
    per10k = 10_000 / n_chars
    print(f"documents: {len(texts)}, characters: {n_chars}, quantities: {n_q}")
    print(f"find_quantities: {q_time:.3f} s total, {n_q / q_time:.0f} quantities/s, "
          f"{q_time * per10k:.3f} s per 10 kB")
    print(f"segment (underthesea POS): {seg_time:.3f} s total, {seg_time * per10k:.3f} s per 10 kB")
    print(f"both: {(seg_time + q_time) * per10k:.3f} s per 10 kB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
