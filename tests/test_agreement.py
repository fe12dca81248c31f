"""annotations/agreement.py: one annotation scored against another with eval's matching."""
from __future__ import annotations

import json
import subprocess
import sys

from conftest import DEV_GOLD, ROOT, need_shared

SCRIPT = ROOT / "annotations" / "agreement.py"


def _agreement(second, first) -> dict[str, str]:
    out = subprocess.run([sys.executable, str(SCRIPT), str(second), "--first", str(first)],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    return {line.split()[0]: line.split()[3] for line in out.splitlines()
            if line.split()[:1] in (["units"], ["quantities"], ["records"])}


def test_an_annotation_agrees_with_itself_and_not_with_a_changed_copy(tmp_path):
    need_shared(DEV_GOLD)
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir(), second.mkdir()
    for g in sorted(DEV_GOLD.glob("*.gold.json"))[:3]:
        for d in (first, second):
            data = json.loads(g.read_text(encoding="utf-8"))
            data["text_file"] = str((DEV_GOLD / data["text_file"]).resolve())
            (d / g.name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert _agreement(second, first) == {"units": "1.000", "quantities": "1.000", "records": "1.000"}
    # the second annotator credits every figure of one article to nobody and drops its first quantity
    changed = sorted(second.glob("*.gold.json"))[0]
    data = json.loads(changed.read_text(encoding="utf-8"))
    data["quantities"] = data["quantities"][1:]
    for q in data["quantities"]:
        if q.get("record"):
            q["record"] = {**q["record"], "unit": None, "unit_alternatives": None}
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    got = _agreement(second, first)
    assert float(got["quantities"]) < 1 and float(got["records"]) < float(got["quantities"])
