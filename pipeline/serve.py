"""Browse a corpus store in Datasette (``provnews serve``, extra ``[serve]``).

Datasette opens the store read-only (``mode=ro``: the crawler may still be
writing through WAL) with ``datasette_metadata.json`` beside this module:
titles, column descriptions from the spec, facets, full-text search on the
documents and canned queries for the common questions, and charts of the
canned statistics (datasette-dashboards, Vega-Lite served by the plugin
itself): ``/-/dashboards/statistics``.

Example::

    provnews serve --corpus corpus/crawl --port 8001
    # then http://127.0.0.1:8001/corpus/record_rows?unit__contains=Chi+cục
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from pipeline.store import CorpusStore, StoreError, store_path

METADATA = Path(__file__).with_name("datasette_metadata.json")

# Article texts are long: cut table cells so pages stay readable (the row page shows all).
SETTINGS = {"truncate_cells_html": "300", "default_page_size": "50", "sql_time_limit_ms": "5000",
            "facet_time_limit_ms": "500"}


def metadata_for(db: Path, folder: Path) -> Path:
    """The metadata file for this store: Datasette names a database after its
    file's stem, and the packaged metadata is keyed ``corpus`` (DIR/corpus.sqlite)."""
    if db.stem == "corpus":
        return METADATA
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    metadata["databases"] = {db.stem: metadata["databases"]["corpus"]}
    for dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).values():
        for chart in dashboard.get("charts", {}).values():
            chart["db"] = db.stem
    path = folder / "metadata.json"
    path.write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
    return path


def datasette_args(db: Path, host: str, port: int, metadata: Path = METADATA) -> list[str]:
    """The ``datasette serve`` arguments for a store."""
    args = ["serve", str(db), "--metadata", str(metadata), "--host", host, "--port", str(port)]
    for name, value in SETTINGS.items():
        args += ["--setting", name, value]
    return args


def cli_serve(args) -> int:
    """``provnews serve [--corpus DIR] [--host H] [--port P]``: run Datasette until interrupted."""
    db = store_path(args.corpus)
    try:
        # Checks it is a store of a schema this provnews knows, without writing.
        CorpusStore(db, readonly=True).close()
    except StoreError as exc:
        print(f"provnews serve: {exc}", file=sys.stderr)
        return 2
    try:
        from datasette.cli import cli
    except ImportError:
        print("provnews serve: Datasette is not installed: pip install 'provnews[serve]'", file=sys.stderr)
        return 2
    print(f"provnews serve: {db} on http://{args.host}:{args.port}/{db.stem} (Ctrl-C to stop)", file=sys.stderr)
    try:
        with tempfile.TemporaryDirectory(prefix="provnews-serve-") as tmp:
            metadata = metadata_for(db, Path(tmp))
            cli.main(args=datasette_args(db, args.host, args.port, metadata), prog_name="provnews serve",
                     standalone_mode=False)
    except OSError as exc:
        print(f"provnews serve: cannot listen on {args.host}:{args.port} ({exc.strerror or exc})", file=sys.stderr)
        return 2
    except Exception as exc:  # click/uvicorn errors: one line, not a traceback
        print(f"provnews serve: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
