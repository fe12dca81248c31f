"""Score extraction against annotated gold documents, by section 5 of the spec.

Gold: ``NAME.gold.json`` files; each names its text with ``text_file``,
resolved relative to the gold file's folder (so a gold file in the repo can
point at an article kept in ``../shared``).  Scores are micro P/R/F1 over
all documents:

- units: distinct predicted ``name``s against gold units, one-to-one; a name
  matches a gold unit when, case-folded with spaces and punctuation collapsed,
  it equals the gold ``name`` or one of its ``aliases``;
- quantities: one-to-one; ``value``, ``value_max``, ``total`` equal (relative
  tolerance 1e-6) and the ``unit_of_measure`` the same (or a gold alias), or
  both converting to the same base quantity;
- records: one-to-one over (unit, quantity); activity accuracy over matched
  records (the gold activity appears in the predicted one).

Item accuracy is over matched quantities: both null, or equal when
normalized, or sharing at least half their syllables (token F1 ≥ 0.5) —
annotators paraphrase items, so exact match would measure wording, not
extraction.
"""
from __future__ import annotations

import json
import math
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from extractors.normalize import clean_text

_PUNCT_SPACE = re.compile(r"[\W_]+", re.UNICODE)


def norm(s: str | None) -> str:
    """Case-folded, NFC, with runs of spaces and punctuation collapsed to one space."""
    if s is None:
        return ""
    s = unicodedata.normalize("NFC", s).casefold()
    return _PUNCT_SPACE.sub(" ", s).strip()


# ---------------------------------------------------------------- gold


@dataclass
class GoldDoc:
    doc_id: str
    path: Path
    text: str
    data: dict[str, Any]
    split: str | None = None

    @property
    def units(self) -> list[dict]:
        return self.data.get("units", [])

    @property
    def quantities(self) -> list[dict]:
        return self.data.get("quantities", [])


class GoldError(Exception):
    pass


def _read_gold_file(gpath: Path, split: str | None = None, check_shape: bool = True) -> GoldDoc:
    """``check_shape=False``: for ``annotations/check.py``, which lists every problem of a file itself."""
    try:
        data = json.loads(gpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GoldError(f"{gpath}: cannot read gold JSON ({exc})") from None
    if check_shape and (problem := _gold_shape_problem(data)):
        raise GoldError(f"{gpath}: not a gold file ({problem})")
    text_file = data.get("text_file") or gpath.name.replace(".gold.json", ".txt")
    tpath = (gpath.parent / text_file).resolve()
    try:
        text = clean_text(tpath.read_text(encoding="utf-8"))
    except OSError as exc:
        raise GoldError(f"{gpath}: text file {tpath} unreadable ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise GoldError(f"{gpath}: text file {tpath} is not UTF-8 (byte {exc.start})") from None
    return GoldDoc(data.get("doc_id") or gpath.name[: -len(".gold.json")], gpath, text, data, split)


def _number_or_none(v) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _gold_shape_problem(data) -> str | None:
    """What keeps ``data`` from being a gold document of spec section 5 (None: nothing)."""
    if not isinstance(data, dict):
        return f"a JSON {type(data).__name__}, not an object"
    for key in ("units", "quantities", "not_quantities"):
        if not isinstance(data.get(key, []), list):
            return f"{key} is not a list"
    for i, u in enumerate(data.get("units", [])):
        if not isinstance(u, dict) or not isinstance(u.get("name"), str):
            return f"units[{i}] is not an object with a name"
        if not isinstance(u.get("aliases", []), list):
            return f"units[{i}].aliases is not a list"
    for i, q in enumerate(data.get("quantities", [])):
        if not isinstance(q, dict):
            return f"quantities[{i}] is not an object"
        for key in ("value", "value_max", "total"):
            if not _number_or_none(q.get(key)):
                return f"quantities[{i}].{key} is not a number"
        for key in ("text", "unit_of_measure"):
            if not isinstance(q.get(key), (str, type(None))):
                return f"quantities[{i}].{key} is not text"
        if not isinstance(q.get("record"), (dict, type(None))):
            return f"quantities[{i}].record is not an object"
    return None


def load_splits(manifest: str | Path) -> dict[str, list[Path]]:
    """The gold files of each split named in a splits manifest (``annotations/splits.json``).

    The manifest lists, per split, gold files relative to its own folder, so the
    split is written down once and every tool reads the same one.
    """
    manifest = Path(manifest)
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        splits = data["splits"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GoldError(f"{manifest}: not a splits manifest ({exc})") from None
    if not isinstance(splits, dict) or not all(
            isinstance(files, list) and all(isinstance(f, str) for f in files) for files in splits.values()):
        raise GoldError(f"{manifest}: not a splits manifest (\"splits\" must map each split to a list of "
                        "gold file paths)")
    return {name: [manifest.parent / f for f in files] for name, files in splits.items()}


def load_gold(gold: str | Path, split: str | None = None) -> list[GoldDoc]:
    """Gold documents from a folder of ``*.gold.json``, or from a splits manifest.

    With a manifest, every document knows its split; ``split`` keeps one of them.
    """
    gold = Path(gold)
    if gold.is_file() and gold.suffix == ".json" and not gold.name.endswith(".gold.json"):
        splits = load_splits(gold)
        if split is not None and split not in splits:
            raise GoldError(f"{gold}: no split {split!r} (splits: {', '.join(splits)})")
        docs = [_read_gold_file(p, name) for name, paths in splits.items()
                if split in (None, name) for p in paths]
        if not docs:
            raise GoldError(f"{gold}: no gold files listed")
        return docs
    if not gold.exists():
        raise GoldError(f"{gold}: no such file or folder")
    if split is not None:
        raise GoldError(f"{gold}: --split needs a splits manifest (e.g. annotations/splits.json)")
    if not gold.is_dir():
        raise GoldError(f"{gold}: not a folder of *.gold.json files nor a splits manifest")
    docs = [_read_gold_file(gpath) for gpath in sorted(gold.glob("*.gold.json"))]
    if not docs:
        raise GoldError(f"{gold}: no *.gold.json files")
    return docs


# ---------------------------------------------------------------- matching


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-9)


def _base(value: float | None, uom: str | None) -> tuple[float, str] | None:
    """(base_value, base_unit) of a gold quantity, using the extractor's own unit table."""
    if value is None or not uom:
        return None
    try:
        from extractors.quantities import to_base  # the single source of unit factors
    except ImportError:
        return None
    try:
        got = to_base(float(value), uom)
    except Exception:
        return None
    return tuple(got) if got and got[0] is not None else None  # type: ignore[return-value]


def quantity_matches(pred: dict, gold: dict) -> bool:
    if not (_close(pred.get("value"), gold.get("value"))
            and _close(pred.get("value_max"), gold.get("value_max"))
            and _close(pred.get("total"), gold.get("total"))):
        # the same amount in other units (1,5 tấn = 1.500 kg): compare in base units
        return _same_base(pred, gold)
    names = {norm(gold.get("unit_of_measure"))} | {norm(a) for a in gold.get("unit_of_measure_aliases") or []}
    if norm(pred.get("unit_of_measure")) in names:
        return True
    return _same_unit(pred.get("unit_of_measure"), gold.get("unit_of_measure")) or _same_base(pred, gold)


def _same_unit(pred_uom: str | None, gold_uom: str | None) -> bool:
    """Two spellings of one unit in the extractor's unit table (``độ C`` = ``°C``, ``đô la`` = ``USD``)."""
    try:
        from extractors.quantities import canonical_unit  # the single source of unit names
    except ImportError:
        return False
    a = canonical_unit(pred_uom)
    return a is not None and a == canonical_unit(gold_uom)


def _same_base(pred: dict, gold: dict) -> bool:
    if pred.get("base_value") is None or not pred.get("base_unit"):
        return False
    g = _base(gold.get("value"), gold.get("unit_of_measure"))
    if not g or norm(g[1]) != norm(pred["base_unit"]) or not _close(g[0], pred["base_value"]):
        return False
    gmax = gold.get("value_max")
    if gmax is not None or pred.get("value_max") is not None:
        gm = _base(gmax, gold.get("unit_of_measure")) if gmax is not None else None
        pm = pred.get("value_max")
        if gm is None or pm is None:
            return False
        ratio = pred["base_value"] / pred["value"] if pred.get("value") else None
        if ratio is None or not _close(gm[0], pm * ratio):
            return False
    return _close(pred.get("total"), gold.get("total"))


def _gold_positions(text: str, quantities: list[dict]) -> list[int]:
    """Approximate offsets of gold quantities (they carry text, not offsets)."""
    positions, pos = [], 0
    for q in quantities:
        t = q.get("text") or ""
        i = text.find(t, pos) if t else -1
        if i < 0:
            i = text.find(t) if t else -1
        if i < 0:
            positions.append(positions[-1] if positions else 0)
        else:
            positions.append(i)
            pos = i + len(t)
    return positions


def _greedy(golds: list, preds: list, ok: Callable[[int, int], bool],
            distance: Callable[[int, int], float]) -> list[tuple[int, int]]:
    """One-to-one pairs: every acceptable pair, closest first."""
    pairs = [(distance(g, p), g, p) for g in range(len(golds)) for p in range(len(preds)) if ok(g, p)]
    pairs.sort()
    used_g, used_p, out = set(), set(), []
    for _, g, p in pairs:
        if g not in used_g and p not in used_p:
            used_g.add(g)
            used_p.add(p)
            out.append((g, p))
    return sorted(out)


def unit_names(gold_unit: dict) -> set[str]:
    return {norm(gold_unit.get("name"))} | {norm(a) for a in gold_unit.get("aliases") or []}


def item_matches(pred: str | None, gold: str | None) -> bool:
    if not pred or not gold:
        return not pred and not gold
    a, b = norm(pred).split(), norm(gold).split()
    if a == b:
        return True
    common = sum(min(a.count(w), b.count(w)) for w in set(a))
    if not common:
        return False
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r) >= 0.5


# ---------------------------------------------------------------- scoring


@dataclass
class Counts:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else (1.0 if not self.pred else 0.0)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "f1": round(self.f1, 4), "tp": self.tp, "predicted": self.pred, "gold": self.gold}


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += bool(ok)

    def merge(self, other: "Accuracy") -> None:
        self.right += other.right
        self.total += other.total

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None

    def as_dict(self) -> dict:
        v = self.value
        return {"accuracy": None if v is None else round(v, 4), "right": self.right, "total": self.total}


@dataclass
class DocScore:
    doc_id: str
    units: Counts = field(default_factory=Counts)
    quantities: Counts = field(default_factory=Counts)
    records: Counts = field(default_factory=Counts)
    activity: Accuracy = field(default_factory=Accuracy)
    qualifier: Accuracy = field(default_factory=Accuracy)
    item: Accuracy = field(default_factory=Accuracy)
    dimension: Accuracy = field(default_factory=Accuracy)
    errors: list[str] = field(default_factory=list)
    split: str | None = None


def score_document(gold: GoldDoc, pred: dict) -> DocScore:
    """Score one predicted document (schema JSON) against its gold annotation."""
    s = DocScore(gold.doc_id, split=gold.split)

    # units: distinct predicted names, one-to-one with gold units
    names = list(dict.fromkeys(u["name"] for u in pred.get("units", []) if u.get("name")))
    gunits = gold.units
    upairs = _greedy(gunits, names, lambda g, p: norm(names[p]) in unit_names(gunits[g]), lambda g, p: 0)
    s.units = Counts(len(upairs), len(names), len(gunits))
    matched_units = {names[p] for _, p in upairs}
    s.errors += [f"unit FP: {n}" for n in names if n not in matched_units]
    s.errors += [f"unit FN: {gunits[g]['name']}" for g in range(len(gunits)) if g not in {g for g, _ in upairs}]

    # quantities
    gq, pq = gold.quantities, pred.get("quantities", [])
    gpos = _gold_positions(gold.text, gq)
    qpairs = _greedy(gq, pq, lambda g, p: quantity_matches(pq[p], gq[g]),
                     lambda g, p: abs(pq[p].get("start", 0) - gpos[g]))
    s.quantities = Counts(len(qpairs), len(pq), len(gq))
    for g, p in qpairs:
        s.qualifier.add(pq[p].get("qualifier", "=") == (gq[g].get("qualifier") or "="))
        s.item.add(item_matches(pq[p].get("item"), gq[g].get("item")))
        if gq[g].get("dimension"):
            s.dimension.add(pq[p].get("dimension") == gq[g]["dimension"])
    mg, mp = {g for g, _ in qpairs}, {p for _, p in qpairs}
    s.errors += [f"quantity FN: {gq[g].get('text')!r} ({gq[g].get('value')} {gq[g].get('unit_of_measure')})"
                 for g in range(len(gq)) if g not in mg]
    s.errors += [f"quantity FP: {pq[p].get('text')!r} ({pq[p].get('value')} {pq[p].get('unit_of_measure')})"
                 for p in range(len(pq)) if p not in mp]

    # records: (unit, quantity) one-to-one
    by_name = {u["name"]: u for u in gunits}
    precs = pred.get("records", [])

    def one_unit_ok(gunit: str | None, punit: str | None) -> bool:
        if gunit is None or punit is None:
            return gunit is None and punit is None
        gu = by_name.get(gunit)
        return norm(punit) in (unit_names(gu) if gu else {norm(gunit)})

    def unit_ok(grec: dict, punit: str | None) -> bool:
        # spec section 5: where a reading is genuinely open, gold lists the others
        return any(one_unit_ok(u, punit) for u in [grec.get("unit"), *(grec.get("unit_alternatives") or [])])

    grecs = [g for g in range(len(gq)) if gq[g].get("record") is not None]

    def rec_ok(gi: int, pi: int) -> bool:
        r = precs[pi]
        qi = r.get("quantity")
        qd = pq[qi] if isinstance(qi, int) and 0 <= qi < len(pq) else r
        g = gq[grecs[gi]]
        return quantity_matches(qd, g) and unit_ok(g["record"], r.get("unit"))

    def rec_dist(gi: int, pi: int) -> float:
        qi = precs[pi].get("quantity")
        start = pq[qi].get("start", 0) if isinstance(qi, int) and 0 <= qi < len(pq) else precs[pi].get("start", 0)
        return abs(start - gpos[grecs[gi]])

    rpairs = _greedy(grecs, precs, rec_ok, rec_dist)
    s.records = Counts(len(rpairs), len(precs), len(grecs))
    for gi, pi in rpairs:
        gact = norm(gq[grecs[gi]]["record"].get("activity"))
        s.activity.add(bool(gact) and gact in norm(precs[pi].get("activity")))
    rg = {gi for gi, _ in rpairs}
    for gi in range(len(grecs)):
        if gi in rg:
            continue
        g = gq[grecs[gi]]
        cands = [precs[pi] for pi in range(len(precs))
                 if quantity_matches(pq[precs[pi]["quantity"]] if 0 <= precs[pi].get("quantity", -1) < len(pq) else precs[pi], g)]
        got = cands[0].get("unit") if cands else "(no quantity)"
        s.errors.append(f"record FN: {g.get('text')!r} gold unit {g['record'].get('unit')!r}, predicted {got!r}")
    return s


@dataclass
class EvalResult:
    docs: list[DocScore]

    def splits(self) -> list[str]:
        return list(dict.fromkeys(d.split for d in self.docs if d.split))

    def total(self, split: str | None = None) -> DocScore:
        t = DocScore("ALL" if split is None else split)
        for d in self.docs:
            if split is not None and d.split != split:
                continue
            t.units.add(d.units)
            t.quantities.add(d.quantities)
            t.records.add(d.records)
            for name in ("activity", "qualifier", "item", "dimension"):
                getattr(t, name).merge(getattr(d, name))
        return t

    def as_dict(self) -> dict:
        t = self.total()

        def one(d: DocScore) -> dict:
            return {"units": d.units.as_dict(), "quantities": d.quantities.as_dict(),
                    "records": d.records.as_dict(), "activity": d.activity.as_dict(),
                    "qualifier": d.qualifier.as_dict(), "item": d.item.as_dict(),
                    "dimension": d.dimension.as_dict()}

        out = {"documents": len(self.docs), "overall": one(t)}
        if self.splits():
            out["splits"] = {name: {"documents": sum(d.split == name for d in self.docs), **one(self.total(name))}
                             for name in self.splits()}
        out["per_document"] = {d.doc_id: one(d) for d in self.docs}
        return out


def evaluate(gold_docs: list[GoldDoc], predictions: dict[str, dict]) -> EvalResult:
    scores = []
    for g in gold_docs:
        pred = predictions.get(g.doc_id) or {"units": [], "quantities": [], "records": []}
        scores.append(score_document(g, pred))
    return EvalResult(scores)


def predict(gold_docs: list[GoldDoc], baseline: str | None = None, learned: bool = True) -> dict[str, dict]:
    """Run our extractor (or a baseline; or the rules alone) on each gold text."""
    from extractors.extract import extract

    out = {}
    for g in gold_docs:
        if baseline == "underthesea-ner":
            from pipeline.baseline_ner import ner_units

            out[g.doc_id] = {"units": [u.to_dict() for u in ner_units(g.text)], "quantities": [], "records": []}
            continue
        ex = extract(g.text, learned=learned)
        out[g.doc_id] = {
            "units": [u.to_dict() for u in ex.units],
            "quantities": [q.to_dict() for q in ex.quantities],
            "records": [r.to_dict() for r in ex.records],
        }
    return out


def load_predictions(path: str | Path, gold_docs: list[GoldDoc]) -> dict[str, dict]:
    """Predicted documents keyed by gold doc_id: matched by doc_id, file stem, or text."""
    by_text = {g.text: g.doc_id for g in gold_docs}
    ids = {g.doc_id for g in gold_docs}
    out: dict[str, dict] = {}
    from pipeline.records import json_lines

    try:
        lines = list(json_lines(path))  # (a scoring run's predictions: as many as the gold documents)
    except ValueError as exc:  # (UnicodeDecodeError too)
        raise GoldError(f"{path}: {exc}") from None
    for n, d in lines:
        if not isinstance(d, dict):
            raise GoldError(f"{path}: line {n}: not a JSON object (a predicted document)")
        stem = Path(str(d.get("url") or "")).name.rsplit(".", 1)[0]
        key = d.get("doc_id") if d.get("doc_id") in ids else stem if stem in ids else by_text.get(d.get("text"))
        if key:
            out[key] = d
    return out


# ---------------------------------------------------------------- CLI


def _parse_floors(spec: str) -> dict[str, float]:
    floors = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, value = part.partition("=")
        if name not in ("units", "quantities", "records") or not value:
            raise ValueError(f"--min-f1: expected units=F,quantities=F,records=F, got {part!r}")
        try:
            floors[name] = float(value)
        except ValueError:
            raise ValueError(f"--min-f1: {name}={value!r} is not a number") from None
    return floors


def _report_block(t: DocScore, documents: int, heading: str = "documents") -> list[str]:
    lines = [f"{heading}: {documents}",
             f"{'':12}{'P':>8}{'R':>8}{'F1':>8}   tp/pred/gold"]
    for name in ("units", "quantities", "records"):
        c: Counts = getattr(t, name)
        lines.append(f"{name:12}{c.precision:8.3f}{c.recall:8.3f}{c.f1:8.3f}   {c.tp}/{c.pred}/{c.gold}")
    for name in ("activity", "qualifier", "item", "dimension"):
        a: Accuracy = getattr(t, name)
        if a.total:
            lines.append(f"{name + ' accuracy':22}{a.value:8.3f}   {a.right}/{a.total}")
    return lines


def format_report(result: EvalResult, per_doc: bool = False) -> str:
    lines = []
    # the held-out figure first: it is the one that says how well extraction generalizes
    for name in sorted(result.splits(), key=lambda n: (n != "test", n != "dev", n)):
        lines += _report_block(result.total(name), sum(d.split == name for d in result.docs),
                               f"split {name}, documents") + [""]
    lines += _report_block(result.total(), len(result.docs))
    if per_doc:
        lines.append("")
        lines.append(f"{'document':34}{'units F1':>9}{'qty F1':>8}{'rec F1':>8}")
        for d in result.docs:
            lines.append(f"{d.doc_id[:34]:34}{d.units.f1:9.3f}{d.quantities.f1:8.3f}{d.records.f1:8.3f}")
    return "\n".join(lines)


def cli_eval(args) -> int:
    try:
        floors = _parse_floors(args.min_f1)
        gold = load_gold(args.gold_dir, getattr(args, "split", None))
        preds = load_predictions(args.predictions, gold) if args.predictions else \
            predict(gold, args.baseline, learned=not getattr(args, "rules_only", False))
    except (GoldError, ValueError, OSError) as exc:
        print(f"provnews eval: {exc}", file=sys.stderr)
        return 2
    result = evaluate(gold, preds)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_report(result, per_doc=args.per_doc))
        if getattr(args, "errors", False):
            for d in result.docs:
                for e in d.errors:
                    print(f"  {d.doc_id}: {e}")
    t = result.total()
    failed = [f"{name} F1 {getattr(t, name).f1:.3f} < {floor}" for name, floor in floors.items()
              if getattr(t, name).f1 + 1e-9 < floor]
    for msg in failed:
        print(f"provnews eval: below floor: {msg}", file=sys.stderr)
    return 1 if failed else 0
