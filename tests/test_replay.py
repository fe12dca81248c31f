"""The archive in the tools of the field (extra ``[replay]``): pywb replays an
article's first capture and its latest one after a re-crawl from our own
``index.cdxj``; cdxj-indexer writes the same index; ``wacz validate`` accepts
``provnews export DIR --format wacz``, whose pages are the stored documents.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT, free_port
from tests.fixtures.portal.server import PortalServer, article_path

pytest.importorskip("pywb", reason="extra [replay] not installed")
pytest.importorskip("wacz", reason="extra [replay] not installed")

BIN = Path(sys.executable).parent
ARTICLE = 104


def tool(name: str) -> str:
    exe = BIN / name
    return str(exe) if exe.exists() else (shutil.which(name) or pytest.skip(f"{name} not found"))


def provnews(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PROVNEWS_SETTINGS": "/dev/null"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    """A crawl, then (a second later) a re-crawl in which the articles answer 304.

    The re-crawl asks for the articles again (``--refresh-after 0``): by default a
    re-crawl does not refetch article pages at all.
    """
    out = tmp_path_factory.mktemp("replay") / "corpus"
    with PortalServer(crawl_delay=0.02) as portal:
        for refresh in ([], ["--refresh-after", "0"]):
            ran = provnews("crawl", portal.url, "--out", str(out), "--delay", "0", "--quiet", *refresh)
            assert ran.returncode == 0, ran.stderr
            time.sleep(1.1)           # the two captures get different 14-digit timestamps
        article = next(a for a in portal.articles if a["id"] == ARTICLE)
        url = portal.url.rstrip("/") + article_path(article)
    return {"out": out, "url": url, "title": article["title"]}


def index_lines(path: Path) -> list[dict]:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        key, stamp, data = line.split(" ", 2)
        lines.append({"key": key, "ts": stamp, **json.loads(data)})
    return lines


@pytest.fixture(scope="module")
def pywb(recrawled, tmp_path_factory):
    """pywb with one collection: our WARCs and our index.cdxj, as they are."""
    root = tmp_path_factory.mktemp("pywb")
    coll = root / "collections" / "provnews"
    (coll / "indexes").mkdir(parents=True)
    (coll / "archive").symlink_to(recrawled["out"] / "warcs", target_is_directory=True)
    shutil.copy(recrawled["out"] / "warcs" / "index.cdxj", coll / "indexes" / "index.cdxj")
    port = free_port()
    log = open(root / "pywb.log", "w+")
    proc = subprocess.Popen([tool("wayback"), "--port", str(port), "--bind", "127.0.0.1"], cwd=root,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/provnews"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"pywb exited with {proc.returncode}: {log.read()}")
            try:
                requests.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_pywb_replays_the_first_and_the_latest_capture(recrawled, pywb):
    captures = [e for e in index_lines(recrawled["out"] / "warcs" / "index.cdxj") if e["url"] == recrawled["url"]]
    assert [e["mime"] for e in captures] == ["text/html", "warc/revisit"]   # first capture, then the 304
    for capture in captures:
        resp = requests.get(f"{pywb}/{capture['ts']}id_/{recrawled['url']}", timeout=30)
        print(capture["ts"], capture["mime"], resp.status_code, resp.headers.get("Memento-Datetime"))
        assert resp.status_code == 200
        assert f"<title>{recrawled['title']}" in resp.content.decode("utf-8")
        served = time.strftime("%Y%m%d%H%M%S", time.strptime(resp.headers["Memento-Datetime"],
                                                             "%a, %d %b %Y %H:%M:%S GMT"))
        assert served == capture["ts"]            # that capture, not the nearest other one


def test_our_index_is_cdxj_indexers(recrawled, tmp_path):
    warcs = sorted(str(p) for p in (recrawled["out"] / "warcs").glob("*.warc.gz"))
    ran = subprocess.run([tool("cdxj-indexer"), "--sort", "--dir-root", str(recrawled["out"] / "warcs"), *warcs],
                         capture_output=True, text=True, check=True)
    theirs = ran.stdout.splitlines()
    ours = (recrawled["out"] / "warcs" / "index.cdxj").read_text(encoding="utf-8").splitlines()
    assert theirs and [line.split(" ", 1)[0] for line in ours] == [line.split(" ", 1)[0] for line in theirs]
    assert ours == theirs


def test_wacz_export_is_valid_and_lists_every_document(recrawled, tmp_path):
    target = tmp_path / "corpus.wacz"
    ran = provnews("export", str(recrawled["out"]), "--format", "wacz", "--output", str(target))
    assert ran.returncode == 0, ran.stderr
    valid = subprocess.run([tool("wacz"), "validate", "-f", str(target)], capture_output=True, text=True)
    print(valid.stdout[-400:])
    assert valid.returncode == 0 and "Validation succeeded" in valid.stdout, valid.stdout + valid.stderr
    with zipfile.ZipFile(target) as zf:
        lines = zf.read("pages/pages.jsonl").decode("utf-8").splitlines()
        index = zf.read("indexes/index.cdxj").decode("utf-8").splitlines()
    header, pages = json.loads(lines[0]), [json.loads(line) for line in lines[1:]]
    assert header["format"] == "json-pages-1.0"
    conn = sqlite3.connect(recrawled["out"] / "corpus.sqlite")
    docs = {row[0]: row[1:] for row in conn.execute("SELECT url, title, fetched_at FROM documents")}
    conn.close()
    assert len(pages) == len(docs) == 14
    assert {p["url"]: (p["title"], p["ts"]) for p in pages} == docs
    # each page's timestamp is the capture it names in the index
    captured = {(e["url"], e["ts"]) for e in (json.loads(line.split(" ", 2)[2]) | {"ts": line.split(" ")[1]}
                                              for line in index)}
    assert all((p["url"], "".join(c for c in p["ts"] if c.isdigit())[:14]) in captured for p in pages)
