"""The NLP stage on one core, side by side with underthesea on the same texts.

    python benchmarks/bench_extract.py [--docs 120] [--data DIR]

On the same real articles (``../shared/data/vi-news``, every k-th one), in
this one process, one after the other:

* ``word_tokenize``: underthesea's segmenter, line by line;
* ``pos_tag``: underthesea's POS tagger (default model, Python featurizer), line by line;
* ``extract``: provnews' whole NLP stage (``extractors.extract.extract``).

Then where ``extract``'s time goes, stage by stage (word segmentation, POS
features + CRF, the rest of ``make_doc``, quantities, units, records, the
learned decisions), and the
project's own code (everything but segmentation and POS) against
``word_tokenize``.  Prints numbers; asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "vi-news"


def load_texts(data: Path, n: int) -> list[str]:
    from extractors.normalize import clean_text

    files = sorted(data.glob("*/articles/*.txt"))
    step = max(len(files) // n, 1)
    return [clean_text(f.read_text(encoding="utf-8")) for f in files[::step][:n]]


class StageClock:
    """Wraps module functions to add up the time spent inside them (outermost call only)."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self._depth: dict[str, int] = defaultdict(int)
        self.paused = False

    def wrap(self, module, name: str, stage: str) -> None:
        fn = getattr(module, name)

        def timed(*args, **kwargs):
            self._depth[stage] += 1
            t0 = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                self._depth[stage] -= 1
                if not self._depth[stage] and not self.paused:
                    self.seconds[stage] += time.process_time() - t0
        setattr(module, name, timed)


def per_line(fn, texts: list[str]) -> float:
    t0 = time.process_time()
    for text in texts:
        for line in text.split("\n"):
            if line.strip():
                fn(line)
    return time.process_time() - t0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=120, help="articles to use (default 120)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--no-pos-tag", action="store_true", help="skip underthesea's pos_tag (the slow one)")
    args = parser.parse_args()
    if not args.data.exists():
        print(f"SKIPPED: {args.data} not present")
        return 0
    import underthesea

    from extractors import extract as extract_module, postag, quantities, quantity_keep, records, segment, units

    texts = load_texts(args.data, args.docs)
    kb = sum(len(t.encode()) for t in texts) / 1024
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} articles, {kb:.0f} kB, {words} syllables; one process, CPU seconds")
    extract_module.extract("Sở Y tế đã kiểm tra 29 cơ sở.")  # load every model outside the timings
    underthesea.pos_tag("Sở Y tế đã kiểm tra 29 cơ sở.")

    clock = StageClock()
    clock.wrap(underthesea, "word_tokenize", "word segmentation (CRF)")
    clock.wrap(postag, "word_tokenize", "word segmentation (CRF)")
    clock.wrap(postag.RustPosTagger, "tag_words", "POS (CRF)")
    clock.wrap(segment, "make_token_doc", "make_doc")
    clock.wrap(quantities, "find_quantities", "find_quantities")
    clock.wrap(units, "find_units", "find_units")
    clock.wrap(records, "attribute", "records.attribute")
    learned = "learned decisions (counted nouns, unit names, attribution, activities)"
    clock.wrap(extract_module, "apply_models", learned)
    which = "learned decision: which numbers are quantities"
    clock.wrap(quantity_keep, "decided", which)
    # one document at a time through each, interleaved, so that load from other
    # processes falls on all three alike; CPU time of this process only
    wt = pt = ex = 0.0
    for text in texts:
        clock.paused = True
        wt += per_line(underthesea.word_tokenize, [text])
        if not args.no_pos_tag:
            pt += per_line(underthesea.pos_tag, [text])
        clock.paused = False
        t0 = time.process_time()
        extract_module.extract(text)
        ex += time.process_time() - t0

    n = len(texts)
    print()
    print(f"{'':28s} {'CPU s':>8s} {'ms/doc':>8s} {'× word_tokenize':>16s}")
    for label, sec in (("word_tokenize (per line)", wt), ("pos_tag (per line)", pt), ("extract", ex)):
        if sec:
            print(f"{label:28s} {sec:8.2f} {1000 * sec / n:8.1f} {sec / wt:16.2f}")
    s = clock.seconds
    seg = s["word segmentation (CRF)"]
    pos = s["POS (CRF)"]
    stages = {
        "word segmentation (CRF)": seg,
        "POS (CRF)": pos,
        "make_doc (sentences, alignment, token rows)": s["make_doc"] - seg - pos,
        "find_quantities": s["find_quantities"],
        "find_units": s["find_units"],
        "records.attribute": s["records.attribute"],
        which: s[which],
        learned: s[learned],
    }
    stages["other (normalize check, glue)"] = ex - sum(stages.values())
    print()
    print(f"{'extract, stage by stage':48s} {'share':>6s} {'ms/doc':>8s}")
    for label, sec in stages.items():
        print(f"{label:48s} {100 * sec / ex:5.1f}% {1000 * sec / n:8.1f}")
    own = ex - seg - pos
    print()
    print(f"extract / word_tokenize            {ex / wt:5.2f}   (goal <= 2.0, 1.5 better)")
    print(f"segmentation + POS / word_tokenize {(seg + pos) / wt:5.2f}")
    print(f"project's own code / word_tokenize {own / wt:5.2f}   (goal <= 0.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
