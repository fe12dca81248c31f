"""Article body extraction on the Zyte/Scrapinghub article-extraction benchmark.

Runs, side by side on the same pages in one run:

* ``trafilatura``: ``trafilatura.extract(html, url=...)`` with default settings;
* ``provnews``: ``pipeline.article.parse_page(html, url).body``, i.e. our
  ``text`` without its title line. The benchmark's ``articleBody`` never
  contains the headline, so scoring the title too would count it as noise.

Metric (the benchmark's own ``evaluate.py``, reimplemented): tokens are the
matches of ``\\w+``; per page, the multisets of word 4-gram shingles of truth
and prediction give TP/FP/FN, normalised by their sum so that long pages do
not weigh more; precision and recall are means over pages (a page enters the
precision mean only if it predicted something, the recall mean only if it
has truth); F1 is the harmonic mean of those two means.

Usage::

    python benchmarks/article_benchmark.py [--limit N] [--data PATH]

The data is ``../shared/data/article-extraction-benchmark`` (181 gzip HTML
pages + ``ground-truth.json``). Prints a table; exits 1 when ours scores an
F1 below trafilatura's, 0 with a SKIPPED note when the data is absent.
"""
from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
import re

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "article-extraction-benchmark"

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str | None, n: int = SHINGLE) -> Counter:
    """Multiset of word n-grams; a text shorter than n words is one shingle (or none if empty)."""
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens[i:i + n])


def page_scores(truth: str | None, prediction: str | None) -> tuple[float, float, float]:
    """(TP, FP, FN) of one page, normalised by their sum (all 0 when both are empty)."""
    expected, predicted = shingles(truth), shingles(prediction)
    tp = fp = fn = 0
    for key in expected.keys() | predicted.keys():
        e, p = expected.get(key, 0), predicted.get(key, 0)
        tp += min(e, p)
        fp += max(0, p - e)
        fn += max(0, e - p)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def aggregate(per_page: Iterable[tuple[float, float, float]]) -> dict[str, float]:
    """Precision and recall as means over pages, F1 as the harmonic mean of those means."""
    per_page = list(per_page)
    precisions = [_precision(*s) for s in per_page if s[0] + s[1] > 0]
    recalls = [_recall(*s) for s in per_page if s[0] + s[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def load_benchmark(data: Path, limit: int | None = None) -> list[tuple[str, str, str, str]]:
    """(id, url, html, articleBody) of the pages, in id order, the first ``limit`` ones."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        with gzip.open(data / "html" / f"{page_id}.html.gz", "rt", encoding="utf-8") as fh:
            html = fh.read()
        pages.append((page_id, truth[page_id].get("url") or "", html, truth[page_id].get("articleBody") or ""))
    return pages


def trafilatura_body(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def provnews_body(html: str, url: str) -> str:
    from pipeline.article import parse_page

    return parse_page(html, url).body


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "trafilatura": trafilatura_body,
    "provnews": provnews_body,
}


def run(pages, extractors: dict[str, Callable[[str, str], str]] = EXTRACTORS) -> dict[str, dict]:
    """Score every extractor on the pages: {name: {precision, recall, f1, pages, seconds}}."""
    results = {}
    for name, extract in extractors.items():
        started = time.perf_counter()
        per_page = [page_scores(truth, extract(html, url)) for _, url, html, truth in pages]
        seconds = time.perf_counter() - started
        results[name] = {**aggregate(per_page), "pages": len(pages), "seconds": seconds}
    return results


def format_table(results: dict[str, dict]) -> str:
    lines = [f"{'extractor':<12} {'precision':>9} {'recall':>7} {'F1':>7} {'pages':>6} {'seconds':>8}"]
    for name, r in results.items():
        lines.append(f"{name:<12} {r['precision']:>9.4f} {r['recall']:>7.4f} {r['f1']:>7.4f} "
                     f"{r['pages']:>6d} {r['seconds']:>8.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: python benchmarks/article_benchmark.py --limit 20")
    parser.add_argument("--limit", type=int, help="only the first N pages (by id)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="benchmark folder (default: %(default)s)")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").is_file():
        # Not a failure of ours: ../shared is only beside the checkout on dev machines and CI.
        print(f"article_benchmark: SKIPPED, {args.data}: no ground-truth.json (benchmark data missing)",
              file=sys.stderr)
        return 0
    warnings.filterwarnings("ignore")
    pages = load_benchmark(args.data, args.limit)
    results = run(pages)
    print(format_table(results))
    if results["provnews"]["f1"] < results["trafilatura"]["f1"]:
        print("article_benchmark: provnews F1 is below trafilatura alone", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
