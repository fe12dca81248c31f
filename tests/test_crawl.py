"""The whole crawl against the demo portal, through the real ``provnews crawl`` command.

Measured on the server's request log and on what the crawl left behind: the
store (SQLite), the WARC files (read back with warcio, checked by
``warcio check``) and the frontier.
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
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.records import make_doc_id  # noqa: E402
from tests.fixtures.portal.server import PortalServer, article_path  # noqa: E402

CRAWL_DELAY = 0.25
DISALLOWED = ("/admin/", "/search/")
WARCIO = ROOT / ".venv" / "bin" / "warcio"


def provnews(*args: str, env_extra: dict | None = None, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PROVNEWS_SETTINGS": "/dev/null", **(env_extra or {})}
    kw.setdefault("timeout", 300)
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, **kw)


def start_crawl(url: str, out: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PROVNEWS_SETTINGS": "/dev/null"}
    return subprocess.Popen([sys.executable, "-m", "pipeline.cli", "crawl", url, "--out", str(out),
                             "--delay", "0", "--quiet", *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def documents(out: Path) -> dict[str, dict]:
    conn = sqlite3.connect(out / "corpus.sqlite")
    conn.row_factory = sqlite3.Row
    rows = {r["doc_id"]: dict(r) for r in conn.execute("SELECT * FROM documents")}
    conn.close()
    return rows


def count_documents(out: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{out / 'corpus.sqlite'}?mode=ro", uri=True, timeout=5)
        n = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        conn.close()
        return n
    except sqlite3.Error:
        return 0


def warc_records(out: Path) -> list[tuple[str, str, object, object]]:
    recs = []
    for warc in sorted((out / "warcs").glob("*.warc.gz")):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh):
                rec.content_stream().read()
                recs.append((warc.name, rec.rec_type, rec.rec_headers, rec.http_headers))
    return recs


def warcio_check_all(out: Path) -> list[str]:
    """Names of the WARC files ``warcio check`` rejects (should be none)."""
    exe = str(WARCIO) if WARCIO.exists() else "warcio"
    bad = []
    for warc in sorted((out / "warcs").glob("*.warc.gz")):
        if subprocess.run([exe, "check", str(warc)], capture_output=True).returncode != 0:
            bad.append(warc.name)
    return bad


def expected_urls(portal) -> dict[str, dict]:
    return {portal.url.rstrip("/") + article_path(a): a for a in portal.articles}


# --- one full crawl, then a re-crawl, then a crawl after a new article ----------------------

@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    out = tmp_path_factory.mktemp("crawl")
    with PortalServer(crawl_delay=CRAWL_DELAY) as portal:
        first = provnews("crawl", portal.url, "--out", str(out), "--delay", "0", "--quiet")
        log1 = portal.requests
        docs1 = documents(out)
        warcs1 = {p.name for p in (out / "warcs").glob("*.warc.gz")}
        # the later crawls need not be slow: politeness was measured on the first
        portal.portal.crawl_delay = 0.02
        second = provnews("crawl", portal.url, "--out", str(out), "--delay", "0", "--quiet")
        log2 = portal.requests[len(log1):]
        docs2 = documents(out)
        warcs2 = {p.name for p in (out / "warcs").glob("*.warc.gz")} - warcs1
        # --refresh-after 0: every article is due again, and revalidated with its validators
        before = {p.name for p in (out / "warcs").glob("*.warc.gz")}
        refresh = provnews("crawl", portal.url, "--out", str(out), "--delay", "0", "--quiet", "--refresh-after", "0")
        log_refresh = portal.requests[len(log1) + len(log2):]
        docs_refresh = documents(out)
        warcs_refresh = {p.name for p in (out / "warcs").glob("*.warc.gz")} - before
        done = len(log1) + len(log2) + len(log_refresh)
        new_article = {
            "id": 115, "slug": "chi-cuc-tc-dl-cl-cao-bang-thu-nghiem-48-mau", "category": "thanh-tra",
            "title": "Chi cục Tiêu chuẩn Đo lường Chất lượng Cao Bằng thử nghiệm 48 mẫu phân bón",
            "published": "2021-12-02T08:15", "author": "Nông Thị Hạnh",
            "hometext": "Kết quả thử nghiệm mẫu phân bón lưu thông trên thị trường.",
            "paragraphs": ["Chi cục Tiêu chuẩn Đo lường Chất lượng tỉnh Cao Bằng đã lấy 48 mẫu phân bón để thử nghiệm."],
            "facts": [],
        }
        portal.portal.add_article(new_article)
        third = provnews("crawl", portal.url, "--out", str(out), "--delay", "0", "--quiet")
        log3 = portal.requests[done:]
        docs3 = documents(out)
        yield {"portal": portal, "out": out, "runs": (first, second, third, refresh),
               "logs": (log1, log2, log3, log_refresh), "docs": (docs1, docs2, docs3, docs_refresh),
               "first_warcs": warcs1, "new_warcs": warcs2, "refresh_warcs": warcs_refresh, "new_article": new_article,
               "articles": expected_urls(portal)}


def test_crawl_exits_cleanly(crawled):
    for i, run in enumerate(crawled["runs"]):
        assert run.returncode == 0, run.stderr
        # --quiet: nothing to say when all went well, but the oversized page (first crawl only:
        # it is remembered and not downloaded again)
        lines = run.stderr.splitlines()
        expected = ["so-lieu-thong-ke-day-du.html: larger than"] if i == 0 else []
        assert [e for e in expected if not any(e in line for line in lines)] == []
        assert len(lines) == len(expected), run.stderr


def test_every_article_stored_exactly_once(crawled):
    docs = crawled["docs"][0]
    portal = crawled["portal"]
    expected = {u: a for u, a in expected_urls(portal).items() if a["id"] != 115}
    assert len(expected) == 14
    assert sorted(d["canonical_url"] for d in docs.values()) == sorted(expected)
    for doc in docs.values():
        a = expected[doc["canonical_url"]]
        assert doc["doc_id"] == make_doc_id(doc["canonical_url"])
        assert doc["title"] == a["title"]
        assert doc["source"] == "127.0.0.1"
        assert doc["text"].startswith(a["title"] + "\n\n")
        for paragraph in a["paragraphs"]:
            assert paragraph in doc["text"]
        # no listing, print view, menu or footer text made it into the articles
        assert "Thống kê truy cập" not in doc["text"] and "Điện thoại: 0206" not in doc["text"]
    # each article was fetched once (print views and tracking duplicates are other URLs of it)
    paths = Counter(r["path"] for r in crawled["logs"][0])
    flaky = {article_path(a) for a in portal.articles if a["id"] in (105, 108)}
    for url, a in expected.items():
        assert paths[article_path(a)] == (2 if article_path(a) in flaky else 1), article_path(a)


def test_dates_are_all_correct(crawled):
    docs = crawled["docs"][0]
    articles = crawled["articles"]
    correct = sum(1 for d in docs.values()
                  if d["published"] and d["published"][:16] == articles[d["canonical_url"]]["published"])
    print(f"dates correct: {correct}/{len(docs)}")
    assert correct == len(docs) == 14


def test_robots_obeyed_and_no_tracking_duplicates(crawled):
    log = crawled["logs"][0]
    assert log[0]["path"] == "/robots.txt"
    assert not [r for r in log if r["path"].startswith(DISALLOWED)]
    assert not [r for r in log if "utm_" in r["path"] or "fbclid" in r["path"]]
    # our product token and version; no made-up contact URL (operators add theirs with --user-agent)
    from pipeline import __version__
    assert all(r["headers"]["User-Agent"] == f"provnews/{__version__}" for r in log)


def test_gap_between_requests_respects_crawl_delay(crawled):
    times = [r["time"] for r in crawled["logs"][0]]
    gaps = [b - a for a, b in zip(times, times[1:])]
    print(f"requests: {len(times)}, minimum gap: {min(gaps):.3f} s (Crawl-delay {CRAWL_DELAY})")
    assert min(gaps) >= CRAWL_DELAY


def test_traps_are_left_early(crawled):
    paths = [r["path"] for r in crawled["logs"][0]]
    calendar = [p for p in paths if p.startswith("/lich/")]
    pager = [p for p in paths if p.startswith("/news/tin-tuc/page-")]
    articles = sum(1 for a in crawled["portal"].articles if a["category"] == "tin-tuc" and a["id"] != 115)
    last_page = -(-articles // 3)
    print(f"calendar pages fetched: {len(calendar)}; tin-tuc pager pages: {sorted(pager)}")
    assert len(calendar) <= 3
    # the pager links a next page forever: at most two empty pages past the last one
    assert len(pager) <= (last_page - 1) + 2


def test_warcs_valid_and_each_article_has_request_and_response(crawled):
    out = crawled["out"]
    assert warcio_check_all(out) == []
    recs = warc_records(out)
    by_id = {h.get_header("WARC-Record-ID"): (name, kind, h, http) for name, kind, h, http in recs}
    concurrent = Counter((kind, h.get_header("WARC-Concurrent-To")) for _, kind, h, _ in recs)
    for doc in crawled["docs"][0].values():
        name, kind, headers, http = by_id[doc["warc_record_id"]]
        assert kind == "response" and doc["warc_file"] == f"warcs/{name}"
        assert headers.get_header("WARC-Target-URI") == doc["url"]
        assert http.get_statuscode() == "200"
        assert concurrent[("request", doc["warc_record_id"])] == 1
        assert concurrent[("metadata", doc["warc_record_id"])] == 1
    assert (out / "warcs" / "index.cdxj").exists()
    # the PDF is archived, but is no document
    assert any(h.get_header("WARC-Target-URI").endswith(".pdf") for _, k, h, _ in recs if k == "response")


def test_flaky_and_rate_limited_pages_recovered(crawled):
    log = crawled["logs"][0]
    for a in crawled["portal"].articles:
        if a["id"] in (105, 108):
            hits = [r["time"] for r in log if r["path"] == article_path(a)]
            assert len(hits) == 2                                     # failure, then success
            assert hits[1] - hits[0] >= (1.0 if a["id"] == 108 else CRAWL_DELAY)   # Retry-After: 1
            assert make_doc_id(crawled["portal"].url.rstrip("/") + article_path(a)) in crawled["docs"][0]


def test_recrawl_does_not_refetch_articles(crawled):
    log2 = crawled["logs"][1]
    docs1, docs2 = crawled["docs"][:2]
    article_paths = {article_path(a) for a in crawled["portal"].articles if a["id"] != 115}
    assert [r["path"] for r in log2 if r["path"] in article_paths] == []
    # the oversized page is remembered, not downloaded again
    assert [r for r in log2 if r["path"] == "/news/tin-tuc/so-lieu-thong-ke-day-du.html"] == []
    # listings, feeds, sitemaps and the seed are revisited (conditionally)
    revisited = {r["path"] for r in log2}
    assert {"/", "/robots.txt", "/sitemap.xml", "/news/rss/", "/news/thanh-tra/"} <= revisited
    assert all("If-None-Match" in r["headers"] for r in log2 if r["path"] in ("/", "/news/thanh-tra/"))
    assert docs2 == docs1                                             # nothing stored, nothing changed


def test_refresh_is_conditional_and_writes_only_revisits(crawled):
    log4 = crawled["logs"][3]
    docs2, docs4 = crawled["docs"][1], crawled["docs"][3]
    article_paths = {article_path(a) for a in crawled["portal"].articles if a["id"] != 115}
    article_requests = [r for r in log4 if r["path"] in article_paths]
    assert len(article_requests) == 14
    assert all("If-None-Match" in r["headers"] for r in article_requests)
    assert docs4 == docs2                                             # nothing stored, nothing changed
    out = crawled["out"]
    kinds = Counter()
    for name, kind, headers, http in warc_records(out):
        uri = headers.get_header("WARC-Target-URI") or ""
        if name in crawled["refresh_warcs"] and any(uri.endswith(p) for p in article_paths):
            kinds[(kind, headers.get_header("WARC-Profile"))] += 1
    print(f"refresh records for articles: {dict(kinds)}")
    assert kinds[("response", None)] == 0
    assert kinds[("revisit", "http://netpreserve.org/warc/1.1/revisit/server-not-modified")] == 14
    assert warcio_check_all(out) == []


def test_later_crawl_fetches_only_what_is_new(crawled):
    docs2, docs3 = crawled["docs"][3], crawled["docs"][2]
    new_ids = set(docs3) - set(docs2)
    assert len(new_ids) == 1
    doc = docs3[new_ids.pop()]
    assert doc["title"] == crawled["new_article"]["title"]
    assert doc["published"][:16] == crawled["new_article"]["published"]
    # the known articles were not fetched again
    log3 = crawled["logs"][2]
    known = {article_path(a) for a in crawled["portal"].articles if a["id"] != 115}
    assert [r for r in log3 if r["path"] in known] == []


# --- interruptions --------------------------------------------------------------------

@pytest.fixture(scope="module")
def fast_portal():
    with PortalServer(crawl_delay=0.05) as portal:
        yield portal


@pytest.fixture(scope="module")
def reference(fast_portal, tmp_path_factory):
    """An uninterrupted crawl of the fast portal."""
    out = tmp_path_factory.mktemp("reference")
    ran = provnews("crawl", fast_portal.url, "--out", str(out), "--delay", "0", "--quiet")
    assert ran.returncode == 0, ran.stderr
    return out


def test_kill_9_midway_then_resume_equals_uninterrupted(fast_portal, reference, tmp_path):

    killed = tmp_path / "killed"
    proc = start_crawl(fast_portal.url, killed)
    deadline = time.monotonic() + 60
    while count_documents(killed) < 4 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    stored_when_killed = count_documents(killed)
    assert 4 <= stored_when_killed < 14
    # what kill -9 in the middle of a write leaves: a torn gzip member at the end
    last = sorted((killed / "warcs").glob("*.warc.gz"))[-1]
    with open(last, "ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00torn record")

    resumed = provnews("crawl", fast_portal.url, "--out", str(killed), "--delay", "0", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    ref_docs, got_docs = documents(reference), documents(killed)
    print(f"kill -9 with {stored_when_killed} documents stored; after resume {len(got_docs)}, "
          f"uninterrupted {len(ref_docs)}")
    assert set(got_docs) == set(ref_docs) and len(got_docs) == 14
    for doc_id, ref in ref_docs.items():
        got = got_docs[doc_id]
        assert (got["title"], got["published"], got["text"], got["canonical_url"]) == \
               (ref["title"], ref["published"], ref["text"], ref["canonical_url"])
    assert warcio_check_all(killed) == []
    # every stored document points at a response record that exists
    ids = {h.get_header("WARC-Record-ID") for _, kind, h, _ in warc_records(killed) if kind == "response"}
    assert all(d["warc_record_id"] in ids for d in got_docs.values())
    # nothing fetched twice across the two runs except what was in flight: no duplicate article responses
    responses = Counter(h.get_header("WARC-Target-URI") for _, kind, h, _ in warc_records(killed) if kind == "response")
    assert all(responses[d["url"]] == 1 for d in got_docs.values())


def test_ctrl_c_stops_cleanly_and_resumes(fast_portal, tmp_path):
    out = tmp_path / "sigint"
    proc = start_crawl(fast_portal.url, out)
    deadline = time.monotonic() + 60
    while count_documents(out) < 3 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "resume" in stderr and "Traceback" not in stderr
    assert warcio_check_all(out) == []
    partial = count_documents(out)
    assert partial < 14
    again = provnews("crawl", fast_portal.url, "--out", str(out), "--delay", "0", "--quiet")
    assert again.returncode == 0, again.stderr
    assert count_documents(out) == 14


# --- bad input --------------------------------------------------------------------------

def test_invalid_seed_is_a_one_line_error(tmp_path):
    for bad in ("not-a-url", "ftp://example.org/", "http://127.0.0.1:99999/"):
        run = provnews("crawl", bad, "--out", str(tmp_path / "x"), "--quiet")
        assert run.returncode == 2
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and bad in lines[0] and "Traceback" not in run.stderr


def test_unreachable_seed_is_a_one_line_error(tmp_path):
    import socket
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    # a user settings file (between the defaults and the flags) shortens the retry backoff
    settings = tmp_path / "settings.toml"
    settings.write_text("[crawl]\nbackoff_factor = 0.05\nretries = 2\n", encoding="utf-8")
    run = provnews("crawl", f"http://127.0.0.1:{port}/", "--out", str(tmp_path / "x"), "--quiet", "--delay", "0",
                   env_extra={"PROVNEWS_SETTINGS": str(settings)})
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "refused" in lines[0].lower()
    # the request that failed is robots.txt: the seed was never asked for, and the line says so
    assert lines[0].startswith(f"provnews crawl: http://127.0.0.1:{port}/: not fetched: its host did not answer "
                               f"http://127.0.0.1:{port}/robots.txt ("), lines[0]


def test_progress_goes_to_stderr(fast_portal, tmp_path):
    run = provnews("crawl", fast_portal.url, "--out", str(tmp_path / "p"), "--delay", "0", "--max-pages", "5")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert "crawl:" in run.stderr and "fetched" in run.stderr
    assert "paused" in run.stderr                 # --max-pages stops early; the next run continues
    conn = sqlite3.connect(tmp_path / "p" / "corpus.sqlite")
    fetched = conn.execute("SELECT count(*) FROM crawl_urls WHERE state != 'queued'").fetchone()[0]
    assert fetched == 5


def test_max_depth_guard(fast_portal, tmp_path):
    from pipeline.crawl import crawl
    from pipeline.settings import Settings

    result = crawl([fast_portal.url], tmp_path / "d", Settings(delay=0, max_depth=1, quiet=True))
    assert result.state == "finished"
    conn = sqlite3.connect(tmp_path / "d" / "corpus.sqlite")
    depths = [len(h) for (h,) in conn.execute("SELECT hops FROM crawl_urls WHERE kind != 'robots'")]
    assert max(depths) == 1
    # the home page, the sitemaps' first level and the feed reach some articles, not all
    assert 0 < result.documents < 14


def test_run_crawls_extracts_and_exports(fast_portal, tmp_path):
    run = provnews("run", fast_portal.url, "--out", str(tmp_path / "c"), "--outputs", str(tmp_path / "o"),
                   "--delay", "0", "--quiet")
    assert run.returncode == 0, run.stderr
    assert "documents: 14" in run.stdout
    assert "records:" in run.stdout
    jsonl = tmp_path / "o" / "documents.jsonl"
    assert jsonl.exists() and f"output: {jsonl}" in run.stdout
    docs = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert len(docs) == 14 and all(d["warc_file"] and d["warc_record_id"] for d in docs)


def test_crash_between_store_and_frontier_commit_is_repaired(fast_portal, reference, tmp_path):
    """The narrowest window: the WARC written and the article stored, the frontier not yet committed."""
    from pipeline.crawl import Crawler
    from pipeline.settings import Settings

    class Crash(BaseException):
        pass

    out = tmp_path / "crash"
    crawler = Crawler([fast_portal.url], out, Settings(delay=0, quiet=True))
    commit = crawler.frontier.commit_fetch
    seen = []

    def crash_on_fourth_article(item, **kw):
        if kw.get("doc_id"):
            seen.append(kw["doc_id"])
            if len(seen) == 4:
                raise Crash()
        return commit(item, **kw)

    crawler.frontier.commit_fetch = crash_on_fourth_article
    with pytest.raises(Crash):
        crawler.run()
    crawler.close()
    crashed_doc = documents(out)[seen[-1]]           # stored, pointing at an uncommitted WARC record
    assert crashed_doc["warc_record_id"]
    # a WARC the frontier does not know (copied in by hand) must survive the recovery
    foreign = out / "warcs" / "provnews-copied-by-hand.warc.gz"
    shutil.copy(next((reference / "warcs").glob("*.warc.gz")), foreign)

    resumed = provnews("crawl", fast_portal.url, "--out", str(out), "--delay", "0", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    docs = documents(out)
    assert len(docs) == 14
    responses = {h.get_header("WARC-Record-ID"): h.get_header("WARC-Target-URI")
                 for _, kind, h, _ in warc_records(out) if kind == "response"}
    # the uncommitted tail was cut and the page fetched again: the document points at the new record
    assert crashed_doc["warc_record_id"] not in responses
    assert all(responses.get(d["warc_record_id"]) == d["url"] for d in docs.values())
    assert warcio_check_all(out) == []
    assert foreign.exists()


def test_other_hosts_only_with_allow_domain(crawled, fast_portal, tmp_path):
    # without --allow-domain the mirror host linked in the footer is out of scope
    assert not [r for r in crawled["logs"][0] if r["headers"].get("Host", "").startswith("localhost")]
    start = len(fast_portal.requests)
    run = provnews("crawl", fast_portal.url, "--out", str(tmp_path / "a"), "--delay", "0", "--quiet",
                   "--allow-domain", "localhost")
    assert run.returncode == 0, run.stderr
    log = fast_portal.requests[start:]
    mirror = [r for r in log if r["headers"].get("Host", "").startswith("localhost")]
    assert mirror and mirror[0]["path"] == "/robots.txt"          # its own robots.txt, first
    assert not [r for r in mirror if r["path"].startswith(DISALLOWED)]
    # the mirror's pages name 127.0.0.1 as canonical: still one document per article
    docs = documents(tmp_path / "a")
    assert len(docs) == 14 and all(d["canonical_url"].startswith(fast_portal.url) for d in docs.values())


def test_a_second_site_in_the_same_folder_leaves_the_first_alone(fast_portal, reference, tmp_path):
    out = tmp_path / "two"
    shutil.copytree(reference, out)          # a folder holding a finished crawl of the first site
    assert len(documents(out)) == 14
    before = len(fast_portal.requests)
    with PortalServer(crawl_delay=0.02, articles=fast_portal.articles[:3]) as other:
        second = provnews("crawl", other.url, "--out", str(out), "--delay", "0", "--quiet")
        assert second.returncode == 0, second.stderr
    assert len(fast_portal.requests) == before          # no revalidation of the other site
    docs = documents(out)
    assert len(docs) == 14 + 3
    assert sum(d["source"] == "127.0.0.1" for d in docs.values()) == 17
    assert len({d["canonical_url"].split("/news/")[0] for d in docs.values()}) == 2


# --- what the archive keeps ---------------------------------------------------------

def test_retried_error_answers_are_archived_before_the_answer_that_counted(crawled):
    recs = [r for r in warc_records(crawled["out"]) if r[0] in crawled["first_warcs"]]
    for ident, error in ((105, "503"), (108, "429")):
        a = next(a for a in crawled["portal"].articles if a["id"] == ident)
        url = crawled["portal"].url.rstrip("/") + article_path(a)
        answers = [(kind, http.get_statuscode() if kind == "response" else None) for _, kind, h, http in recs
                   if kind in ("response", "request") and h.get_header("WARC-Target-URI") == url]
        assert answers == [("response", error), ("request", None), ("response", "200"), ("request", None)]


def test_fetched_at_is_the_warc_date_of_the_record_it_points_to(crawled):
    dates = {h.get_header("WARC-Record-ID"): h.get_header("WARC-Date") for _, _, h, _ in warc_records(crawled["out"])}
    docs = crawled["docs"][2]
    assert docs and all(doc["fetched_at"] == dates[doc["warc_record_id"]] for doc in docs.values())


def test_requests_name_the_page_that_linked_them(crawled):
    log = crawled["logs"][0]
    articles = {article_path(a) for a in crawled["portal"].articles}
    referers = [r["headers"].get("Referer") for r in log if r["path"] in articles]
    assert referers and all(ref and ref.startswith(crawled["portal"].url) for ref in referers)


def test_an_error_answer_is_archived_even_when_the_retry_finds_no_server(tmp_path):
    """503, then the server is gone: the 503 is in the WARC, the URL is failed, nothing is lost."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from pipeline.crawl import Crawler
    from pipeline.settings import Settings

    class Once(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/robots.txt":
                body, status = b"User-agent: *\nAllow: /\n", 200
            else:
                body, status = b"<html><body>down for maintenance</body></html>", 503
                # the next request finds nothing listening
                def stop(server=self.server):
                    server.shutdown()
                    server.server_close()
                threading.Thread(target=stop, daemon=True).start()
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if status == 503 else "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Once)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/tin-tuc.html"
    crawler = Crawler([url], tmp_path / "c", Settings(delay=0, retries=2, backoff_factor=0.05, connect_timeout=2,
                                                           read_timeout=2))
    try:
        crawler.run()
    finally:
        crawler.close()
        thread.join(timeout=5)
    answers = [(kind, http.get_statuscode()) for _, kind, h, http in warc_records(tmp_path / "c")
               if kind == "response" and h.get_header("WARC-Target-URI") == url]
    assert answers == [("response", "503")]
    assert warcio_check_all(tmp_path / "c") == []
    conn = sqlite3.connect(tmp_path / "c" / "corpus.sqlite")
    state, error = conn.execute("SELECT state, error FROM crawl_urls WHERE url=?", (url,)).fetchone()
    assert state == "failed" and error


def test_a_robots_txt_answering_500_is_said_not_only_counted(tmp_path):
    """RFC 9309: a robots.txt the server cannot give means "disallow all"; the run says why in one
    line naming it, instead of only counting the seed as disallowed."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from conftest import run_cli

    class Broken(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            status = 500 if self.path == "/robots.txt" else 200
            body = b"<html><body>x</body></html>"
            self.send_response(status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Broken)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        proc = run_cli("crawl", base + "/tin-tuc.html", "--out", str(tmp_path / "c"), "--delay", "0", "--quiet",
                       env={"PROVNEWS_SETTINGS": "/dev/null"}, timeout=120)
    finally:
        server.shutdown()
        server.server_close()
    assert "Traceback" not in proc.stderr
    lines = [x for x in proc.stderr.splitlines() if "robots.txt" in x and "500" in x]
    assert lines == [f"provnews crawl: {base}/robots.txt: answered 500: the whole host is treated as "
                     "disallowed (RFC 9309)"], proc.stderr


def test_a_second_crawl_into_the_same_folder_is_refused(tmp_path):
    """While one crawl writes into a folder (it holds the folder's lock), another one into it stops in
    one line before any request: two would fetch every URL twice as often as the host allows."""
    import fcntl

    from conftest import run_cli

    out = tmp_path / "c"
    out.mkdir()
    with open(out / ".crawl.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        proc = run_cli("crawl", "http://127.0.0.1:9/", "--out", str(out), "--delay", "0", timeout=60)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"provnews crawl: {out}: another crawl is writing into this folder; wait for it to end or give another --out"]
    assert not list((out).glob("warcs/*.warc.gz"))


def test_one_ctrl_c_ends_a_long_crawl_delay_and_the_url_stays_queued(tmp_path):
    """A robots.txt asking 1000 s between requests: the first Ctrl-C stops the crawl at once (the
    host's wait ends), rc 130, and the page it was waiting for is still queued for the next run."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from conftest import interrupt

    class Slow(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = (b"User-agent: *\nCrawl-delay: 1000\n" if self.path == "/robots.txt"
                    else b"<html><body><p>x</p></body></html>")
            self.send_response(200)
            self.send_header("Content-Type", "text/plain" if self.path == "/robots.txt" else "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    out = tmp_path / "c"
    try:
        proc = start_crawl(f"http://127.0.0.1:{server.server_address[1]}/tin-tuc.html", out)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:  # until robots.txt is in
            if (out / "corpus.sqlite").exists():
                conn = sqlite3.connect(out / "corpus.sqlite")
                try:
                    if conn.execute("SELECT count(*) FROM crawl_urls WHERE kind='robots' AND state!='queued'"
                                    ).fetchone()[0]:
                        break
                except sqlite3.OperationalError:
                    pass
                finally:
                    conn.close()
            time.sleep(0.1)
        time.sleep(1)
        _, stderr = interrupt(proc, "the crawl's wait")
    finally:
        server.shutdown()
        server.server_close()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    conn = sqlite3.connect(out / "corpus.sqlite")
    state = conn.execute("SELECT state FROM crawl_urls WHERE url LIKE '%tin-tuc.html'").fetchone()[0]
    conn.close()
    assert state == "queued"


# --- failures are named, not only counted -----------------------------------------------------

class _Served:
    """A ThreadingHTTPServer on 127.0.0.1 in a daemon thread (``url``); ``with`` stops it."""

    def _serve(self, handler) -> None:
        import threading
        from http.server import ThreadingHTTPServer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True  # (a dripping answer must not hold up the shutdown)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class _Site(_Served):
    """A tiny site on 127.0.0.1: ``routes`` maps a path to (status, content type, body[, headers]); any other
    path is a 404. With ``_site_routes`` every address the crawl guesses (a sitemap, a feed) is
    there, so every failure is one the test made."""

    def __init__(self, routes: dict[str, tuple[int, str, bytes]]):
        from http.server import BaseHTTPRequestHandler

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                status, ctype, body, *headers = routes.get(self.path, (404, "text/html",
                                                                       b"<html><body>not here</body></html>"))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                for name, value in (headers[0] if headers else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._serve(Handler)


def _site_routes(links: list[str], sitemap: tuple[str, bytes] | None = None) -> dict:
    """robots.txt, a sitemap where the crawl looks for one (robots.txt names none), and a seed linking
    ``links`` and announcing an (empty) feed."""
    anchors = "".join(f'<a href="{href}">{href}</a>' for href in links)
    seed = (f'<html><head><link rel="alternate" type="application/rss+xml" href="/rss.xml"></head>'
            f"<body>{anchors}</body></html>").encode()
    ctype, body = sitemap or ("application/xml", b'<?xml version="1.0"?><urlset '
                              b'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>')
    return {
        "/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n"),
        "/sitemap.xml": (200, ctype, body),
        "/rss.xml": (200, "application/rss+xml", b'<?xml version="1.0"?><rss version="2.0"><channel>'
                     b"<title>t</title></channel></rss>"),
        "/": (200, "text/html; charset=utf-8", seed),
    }


def test_each_failed_url_is_named_with_its_reason(tmp_path):
    """An archivist must know which URLs failed and why, not only how many: one line per failed URL
    on stderr, in the crawl's own format, before the summary that still counts them."""
    with _Site(_site_routes(["/bai-1.html", "/bai-2.html"])) as site:
        run = provnews("crawl", site.url + "/", "--out", str(tmp_path / "c"), "--delay", "0")
    assert run.returncode == 0, run.stderr
    named = [line for line in run.stderr.splitlines() if line.startswith("provnews crawl: http")]
    assert sorted(named) == [f"provnews crawl: {site.url}/bai-1.html: HTTP 404 Not Found",
                             f"provnews crawl: {site.url}/bai-2.html: HTTP 404 Not Found"], run.stderr
    summary = run.stderr.splitlines().index(next(x for x in run.stderr.splitlines() if x.startswith("crawl done")))
    assert all(run.stderr.splitlines().index(line) < summary for line in named)
    assert " 2 errors," in run.stderr.splitlines()[summary]


def test_many_failed_urls_are_capped_and_the_full_list_is_a_query_away(tmp_path):
    """30 broken links: 20 named, then one line saying the rest are only counted, and at the end how
    many went unnamed and the command that lists them all, which does list all 30."""
    broken = [f"/hong-{i}.html" for i in range(30)]
    out = tmp_path / "c"
    with _Site(_site_routes(broken)) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", "--quiet")
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    named = [line for line in lines if line.startswith("provnews crawl: http") and "HTTP 404" in line]
    assert len(named) == 20, run.stderr
    assert lines[20] == "provnews crawl: more than 20 URLs failed: the others are counted, not named one by one"
    last = lines[-1]
    assert last.startswith("provnews crawl: 10 more failed URL(s) not named above; all of them: provnews query "), last
    assert len(lines) == 22, run.stderr
    # the command it gives works as printed and lists every failed URL
    import shlex
    listed = provnews(*shlex.split(last.split("all of them: provnews ", 1)[1]), "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    assert sorted(row.split(",")[0] for row in listed.stdout.splitlines()[1:]) == sorted(site.url + b for b in broken)


def test_addresses_the_crawl_only_guessed_are_no_failures_when_missing(tmp_path):
    """A site announcing no sitemap and no feed: the crawl tries /sitemap.xml and the usual feed
    paths, and their 404s are not failures (not named, not counted), while a broken link still is."""
    seed = b'<html><body><a href="/bai-1.html">1</a><a href="/mat.html">2</a></body></html>'
    routes = {"/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n"),
              "/": (200, "text/html; charset=utf-8", seed),
              "/bai-1.html": (200, "text/html; charset=utf-8", b"<html><body><p>x</p></body></html>")}
    out = tmp_path / "c"
    with _Site(routes) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0")
    assert run.returncode == 0, run.stderr
    named = [line for line in run.stderr.splitlines() if line.startswith("provnews crawl: http")]
    assert named == [f"provnews crawl: {site.url}/mat.html: HTTP 404 Not Found"], run.stderr
    assert " 1 errors," in run.stderr
    # the guesses were made, and are recorded as fetched and absent
    import sqlite3
    with sqlite3.connect(out / "corpus.sqlite") as db:
        rows = dict(db.execute("SELECT url, state FROM crawl_urls WHERE kind IN ('sitemap', 'feed')"))
    assert rows[site.url + "/sitemap.xml"] == "done" and rows[site.url + "/rss.xml"] == "done", rows


def test_a_relative_sitemap_in_robots_txt_is_read_against_it(tmp_path):
    """`Sitemap: /so-do.xml` (relative, as some CMSs write it) is the site's sitemap all the same."""
    sitemap = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               b"<url><loc>{}/chi-trong-so-do.html</loc></url></urlset>")
    routes = {"/": (200, "text/html; charset=utf-8", b"<html><body>trang chu</body></html>"),
              "/chi-trong-so-do.html": (200, "text/html; charset=utf-8", b"<html><body><p>x</p></body></html>")}
    out = tmp_path / "c"
    with _Site(routes) as site:
        routes["/robots.txt"] = (200, "text/plain", b"User-agent: *\nAllow: /\nSitemap: /so-do.xml\n")
        routes["/so-do.xml"] = (200, "application/xml", sitemap.replace(b"{}", site.url.encode()))
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0")
    assert run.returncode == 0, run.stderr
    import sqlite3
    with sqlite3.connect(out / "corpus.sqlite") as db:
        fetched = {u for (u,) in db.execute("SELECT url FROM crawl_urls WHERE state='done'")}
    assert site.url + "/so-do.xml" in fetched and site.url + "/chi-trong-so-do.html" in fetched, fetched


@pytest.mark.parametrize("ctype, body, got", [
    ("text/html; charset=utf-8", "<!DOCTYPE html>\n<html><head><title>Trang chủ</title></head><body>"
     "<p>Không tìm thấy trang</p></body></html>".encode(), "text/html, starting '<!DOCTYPE html> <html><head><title>Tr"),
    ("application/octet-stream", b"\x00\x01\x02\xffgarbage" * 4, "application/octet-stream, starting b'\\x00\\x01\\x02\\xff"),
])
def test_a_sitemap_that_is_not_xml_is_said_and_the_crawl_goes_on(tmp_path, ctype, body, got):
    """A portal answering its sitemap address with a page or junk (a soft 404): one warning naming
    the sitemap and what came instead; the sitemap is done, and the pages linked are still crawled."""
    with _Site({**_site_routes(["/bai-1.html"], sitemap=(ctype, body)),
                "/bai-1.html": (200, "text/html", b"<html><body><p>x</p></body></html>")}) as site:
        out = tmp_path / "c"
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", "--quiet")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"provnews crawl: {site.url}/sitemap.xml: not an XML sitemap ({got}"), lines[0]
    assert lines[0].endswith("): no URLs taken from it")
    conn = sqlite3.connect(out / "corpus.sqlite")
    states = dict(conn.execute("SELECT url, state FROM crawl_urls"))
    conn.close()
    assert states[f"{site.url}/sitemap.xml"] == "done" and states[f"{site.url}/bai-1.html"] == "done"


# --- URL traps ----------------------------------------------------------------------------------

class _DynamicSite(_Site):
    """Like ``_Site``, but ``route(path_with_query)`` answers (status, content type, body) or None (404);
    every request is logged in ``requests``."""

    def __init__(self, route):
        self.requests: list[str] = []
        log = self.requests

        class Routes(dict):
            def get(self, path, default=None):
                log.append(path)
                return route(path) or default

        super().__init__(Routes())


def _page(title: str, body: str) -> tuple[int, str, bytes]:
    return 200, "text/html; charset=utf-8", (f"<html><head><title>{title}</title></head><body>{body}"
                                             "</body></html>").encode()


def test_a_trap_that_grows_its_query_string_ends_on_its_own(tmp_path):
    """A "related searches" page linking ever-longer queries (``?q=Xa``, ``?q=Xb&x=1``: a binary tree, every
    URL of a new template): the crawl ends by itself after a bounded number of fetches, says so once, and
    the article the home page links is crawled all the same."""
    from urllib.parse import parse_qs, urlsplit

    def route(path):
        parts = urlsplit(path)
        if parts.path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        if parts.path == "/":
            return _page("Trang chủ", '<a href="/grow?q=a">Tìm kiếm</a> <a href="/bai-viet-1.html">Bài</a>')
        if parts.path == "/grow":
            v = parse_qs(parts.query).get("q", ["a"])[0]
            return _page(f"Tìm {v}", f'<h1>Kết quả</h1><a href="/grow?q={v}a">more</a> '
                                     f'<a href="/grow?q={v}b&amp;x=1">more2</a>')
        if parts.path == "/bai-viet-1.html":
            return _page("Bài viết", "<p>" + "Nội dung bài viết về kinh tế tỉnh. " * 40 + "</p>")
        return None

    out = tmp_path / "c"
    with _DynamicSite(route) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    grow = [p for p in site.requests if p.startswith("/grow")]
    assert 0 < len(grow) <= 2 ** 5, len(grow)
    assert "/bai-viet-1.html" in site.requests
    named = [x for x in run.stderr.splitlines() if "only lengthen the query string" in x]
    assert len(named) == 1 and named[0].startswith(f"provnews crawl: {site.url}/grow?q="), run.stderr


def test_real_article_url_shapes_are_still_crawled(tmp_path):
    """The query-growth and URL-length guards leave real CMS addresses alone: ASP.NET/DNN
    (``Default.aspx?tabid=..&ItemID=..``, and a print view one parameter longer), SharePoint
    (``?ItemID=``), Joomla (``index.php?option=com_content&...&id=``), NukeViet paths, and a listing pager
    (``&page=N``) whose pages link their articles."""
    article = "<p>" + "Nội dung bài viết về kinh tế xã hội của tỉnh trong năm. " * 30 + "</p>"
    links = {
        "/": ['/Default.aspx?tabid=5', '/index.php', '/vi/news/thoi-su/', '/Pages/tin-tuc.aspx?ItemID=60'],
        "/Default.aspx?tabid=5": ['/Default.aspx?tabid=5&ItemID=123', '/Default.aspx?tabid=5&page=2'],
        "/Default.aspx?page=2&tabid=5": ['/Default.aspx?tabid=5&ItemID=124', '/Default.aspx?tabid=5&page=3'],
        "/Default.aspx?page=3&tabid=5": ['/Default.aspx?tabid=5&ItemID=125'],
        "/Default.aspx?ItemID=123&tabid=5": ['/Default.aspx?tabid=5&ItemID=123&print=1'],
        "/index.php": ['/index.php?option=com_content&view=category&id=2',
                       '/index.php?option=com_content&view=article&id=5'],
        "/index.php?id=2&option=com_content&view=category": [
            '/index.php?option=com_content&view=category&id=2&limitstart=20'],
        "/index.php?id=2&limitstart=20&option=com_content&view=category": [
            '/index.php?option=com_content&view=article&id=6'],
        "/vi/news/thoi-su/": ['/vi/news/thoi-su/hoi-nghi-tong-ket-nam-2023-1234.html'],
        "/Pages/tin-tuc.aspx?ItemID=60": ['/Pages/tin-tuc.aspx?ItemID=59'],
    }
    articles = {"/Default.aspx?ItemID=123&tabid=5", "/Default.aspx?ItemID=124&tabid=5",
                "/Default.aspx?ItemID=125&tabid=5", "/Default.aspx?ItemID=123&print=1&tabid=5",
                "/index.php?id=5&option=com_content&view=article", "/index.php?id=6&option=com_content&view=article",
                "/vi/news/thoi-su/hoi-nghi-tong-ket-nam-2023-1234.html", "/Pages/tin-tuc.aspx?ItemID=60",
                "/Pages/tin-tuc.aspx?ItemID=59"}

    def route(path):
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        anchors = "".join(f'<a href="{h.replace("&", "&amp;")}">{h}</a> ' for h in links.get(path, []))
        if path in articles:
            return _page("Bài viết", f"<h1>Bài viết</h1>{article}{anchors}")
        if path in links:
            return _page("Danh sách", anchors)
        return None

    out = tmp_path / "c"
    with _DynamicSite(route) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", timeout=120)
    assert run.returncode == 0, run.stderr
    assert "only lengthen" not in run.stderr, run.stderr
    missing = (articles | set(links)) - set(site.requests)
    assert not missing, (missing, site.requests)


# --- robots.txt that does not arrive whole ----------------------------------------------------

class _RobotsSite(_Served):
    """Pages ``/`` (linking ``/bai-1.html`` and ``/private/bi-mat.html``) and those two, and a
    robots.txt ``robots(handler)`` writes as it likes (headers included); every path is logged."""

    def __init__(self, robots):
        from http.server import BaseHTTPRequestHandler

        self.requests: list[str] = []
        log = self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                log.append(self.path)
                if self.path == "/robots.txt":
                    try:
                        return robots(self)
                    except OSError:      # the crawler hung up
                        return None
                body = ('<html><body><p>Trang</p><a href="/bai-1.html">1</a>'
                        '<a href="/private/bi-mat.html">2</a></body></html>').encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._serve(Handler)


def _robots_rows(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "corpus.sqlite") as db:
        return db.execute("SELECT host, robots_txt FROM crawl_hosts").fetchall()


def test_a_robots_txt_still_arriving_at_the_time_limit_disallows_the_host_and_is_asked_again(tmp_path):
    """`Disallow: /` sent 14 bytes at once, then a byte a second (an overloaded server): cut at
    max_response_seconds, it is not the rules (the part that came, `User-agent: *\\nDisa`, allows all).
    RFC 9309: unreachable, so complete disallow, said in one line naming it; the next run asks again."""
    drip = [True]

    def robots(handler):
        body = b"User-agent: *\nDisallow: /\n" if drip[0] else b"User-agent: *\nAllow: /\n"
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if not drip[0]:
            return handler.wfile.write(body)
        handler.wfile.write(body[:14])
        handler.wfile.flush()
        for byte in body[14:]:
            time.sleep(1)
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()

    settings = tmp_path / "settings.toml"
    settings.write_text("[crawl]\nmax_response_seconds = 2\n", encoding="utf-8")
    out = tmp_path / "c"
    with _RobotsSite(robots) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", "--quiet",
                       env_extra={"PROVNEWS_SETTINGS": str(settings)}, timeout=120)
        assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
        assert site.requests == ["/robots.txt"], site.requests
        assert run.stderr.splitlines() == [
            f"provnews crawl: {site.url}/robots.txt: did not arrive whole: still arriving after 2 s "
            "(max_response_seconds): the whole host is treated as disallowed (RFC 9309)"], run.stderr
        assert [text for _, text in _robots_rows(out)] == ["User-agent: *\nDisallow: /\n"]
        # the next run asks for robots.txt again (no validators of a file it never had), and obeys it
        drip[0] = False
        site.requests.clear()
        again = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", "--quiet",
                         env_extra={"PROVNEWS_SETTINGS": str(settings)}, timeout=120)
    assert again.returncode == 0, again.stderr
    assert site.requests[0] == "/robots.txt" and "/bai-1.html" in site.requests, site.requests
    assert [text for _, text in _robots_rows(out)] == ["User-agent: *\nAllow: /\n"]


def test_a_robots_txt_cut_mid_body_is_said_by_its_own_url_not_the_seeds(tmp_path):
    """robots.txt announcing 100 bytes more than it sends, then closing: one line naming robots.txt
    and why, the host is disallowed (RFC 9309), and no line says the seed could not be fetched."""
    def robots(handler):
        body = b"User-agent: *\nAllow: /\n# more to come\n"
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Length", str(len(body) + 100))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True

    out = tmp_path / "c"
    with _RobotsSite(robots) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", "--quiet", timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"provnews crawl: {site.url}/robots.txt: did not arrive whole: the connection broke off ("), run.stderr
    assert lines[0].endswith("): the whole host is treated as disallowed (RFC 9309)")
    assert set(site.requests) == {"/robots.txt"}, site.requests
    assert [text for _, text in _robots_rows(out)] == ["User-agent: *\nDisallow: /\n"]


def test_a_robots_txt_gzip_bomb_is_read_and_kept_only_to_512_kib(tmp_path):
    """robots.txt of `Disallow: /private/` and 64 MiB of comments, gzipped: RFC 9309 lets a crawler stop
    after 500 KiB. The first 512 KiB are the rules (obeyed), the store keeps no more, one line says it."""
    import gzip

    packed = gzip.compress(b"User-agent: *\nDisallow: /private/\n" + (b"#" * 99 + b"\n") * (64 * 1024 * 1024 // 100))

    def robots(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(packed)))
        handler.end_headers()
        handler.wfile.write(packed)

    out = tmp_path / "c"
    with _RobotsSite(robots) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0", "--quiet", timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert "/bai-1.html" in site.requests and "/private/bi-mat.html" not in site.requests, site.requests
    [(_, text)] = _robots_rows(out)
    assert text.startswith("User-agent: *\nDisallow: /private/\n") and len(text) <= 512 * 1024, len(text)
    assert text.endswith("\n")
    assert [x for x in run.stderr.splitlines() if "robots.txt" in x] == [
        f"provnews crawl: {site.url}/robots.txt: longer than 524,288 bytes unpacked: only its first "
        f"{len(text):,} bytes are read (RFC 9309)"], run.stderr
    assert os.path.getsize(out / "corpus.sqlite") < 8 * 1024 * 1024


# --- seeds that redirect --------------------------------------------------------------------------

def test_a_seed_redirect_loop_is_said_in_one_line(tmp_path):
    """A seed redirecting to a page that redirects back: one line naming the seed and the loop (the
    crawl would otherwise end with nothing fetched and nothing said)."""
    routes = {"/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n"),
              "/loop-a": (302, "text/html", b"", {"Location": "/loop-b"}),
              "/loop-b": (302, "text/html", b"", {"Location": "/loop-a"})}
    with _Site(routes) as site:
        run = provnews("crawl", site.url + "/loop-a", "--out", str(tmp_path / "c"), "--delay", "0", "--quiet")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert [x for x in run.stderr.splitlines() if "loop" in x] == [
        f"provnews crawl: {site.url}/loop-a: redirect loop ({site.url}/loop-a → {site.url}/loop-b → "
        f"{site.url}/loop-a): no page to crawl from this seed"], run.stderr


def test_a_seed_redirecting_to_another_port_is_reported_not_followed_like_a_page(tmp_path):
    """Another port of the seed's host is another server, for a seed's redirect as for a page's: the
    seed's redirect is archived and reported, not followed (the same rule as for another host)."""
    page = (200, "text/html; charset=utf-8", b"<html><body><p>x</p></body></html>")
    with _Site({"/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n"), "/ok.html": page}) as other:
        other_log: list[str] = []
        get = other.server.RequestHandlerClass.do_GET

        def logged(handler):
            other_log.append(handler.path)
            return get(handler)
        other.server.RequestHandlerClass.do_GET = logged
        routes = {"/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n"),
                  "/moved": (302, "text/html", b"", {"Location": other.url + "/ok.html"})}
        with _Site(routes) as site:
            out = tmp_path / "c"
            run = provnews("crawl", site.url + "/moved", "--out", str(out), "--delay", "0", "--quiet")
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert other_log == [], other_log
    assert [x for x in run.stderr.splitlines() if "another host" in x] == [
        f"provnews crawl: {site.url}/moved: redirects to {other.url}/ok.html, another host: not followed "
        "(add --allow-domain 127.0.0.1 to crawl it)"], run.stderr


def test_articles_reached_only_through_their_related_articles_are_all_crawled(tmp_path):
    """Each article `?ItemID=N` links its related articles N-1 .. N-3 and nothing else reaches them
    (no listing, sitemap or feed): every article is crawled, where the pager guard took an
    article's related links, of its parent's shape, for an endless pager and stopped after four."""
    body = ("<p>Sở Nông nghiệp tỉnh cho biết trong tháng đã kiểm tra {n} cơ sở sản xuất, kinh doanh "
            "vật tư nông nghiệp trên địa bàn và xử phạt các cơ sở vi phạm theo quy định hiện hành.</p>"
            "<p>Đoàn kiểm tra đã lấy mẫu phân bón, thuốc bảo vệ thực vật để gửi đi phân tích chất lượng "
            "tại phòng thí nghiệm của tỉnh trong đợt kiểm tra thứ {n} của năm nay.</p>")
    routes = {"/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n"),
              "/": (200, "text/html; charset=utf-8",
                    b'<html><body><a href="/Pages/tin-tuc.aspx?ItemID=20">Tin moi</a></body></html>')}
    for n in range(1, 21):
        related = "".join(f'<li><a href="/Pages/tin-tuc.aspx?ItemID={m}">Tin {m}</a></li>' for m in (n - 1, n - 2, n - 3)
                          if m > 0)
        html = (f"<html><head><title>Tin {n}</title></head><body><article><h1>Kiểm tra vật tư nông nghiệp đợt {n}</h1>"
                + body.format(n=n) + f"</article><ul class='related'>{related}</ul></body></html>")
        routes[f"/Pages/tin-tuc.aspx?ItemID={n}"] = (200, "text/html; charset=utf-8", html.encode())
    out = tmp_path / "c"
    with _Site(routes) as site:
        run = provnews("crawl", site.url + "/", "--out", str(out), "--delay", "0")
    assert run.returncode == 0, run.stderr
    import sqlite3
    with sqlite3.connect(out / "corpus.sqlite") as db:
        stored = {u for (u,) in db.execute("SELECT url FROM documents")}
    assert stored == {f"{site.url}/Pages/tin-tuc.aspx?ItemID={n}" for n in range(1, 21)}, sorted(stored)


def test_a_relative_link_that_deepens_its_own_path_ends_at_a_repeated_segment(tmp_path):
    """Every page of `/deep/…` links `a/` relative to itself (`/deep/a/`, `/deep/a/a/`, …): each is a
    new URL of a new shape, so only the depth cap (200) stopped it. A segment written three times is
    a trap (Heritrix's repeating-path rule); dated and numbered paths are not touched."""
    def route(path):
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n"
        if path == "/":
            return _page("Trang chủ", '<a href="/deep/">Sâu</a> <a href="/2024/01/01/01/bai.html">Bài</a>')
        if path.startswith("/deep/"):
            return _page("Sâu", '<a href="a/">tiếp</a>')
        if path == "/2024/01/01/01/bai.html":
            return _page("Bài viết", "<p>" + "Nội dung bài viết về kinh tế tỉnh. " * 40 + "</p>")
        return None

    with _DynamicSite(route) as site:
        run = provnews("crawl", site.url + "/", "--out", str(tmp_path / "c"), "--delay", "0", timeout=120)
    assert run.returncode == 0, run.stderr
    deep = [p for p in site.requests if p.startswith("/deep/")]
    assert sorted(deep) == ["/deep/", "/deep/a/", "/deep/a/a/"], deep
    assert "/2024/01/01/01/bai.html" in site.requests
