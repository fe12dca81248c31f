"""The record schema shipped in the package, ``provnews schema`` and ``--version``."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import jsonschema

from conftest import SPEC_SCHEMA, need_shared, run_cli
from pipeline import __version__
from pipeline.records import SCHEMA_PATH


def test_packaged_schema_is_the_spec():
    spec = json.loads(need_shared(SPEC_SCHEMA).read_text(encoding="utf-8"))
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == spec


def test_schema_command_prints_a_schema_whose_id_resolves():
    ran = run_cli("schema")
    assert ran.returncode == 0, ran.stderr
    schema = json.loads(ran.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    where = Path(url2pathname(urlsplit(schema["$id"]).path))
    assert schema["$id"].startswith("file://") and where.is_file()
    on_disk = json.loads(where.read_text(encoding="utf-8"))
    assert {**on_disk, "$id": schema["$id"]} == schema
    assert Path(run_cli("schema", "--path").stdout.strip()) == where


def test_schema_rejects_a_document_without_its_records(schema):
    validator = jsonschema.Draft202012Validator(schema)
    good = {"doc_id": "a", "text": "x", "units": [], "quantities": [], "records": []}
    assert not list(validator.iter_errors(good))
    assert list(validator.iter_errors({k: v for k, v in good.items() if k != "records"}))


def test_version():
    ran = run_cli("--version")
    assert ran.returncode == 0 and ran.stdout.strip() == f"provnews {__version__}"
