"""What the learned decisions cost: extraction per document with and without the models.

Prints CPU seconds per document (the process's own time, so other load on the
machine matters little) for the rules alone and for rules + models, on the
texts of the annotated corpus's dev split, interleaved and repeated.

    python benchmarks/bench_models.py [--repeat 4]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.extract import apply_models, check_models, rules_pass  # noqa: E402
from pipeline.evaluate import load_gold  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--manifest", default=str(ROOT / "annotations" / "splits.json"))
    args = ap.parse_args()
    check_models()
    texts = [g.text for g in load_gold(args.manifest, "dev")]
    rules_pass(texts[0])  # warm the tagger and lexicons
    rules_t = learned_t = 0.0
    for r in range(args.repeat):
        for text in texts:
            # the rules alone, and the rules with the quantity decision (``quantity_keep``, inside the
            # rules' pass: the records are made over the quantities it keeps) and the other models;
            # in turn first and second, so that neither gains from what the other left in a cache
            for learned in ((False, True) if r % 2 == 0 else (True, False)):
                t0 = time.process_time()
                if learned:
                    tokens, ex = rules_pass(text, quantity_model=True)
                    apply_models(text, tokens, ex)
                    learned_t += time.process_time() - t0
                else:
                    rules_pass(text)
                    rules_t += time.process_time() - t0
    models_t = learned_t - rules_t
    n = len(texts) * args.repeat
    print(f"documents: {len(texts)} (dev split) x {args.repeat}")
    print(f"rules alone          {1000 * rules_t / n:8.1f} ms CPU per document")
    print(f"models on top        {1000 * models_t / n:8.1f} ms CPU per document")
    print(f"extraction slower by {100 * models_t / rules_t:8.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
