"""The learned decisions: rebuilt deterministically from the annotations, shipped, refused when stale."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import DEV_GOLD, ROOT, need_shared, run_cli
from extractors import activities, attribution, counted_nouns, quantity_keep, unit_choice, unit_keep
from extractors.model_files import MODEL_DIR

MANIFEST = ROOT / "annotations" / "splits.json"


def _small_manifest(tmp_path: Path, n_train: int = 6, n_dev: int = 3) -> Path:
    splits = json.loads(MANIFEST.read_text(encoding="utf-8"))["splits"]
    small = {"train": [str((MANIFEST.parent / f).resolve()) for f in splits["train"][-n_train:]],
             "dev": [str((MANIFEST.parent / f).resolve()) for f in splits["dev"][:n_dev]]}
    path = tmp_path / "splits.json"
    path.write_text(json.dumps({"splits": small}), encoding="utf-8")
    return path


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.json"))}


def test_training_is_deterministic(tmp_path):
    need_shared(DEV_GOLD)
    manifest = _small_manifest(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        proc = run_cli("train", str(manifest), "--out", str(out))
        assert proc.returncode == 0, proc.stderr
    assert _digests(a) == _digests(b)
    assert set(_digests(a)) == {p.name for p in MODEL_DIR.glob("*.json")}


def test_shipped_models_are_what_the_annotations_give(tmp_path):
    """`make train` on a clean checkout rebuilds exactly the files the package ships."""
    need_shared(DEV_GOLD)
    # (the whole corpus: 1,198 training documents; `make train` took 3m40s on 2 cores)
    proc = run_cli("train", str(MANIFEST), "--out", str(tmp_path), timeout=1200)
    assert proc.returncode == 0, proc.stderr
    assert _digests(tmp_path) == _digests(MODEL_DIR), "run `make train` and commit extractors/models/"


def test_learning_curve_scores_dev(tmp_path):
    need_shared(DEV_GOLD)
    proc = run_cli("train", str(_small_manifest(tmp_path)), "--learning-curve")
    assert proc.returncode == 0, proc.stderr
    rows = [l.split() for l in proc.stdout.splitlines() if l.strip()[:1].isdigit()]
    assert [int(r[0]) for r in rows] == [0, 6]  # rules only, then all 6 training documents
    assert all(0.0 <= float(x) <= 1.0 for r in rows for x in r[1:])


def test_missing_model_is_one_line_naming_the_rebuild(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Chi cục QLTT đã kiểm tra 29 cơ sở.\n", encoding="utf-8")
    proc = run_cli("extract", str(doc), "-o", str(tmp_path / "out.jsonl"),
                   env={"PROVNEWS_MODELS": str(tmp_path / "none")})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing" in lines[0] and "make train" in lines[0], proc.stderr
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("module", [activities, attribution, counted_nouns, quantity_keep, unit_choice, unit_keep],
                         ids=lambda m: m.MODEL_FILE)
def test_model_from_other_features_is_refused(tmp_path, module):
    models = tmp_path / "models"
    shutil.copytree(MODEL_DIR, models)
    path = models / module.MODEL_FILE
    data = json.loads(path.read_text(encoding="utf-8"))
    data["feature_version"] = module.FEATURE_VERSION - 1
    path.write_text(json.dumps(data), encoding="utf-8")
    doc = tmp_path / "a.txt"
    doc.write_text("Chi cục QLTT đã kiểm tra 29 cơ sở.\n", encoding="utf-8")
    proc = run_cli("extract", str(doc), env={"PROVNEWS_MODELS": str(models)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and module.MODEL_FILE in lines[0] and "make train" in lines[0], proc.stderr
    assert f"feature version {module.FEATURE_VERSION - 1}" in lines[0]


@pytest.mark.parametrize("text, unit", [
    ("Chi cục Quản lý thị trường tỉnh Nghệ An đã kiểm tra 29 cơ sở.", {"Chi cục Quản lý thị trường tỉnh Nghệ An"}),
    # the name model decides the extent; the level added to a bare province stays (one name per body)
    ("Theo Sở Y tế Hà Nam, trong ngày ghi nhận 12 ca mắc mới.", {"Sở Y tế tỉnh Hà Nam"}),
])
def test_learned_extraction_keeps_clear_attributions(text, unit):
    from extractors.extract import extract

    ex = extract(text)
    assert len(ex.records) == 1 and ex.records[0].unit in unit
    assert ex.records[0].unit == ex.units[0].name


def test_counted_noun_extent_is_decided_by_the_shipped_model():
    from extractors.extract import extract

    def nouns(text):
        return [q.unit_of_measure for q in extract(text).quantities]

    assert nouns("Thành phố có 3 đoàn với hơn 100 khách.") == ["đoàn", "khách"]  # never into "với"
    assert nouns("Xây dựng ba cây cầu mới.") == ["cây cầu"]  # a classifier takes its noun


def test_a_standalone_noun_drops_its_modifier():
    """``ca mắc`` is ``ca`` in 63 of the 66 train+dev gold figures, and the shipped counted-noun model
    says so.  (``hộ dân`` was asserted here until 2026-12-07: the gold is split 5 ``hộ`` to 2 ``hộ
    dân``, and retraining with 5 % of the documents left out flips the model's answer in one draw of
    three, whatever the tree setting, so it tested a near tie rather than the convention.)"""
    from extractors.extract import extract

    assert [q.unit_of_measure for q in extract("Ghi nhận 12 ca mắc mới trong ngày.").quantities] == ["ca"]


def test_activity_nouns_are_learned_in_training_and_offered_from_the_model_file():
    """Words the tagger calls nouns but annotators take as activities are computed from the training
    documents (``train.activity_noun_verbs``), shipped in the activity model file, and offered as
    verb candidates only through it."""
    import json

    from extractors import activities
    from extractors.extract import rules_pass
    from extractors.model_files import ranker

    shipped = json.loads((MODEL_DIR / activities.MODEL_FILE).read_text(encoding="utf-8"))["noun_verbs"]
    assert shipped and shipped == sorted(shipped)
    model = ranker(activities.MODEL_FILE, activities.FEATURE_VERSION)
    assert activities.noun_verbs(model) == frozenset(shipped)

    text = "Đà Nẵng đã truy vết 30 trường hợp F1."
    toks, ex = rules_pass(text)
    toks = [(a, b, w, "N" if w == "truy vết" else tag) for a, b, w, tag in toks]  # as the tagger may have it
    rec = ex.records[0]
    rec.activity = None
    q = ex.quantities[rec.quantity]

    def offered(learned):
        return {c for c, _ in activities.candidates(text, toks, q, rec, lambda pos: False, learned=learned)}

    assert "truy vết" not in offered(frozenset())
    assert "truy vết" in offered(frozenset({"truy vết"}))


def test_cross_validation_scores_what_extraction_ships():
    """``predictions`` (what CV and the learning curve score) and ``extract`` apply the same
    models in the same order to the same rules' output, so the judge measures the shipped tool."""
    need_shared(DEV_GOLD)
    from extractors import (activities, attribution, counted_nouns, quantity_keep, unit_choice, unit_keep,
                            unit_mentions)
    from extractors.extract import extract
    from extractors.model_files import load_json_model
    from pipeline.evaluate import load_gold
    from pipeline.train import predictions_with, run_rules

    golds = load_gold(MANIFEST, "dev")
    models = {m.MODEL_FILE: load_json_model(m.MODEL_FILE, m.FEATURE_VERSION)
              for m in (attribution, activities, counted_nouns, unit_choice, unit_keep, unit_mentions, quantity_keep)}
    judged = predictions_with(run_rules(golds, None), models)
    for g in golds:
        ex = extract(g.text)
        shipped = {"units": [u.to_dict() for u in ex.units], "quantities": [q.to_dict() for q in ex.quantities],
                   "records": [r.to_dict() for r in ex.records]}
        assert shipped == judged[g.doc_id], g.doc_id


def test_a_filter_with_too_few_rows_is_skipped_not_a_crash():
    """A small corpus (the learning curve's 25 documents) gives the mention filter's parts a handful
    of rows, each feature seen once: no filter is trained, and no unit added, instead of LightGBM's error."""
    from pipeline.train import _added_units, learnable

    rows = [{"f%d" % i: 1.0} for i in range(4)]
    part = (rows, [1, 0, 1, 0], ["d1", "d1", "d2", "d2"], [([], None)] * 4)
    assert not learnable(rows, [1, 0, 1, 0])
    assert _added_units([part, part, part, part]) == {}
    assert learnable([{"f": 1.0}] * 12, [1, 0] * 6)


def test_a_worker_killed_mid_training_is_an_error_not_a_hang():
    """The trainings run in forked workers; one killed by the system (out of memory, as an activity
    model's dense rows once were on a busy machine) must end the run with a message, where a
    multiprocessing.Pool waited for the lost result for ever."""
    import subprocess
    import sys

    code = (
        "import os, signal, sys\n"
        "from pipeline import train\n"
        "def job(i):\n"
        "    if i == 3:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return i\n"
        "from pipeline import engine\n"
        "engine.default_workers = lambda: 2  # forked workers even on one core\n"
        "try:\n"
        "    print(list(train._forked_map(job, [], range(8))))\n"
        "except train.WorkerDied as exc:\n"
        "    print('died:', exc)\n"
        "    sys.exit(3)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 3, (run.stdout, run.stderr)
    assert "died: a worker process died" in run.stdout


def test_stopping_early_stops_the_training_workers_at_once():
    """An error or Ctrl-C in the parent while trainings run: the workers are stopped, not waited for
    (trainings queued behind take minutes each); here the others would sleep ten minutes."""
    import subprocess
    import sys

    pytest.importorskip("psutil")

    code = (
        "import multiprocessing, sys, time\n"
        "from pipeline import engine, train\n"
        "engine.default_workers = lambda: 2\n"
        "def job(i):\n"
        "    if i:\n"
        "        time.sleep(600)\n"
        "    return i\n"
        "results = train._forked_map(job, [], range(6))\n"
        "print(next(results))\n"
        "results.close()\n"
        # (a stopped worker may still be in the middle of being reaped by the executor's own thread, and
        # one that thread reaped first stays "alive" to this one's Process object for ever, its exit
        # status gone: what must not be is a process still running its job, asked of the system)
        "import psutil\n"
        "def running(p):\n"
        "    try:\n"
        "        return psutil.Process(p.pid).status() != psutil.STATUS_ZOMBIE\n"
        "    except psutil.NoSuchProcess:\n"
        "        return False\n"
        "left = [p for p in multiprocessing.active_children() if (p.join(10) or p.is_alive()) and running(p)]\n"
        "print('left', len(left))\n"
        "print([(p.name, p.pid, p.exitcode) for p in left], file=sys.stderr)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["0", "left", "0"], (run.stdout, run.stderr)
