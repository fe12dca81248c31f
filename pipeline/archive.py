"""WARC writing and reading, revisits, CDXJ.

Every fetch becomes, in a gzip WARC/1.1 file, a ``response`` (or ``revisit``),
the ``request`` that asked for it (``WARC-Concurrent-To`` the response) and a
``metadata`` record (outlinks, hop path, fetch time).  Answers that were
retried (503, 429…) are archived too, before the answer that counted.  The
``WARC-Date`` of an exchange is its ``fetched_at``.  A re-crawl that gets a
304, or the same payload again, writes a ``revisit`` with the WARC 1.1 profile
``server-not-modified`` or ``identical-payload-digest`` pointing at the
capture it repeats; both replay in pywb as the page they repeat (see
``_write_exchange``).  Files roll over past ``max_bytes``; when the archive is
closed ``index.cdxj`` beside the WARCs is rebuilt by cdxj-indexer (the CDXJ
pywb uses: ``surt timestamp {json}``).

The archive only appends; ``truncate_to`` cuts a torn or uncommitted tail
after a crash (the frontier knows how far each file was committed).

Reading a record back streams: ``open_payload`` / ``iter_payload`` give its
payload (gzip/deflate undone) chunk by chunk in a few MB of memory, however
large the record or the ratio of its compression; ``read_payload`` returns it
whole only up to a limit (64 MiB by default, ``PayloadTooLarge`` past it).
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import socket
import sys
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline import __version__
from pipeline.fetch import DECODED_LIMIT, Exchange, _wbits_for

PROFILE_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
PROFILE_IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
INDEX_NAME = "index.cdxj"


@dataclass(slots=True)
class PriorCapture:
    """The capture we already hold of a URL (from the frontier)."""
    record_id: str
    date: str                 # its WARC-Date
    payload_digest: str | None
    target_uri: str


@dataclass(slots=True)
class ArchivedPage:
    """Where a fetch landed: its WARC coordinates."""
    warc_file: str
    record_id: str            # the response's or the revisit's
    offset: int
    end: int                  # file size after this fetch's records
    payload_digest: str | None
    warc_date: str
    kind: str                 # "response" or "revisit"
    profile: str | None = None


def payload_digest(body: bytes) -> str:
    """``sha1:BASE32`` — the form warcio writes and checks."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date_now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcArchive:
    """Appends fetches to rolling gzip WARC/1.1 files in one folder."""

    def __init__(self, warc_dir: str | Path, prefix: str = "provnews", max_bytes: int = 1 << 30,
                 info: dict | None = None):
        self.dir = Path(warc_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.info = info or {}
        self._fh = None
        self._writer: WARCWriter | None = None
        self.current: str | None = None
        self._lock = threading.Lock()
        self._seq = 0

    # --- files ----------------------------------------------------------------------
    def _open_new(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        while True:
            self._seq += 1
            name = f"{self.prefix}-{stamp}-{self._seq:05d}.warc.gz"
            if not (self.dir / name).exists():
                break
        self._fh = open(self.dir / name, "wb")
        self._writer = WARCWriter(self._fh, gzip=True, warc_version="1.1")
        info = {"software": f"provnews/{__version__} (warcio)", "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
                "hostname": socket.gethostname(), **self.info}
        self._writer.write_record(self._writer.create_warcinfo_record(name, info))
        self._fh.flush()
        self.current = name

    def ensure_open(self) -> str:
        """The current file (opened, or rolled over when past ``max_bytes``)."""
        if self._fh is not None and self._fh.tell() >= self.max_bytes:
            self.close_current()
        if self._fh is None:
            self._open_new()
        return self.current

    def position(self) -> int:
        return self._fh.tell() if self._fh is not None else 0

    def close_current(self) -> str | None:
        name = self.current
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
        self._fh, self._writer, self.current = None, None, None
        return name

    def close(self) -> None:
        self.close_current()
        write_index(self.dir)

    # --- records ----------------------------------------------------------------------
    def write(self, exchange: Exchange, prior: PriorCapture | None = None,
              metadata: dict | None = None) -> ArchivedPage:
        """Write one fetch (response or revisit, request, metadata) and flush.

        Answers that were retried before ``exchange`` (``exchange.earlier``)
        are written first, each as its own response with its request.
        """
        with self._lock:
            self.ensure_open()
            for attempt in exchange.earlier:
                self._write_exchange(attempt, None, {"retriedAs": "a later request for the same URL"})
            page = self._write_exchange(exchange, prior, metadata)
            self._fh.flush()
            page.end = self._fh.tell()
            return page

    def _write_exchange(self, exchange: Exchange, prior: PriorCapture | None,
                        metadata: dict | None) -> ArchivedPage:
        w = self._writer
        offset = self._fh.tell()
        # WARC-Date is when the answer started: the document's fetched_at is this very value
        date = exchange.fetched_at or warc_date_now()
        http_headers = WireHeaders(f"{exchange.status} {exchange.reason}".strip(),
                                   _wire_headers(exchange.headers), protocol=exchange.http_version)
        digest = payload_digest(exchange.body)
        profile = None
        if prior is not None and exchange.status == 304:
            profile = PROFILE_NOT_MODIFIED
        elif (prior is not None and exchange.status == 200 and not exchange.truncated
              and prior.payload_digest == digest):
            profile = PROFILE_IDENTICAL
        warc_headers = {"WARC-Date": date}
        metadata = dict(metadata or {})
        if profile:
            warc_headers.update({
                "WARC-Profile": profile,
                "WARC-Refers-To": prior.record_id,
                "WARC-Refers-To-Target-URI": prior.target_uri,
                "WARC-Refers-To-Date": prior.date,
            })
            if prior.payload_digest:
                warc_headers["WARC-Payload-Digest"] = prior.payload_digest
            if profile == PROFILE_NOT_MODIFIED:
                # Replay tools (pywb) serve a revisit's own HTTP headers when it has
                # some, so a 304 kept there replays as an empty 304. Without a header
                # block they serve the capture referred to: the page as it still is.
                # The 304's own status line and headers go to the metadata record.
                metadata["notModifiedStatus"] = f"{exchange.http_version} {exchange.status} {exchange.reason}".strip()
                metadata["notModifiedHeader"] = [f"{k}: {v}" for k, v in exchange.headers]
                record = w.create_warc_record(exchange.url, "revisit", payload=io.BytesIO(b""), length=0,
                                              warc_headers_dict=warc_headers)
            else:
                record = w.create_warc_record(exchange.url, "revisit", payload=io.BytesIO(b""), length=0,
                                              http_headers=http_headers, warc_headers_dict=warc_headers)
            kind = "revisit"
        else:
            if exchange.truncated:
                warc_headers["WARC-Truncated"] = getattr(exchange, "truncated_reason", "") or "length"
            record = w.create_warc_record(exchange.url, "response", payload=io.BytesIO(exchange.body),
                                          length=len(exchange.body), http_headers=http_headers,
                                          warc_headers_dict=warc_headers)
            kind = "response"
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        w.write_record(record)

        request = w.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""), length=0,
            http_headers=WireHeaders(exchange.request_line or f"GET {_path(exchange.url)} HTTP/1.1",
                                     exchange.request_headers, is_http_request=True),
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id})
        w.write_record(request)

        if metadata:
            body = "".join(f"{k}: {_one_line(v)}\r\n" for k, values in metadata.items()
                           for v in (values if isinstance(values, list) else [values])).encode("utf-8")
            meta = w.create_warc_record(
                exchange.url, "metadata", payload=io.BytesIO(body), length=len(body),
                warc_content_type="application/warc-fields",
                warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": record_id})
            w.write_record(meta)
        return ArchivedPage(self.current, record_id, offset, self._fh.tell(),
                            digest if kind == "response" else (prior.payload_digest if prior else None),
                            date, kind, profile)


class WireHeaders(StatusAndHeaders):
    """A status line and headers written back as the bytes that came.

    HTTP headers are bytes: http.client reads them as Latin-1, one character
    per byte, so encoding them as Latin-1 gives back what the server sent.
    warcio would percent-escape every non-ASCII value (raw UTF-8 such as
    ``X-Title: Sở Y tế`` or a ``filename="Báo cáo.pdf"``), and the bytes
    received could not be told from the record any more.
    """

    def compute_headers_buffer(self, header_filter=None):
        try:
            self.headers_buff = self.to_str(header_filter).encode("latin-1") + b"\r\n"
        except UnicodeEncodeError:      # text that never came off the wire (not one byte per character)
            super().compute_headers_buffer(header_filter)


def _wire_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    # urllib3 has already undone the chunking, so the payload we hold is not
    # chunked any more: keep the header under another name for the record
    # (replay tools would try to de-chunk the payload otherwise).
    return [("X-Crawler-Transfer-Encoding" if k.lower() == "transfer-encoding" else k, v) for k, v in headers]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _one_line(value) -> str:
    return re.sub(r"[\r\n]+", " ", str(value))


# --- reading --------------------------------------------------------------------

READ_LIMIT = DECODED_LIMIT     # what read_payload holds at most: a page, not a gzip bomb
CHUNK = 64 * 1024


class PayloadTooLarge(ValueError):
    """A record's (decoded) payload is longer than the caller's limit."""


class _Decoder(io.RawIOBase):
    """A record's raw payload with gzip/deflate undone, ``CHUNK``-wise.

    zlib's ``max_length`` bounds each step's output, so a megabyte of gzip
    that unpacks to gigabytes is read a chunk at a time, never at once.
    """

    def __init__(self, raw, encoding: str):
        self._raw = raw
        self._wbits = _wbits_for(encoding)
        self._z = zlib.decompressobj(self._wbits[0])
        self._pending = b""        # compressed bytes not yet given to zlib
        self._started = False
        self._done = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = CHUNK if size is None or size < 0 else size
        while not self._done:
            if not self._pending:
                self._pending = self._raw.read(CHUNK)
                if not self._pending:            # end of the record (of a truncated stream too)
                    self._done = True
                    return self._z.flush()
            data, self._pending = self._pending, b""
            try:
                out = self._z.decompress(data, size)
            except zlib.error:
                if self._started or len(self._wbits) == 1:
                    raise
                # "deflate" sent raw (no zlib header) by some servers
                self._wbits = self._wbits[1:]
                self._z = zlib.decompressobj(self._wbits[0])
                out = self._z.decompress(data, size)
            self._started = True
            self._pending = self._z.unconsumed_tail
            if self._z.eof and self._z.unused_data:   # another gzip member follows
                self._pending = self._z.unused_data
                self._z = zlib.decompressobj(self._wbits[0])
            if out:
                return out
        return b""


@contextmanager
def open_payload(path: str | Path, offset: int, decode: bool = True) -> Iterator[BinaryIO]:
    """The payload of the record at ``offset`` as a stream, read as it is consumed.

    Content-Encoding (gzip, deflate) is undone unless ``decode`` is False. Memory
    stays at a few MB whatever the record's size: the WARC member and the
    payload are both inflated step by step.
    """
    with open(path, "rb") as fh:
        fh.seek(offset)
        # warcio inflates the WARC's gzip member a block at a time, each block
        # whole: 4 KB blocks keep that step under ~4 MB even at deflate's
        # 1:1032 worst case (the default 16 KB would allow 16 MB)
        record = next(iter(ArchiveIterator(fh, block_size=4096)), None)
        if record is None:
            yield io.BytesIO(b"")
            return
        if not decode or not record.http_headers:
            yield record.raw_stream
            return
        encoding = (record.http_headers.get_header("Content-Encoding") or "").lower().strip()
        chunked = (record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked"
        if chunked or encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            yield record.content_stream()    # other WARCs' chunked or brotli payloads: warcio's reader
        elif encoding in ("", "identity"):
            yield record.raw_stream
        else:
            yield _Decoder(record.raw_stream, encoding)


def iter_payload(path: str | Path, offset: int, chunk_size: int = CHUNK, decode: bool = True) -> Iterator[bytes]:
    """The payload of the record at ``offset`` in chunks of at most ``chunk_size`` bytes."""
    with open_payload(path, offset, decode) as stream:
        while chunk := stream.read(chunk_size):
            yield chunk


def read_payload(path: str | Path, offset: int, limit: int | None = READ_LIMIT, truncate: bool = False) -> bytes:
    """The (content-decoded) payload of the record at ``offset``, at most ``limit`` bytes.

    Streamed: a longer payload raises ``PayloadTooLarge`` (or, with
    ``truncate``, gives its first ``limit`` bytes) after reading at most
    ``limit`` + one chunk of it. ``limit=None`` reads it all.
    """
    out = bytearray()
    for chunk in iter_payload(path, offset):
        out += chunk
        if limit is not None and len(out) > limit:
            if truncate:
                return bytes(out[:limit])
            raise PayloadTooLarge(f"{path}@{offset}: payload over {limit} bytes")
    return bytes(out)


def only_warcinfo(path: str | Path) -> bool:
    """True if the file holds no record but warcinfo (or nothing readable at all)."""
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "warcinfo":
                    return False
    except Exception:  # a torn first member: nothing usable was written
        return True
    return True


def truncate_to(path: str | Path, size: int) -> int:
    """Cut a WARC back to ``size`` bytes (its last committed record). Returns bytes removed."""
    path = Path(path)
    actual = path.stat().st_size
    if actual > size:
        with open(path, "r+b") as fh:
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())
    return max(0, actual - size)


# --- CDXJ -------------------------------------------------------------------------

def surt(url: str) -> str:
    """The CDXJ key pywb and cdxj-indexer use: ``http://www.a.gov.vn/X?b=1`` → ``vn,gov,a)/x?b=1``."""
    import surt as surt_package

    return surt_package.surt(url)


def write_index(warc_dir: str | Path) -> Path:
    """(Re)build ``index.cdxj`` for every WARC in the folder, sorted, by cdxj-indexer.

    The very index pywb builds (``wb-manager``), so a pywb collection can use
    it as is; ``filename`` is relative to the folder.
    """
    from cdxj_indexer.main import CDXJIndexer

    warc_dir = Path(warc_dir)
    target = warc_dir / INDEX_NAME
    tmp = target.with_suffix(".tmp")
    # each WARC on its own, so that a file that is not one (a stray copy, a torn download) is left
    # out with one line instead of failing the index of all the others; then one sort of the lines,
    # as the indexer's own ``sort=True`` does
    lines: list[str] = []
    for warc in sorted(warc_dir.glob("*.warc.gz")):
        buf = io.StringIO()
        try:
            CDXJIndexer(buf, [str(warc)], sort=False, dir_root=str(warc_dir)).process_all()
        except Exception as exc:  # warcio's ArchiveLoadFailed, a gzip error, a short read …
            # the records read before the damage stay indexed (the indexer writes as it reads);
            # only a line cut short is dropped
            good = [x for x in buf.getvalue().splitlines(keepends=True) if x.endswith("\n")]
            lines.extend(good)
            why = f"{type(exc).__name__}: {exc}".replace("\n", " ")
            print(f"provnews: {warc}: " + (f"damaged after {len(good)} records" if good else "not a readable WARC")
                  + f" ({why[:100]}{'…' if len(why) > 100 else ''}); the rest is left out of the index",
                  file=sys.stderr)
            continue
        lines.extend(buf.getvalue().splitlines(keepends=True))
    lines.sort()
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            out.writelines(lines)
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return target
