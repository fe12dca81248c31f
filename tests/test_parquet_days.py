"""Parquet timestamps carry their zone: a day of publication is right in DuckDB
across the 07:00 boundary (00:00 in Vietnam is 17:00 UTC the day before)."""
from __future__ import annotations

import json

import pytest

from conftest import run_cli

pytest.importorskip("pyarrow")
duckdb = pytest.importorskip("duckdb")

# (published, records): 06:30 on 5 Nov in Vietnam is still 4 Nov in UTC
ARTICLES = [("2021-11-05T06:30:00+07:00", 2), ("2021-11-05T15:30:00+07:00", 1),
            ("2021-11-04T20:00:00+07:00", 1), ("2021-11-06", 1)]


@pytest.fixture(scope="module")
def records_parquet(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("days")
    lines = []
    for n, (published, records) in enumerate(ARTICLES):
        text = "Chi cục kiểm tra 5 cơ sở."
        quantity = {"text": "5 cơ sở", "start": 17, "end": 24, "value": 5, "unit_of_measure": "cơ sở"}
        lines.append(json.dumps({
            "doc_id": f"d{n}", "text": text, "url": f"https://a.gov.vn/{n}.html", "published": published,
            "fetched_at": "2026-01-02T03:04:05.123456Z", "units": [], "quantities": [quantity] * records,
            "records": [{"unit": "Chi cục", "activity": "kiểm tra", "quantity": i, "value": 5,
                         "unit_of_measure": "cơ sở", "sentence": text, "start": 0, "end": len(text)}
                        for i in range(records)],
        }, ensure_ascii=False))
    jsonl = tmp / "docs.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp / "records.parquet"
    ran = run_cli("export", str(jsonl), "--format", "parquet", "--table", "records", "--output", str(out))
    assert ran.returncode == 0, ran.stderr
    return out


def per_day(sql: str, zone: str) -> dict[str, int]:
    conn = duckdb.connect()
    conn.execute(f"SET TimeZone = '{zone}'")
    return {str(day): n for day, n in conn.execute(sql).fetchall()}


def test_duckdb_groups_by_the_day_in_vietnam(records_parquet):
    sql = (f"SELECT published::DATE AS day, count(*) FROM read_parquet('{records_parquet}') "
           "GROUP BY day ORDER BY day")
    expected = {"2021-11-04": 1, "2021-11-05": 3, "2021-11-06": 1}
    assert per_day(sql, "Asia/Ho_Chi_Minh") == expected
    # the same instants seen in UTC: 06:30 +07:00 falls on the 4th — the zone is in the file
    assert per_day(sql, "UTC") == {"2021-11-04": 3, "2021-11-05": 1, "2021-11-06": 1}
    # the page's own text gives the day without any session setting
    local = (f"SELECT left(published_local, 10) AS day, count(*) FROM read_parquet('{records_parquet}') "
             "GROUP BY day ORDER BY day")
    assert per_day(local, "UTC") == expected


def test_timestamp_columns_are_utc_instants(records_parquet):
    import pyarrow.parquet as pq

    table = pq.read_table(records_parquet)
    assert str(table.schema.field("published").type) == "timestamp[us, tz=UTC]"
    assert str(table.schema.field("fetched_at").type) == "timestamp[us, tz=UTC]"
    first = table.to_pylist()[0]
    assert first["published"].isoformat() == "2021-11-04T23:30:00+00:00"
    assert first["published_local"] == "2021-11-05T06:30:00+07:00"
    assert first["fetched_at"].isoformat() == "2026-01-02T03:04:05.123456+00:00"
