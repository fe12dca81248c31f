"""The shipped rankers' fast scoring equals LightGBM's own ``Booster.predict``.

``TreeRanker.scores`` calls LightGBM's C library directly on the document's
rows; ``reference_scores`` goes through ``lightgbm.Booster.predict``.  On the
real candidate rows of the dev gold and real news texts, both give the very
same floats (not merely the same ranking).
"""
from __future__ import annotations

from bisect import bisect_right

from conftest import DEV_GOLD, SHARED, need_shared
from extractors import activities, attribution
from extractors.extract import apply_models, rules_pass
from extractors.model_files import TreeRanker, ranker
from extractors.normalize import clean_text

VI_NEWS = SHARED / "data" / "vi-news"


def _texts() -> list[str]:
    files = sorted(need_shared(DEV_GOLD).glob("*.txt"))
    files += sorted(need_shared(VI_NEWS).glob("*/articles/*.txt"))[::60]
    return [clean_text(f.read_text(encoding="utf-8")) for f in files]


def _rows(text: str):
    """The attribution rows and the activity rows ``extract`` scores for ``text``."""
    tokens, ex = rules_pass(text)
    att = [f for _, cands in attribution.candidate_rows(text, ex.units, ex.quantities, ex.records)
           for _, f in cands]
    ex = apply_models(text, tokens, ex)
    spans = sorted((u.start, u.end) for u in ex.units)
    starts = [a for a, _ in spans]

    def in_unit(pos: int) -> bool:
        i = bisect_right(starts, pos) - 1
        return i >= 0 and pos < spans[i][1]

    act = [f for r in ex.records
           for _, f in activities.candidates(text, tokens, ex.quantities[r.quantity], r, in_unit)]
    return att, act


def test_fast_scores_equal_booster_predict():
    att_model = ranker(attribution.MODEL_FILE, attribution.FEATURE_VERSION)
    act_model = ranker(activities.MODEL_FILE, activities.FEATURE_VERSION)
    assert isinstance(att_model, TreeRanker) and isinstance(act_model, TreeRanker)
    assert att_model._predict is not None and act_model._predict is not None
    n_att = n_act = 0
    for text in _texts():
        att, act = _rows(text)
        for model, rows in ((att_model, att), (act_model, act)):
            got = model.scores(rows)
            assert got == model.reference_scores(rows)
            assert all(type(x) is float for x in got)
        n_att += len(att)
        n_act += len(act)
    assert n_att > 500 and n_act > 500


def _activity_groups(text: str) -> list[list[dict]]:
    """Each record's activity candidate rows, as ``choose_activities`` scores them."""
    tokens, ex = rules_pass(text)
    spans = sorted((u.start, u.end) for u in ex.units)
    starts = [a for a, _ in spans]

    def in_unit(pos: int) -> bool:
        i = bisect_right(starts, pos) - 1
        return i >= 0 and pos < spans[i][1]

    return [[f for _, f in activities.candidates(text, tokens, ex.quantities[r.quantity], r, in_unit)]
            for r in ex.records]


def test_two_stage_choice_is_the_full_models_choice_where_the_best_row_is_kept():
    """``best_in_groups`` runs the first trees on every row and the rest on each group's best few.

    With room for every row it picks exactly the row of the highest full score;
    with the shipped setting it picks that row nearly always, and its pick is
    always among the few best after the first trees.
    """
    model = ranker(activities.MODEL_FILE, activities.FEATURE_VERSION)
    first, keep = activities.PRUNE_AFTER
    groups = [g for text in _texts() for g in _activity_groups(text) if g]
    assert len(groups) > 300 and max(map(len, groups)) > keep
    full = [model.scores(g) for g in groups]
    argmax = [max(range(len(s)), key=lambda i: (s[i], i)) for s in full]
    assert model.best_in_groups(groups, first, 10_000) == argmax
    pruned = model.best_in_groups(groups, first, keep)
    same = sum(a == b for a, b in zip(pruned, argmax))
    assert same >= 0.97 * len(groups)
    first_only = [model._predict(*model.sparse(g), 0, first) for g in groups]
    for i, s in zip(pruned, first_only):
        assert sorted(s, reverse=True).index(s[i]) < keep
    # more trees than the model has: every row through every tree, one stage
    assert model.best_in_groups(groups, 10_000, 1) == argmax
    assert model.best_in_groups([], first, keep) == []


def test_empty_and_unknown_features():
    model = ranker(attribution.MODEL_FILE, attribution.FEATURE_VERSION)
    assert model.scores([]) == []
    rows = [{"no such feature": 1.0}, {}, {"rule": 1.0, "no such feature": 2.0}]
    assert model.scores(rows) == model.reference_scores(rows)


def _load_in_child(conn) -> None:
    from extractors import counted_nouns
    from extractors.model_files import load_json_model, ranker_from

    model = ranker_from(load_json_model(counted_nouns.MODEL_FILE, counted_nouns.FEATURE_VERSION))
    conn.send(len(model.features))
    conn.close()


def test_a_process_forked_after_the_models_loaded_can_load_them_again():
    """``extract --workers`` forks after ``check_models`` loaded every model in the main process.

    LightGBM's model loading used OpenMP on every core, and a forked child then
    waited forever for the parent's thread pool (CI ran out of time on it).
    The child here gets a minute to load a model: a hang fails, it does not stall.
    """
    import multiprocessing

    from extractors.extract import check_models

    check_models()
    ctx = multiprocessing.get_context("fork")
    parent_end, child_end = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_load_in_child, args=(child_end,))
    child.start()
    try:
        assert parent_end.poll(60), "a forked process hung loading a LightGBM model"
        assert parent_end.recv() > 0
    finally:
        child.kill()
        child.join()


def test_a_linear_model_picks_each_groups_best_row_in_one_stage():
    from extractors.model_files import LinearModel

    model = LinearModel({"weights": {"a": 1.0, "b": -1.0}, "bias": 0.0})
    groups = [[{"a": 1.0}, {"b": 1.0}], [], [{"b": 2.0}, {"a": 0.5}, {"a": 0.5}]]
    # (the later row wins a tie, as the tree model's choice does)
    assert model.best_in_groups(groups, 120, 4) == [0, -1, 2]
