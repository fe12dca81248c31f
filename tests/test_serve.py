"""``provnews serve`` for real: Datasette on 127.0.0.1 over a small store, its
JSON and CSV, canned queries, search, and the records page in headless Chromium.

Chromium on CI (Debian): ``apt-get update && apt-get install -y chromium``.
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest
import requests

from tests.conftest import ROOT, free_port, run_cli
from tests.test_store import build_fixture_corpus

pytest.importorskip("datasette")

QLTT_HG = "Chi cục Quản lý thị trường tỉnh Hà Giang"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    corpus = build_fixture_corpus(tmp_path_factory.mktemp("served"))
    db = corpus / "corpus.sqlite"
    before = db.read_bytes()
    port = free_port()
    log = open(corpus / "serve.log", "w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "serve", "--corpus", str(corpus), "--port", str(port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # wait for the server to listen (up to ~30 s on a slow machine)
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"provnews serve exited with {proc.returncode}: {log.read()}")
            try:
                if requests.get(base + "/-/versions.json", timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.1)
        else:
            pytest.fail("provnews serve did not start listening")
        yield base, db, before
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_records_json(server):
    base, _, _ = server
    rows = requests.get(base + "/corpus/records.json", params={"_shape": "array", "_size": "max"}).json()
    assert len(rows) == 12
    hg = [r for r in rows if r["unit"] == QLTT_HG and r["activity"] == "kiểm tra"]
    assert sorted(r["value"] for r in hg) == [60.0, 120.0]


def test_record_rows_carry_provenance_and_facets(server):
    base, _, _ = server
    data = requests.get(base + "/corpus/record_rows.json", params={"activity": "kiểm định"}).json()
    row = dict(zip(data["columns"], data["rows"][0]))
    assert row["value"] == 1511.0 and row["sentence"].endswith("1.511 phương tiện đo.")
    assert row["url"] == "https://hagiang.example.gov.vn/tin-tuc/tong-ket-2023.html"
    assert row["published"] == "2023-12-28" and row["year"] == 2023
    assert row["warc_record_id"].startswith("<urn:uuid:")
    assert set(data["facet_results"]) >= {"unit", "activity", "unit_of_measure", "source", "year"}
    years = {f["value"]: f["count"] for f in data["facet_results"]["year"]["results"]}
    assert years == {2023: 1}


def test_search(server):
    base, _, _ = server
    rows = requests.get(base + "/corpus/record_rows.json",
                        params={"_search": "giảo cổ lam", "_shape": "array"}).json()
    assert {r["quantity_text"] for r in rows} == {"8.069 hộp", "2,5 tấn"}
    docs = requests.get(base + "/corpus/documents.json", params={"_search": "kiểm định", "_shape": "array"}).json()
    assert [d["title"] for d in docs] == ["Tổng kết công tác năm 2023"]
    # the canned query searches without diacritics too (đ included)
    rows = requests.get(base + "/corpus/search_records.json", params={"words": "do luong", "_shape": "array"}).json()
    assert {r["quantity_text"] for r in rows} == {"120 cơ sở", "30 cơ sở", "1.511 phương tiện đo"}


def test_canned_queries(server):
    base, _, _ = server
    rows = requests.get(base + "/corpus/sentences_behind_a_figure.json", params={
        "unit": "Hà Giang", "activity": "kiểm tra", "unit_of_measure": "cơ sở", "year": "2023", "_shape": "array"}).json()
    assert len(rows) == 1
    assert rows[0]["quantity_text"] == "120 cơ sở" and rows[0]["warc_record_id"].startswith("<urn:uuid:")
    assert "đã kiểm tra 120 cơ sở" in rows[0]["sentence"]
    rows = requests.get(base + "/corpus/records_by_unit_and_activity.json", params={
        "unit": "Quản lý thị trường", "activity": "kiểm tra", "year": "", "_shape": "array"}).json()
    assert {(r["unit"], r["records"], r["total"]) for r in rows} == {
        (QLTT_HG, 2, 180.0), ("Chi cục Quản lý thị trường tỉnh Cao Bằng", 1, 45.0)}
    rows = requests.get(base + "/corpus/totals_by_unit_of_measure_and_year.json", params={
        "unit": "", "activity": "", "_shape": "array"}).json()
    totals = {(r["unit_of_measure"], r["year"]): (r["measure"], r["total"]) for r in rows}
    assert totals[("tấn", 2023)] == ("kg", 2500.0)
    assert totals[("cơ sở", 2023)] == ("cơ sở", 45 + 12 + 120 + 30)
    assert totals[("cơ sở", 2022)] == ("cơ sở", 60.0)


def test_metadata_is_shown(server):
    base, _, _ = server
    page = requests.get(base + "/corpus/records").text
    assert "Canonical name of the responsible organizational unit" in page  # a column description
    page = requests.get(base + "/corpus").text
    for title in ("Sentences behind a figure", "Records by unit and activity", "Totals by unit of measure and year"):
        assert title in page


def test_csv_export(server):
    base, _, _ = server
    text = requests.get(base + "/corpus/record_rows.csv", params={"_size": "max"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 12
    assert {r["warc_record_id"] for r in rows if r["url"]} and all(r["sentence"] for r in rows)
    assert sum(float(r["value"]) for r in rows if r["unit_of_measure"] == "cơ sở") == 267.0


def test_store_is_not_written(server):
    base, db, before = server
    response = requests.get(base + "/corpus.json", params={"sql": "DELETE FROM records"})
    assert response.status_code == 400
    assert requests.get(base + "/corpus/records.json", params={"_shape": "array"}).json()
    assert db.read_bytes() == before


def test_records_page_in_chromium(server, tmp_path):
    base, _, _ = server
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing on CI: apt-get update && apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    def dump_dom(path: str) -> str:
        result = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", base + path],
            capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    dom = dump_dom("/corpus/records?_size=50")
    assert 'class="rows-and-columns"' in dom
    assert dom.count('<td class="col-activity type-str">') == 12
    assert '<td class="col-activity type-str">kiểm định</td>' in dom
    assert "Records" in dom and "đã kiểm định 1.511 phương tiện đo." in dom
    dom = dump_dom("/corpus/record_rows?_size=50")
    assert 'class="rows-and-columns"' in dom
    assert dom.count('<td class="col-unit type-str">') == 12 - 2 and dom.count('<td class="col-unit type-none">') == 2
    assert "https://hagiang.example.gov.vn/tin-tuc/tong-ket-2023.html" in dom
    assert "Records with provenance" in dom  # the metadata's title is used


def test_serve_without_a_store(tmp_path):
    result = run_cli("serve", "--corpus", str(tmp_path / "missing"), "--port", str(free_port()), timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("provnews serve:") and "no corpus store" in result.stderr
    assert "Traceback" not in result.stderr


def _chromium_dom(url: str, profile, *flags: str) -> str:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing on CI: apt-get update && apt-get install -y chromium")
        pytest.skip("chromium not installed (apt-get install -y chromium)")
    result = subprocess.run([chromium, *CHROMIUM_FLAGS, *flags, f"--user-data-dir={profile}", "--dump-dom", url],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_province_facets_and_totals(server):
    base, _, _ = server
    data = requests.get(base + "/corpus/record_rows.json", params={"_size": "max"}).json()
    assert {"province", "province_2025"} <= set(data["facet_results"])
    provinces = {f["value"]: f["count"] for f in data["facet_results"]["province"]["results"]}
    # the fixture's units name Hà Giang, Cao Bằng and Hòa Bình (Hà Giang is in Tuyên Quang since 2025)
    assert provinces.get("Hà Giang") and provinces.get("Cao Bằng")
    merged = {f["value"] for f in data["facet_results"]["province_2025"]["results"]}
    assert "Tuyên Quang" in merged and "Hà Giang" not in merged
    totals = requests.get(base + "/corpus/province_totals.json", params={"_shape": "array", "_size": "max"}).json()
    assert len(totals) == 34
    with_records = {r["province_2025"]: r["records"] for r in totals if r["records"]}
    assert with_records["Tuyên Quang"] == provinces["Hà Giang"]


def test_province_map_in_chromium(server, tmp_path):
    """The map of records by province (datasette-cluster-map on the centroids) draws its markers."""
    base, _, _ = server
    pytest.importorskip("datasette_cluster_map")
    # the map fetches the rows after the page loads: give the page virtual time to finish
    dom = _chromium_dom(base + "/corpus/province_totals?records__gt=0", tmp_path / "profile",
                        "--virtual-time-budget=20000")
    assert "leaflet-container" in dom  # the map is drawn
    markers = dom.count("leaflet-marker-icon")
    assert markers >= 1, dom[-3000:]
    assert "Tuyên Quang" in dom and "Cao Bằng" in dom  # the rows behind the markers
    assert "Records by province (map)" in dom


def test_charts_of_the_canned_statistics_in_chromium(server, tmp_path):
    """datasette-dashboards draws the statistics with Vega-Lite (served by the plugin, no CDN)."""
    base, _, _ = server
    pytest.importorskip("datasette_dashboards")
    # the data behind one chart, as the page fetches it
    page = requests.get(base + "/-/dashboards/statistics", timeout=30)
    assert page.status_code == 200 and "Records per year" in page.text
    dom = _chromium_dom(base + "/-/dashboards/statistics", tmp_path / "profile", "--virtual-time-budget=20000")
    for title in ("Records per year", "Records by unit (top 15)", "Records by activity (top 15)"):
        assert title in dom
    # each chart drawn by vega-embed: a canvas or an svg with its marks
    drawn = dom.count('class="marks"')
    assert drawn == 4, dom[:3000]
    assert "kiểm định" in dom                         # an activity's bar label, drawn from the store


def test_a_busy_port_is_one_line_before_any_address_is_announced(tmp_path):
    """The port is bound before the address is printed: a port another program holds gives one line
    naming host:port and why, exit 2, no traceback, and no "serving on" line that was never true."""
    import socket

    corpus = build_fixture_corpus(tmp_path / "c")
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = run_cli("serve", "--corpus", str(corpus), "--port", str(port), timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"provnews serve: cannot listen on 127.0.0.1:{port} (Address already in use)"], result.stderr


def test_ctrl_c_stops_the_server_cleanly_and_port_0_announces_the_real_port(tmp_path):
    """Bound first, the server can say which port the system gave for --port 0; Ctrl-C ends it with
    status 0 and no traceback, as datasette serve does."""
    from tests.conftest import interrupt

    corpus = build_fixture_corpus(tmp_path / "c")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--corpus", str(corpus), "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    first = proc.stderr.readline()
    assert first.startswith(f"provnews serve: {corpus / 'corpus.sqlite'} on http://127.0.0.1:"), first
    url = first.split(" on ", 1)[1].split(" ", 1)[0]
    assert not url.startswith("http://127.0.0.1:0/")
    for _ in range(300):
        try:
            if requests.get(url.rsplit("/", 1)[0] + "/-/versions.json", timeout=2).ok:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("provnews serve did not answer at the address it printed")
    rows = requests.get(url + "/records.json", params={"_shape": "array", "_size": "max"}, timeout=10).json()
    assert len(rows) == 12
    _, stderr = interrupt(proc, "provnews serve")
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr


def test_bad_query_strings_are_4xx_and_one_console_line_each(tmp_path):
    """Any visitor chooses the query string: a mistake in it is a 4xx naming the reason, and the
    console gets the access line of the request, not Datasette's traceback with its locals nor the
    SQL. A fault Datasette did not foresee is still a 500, with one line of its own naming it."""
    from tests.conftest import interrupt

    corpus = build_fixture_corpus(tmp_path / "c")
    log_path = tmp_path / "serve.log"   # a file, not a pipe: a flood of tracebacks must not block the server
    log = open(log_path, "w")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "serve", "--corpus", str(corpus), "--port", "0"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    log.close()
    bad = {  # query string on /corpus/<table>.json: (status, start of the reason given to the visitor)
        ("records", "_sort=nonexistent"): (400, "Cannot sort table by nonexistent"),
        ("records", "_sort=unit&_sort_desc=unit"): (400, "Cannot use _sort and _sort_desc"),
        ("documents", "_where=1=1;drop table x"): (400, "You can only execute one statement at a time"),
        ("records", "_size=-1"): (400, "_size must be a positive integer"),
        ("records", "_facet=nonexistent"): (400, "no such column: nonexistent"),
        ("records", "_timelimit=x"): (400, "_timelimit: invalid literal"),
        ("records", "_through=x"): (400, "_through: Expecting value"),
        ("nonexistent", ""): (404, "Table not found"),
    }
    answers = {}
    try:   # (the server is stopped whatever happens, before anything is checked)
        for _ in range(300):
            first = log_path.read_text(encoding="utf-8").partition("\n")[0]
            if " on http://" in first:
                url = first.split(" on ", 1)[1].split(" ", 1)[0]
                try:
                    if requests.get(url + ".json", timeout=2).ok:
                        break
                except requests.ConnectionError:
                    pass
            time.sleep(0.1)
        else:
            pytest.fail("provnews serve did not answer at the address it printed")
        for table, query in bad:
            answers[table, query] = requests.get(f"{url}/{table}.json?{query}", timeout=10)
        html = requests.get(url + "/records?_sort=nonexistent", timeout=10)
        fault = requests.get(url + "/records.json?_through={}", timeout=10)
        fine = requests.get(url + "/records.json", timeout=10)
    finally:
        interrupt(proc, "provnews serve")
    console = log_path.read_text(encoding="utf-8")
    for (table, query), (status, reason) in bad.items():
        answer = answers[table, query]
        assert (answer.status_code, answer.json()["status"]) == (status, status), (query, answer.text)
        assert answer.json()["error"].startswith(reason), (query, answer.text)
    assert html.status_code == 400 and "Cannot sort table by nonexistent" in html.text
    assert fault.status_code == 500 and fine.ok
    assert proc.returncode == 0, console
    lines = console.splitlines()
    access = [line for line in lines if '"GET /corpus' in line]
    assert len(access) >= len(bad) + 3, console
    life = [line for line in lines if line.startswith("INFO:") and line not in access]
    own = [line for line in lines if line not in access and line not in life]
    assert len(own) == 2 and own[0].startswith("provnews serve: ") and " on http://127.0.0.1:" in own[0], console
    assert own[1].startswith("provnews serve: server error on GET /corpus/records.json: KeyError: 'table' (at "), own
    assert len(life) <= 8 and "Traceback" not in console and "sql =" not in console, console
