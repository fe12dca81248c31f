"""Reading a record's payload back from a WARC: streamed, bounded, content-decoded (pipeline.archive).

The WARCs here are written with warcio itself, so records can be larger than
any page the fetcher keeps: a 1 MB gzip payload that unpacks to 256 MiB (what a
hostile server sends), a 96 MiB plain one. Memory is measured with tracemalloc.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import sys
import tracemalloc
import zlib
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.archive import READ_LIMIT, PayloadTooLarge, iter_payload, open_payload, read_payload  # noqa: E402

MiB = 1 << 20


def write_record(path: Path, payload, length: int, headers: list[tuple[str, str]],
                 url: str = "https://portal.example.gov.vn/tin-tuc/bai-1.html") -> int:
    """Append one response record (warcinfo first in a new file); its offset."""
    new = not path.exists()
    with open(path, "ab") as fh:
        writer = WARCWriter(fh, gzip=True)
        if new:
            writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        offset = fh.tell()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"), *headers],
                                protocol="HTTP/1.1")
        record = writer.create_warc_record(url, "response", payload=payload, length=length, http_headers=http)
        writer.write_record(record)
    return offset


def gzip_of_zeros(size: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MiB)
    return b"".join(z.compress(block) for _ in range(size // MiB)) + z.flush()


def peak_while(fn):
    """fn()'s result and the most memory Python held meanwhile (bytes)."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    """A WARC whose one response is 256 MiB of zeros served gzip-encoded (about 250 KB on the wire)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.warc.gz"
    body = gzip_of_zeros(256 * MiB)
    assert len(body) < MiB
    offset = write_record(path, io.BytesIO(body), len(body), [("Content-Encoding", "gzip")])
    return path, offset


def test_a_gzip_bomb_record_streams_in_bounded_memory(bomb):
    path, offset = bomb

    def count():
        total, digest = 0, hashlib.sha1()
        for chunk in iter_payload(path, offset):
            assert len(chunk) <= 64 * 1024
            total += len(chunk)
            digest.update(chunk)
        return total, digest.hexdigest()

    (total, sha1), peak = peak_while(count)
    assert total == 256 * MiB
    assert sha1 == hashlib.sha1(bytes(256 * MiB)).hexdigest()
    assert peak < 24 * MiB, peak      # the old read_payload held all 256 MiB


def test_read_payload_stops_at_its_limit(bomb):
    path, offset = bomb
    with pytest.raises(PayloadTooLarge):
        read_payload(path, offset, limit=MiB)
    head, peak = peak_while(lambda: read_payload(path, offset, limit=MiB, truncate=True))
    assert head == bytes(MiB) and peak < 24 * MiB, peak
    # the default limit (64 MiB) holds too: refused after reading a little past it, not 256 MiB
    _, peak = peak_while(lambda: pytest.raises(PayloadTooLarge, read_payload, path, offset))
    assert peak < READ_LIMIT * 1.5 + 24 * MiB, peak


def test_a_large_plain_record_streams(tmp_path):
    size = 96 * MiB
    source = tmp_path / "zeros.bin"
    with open(source, "wb") as fh:          # sparse: no 96 MiB written to disk
        fh.truncate(size)
    with open(source, "rb") as payload:
        offset = write_record(tmp_path / "big.warc.gz", payload, size, [("Content-Length", str(size))])

    def count():
        return sum(len(c) for c in iter_payload(tmp_path / "big.warc.gz", offset))

    total, peak = peak_while(count)
    assert total == size and peak < 24 * MiB, peak
    with pytest.raises(PayloadTooLarge):
        read_payload(tmp_path / "big.warc.gz", offset, limit=8 * MiB)
    assert len(read_payload(tmp_path / "big.warc.gz", offset, limit=None)) == size


PAGE = ("<!DOCTYPE html><html lang='vi'><body><h1>Tin tức</h1>"
        + "<p>Ủy ban nhân dân tỉnh họp phiên thường kỳ tháng 9.</p>" * 400 + "</body></html>").encode("utf-8")


def _deflate(data: bytes, wbits: int) -> bytes:
    z = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return z.compress(data) + z.flush()


@pytest.mark.parametrize("encoding,body", [
    ("", PAGE),
    ("identity", PAGE),
    ("gzip", gzip.compress(PAGE)),
    ("x-gzip", gzip.compress(PAGE)),
    ("deflate", _deflate(PAGE, zlib.MAX_WBITS)),           # zlib-wrapped, as the RFC says
    ("deflate", _deflate(PAGE, -zlib.MAX_WBITS)),          # raw, as some servers send it
    ("gzip", gzip.compress(PAGE[:5000]) + gzip.compress(PAGE[5000:])),   # two gzip members
], ids=["none", "identity", "gzip", "x-gzip", "deflate-zlib", "deflate-raw", "gzip-two-members"])
def test_payload_is_decoded(tmp_path, encoding, body):
    headers = [("Content-Encoding", encoding)] if encoding else []
    offset = write_record(tmp_path / "p.warc.gz", io.BytesIO(body), len(body), headers)
    assert read_payload(tmp_path / "p.warc.gz", offset) == PAGE
    assert b"".join(iter_payload(tmp_path / "p.warc.gz", offset, chunk_size=1000)) == PAGE
    with open_payload(tmp_path / "p.warc.gz", offset, decode=False) as raw:
        assert raw.read() == body


def test_a_truncated_gzip_payload_gives_what_it_holds(tmp_path):
    # WARC-Truncated records end mid-stream: the decoded part, no error
    body = gzip.compress(PAGE)[:2000]
    offset = write_record(tmp_path / "t.warc.gz", io.BytesIO(body), len(body), [("Content-Encoding", "gzip")])
    got = read_payload(tmp_path / "t.warc.gz", offset)
    assert got and PAGE.startswith(got)


def test_a_chunked_record_from_another_crawler_is_read_by_warcio(tmp_path):
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(PAGE[i:i + 3000]), PAGE[i:i + 3000]) for i in range(0, len(PAGE), 3000))
    chunked += b"0\r\n\r\n"
    offset = write_record(tmp_path / "c.warc.gz", io.BytesIO(chunked), len(chunked),
                          [("Transfer-Encoding", "chunked")])
    assert read_payload(tmp_path / "c.warc.gz", offset) == PAGE


def test_the_crawlers_own_records_read_as_before(tmp_path):
    # a record as WarcArchive writes it (gzip body kept as received) reads back decoded
    from pipeline.archive import WarcArchive
    from pipeline.fetch import Exchange

    archive = WarcArchive(tmp_path, prefix="t")
    ex = Exchange(url="https://portal.example.gov.vn/tin-tuc/bai-2.html", status=200, reason="OK",
                  headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
                  body=gzip.compress(PAGE))
    page = archive.write(ex)
    archive.close()
    assert read_payload(tmp_path / page.warc_file, page.offset) == PAGE


def test_index_leaves_out_a_file_that_is_not_a_warc(tmp_path, capsys):
    """A stray file named *.warc.gz is left out with one line; the real WARCs are indexed as
    cdxj-indexer indexes them all at once (sorted)."""
    from io import BytesIO

    from cdxj_indexer.main import CDXJIndexer
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from pipeline.archive import INDEX_NAME, write_index

    for name, urls in (("a.warc.gz", ["http://b.vn/2", "http://a.vn/1"]), ("b.warc.gz", ["http://a.vn/0"])):
        with open(tmp_path / name, "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            for url in urls:
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
                writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(b"<p>x</p>"),
                                                              http_headers=headers))
    import io as _io
    expected = _io.StringIO()
    CDXJIndexer(expected, [str(tmp_path / "a.warc.gz"), str(tmp_path / "b.warc.gz")], sort=True,
                dir_root=str(tmp_path)).process_all()
    (tmp_path / "zz.warc.gz").write_bytes(b"garbage, not a WARC\n")
    index = write_index(tmp_path)
    assert index.name == INDEX_NAME and index.read_text(encoding="utf-8") == expected.getvalue()
    assert len(expected.getvalue().splitlines()) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "zz.warc.gz" in err[0] and "not a readable WARC" in err[0] and len(err[0]) < 300
    assert not (tmp_path / "index.tmp").exists() and not list(tmp_path.glob("*.tmp"))


def test_index_keeps_the_records_before_the_damage_of_a_cut_warc(tmp_path, capsys):
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from pipeline.archive import write_index

    with open(tmp_path / "a.warc.gz", "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for i in range(6):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(f"http://a.vn/{i}", "response",
                                                          payload=BytesIO(b"<p>%d</p>" % i * 500),
                                                          http_headers=headers))
    whole = write_index(tmp_path).read_text(encoding="utf-8").splitlines()
    assert len(whole) == 6
    data = (tmp_path / "a.warc.gz").read_bytes()
    # a torn write: a seventh member whose record stops inside its HTTP head
    import gzip
    torn = gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 50000\r\n\r\nHTTP/1.1 200")
    (tmp_path / "a.warc.gz").write_bytes(data + torn)
    assert write_index(tmp_path).read_text(encoding="utf-8").splitlines() == whole
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "a.warc.gz: damaged after 6 records" in err[0] and len(err[0]) < 300
    # a file cut short inside a record: the records before the cut stay indexed
    (tmp_path / "a.warc.gz").write_bytes(data[:len(data) // 2])
    kept = write_index(tmp_path).read_text(encoding="utf-8").splitlines()
    # (the record the cut falls in may be listed with the length left of it)
    assert 0 < len(kept) < 6 and kept[:-1] == whole[:len(kept) - 1]
