"""A corpus folder → one WACZ 1.1.1 file (``provnews export DIR --format wacz``).

WACZ is the web-archive package that ReplayWeb.page and pywb open directly:
a ZIP holding the WARC files (``archive/``), their CDXJ index
(``indexes/index.cdxj``, the one the crawl wrote with cdxj-indexer), the list
of pages to offer (``pages/pages.jsonl``: every stored document, its title
and the timestamp of its capture) and ``datapackage.json`` with a SHA-256 of
each of them (``datapackage-digest.json`` holds the digest of that).

WARCs are already gzip: they are stored, not compressed again, so a reader
can seek into them inside the ZIP.

    write_wacz("corpus/crawl", "outputs/corpus.wacz")
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from pipeline.archive import INDEX_NAME, write_index

WACZ_VERSION = "1.1.1"
_CHUNK = 1 << 20


class WaczError(Exception):
    """The folder cannot be packaged (no corpus, no WARC)."""


def _sha256_file(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return "sha256:" + h.hexdigest(), size


def pages(corpus_dir: Path) -> list[dict]:
    """One page per stored document that came from the archive, in fetch order."""
    conn = sqlite3.connect(f"file:{corpus_dir / 'corpus.sqlite'}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT doc_id, url, title, fetched_at FROM documents"
            " WHERE warc_record_id IS NOT NULL AND url IS NOT NULL ORDER BY fetched_at, doc_id").fetchall()
    finally:
        conn.close()
    out = []
    for doc_id, url, title, fetched_at in rows:
        page = {"id": doc_id, "url": url, "ts": fetched_at}
        if title:
            page["title"] = title
        out.append(page)
    return out


def write_wacz(corpus_dir: str | Path, output: str | Path, title: str | None = None) -> int:
    """Package the corpus's WARCs, index and pages; returns the number of pages."""
    corpus_dir = Path(corpus_dir)
    warc_dir = corpus_dir / "warcs"
    if not (corpus_dir / "corpus.sqlite").exists():
        raise WaczError(f"{corpus_dir}: no corpus here (corpus.sqlite missing)")
    warcs = sorted(warc_dir.glob("*.warc.gz"))
    if not warcs:
        raise WaczError(f"{warc_dir}: no WARC files to package")
    # the index must describe exactly the WARCs packaged (a crawl may have been cut short)
    index = write_index(warc_dir)
    page_list = pages(corpus_dir)
    pages_text = json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}) + "\n"
    pages_text += "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in page_list)
    pages_bytes = pages_text.encode("utf-8")

    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    resources = []
    tmp = output.with_name(output.name + ".part")
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for warc in warcs:
                digest, size = _sha256_file(warc)
                zf.write(warc, f"archive/{warc.name}", compress_type=zipfile.ZIP_STORED)
                resources.append({"name": warc.name, "path": f"archive/{warc.name}", "hash": digest, "bytes": size})
            digest, size = _sha256_file(index)
            zf.write(index, f"indexes/{INDEX_NAME}", compress_type=zipfile.ZIP_DEFLATED)
            resources.append({"name": INDEX_NAME, "path": f"indexes/{INDEX_NAME}", "hash": digest, "bytes": size})
            zf.writestr("pages/pages.jsonl", pages_bytes, compress_type=zipfile.ZIP_DEFLATED)
            resources.append({"name": "pages.jsonl", "path": "pages/pages.jsonl",
                              "hash": "sha256:" + hashlib.sha256(pages_bytes).hexdigest(), "bytes": len(pages_bytes)})
            now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            package = {
                "profile": "data-package",
                "wacz_version": WACZ_VERSION,
                "title": title or corpus_dir.resolve().name,
                "created": now,
                "modified": now,
                "software": f"provnews {_version()}",
                "resources": resources,
            }
            package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
            zf.writestr("datapackage.json", package_bytes, compress_type=zipfile.ZIP_DEFLATED)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest()}
            zf.writestr("datapackage-digest.json", json.dumps(digest, indent=2), compress_type=zipfile.ZIP_DEFLATED)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)  # (a failure midway, a full disk: no .part left behind)
    return len(page_list)


def _version() -> str:
    from pipeline import __version__

    return __version__
