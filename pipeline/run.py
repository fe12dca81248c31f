"""``provnews run URL...``: crawl → extract → export, then a summary.

Each step is its own module's function; this only chains them and reports.
The crawl resumes like ``provnews crawl``; extraction takes only the documents
not yet extracted; the exports are rewritten from the whole store.
"""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.crawl import CrawlError, check_seed, crawl, summary_line
from pipeline.progress import Progress
from pipeline.settings import Settings


def cli_run(args) -> int:
    try:
        settings = Settings.load(args)
        seeds = [check_seed(u) for u in args.urls]
    except (CrawlError, ValueError) as exc:
        print(f"provnews run: {exc}", file=sys.stderr)
        return 2
    progress = Progress(quiet=settings.quiet)
    try:
        result = crawl(seeds, args.out, settings, progress)
    except CrawlError as exc:
        print(f"provnews run: {exc}", file=sys.stderr)
        return 2
    for error in result.seed_errors:
        print(f"provnews run: {error}", file=sys.stderr)
    if not settings.quiet:
        print(summary_line(result), file=sys.stderr)
    if result.state == "interrupted":
        print("provnews run: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    if result.documents == 0:
        print(f"provnews run: no documents in {result.store_path}; nothing to extract", file=sys.stderr)
        return 1

    from pipeline.export import export_corpus     # the lead's modules
    from pipeline.ingest import extract_corpus

    counts = extract_corpus(args.out)
    outputs = export_corpus(args.out, args.outputs)
    print(f"documents: {result.documents} ({getattr(counts, 'documents', 0)} extracted now"
          + (f", {counts.failed} failed" if getattr(counts, "failed", 0) else "") + ")")
    print(f"units: {getattr(counts, 'units', 0)}  quantities: {getattr(counts, 'quantities', 0)}  "
          f"records: {getattr(counts, 'records', 0)}  (extracted in this run)")
    print(f"archive: {result.warc_dir}")
    print(f"store: {result.store_path}")
    for path in outputs:
        print(f"output: {Path(path)}")
    return 1 if getattr(counts, "failed", 0) else 0
