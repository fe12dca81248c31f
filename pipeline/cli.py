"""The ``provnews`` command: thin — parse options, call library functions.

Each command's options live in its ``_add_*`` function; the work is done in
the module it calls.  Nothing imports this module.
"""
from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never fetch models at run time

from pipeline import __version__  # noqa: E402

DEFAULT_CORPUS = "corpus/crawl"


def _call(module: str, function: str):
    """The command's handler, imported only when that command runs (fast --help, optional extras)."""
    def handler(args):
        import importlib

        return getattr(importlib.import_module(module), function)(args)
    return handler


def _crawl_options(p) -> None:
    """Options shared by ``crawl`` and ``run``."""
    p.add_argument("urls", nargs="+", help="seed URLs")
    p.add_argument("--out", default=DEFAULT_CORPUS, help=f"corpus folder (default {DEFAULT_CORPUS})")
    p.add_argument("--delay", type=float, default=None,
                   help="minimum seconds between requests to a host (default 1, or the settings file's delay)")
    p.add_argument("--max-pages", type=int, default=None, help="stop after this many fetches")
    p.add_argument("--allow-domain", action="append", default=[], help="also crawl this host")
    p.add_argument("--user-agent", default=None, help="User-Agent header")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    p.add_argument("--refresh-after", type=float, default=None, metavar="DAYS",
                   help="on a re-crawl, fetch again articles older than this many days (default: never; "
                        "listings, feeds, sitemaps are always revisited, and sitemap lastmod is followed)")


def _add_extract(sub):
    p = sub.add_parser(
        "extract", help="extract units, quantities and records from .txt/.html files or a corpus",
        description="Example: provnews extract corpus/samples --output outputs/samples.jsonl",
    )
    p.add_argument("paths", nargs="*", help=".txt or .html files, or folders of them; - reads one from stdin")
    p.add_argument("--output", "-o", help="JSONL file to write (default, or -: stdout)")
    p.add_argument("--corpus", help="extract the documents of a corpus folder not yet extracted")
    p.add_argument("--all", action="store_true", help="with --corpus: re-extract every document")
    p.add_argument("--workers", type=_workers, default=None,
                   help="processes to use (default: one per core of this machine; at most 8 per core)")
    p.add_argument("--restart", action="store_true",
                   help="with --output: extract everything again instead of going on from an interrupted run")
    p.add_argument("--engine", default="local", choices=["local", "dask"],
                   help="local processes, or Dask distributed (extra [dask])")
    p.add_argument("--scheduler", help="with --engine dask: address of an existing Dask scheduler")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    p.set_defaults(func=_call("pipeline.ingest", "cli_extract"))


def _add_export(sub):
    p = sub.add_parser(
        "export", help="export documents as json, jsonl, csv or parquet, or a corpus's archive as wacz",
        description="Example: provnews export outputs/samples.jsonl --format csv --output outputs/records.csv",
    )
    p.add_argument("source", help="a JSONL of documents (- for stdin), or a corpus folder")
    p.add_argument("--format", "-f", required=True, choices=["json", "jsonl", "csv", "parquet", "wacz"],
                   help="wacz: the corpus folder's WARCs, index and pages as one WACZ file")
    p.add_argument("--output", "-o", required=True, help="file to write (- for stdout)")
    p.add_argument("--table", default="records", choices=["records", "quantities", "units", "documents"],
                   help="which table for csv/parquet (default records)")
    p.add_argument("--no-bom", action="store_true", help="CSV without the UTF-8 BOM Excel needs")
    p.add_argument("--quiet", "-q", action="store_true", help="no summary line on stderr")
    p.set_defaults(func=_call("pipeline.export", "cli_export"))


def _add_eval(sub):
    p = sub.add_parser(
        "eval", help="score extraction against annotated gold documents (spec section 5)",
        description="Example: provnews eval ../shared/gold/dev --min-f1 quantities=0.97",
    )
    p.add_argument("gold_dir", help="folder of NAME.txt + NAME.gold.json (or gold JSON referring to texts), "
                                    "or a splits manifest such as annotations/splits.json")
    p.add_argument("--split", help="with a splits manifest: score only this split (train, dev, test)")
    p.add_argument("--rules-only", action="store_true",
                   help="score the rules' own decisions, without the learned models (for comparison)")
    p.add_argument("--predictions", help="JSONL of predicted documents, - for stdin (default: run the extractor)")
    p.add_argument("--json", action="store_true", help="print the scores as JSON")
    p.add_argument("--per-doc", action="store_true", help="also print scores per document")
    p.add_argument("--errors", action="store_true", help="list every missed and spurious mention")
    p.add_argument("--min-f1", default="", help="floors, e.g. units=0.9,quantities=0.97,records=0.85")
    p.add_argument("--baseline", choices=["underthesea-ner"], help="score a baseline's units instead")
    p.set_defaults(func=_call("pipeline.evaluate", "cli_eval"))


def _add_train(sub):
    p = sub.add_parser(
        "train", help="rebuild the learned models from the annotated corpus (deterministic)",
        description="Example: provnews train annotations/splits.json --out extractors/models",
    )
    p.add_argument("manifest", nargs="?", default="annotations/splits.json",
                   help="splits manifest of the annotated corpus (default annotations/splits.json)")
    p.add_argument("--out", default="extractors/models", help="folder for the model files")
    p.add_argument("--learning-curve", action="store_true",
                   help="train on 25/50/100/200/400/all training documents and score the dev split (writes nothing)")
    p.set_defaults(func=_call("pipeline.train", "cli_train"))


def _add_show(sub):
    p = sub.add_parser(
        "show", help="show a document with its units, quantities and records highlighted",
        description="Example: provnews show corpus/samples/khcn.txt --html outputs/khcn.html",
    )
    p.add_argument("file", help="a .txt/.html file, or a JSONL of extracted documents; - reads stdin")
    p.add_argument("--html", help="write displaCy-style HTML to this file (- for stdout)")
    p.set_defaults(func=_call("pipeline.show", "cli_show"))


def _add_crawl(sub):
    p = sub.add_parser(
        "crawl", help="crawl sites politely into WARC files and the corpus store",
        description="Example: provnews crawl https://khcn.example.gov.vn/ --out corpus/crawl --delay 1",
    )
    _crawl_options(p)
    p.set_defaults(func=_call("pipeline.crawl", "cli_crawl"))


def _add_run(sub):
    p = sub.add_parser(
        "run", help="crawl, extract and export in one go",
        description="Example: provnews run http://127.0.0.1:8000/ --out corpus/crawl",
    )
    _crawl_options(p)
    p.add_argument("--outputs", default="outputs", help="folder for the exports (default outputs)")
    p.set_defaults(func=_call("pipeline.run", "cli_run"))


def _add_query(sub):
    p = sub.add_parser(
        "query", help="run a read-only SQL query on the corpus store",
        description='Example: provnews query "SELECT unit, count(*) FROM records GROUP BY unit"',
    )
    p.add_argument("sql")
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--format", default="table", choices=["table", "csv", "json"])
    p.add_argument("--timeout", type=_seconds, default=5.0,
                   help="stop the query after this many seconds (default 5; 0: no limit)")
    p.set_defaults(func=_call("pipeline.query", "cli_query"))


def _add_stats(sub):
    p = sub.add_parser(
        "stats", help="counts and sums of records grouped by fields",
        description="Example: provnews stats --by province,year --where unit_of_measure=cơ sở",
    )
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--by", default="unit",
                   help="comma-separated: unit, activity, unit_of_measure, base_unit, year (the record's "
                        "period year, else the publication year), published_year, period_text, source, item, "
                        "dimension, qualifier, location, doc_id, quarter, month (when the period says it), "
                        "province, province_2025 (since the 1 July 2025 merger), province_code, "
                        "province_2025_code, province_basis, fact_group")
    p.add_argument("--where", action="append", default=[],
                   help="filter, repeatable: F=V (equals; F= means empty), F!=V, F~text (contains)")
    p.add_argument("--count-restated", action="store_true",
                   help="also count headline figures that the body states again (left out by default)")
    p.add_argument("--count-duplicates", action="store_true",
                   help="count a fact each time a document states it (by default a fact that several "
                        "documents state, e.g. a republished article, is counted once)")
    p.add_argument("--search", help="only documents matching these words (full-text)")
    p.add_argument("--format", default="table", choices=["table", "csv", "json"])
    p.set_defaults(func=_call("pipeline.query", "cli_stats"))


def _add_schema(sub):
    p = sub.add_parser(
        "schema", help="print the JSON Schema of a document (the record model), as shipped in the package",
        description="Example: provnews schema > record.schema.json",
    )
    p.add_argument("--path", action="store_true", help="print where the packaged schema file is instead")
    p.set_defaults(func=_call("pipeline.records", "cli_schema"))


def _add_serve(sub):
    p = sub.add_parser(
        "serve", help="browse the corpus in Datasette (extra [serve])",
        description="Example: provnews serve --corpus corpus/crawl --port 8001",
    )
    p.add_argument("--corpus", default=DEFAULT_CORPUS)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8001)
    p.set_defaults(func=_call("pipeline.serve", "cli_serve"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="provnews",
        description="Crawl, archive and extract statistics from Vietnamese provincial news.",
    )
    parser.add_argument("--version", action="version", version=f"provnews {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_crawl, _add_extract, _add_export, _add_run, _add_eval, _add_train, _add_show,
                _add_query, _add_stats, _add_serve, _add_schema):
        add(sub)
    return parser


# Commands that run the learned extraction: their model files are checked before any work starts.
_NEEDS_MODELS = frozenset(["extract", "run", "eval", "show"])


def _seconds(value: str) -> float:
    """A time limit: a finite number of seconds, 0 or more."""
    import math

    try:
        n = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(n) or n < 0:
        raise argparse.ArgumentTypeError(f"{value} is not a finite number of seconds, 0 or more (0: no limit)")
    return n


def _workers(value: str) -> int:
    """A worker count: 1 to 8 per core (more only multiplies processes that wait for a core)."""
    most = 8 * (os.cpu_count() or 1)
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if not 1 <= n <= most:
        raise argparse.ArgumentTypeError(f"{n} is not between 1 and {most} (8 per core of this machine)")
    return n


def _failure(args, exc: BaseException) -> str:
    """One line for a failure no command reported itself: where (the file the error names, else the
    path the command was given) and why."""
    import sqlite3

    if isinstance(exc, OSError) and exc.filename is not None:
        return f"{exc.filename}: {exc.strerror or exc}"
    where = next((str(v) for k in ("corpus", "source", "out", "manifest", "gold", "output")
                  if isinstance(v := getattr(args, k, None), (str, os.PathLike)) and str(v) != "-"), "")
    if isinstance(exc, OSError):
        why = exc.strerror or str(exc)
    elif isinstance(exc, sqlite3.Error):
        why = f"the corpus store cannot be read ({exc})"
    elif type(exc).__module__.split(".")[0] in ("pipeline", "extractors"):
        why = str(exc)  # the project's own errors say what is wrong
    else:
        why = f"{type(exc).__name__}: {exc} (PROVNEWS_DEBUG=1 shows where)"
    return f"{where}: {why}" if where and where not in why else why


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command in _NEEDS_MODELS and not getattr(args, "predictions", None) \
                and not getattr(args, "baseline", None) and not getattr(args, "rules_only", False):
            from extractors.model_files import ModelError
            from extractors.extract import check_models

            try:
                check_models()
            except ModelError as exc:
                print(f"provnews {args.command}: {exc}", file=sys.stderr)
                return 2
        status = args.func(args)
    except KeyboardInterrupt:
        print("provnews: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the last net: one line, never a traceback (rule of the CLI)
        if os.environ.get("PROVNEWS_DEBUG"):
            raise
        print(f"provnews {args.command}: {_failure(args, exc)}".replace("\n", " "), file=sys.stderr)
        return 1
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
