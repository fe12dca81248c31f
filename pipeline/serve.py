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
import socket
import sys
from pathlib import Path

from pipeline.store import CorpusStore, StoreError, store_path

METADATA = Path(__file__).with_name("datasette_metadata.json")

# Article texts are long: cut table cells so pages stay readable (the row page shows all).
SETTINGS = {"truncate_cells_html": 300, "default_page_size": 50, "sql_time_limit_ms": 5000,
            "facet_time_limit_ms": 500}


def metadata_for(db: Path) -> dict:
    """Datasette's metadata for this store: Datasette names a database after its file's stem,
    and the packaged metadata is keyed ``corpus`` (DIR/corpus.sqlite)."""
    metadata = json.loads(METADATA.read_text(encoding="utf-8"))
    if db.stem != "corpus":
        metadata["databases"] = {db.stem: metadata["databases"]["corpus"]}
        for dashboard in metadata.get("plugins", {}).get("datasette-dashboards", {}).values():
            for chart in dashboard.get("charts", {}).values():
                chart["db"] = db.stem
    return metadata


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port, before anything announces that address (OSError if it cannot be).

    ``datasette serve`` binds only after its startup, so a busy port failed after the address was
    printed; the server is handed this socket instead.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # as uvicorn binds: a server restarted at once must not wait for the old one's TIME_WAIT
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def run_datasette(db: Path, sock: socket.socket, metadata: dict) -> None:
    """Datasette over ``db`` on the bound ``sock`` until Ctrl-C, as ``datasette serve`` runs it."""
    import asyncio

    import uvicorn
    from datasette.app import Datasette

    from pipeline import serve_errors

    ds = Datasette([str(db)], metadata=metadata, settings=SETTINGS)
    serve_errors.install(ds)
    asyncio.run(ds.invoke_startup())
    config = uvicorn.Config(ds.app(), log_level="info", lifespan="on", workers=1)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:   # (uvicorn raises the Ctrl-C it caught once it has shut down)
        return                  # how a server is stopped: a normal end, as with datasette serve
    if not server.started:
        raise RuntimeError("the server did not start (its log above says why)")


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
        import datasette  # noqa: F401
    except ImportError:
        print("provnews serve: Datasette is not installed: pip install 'provnews[serve]'", file=sys.stderr)
        return 2
    try:
        sock = listen(args.host, args.port)
    except OSError as exc:
        print(f"provnews serve: cannot listen on {args.host}:{args.port} ({exc.strerror or exc})", file=sys.stderr)
        return 2
    with sock:
        port = sock.getsockname()[1]    # the port given, or the one the system chose for --port 0
        print(f"provnews serve: {db} on http://{args.host}:{port}/{db.stem} (Ctrl-C to stop)", file=sys.stderr)
        try:
            run_datasette(db, sock, metadata_for(db))
        except Exception as exc:  # Datasette or uvicorn failing to start: one line, not a traceback
            print(f"provnews serve: {type(exc).__name__}: {exc}", file=sys.stderr)
            return 1
    return 0
