"""``provnews run URL...``: crawl → extract → export, then a summary.

Each step is its own module's function; this only chains them and reports.
The crawl resumes like ``provnews crawl``; extraction takes only the documents
not yet extracted; the exports are rewritten from the whole store.
"""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.crawl import crawl_from_args


def cli_run(args) -> int:
    from pipeline.ingest import output_problem

    # the exports' folder is checked before the crawl, not found unusable after it
    outputs = Path(args.outputs)
    if outputs.exists() and not outputs.is_dir():
        print(f"provnews run: {outputs}: --outputs must be a folder, and this is a file", file=sys.stderr)
        return 2
    if problem := output_problem(outputs / "documents.jsonl"):
        print(f"provnews run: {outputs}: {problem}", file=sys.stderr)
        return 2
    status, result = crawl_from_args(args, "run")
    if status != 0 or result is None:
        return status
    if result.documents == 0:
        print(f"provnews run: no documents in {result.store_path}; nothing to extract", file=sys.stderr)
        return 1

    from pipeline.export import export_corpus
    from pipeline.ingest import extract_corpus

    counts = extract_corpus(args.out, quiet=getattr(args, "quiet", False))
    outputs = export_corpus(args.out, args.outputs)
    print(f"documents: {result.documents} ({counts.documents} extracted now"
          + (f", {counts.failed} failed" if counts.failed else "") + ")")
    print(f"units: {counts.units}  quantities: {counts.quantities}  records: {counts.records}"
          "  (extracted in this run)")
    print(f"archive: {result.warc_dir}")
    print(f"store: {result.store_path}")
    for path in outputs:
        print(f"output: {Path(path)}")
    return 1 if counts.failed else 0
