"""WARC writing: real fetches from the demo portal, read back with warcio and checked by its CLI."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.archive import (  # noqa: E402
    PROFILE_IDENTICAL, PROFILE_NOT_MODIFIED, PriorCapture, WarcArchive, payload_digest, read_payload, surt,
    truncate_to, write_index,
)
from pipeline.fetch import Fetcher, FetchRequest  # noqa: E402
from pipeline.settings import Settings  # noqa: E402
from tests.fixtures.portal.server import PortalServer, article_path  # noqa: E402

WARCIO = ROOT / ".venv" / "bin" / "warcio"


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    exe = str(WARCIO) if WARCIO.exists() else "warcio"
    return subprocess.run([exe, "check", str(path)], capture_output=True, text=True)


def records(path: Path) -> list:
    out = []
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            out.append((rec.rec_type, rec.rec_headers, rec.http_headers, rec.content_stream().read()))
    return out


@pytest.fixture(scope="module")
def portal():
    with PortalServer(crawl_delay=0) as server:
        yield server


@pytest.fixture
def fetcher():
    f = Fetcher(Settings(delay=0))
    yield f
    f.close()


def url_of(portal, ident):
    a = next(a for a in portal.articles if a["id"] == ident)
    return portal.url.rstrip("/") + article_path(a)


def test_response_request_metadata_and_warcinfo(tmp_path, portal, fetcher):
    archive = WarcArchive(tmp_path, prefix="t")
    ex = fetcher.fetch(FetchRequest(url_of(portal, 101)))
    page = archive.write(ex, metadata={"via": portal.url, "hopsFromSeed": "LL", "outlink": ["http://a/1", "http://a/2"]})
    archive.close()
    warc = tmp_path / page.warc_file
    assert warcio_check(warc).returncode == 0, warcio_check(warc).stdout
    recs = records(warc)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request", "metadata"]
    assert all(r[1].protocol == "WARC/1.1" for r in recs)
    response, request, metadata = recs[1], recs[2], recs[3]
    assert response[1].get_header("WARC-Record-ID") == page.record_id
    assert request[1].get_header("WARC-Concurrent-To") == page.record_id
    assert metadata[1].get_header("WARC-Concurrent-To") == page.record_id
    assert response[3] == ex.body                              # the payload, byte for byte
    assert response[1].get_header("WARC-Payload-Digest") == payload_digest(ex.body) == page.payload_digest
    assert response[2].get_statuscode() == "200" and response[2].get_header("ETag") == ex.header("ETag")
    assert request[2].protocol == "GET" and request[2].get_header("User-Agent").startswith("provnews/")
    meta = metadata[3].decode()
    assert "hopsFromSeed: LL" in meta and meta.count("outlink: ") == 2


def test_revisits_not_modified_and_identical_payload(tmp_path, portal, fetcher):
    archive = WarcArchive(tmp_path, prefix="t")
    url = url_of(portal, 102)
    first_ex = fetcher.fetch(FetchRequest(url))
    first = archive.write(first_ex)
    prior = PriorCapture(first.record_id, first.warc_date, first.payload_digest, url)
    # 304 to a conditional request
    ex304 = fetcher.fetch(FetchRequest(url, etag=first_ex.header("ETag")))
    assert ex304.status == 304
    not_modified = archive.write(ex304, prior)
    # 200 with the same bytes (a server without validators)
    same = fetcher.fetch(FetchRequest(url))
    identical = archive.write(same, prior)
    archive.close()
    assert (not_modified.kind, not_modified.profile) == ("revisit", PROFILE_NOT_MODIFIED)
    assert (identical.kind, identical.profile) == ("revisit", PROFILE_IDENTICAL)
    warc = tmp_path / first.warc_file
    assert warcio_check(warc).returncode == 0
    revisits = [r for r in records(warc) if r[0] == "revisit"]
    assert len(revisits) == 2
    for rec in revisits:
        assert rec[1].get_header("WARC-Refers-To") == first.record_id
        assert rec[1].get_header("WARC-Refers-To-Target-URI") == url
        assert rec[1].get_header("WARC-Refers-To-Date") == first.warc_date
        assert rec[1].get_header("WARC-Payload-Digest") == first.payload_digest
        assert rec[3] == b""                                   # headers only
    assert {r[1].get_header("WARC-Profile") for r in revisits} == {PROFILE_NOT_MODIFIED, PROFILE_IDENTICAL}
    # pywb replays a revisit with its own HTTP headers when it has some: the 304
    # revisit has none (it replays as the 200 it refers to), and its metadata
    # record keeps what the server said
    by_profile = {r[1].get_header("WARC-Profile"): r for r in revisits}
    assert by_profile[PROFILE_NOT_MODIFIED][2] is None
    assert by_profile[PROFILE_IDENTICAL][2].get_statuscode() == "200"
    meta = [r for r in records(warc) if r[0] == "metadata"
            and r[1].get_header("WARC-Concurrent-To") == not_modified.record_id]
    assert len(meta) == 1 and "notModifiedStatus: HTTP/1.1 304 Not Modified" in meta[0][3].decode()
    assert f"notModifiedHeader: ETag: {first_ex.header('ETag')}" in meta[0][3].decode()


def test_changed_payload_is_a_new_response(tmp_path, portal, fetcher):
    archive = WarcArchive(tmp_path, prefix="t")
    ex = fetcher.fetch(FetchRequest(url_of(portal, 103)))
    stale = PriorCapture("<urn:uuid:00000000-0000-0000-0000-000000000000>", "2020-01-01T00:00:00Z",
                         payload_digest(b"old bytes"), ex.url)
    assert archive.write(ex, stale).kind == "response"
    archive.close()


def test_rollover_and_cdxj(tmp_path, portal, fetcher):
    archive = WarcArchive(tmp_path, prefix="t", max_bytes=1500)   # past it after one page
    pages = [archive.write(fetcher.fetch(FetchRequest(url_of(portal, i)))) for i in (104, 106, 107)]
    archive.close()
    files = sorted(tmp_path.glob("*.warc.gz"))
    assert len(files) == 3 and len({p.warc_file for p in pages}) == 3
    for f in files:
        assert warcio_check(f).returncode == 0
        assert records(f)[0][0] == "warcinfo"
    lines = (tmp_path / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and lines == sorted(lines)
    for line in lines:
        key, stamp, data = line.split(" ", 2)
        entry = json.loads(data)
        assert key == surt(entry["url"]) and len(stamp) == 14
        assert entry["status"] == "200" and entry["mime"] == "text/html"
        # the offset points at the record: its payload is the page
        payload = read_payload(tmp_path / entry["filename"], int(entry["offset"]))
        assert payload.startswith(b"<!DOCTYPE html>")


def test_truncated_body_is_marked(tmp_path, portal):
    fetcher = Fetcher(Settings(delay=0, max_body_bytes=50_000))
    archive = WarcArchive(tmp_path, prefix="t")
    page = archive.write(fetcher.fetch(FetchRequest(portal.url + "news/tin-tuc/so-lieu-thong-ke-day-du.html")))
    archive.close()
    resp = [r for r in records(tmp_path / page.warc_file) if r[0] == "response"][0]
    assert resp[1].get_header("WARC-Truncated") == "length" and len(resp[3]) == 50_000
    assert warcio_check(tmp_path / page.warc_file).returncode == 0


def test_truncate_to_removes_a_torn_tail(tmp_path, portal, fetcher):
    archive = WarcArchive(tmp_path, prefix="t")
    page = archive.write(fetcher.fetch(FetchRequest(url_of(portal, 109))))
    archive.close()
    warc = tmp_path / page.warc_file
    with open(warc, "ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00half a gzip member")         # what kill -9 mid-write leaves
    assert warcio_check(warc).returncode != 0
    assert truncate_to(warc, page.end) == len(b"\x1f\x8b\x08\x00half a gzip member")
    assert warcio_check(warc).returncode == 0
    write_index(tmp_path)
    assert len((tmp_path / "index.cdxj").read_text().splitlines()) == 1


def test_surt():
    assert surt("http://www.KHCN.caobang.gov.vn/News/a.html?b=1") == "vn,gov,caobang,khcn)/news/a.html?b=1"
    assert surt("http://127.0.0.1:8000/") == "1,0,0,127:8000)/"         # as cdxj-indexer and pywb write it


def test_only_warcinfo(tmp_path, portal, fetcher):
    empty = WarcArchive(tmp_path / "a", prefix="t")
    name = empty.ensure_open()
    empty.close()
    from pipeline.archive import only_warcinfo
    assert only_warcinfo(tmp_path / "a" / name)
    full = WarcArchive(tmp_path / "b", prefix="t")
    page = full.write(fetcher.fetch(FetchRequest(url_of(portal, 110))))
    full.close()
    assert not only_warcinfo(tmp_path / "b" / page.warc_file)
