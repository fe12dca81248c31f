"""Check gold annotation files against their texts, the way an annotator checks before handing in.

    python annotations/check.py FILE_OR_FOLDER [...]

For each ``*.gold.json``: the fields of the gold format (spec section 5) are
there with the right types; every quantity's ``text`` occurs in the article, in
text order; every organization's name or one of its aliases occurs in the
article (case and spacing aside); every record names a listed organization (or
null), and so does every ``unit_alternatives`` entry. Prints one line per
problem, ``FILE: quantity 7 '12 ca': ...``, and exits 1 if there was any, 2 if a
file cannot be read.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractors.normalize import clean_text  # noqa: E402
from pipeline.evaluate import GoldError, _read_gold_file  # noqa: E402

QUALIFIERS = {"=", ">", "<", "~"}
NUMBER = (int, float)
# the spec lets a copula or `có` govern a figure the sentence states without one
# (an age in apposition, an attribute in brackets)
IMPLIED = {"là", "có"}


def _fold(s: str) -> str:
    # the text is read cleaned (NFC), so a string copied from a decomposed file still matches
    return re.sub(r"\s+", " ", clean_text(s)).strip().casefold()


def problems(gpath: Path) -> list[str]:
    """Every problem of one gold file, as a line naming the file and the place."""
    doc = _read_gold_file(gpath, check_shape=False)
    data, text = doc.data, doc.text
    out: list[str] = []

    def bad(where: str, why: str) -> None:
        out.append(f"{gpath}: {where}: {why}")

    for key, kind in (("units", list), ("quantities", list), ("not_quantities", list)):
        if not isinstance(data.get(key), kind):
            bad(key, "missing or not a list")
    if data.get("period") is not None and not isinstance(data["period"], dict):
        bad("period", "must be null or an object")
    if out:
        return out

    folded = _fold(text)
    names = set()
    for i, unit in enumerate(data["units"]):
        name = unit.get("name") if isinstance(unit, dict) else None
        aliases = unit.get("aliases", []) if isinstance(unit, dict) else None
        if not isinstance(name, str) or not name.strip() or not isinstance(aliases, list):
            bad(f"unit {i}", "needs a non-empty 'name' and an 'aliases' list")
            continue
        if name in names:
            bad(f"unit {i} {name!r}", "listed twice")
        names.add(name)
        if not any(isinstance(a, str) and _fold(a) in folded for a in [name, *aliases]):
            bad(f"unit {i} {name!r}", "neither the name nor an alias occurs in the text "
                "(add the form the article writes as an alias)")

    pos = 0
    for i, q in enumerate(data["quantities"]):
        where = f"quantity {i} {q.get('text')!r}" if isinstance(q, dict) else f"quantity {i}"
        if not isinstance(q, dict) or not isinstance(q.get("text"), str) or not q["text"]:
            bad(where, "needs a non-empty 'text'")
            continue
        at = text.find(clean_text(q["text"]), pos)
        if at < 0:
            again = text.find(clean_text(q["text"]))
            bad(where, "not in the text" if again < 0 else
                f"out of text order (found at {again}, but the previous quantity is at {pos - 1})")
        else:
            pos = at + 1
        if not isinstance(q.get("value"), NUMBER) or isinstance(q.get("value"), bool):
            bad(where, "'value' must be a number")
        for key in ("value_max", "total"):
            if q.get(key) is not None and not isinstance(q[key], NUMBER):
                bad(where, f"'{key}' must be a number or null")
        if not isinstance(q.get("unit_of_measure"), str) or not q["unit_of_measure"].strip():
            bad(where, "'unit_of_measure' must be a non-empty string")
        if q.get("qualifier") not in QUALIFIERS:
            bad(where, f"'qualifier' must be one of {' '.join(sorted(QUALIFIERS))}")
        if q.get("item") is not None and not isinstance(q["item"], str):
            bad(where, "'item' must be a string or null")
        record = q.get("record")
        if not isinstance(record, dict):
            bad(where, "needs a 'record' object (unit, activity)")
            continue
        if record.get("unit") is not None and record["unit"] not in names:
            bad(where, f"record unit {record['unit']!r} is not a listed organization's name")
        for alt in record.get("unit_alternatives") or []:
            if alt is not None and alt not in names:
                bad(where, f"unit_alternatives entry {alt!r} is not a listed organization's name")
        activity = record.get("activity", "")
        if activity is None:
            pass  # no verb governs it (a duration in a caption): the spec allows none
        elif not isinstance(activity, str) or not activity.strip():
            bad(where, "record 'activity' must be the governing verb as written, or null")
        elif any(w not in folded for w in _fold(record["activity"]).split()[:1]
                 if w not in IMPLIED):
            bad(where, f"activity {record['activity']!r} does not occur in the text")
    for s in data["not_quantities"]:
        if not isinstance(s, str) or _fold(s) not in folded:
            bad("not_quantities", f"{s!r} does not occur in the text")
    return out


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    files: list[Path] = []
    for arg in argv:
        p = Path(arg)
        files.extend(sorted(p.glob("*.gold.json")) if p.is_dir() else [p])
    found = 0
    for f in files:
        try:
            lines = problems(f)
        except GoldError as exc:
            print(exc, file=sys.stderr)
            return 2
        for line in lines:
            print(line)
        found += len(lines)
    print(f"{len(files)} files, {found} problems", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
