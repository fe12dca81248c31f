"""Train the learned decisions from the annotated corpus, deterministically.

    provnews train [annotations/splits.json] [--out extractors/models]
    provnews train --learning-curve        (train on 25/50/100/200/400/all, score dev)

The rules run first on every training document (their output is the
candidates and some of the features); each gold quantity that the rules found
is aligned to its prediction the way ``provnews eval`` matches them, and the
gold record labels the candidates: which unit, which verb, how long a counted
noun, which name an organization takes.  The rankers are LightGBM lambdarank models (one thread, fixed
seed: the same files on every run), kept as LightGBM's text format inside
JSON with their feature names; the counted-noun decision is a table.  Only
the ``train`` split is learned from; ``dev`` is scored (and was used to choose
features and settings); ``test`` is never read here.
"""
from __future__ import annotations

import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

from extractors import activities, attribution, counted_nouns, quantity_keep, unit_choice, unit_keep, unit_mentions
from extractors.extract import rules_pass
from extractors.mentions import Extraction
from extractors.model_files import MODEL_DIR, ranker_from
from pipeline.evaluate import (GoldDoc, _close, _gold_positions, _greedy, evaluate, load_gold, norm,
                               quantity_matches, unit_names)

DEFAULT_MANIFEST = "annotations/splits.json"
LEARNING_CURVE_SIZES = (25, 50, 100, 200, 400)
SEED = 20261205
# chosen by 5-fold cross-validation over train + dev documents (never test)
# rounds: 100, 150, 200, 250, 300 tried by 5-fold CV x 3 on the 314 documents before round 4 (activity
# .7429 .7453 .7485 .7495 .7502). On the 923 documents of round 4 larger trees pay (1 shuffle each):
# 200 rounds x 31 leaves .7682 / .7622 (seeds 0 / 1), 400 x 31 .7756 / .7669, 200 x 63 .7728 / -,
# 600 x 31 - / .7697, 400 x 63 - / .7759; each round is a tree walked per candidate, so it costs time
# On the 1,231 train + dev documents of rounds 5-6 (held-out CV over the round-4 folds, 923 documents):
# 600 rounds .7830, 127 leaves did not finish in an hour, against .7829 for 400 x 63; each tree seeing a
# random 70 % of the features (feature_fraction 0.7) .7852 / .7857 / .7833 over three seeds (0.5: .7825)
ACTIVITY_TREES = {"rounds": 400, "num_leaves": 63, "learning_rate": 0.1, "feature_fraction": 0.7}
# feature_fraction: many overlapping position features; trees that see half of them generalize better.
# lambdarank_truncation_level: pairs with every candidate, not only the top 3 ("no unit" against each
# unit of the document): records F1 0.7734 -> 0.7755 under 5-fold x 3 cross-validation (10 gave 0.7733)
ATTRIBUTION_TREES: dict = {"feature_fraction": 0.5, "lambdarank_truncation_level": 30}
# a word the tagger calls a noun is learned as a verb once it begins a gold activity in this many
# documents (chosen by cross-validation: 1, 2 and 3 tried)
NOUN_VERB_DOCS = 1
# rounds: 100, 150, 200, 250, 400 tried by 5-fold CV x 3 (quantities F1 .9326 .9338 .9338 .9334 .9320)
COUNTED_NOUN_TREES = {"rounds": 150, "num_leaves": 7, "min_rows": 5}
UNIT_NAME_TREES: dict = {}
UNIT_KEEP_TREES: dict = {"objective": "binary", "rounds": 200}
# The keep model reads the names model's scores (best score, margin over the rules' name); on its own
# training documents that model is surer than on new text, so each document's rows are scored by a names
# model trained on the other folds (4 folds: units F1 .8230 against .8223 with the in-sample scores, one
# shuffle of 5-fold CV, both at the same threshold)
UNIT_KEEP_FOLDS = 4
QUANTITY_KEEP_TREES: dict = {"objective": "binary", "rounds": 200}


@dataclass
class RuleRun:
    """One gold document with the rules' extraction of it (the models' input)."""

    gold: GoldDoc
    ex: Extraction
    tokens: list
    vetoed: list = field(default_factory=list)  # the candidates the rules dropped: (Quantity, rule)


def _rules_of(i: int):
    vetoed: list = []
    tokens, ex = rules_pass(_FORKED[i].text, vetoed=vetoed)
    return tokens, ex, vetoed


def run_rules(golds: list[GoldDoc], progress=None) -> list[RuleRun]:
    """The rules over each gold document, one worker per core (each document's pass is independent
    and deterministic, so the runs are the same as one after another)."""
    out = []
    for i, (tokens, ex, vetoed) in enumerate(_forked_map(_rules_of, golds, range(len(golds)), chunksize=4), 1):
        out.append(RuleRun(golds[i - 1], ex, tokens, vetoed))
        if progress:
            progress(i, len(golds))
    return out


_FORKED: list = []


def _forked_map(fn, shared: list, args, chunksize: int = 1):
    """``map(fn, args)`` in order, in up to one forked process per core; ``fn`` reads ``shared``
    as ``_FORKED`` from the parent's memory, so it is not pickled. Where fork is unavailable, on one
    core or for one argument, it runs here in turn. A generator: results come as they are done."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    from pipeline.engine import stop_workers, default_workers

    args = list(args)
    workers = min(len(args), default_workers())
    global _FORKED
    before, _FORKED = _FORKED, shared
    try:
        if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(fn, args)
            return
        # (concurrent.futures, not multiprocessing.Pool: a Pool whose worker is killed, by the
        # system out of memory say, replaces it and waits for the lost result for ever)
        children_before = frozenset(multiprocessing.active_children())
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        finished = False
        try:
            yield from pool.map(fn, args, chunksize=chunksize)
            finished = True
        except BrokenProcessPool:
            raise WorkerDied("a worker process died (killed by the system: out of memory?); "
                             "nothing was written") from None
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:  # Ctrl-C, an error, the caller stopped early: not the minutes of the trainings queued
                stop_workers(pool, children_before)
    finally:
        _FORKED = before


class WorkerDied(RuntimeError):
    """A forked worker ended without its result (killed, crashed)."""


def _aligned(run: RuleRun) -> dict[int, dict]:
    """Predicted quantity index → its gold quantity, matched as ``provnews eval`` does."""
    gq = run.gold.quantities
    pq = [q.to_dict() for q in run.ex.quantities]
    gpos = _gold_positions(run.gold.text, gq)
    pairs = _greedy(gq, pq, lambda g, p: quantity_matches(pq[p], gq[g]),
                    lambda g, p: abs(pq[p]["start"] - gpos[g]))
    return {p: gq[g] for g, p in pairs}


def _gold_unit_ok(gold: GoldDoc, grec: dict, name: str | None) -> bool:
    by_name = {u["name"]: u for u in gold.units}
    for gu in [grec.get("unit"), *(grec.get("unit_alternatives") or [])]:
        if gu is None or name is None:
            if gu is None and name is None:
                return True
            continue
        if norm(name) in (unit_names(by_name[gu]) if gu in by_name else {norm(gu)}):
            return True
    return False


@dataclass
class Examples:
    """Ranking rows: each group is one decision (one quantity), its candidates labelled right or wrong."""

    X: list = field(default_factory=list)
    y: list = field(default_factory=list)
    groups: list = field(default_factory=list)

    def add(self, key, candidates: list[tuple[object, dict]], labels: list[bool]) -> None:
        if not any(labels):
            return  # the right answer is not among the candidates: nothing to rank
        for (_, feats), lab in zip(candidates, labels):
            self.X.append(feats)
            self.y.append(int(lab))
            self.groups.append(key)


def attribution_examples(runs: list[RuleRun], added: dict | None = None) -> Examples:
    """One group per aligned quantity: the document's units and "none", labelled by the gold unit.
    ``added`` (document → units) are the organizations the mention labeller adds to the rules' (on a
    training document, from labellers that did not see it, as on new text)."""
    ex_ = Examples()
    for run in runs:
        aligned = _aligned(run)
        ex = run.ex
        units = unit_mentions.with_new(ex.units, (added or {}).get(run.gold.doc_id))
        for ri, cands in attribution.candidate_rows(run.gold.text, units, ex.quantities, ex.records):
            g = aligned.get(ex.records[ri].quantity)
            if g is not None and g.get("record") is not None:
                ex_.add((run.gold.doc_id, ri), cands, [_gold_unit_ok(run.gold, g["record"], n) for n, _ in cands])
    return ex_


def _aligned_activities(run: RuleRun):
    """(record, its gold activity normalized) for each record whose quantity a gold record with an activity matches."""
    aligned = _aligned(run)
    for ri, rec in enumerate(run.ex.records):
        g = aligned.get(rec.quantity)
        act = norm((g.get("record") or {}).get("activity")) if g else ""
        if act:
            yield ri, rec, act


def activity_noun_verbs(runs: list[RuleRun]) -> list[str]:
    """Words the tagger tags N that are a gold activity or begin one (``kiểm định``,
    ``xét nghiệm``), in at least NOUN_VERB_DOCS training documents: the activity model treats
    them as verb candidates (``activities.noun_verbs``)."""
    from bisect import bisect_left
    from collections import defaultdict

    docs = defaultdict(set)
    for run in runs:
        toks = run.tokens
        for _, rec, act in _aligned_activities(run):
            for t in toks[bisect_left(toks, (rec.start,)):bisect_left(toks, (rec.end,))]:
                w = t[2].lower()
                if t[3] != "N" or activities._in_lexicon(w):
                    continue
                nw = norm(w)
                if nw and (act == nw or act.startswith(nw + " ")):
                    docs[w].add(run.gold.doc_id)
    return sorted(w for w, d in docs.items() if len(d) >= NOUN_VERB_DOCS)


def activity_examples(runs: list[RuleRun], learned: frozenset = frozenset()) -> Examples:
    """One group per aligned quantity: the sentence's verbs and verb groups, labelled by the gold verb."""
    ex_ = Examples()
    for run in runs:
        ex = run.ex
        spans = [(u.start, u.end) for u in ex.units]

        def in_unit(pos, spans=spans):
            return any(a <= pos < b for a, b in spans)

        for ri, rec, act in _aligned_activities(run):
            cands = activities.candidates(run.gold.text, run.tokens, ex.quantities[rec.quantity], rec, in_unit,
                                          learned=learned)
            ex_.add((run.gold.doc_id, ri), cands, [act in norm(c) for c, _ in cands])
    return ex_


def _name_words_by_doc(runs: list[RuleRun]) -> dict[str, dict[str, list]]:
    return {run.gold.doc_id: unit_choice.name_word_counts(u["name"] for u in run.gold.units) for run in runs}


def unit_name_examples(runs: list[RuleRun]) -> Examples:
    """One group per organization the rules found: its candidate names, labelled by the gold units.
    A document's own names are left out of the name-word counts its rows see (as on new text)."""
    ex_ = Examples()
    by_doc = _name_words_by_doc(runs)
    for run in runs:
        gold = set().union(*(unit_names(u) for u in run.gold.units)) if run.gold.units else set()
        ends = _summed(by_doc, 2, run.gold.doc_id)
        for name, cands in unit_choice.candidate_groups(run.gold.text, run.tokens, run.ex.units, run.ex.records,
                                                        ends):
            ex_.add((run.gold.doc_id, name), cands, [norm(c) in gold for c, _ in cands])
    return ex_


def train_unit_names(runs: list[RuleRun]) -> dict:
    model = _ranker(unit_name_examples(runs), UNIT_NAME_TREES, unit_choice.FEATURE_VERSION,
                    "the name of each organization among the rules' name, its written forms and longer or shorter "
                    "spans", "organizations")
    model["name_words"] = {w: c for w, c in sorted(_summed(_name_words_by_doc(runs), 2).items())
                           if sum(c) >= unit_choice.NAME_WORD_MIN_USES}
    return model


def unit_keep_examples(runs: list[RuleRun]) -> tuple[Examples, dict, dict]:
    """One row per organization the rules found, positive when the name the names model lists it under
    is a gold unit's name or alias.
    Also the (names, words) tables of the rows; a document's own organizations are left out of
    the tables its rows see (as on new text)."""
    k = UNIT_KEEP_FOLDS
    models = [ranker_from(train_unit_names([r for j, r in enumerate(runs) if j % k != f])) for f in range(k)]
    per_doc = []
    for i, run in enumerate(runs):
        ex = run.ex
        if not ex.units:
            continue
        model = models[i % k]  # a names model that did not see this document, as on new text
        gold = set().union(*(unit_names(u) for u in run.gold.units)) if run.gold.units else set()
        groups, scores = unit_choice.ranked_groups(run.gold.text, run.tokens, ex.units, ex.records, model)
        kinds = {}
        for u in ex.units:
            kinds.setdefault(u.name, u.kind)
        rows = unit_keep.org_rows(run.gold.text, ex.units, groups, scores)
        # positive when the name it would be listed under is a gold unit's: an organization listed under a
        # wrong name only costs precision, so it is as well dropped (5-fold CV x 3, each at its best
        # threshold: units F1 .8228 against .8218 labelled by "one of its candidate names is a gold name")
        chosen = unit_choice.chosen_from(groups, scores)
        labels = [int(norm(chosen[name]) in gold) for name, _ in groups]
        names, words = {}, {}
        for (name, _), lab in zip(rows, labels):
            low, rest = unit_keep.name_keys(name, kinds[name])
            names.setdefault(low, [0, 0])[lab] += 1
            for w in set(rest):
                words.setdefault(w, [0, 0])[lab] += 1
        per_doc.append((run.gold.doc_id, rows, labels, kinds, names, words))
    names_by_doc = {d[0]: d[4] for d in per_doc}
    words_by_doc = {d[0]: d[5] for d in per_doc}
    ex_ = Examples()
    for doc, rows, labels, kinds, _, _ in per_doc:
        tables = (_summed(names_by_doc, 2, doc), _summed(words_by_doc, 2, doc))
        for (name, f), lab in zip(rows, labels):
            unit_keep.prior_features(f, name, kinds[name], *tables)
            ex_.X.append(f)
            ex_.y.append(lab)
            ex_.groups.append((doc, name))
    return ex_, _summed(names_by_doc, 2), _summed(words_by_doc, 2)


def train_unit_keep(runs: list[RuleRun]) -> dict:
    examples, names, words = unit_keep_examples(runs)
    model = _ranker(examples, UNIT_KEEP_TREES, unit_keep.FEATURE_VERSION,
                    "whether each organization the rules found is a unit (binary)", "organizations")
    model["names"] = {k: c for k, c in sorted(names.items())}
    model["words"] = {k: c for k, c in sorted(words.items()) if sum(c) >= unit_keep.MIN_WORD_USES}
    return model


def quantity_labels(run: RuleRun, candidates: list) -> list[int]:
    """1 for each candidate that an overlapping gold quantity matches as ``provnews eval`` matches
    them, or would once its counted noun were cut or extended (the counted nouns' decision); else 0."""
    text, gq = run.gold.text, run.gold.quantities
    spans = [(p, p + len(g.get("text") or ""), g) for p, g in zip(_gold_positions(text, gq), gq)
             if p is not None and p >= 0]
    out = []
    for q, _ in candidates:
        qd = q.to_dict()
        own = norm(q.unit_of_measure)
        out.append(int(any(a < q.end and q.start < b and (quantity_matches(qd, g) or (
            q.dimension == "count" and _close(q.value, g.get("value")) and own
            and _same_start(own, norm(g.get("unit_of_measure"))))) for a, b, g in spans)))
    return out


def _same_start(a: str, b: str) -> bool:
    """One noun a prefix of the other, by whole syllables (``người`` and ``người dân``)."""
    return bool(b) and (a == b or b.startswith(a + " ") or a.startswith(b + " "))


def quantity_keep_examples(runs: list[RuleRun]) -> Examples:
    """One row per number the rules read as a quantity or dropped by a rule of judgement."""
    ex_ = Examples()
    for run in runs:
        cands = [(q, None) for q in run.ex.quantities] + list(run.vetoed)
        if not cands:
            continue
        rows = quantity_keep.rows(run.gold.text, run.tokens, cands)
        for k, (f, lab) in enumerate(zip(rows, quantity_labels(run, cands))):
            ex_.X.append(f)
            ex_.y.append(lab)
            ex_.groups.append((run.gold.doc_id, k))
    return ex_


def train_quantity_keep(runs: list[RuleRun]) -> dict:
    return _ranker(quantity_keep_examples(runs), QUANTITY_KEEP_TREES, quantity_keep.FEATURE_VERSION,
                   "whether each number the rules read is a quantity (binary)", "candidates")


def _ranker(examples: Examples, params: dict, feature_version: int, decision: str,
            groups_are: str = "quantities") -> dict:
    if not examples.X:
        raise ValueError("no training examples: are the gold texts readable?")
    model = fit_trees(examples.X, examples.y, examples.groups, params)
    model.update({"feature_version": feature_version, "decision": decision,
                  "trained_on": {"documents": len({g[0] for g in examples.groups}),
                                 groups_are: len(set(examples.groups)), "rows": len(examples.X)}})
    return model


def train_attribution(runs: list[RuleRun], added: dict | None = None) -> dict:
    return _ranker(attribution_examples(runs, added), ATTRIBUTION_TREES, attribution.FEATURE_VERSION,
                   "the unit of each record among the document's units and none")


def train_activity(runs: list[RuleRun]) -> dict:
    learned = activity_noun_verbs(runs)
    model = _ranker(activity_examples(runs, frozenset(learned)), ACTIVITY_TREES, activities.FEATURE_VERSION,
                    "the verb that reports each record among the sentence's verbs")
    model["noun_verbs"] = learned
    return model


def learnable(X: list[dict], y: list[int], params: dict | None = None) -> bool:
    """Can ``fit_trees`` learn from these rows: both labels present, and some feature seen in enough
    rows to be kept (a small corpus may give a handful of rows and none)?"""
    from collections import Counter

    if not X or not 0 < sum(y) < len(y):
        return False
    seen = Counter(k for row in X for k in row)
    return max(seen.values(), default=0) >= (params or {}).get("min_rows", 10)


def fit_trees(X: list[dict], y: list[int], groups: list, params: dict | None = None) -> dict:
    """A LightGBM lambdarank model (deterministic: one thread, fixed seed), as text in JSON."""
    import lightgbm
    import numpy as np
    import scipy.sparse

    from collections import Counter

    # a feature seen in fewer than min_rows rows (a rare verb) cannot be learned: leave it out
    seen = Counter(k for row in X for k in row)
    min_rows = (params or {}).get("min_rows", 10)
    names = sorted(k for k, c in seen.items() if c >= min_rows)
    index = {k: i for i, k in enumerate(names)}
    # Sparse rows: a row holds some 25 of the activity model's 750 features, and its million
    # candidate rows as a dense matrix took 13.6 GB (two such trainings at once ran a 24 GB
    # machine out of memory); LightGBM bins a CSR matrix as it bins the dense one.
    indptr, cols, values = [0], [], []
    for row in X:
        for k, v in row.items():
            i = index.get(k)
            if i is not None:
                cols.append(i)
                values.append(v)
        indptr.append(len(cols))
    M = scipy.sparse.csr_matrix((np.array(values, dtype=np.float64), np.array(cols, dtype=np.int32),
                                 np.array(indptr, dtype=np.int64)), shape=(len(X), len(names)))
    sizes, last = [], None
    for g in groups:
        if g != last:
            sizes.append(0)
            last = g
        sizes[-1] += 1
    p = {"objective": "lambdarank", "learning_rate": 0.05, "num_leaves": 15, "min_data_in_leaf": 20,
         "feature_fraction": 1.0, "bagging_fraction": 1.0, "lambda_l2": 1.0, "verbose": -1,
         "deterministic": True, "force_row_wise": True, "num_threads": 1, "seed": SEED,
         "lambdarank_truncation_level": 3, "eval_at": [1]}
    p.update(params or {})
    p.pop("min_rows", None)
    rounds = p.pop("rounds", 200)
    ranking = p["objective"] != "binary"
    if not ranking:
        for k in ("lambdarank_truncation_level", "eval_at"):
            p.pop(k, None)
    data = lightgbm.Dataset(M, label=y, group=sizes if ranking else None,
                            feature_name=[f"f{i}" for i in range(len(names))])
    booster = lightgbm.train(p, data, num_boost_round=rounds)
    return {"kind": "LightGBM " + ("lambdarank" if ranking else "binary"), "features": names,
            "model": booster.model_to_string()}


def predictions(runs: list[RuleRun], attribution_model: dict | None = None, activity_model: dict | None = None,
                counts_model: dict | None = None, units_model: dict | None = None,
                keep_model: dict | None = None, mentions_model: dict | None = None,
                quantity_model: dict | None = None) -> dict[str, dict]:
    """Predicted documents as ``provnews eval`` reads them, with the given models applied."""
    out = {}
    numbers = ranker_from(quantity_model) if quantity_model is not None else None
    for run in runs:
        ex, tokens = run.ex, run.tokens
        if numbers is not None and quantity_keep.decided(run.gold.text, tokens, ex.quantities, run.vetoed,
                                                         numbers) is not ex.quantities:
            # other quantities than the rules': the records are made again over them, as on new text
            tokens, ex = rules_pass(run.gold.text, quantity_model=numbers)
        units = ex.units
        records = [type(r).from_dict(r.to_dict()) for r in ex.records]
        chosen, drop = {}, set()
        if units_model is not None and units:
            groups, scores = unit_choice.ranked_groups(run.gold.text, tokens, units, records,
                                                       model=ranker_from(units_model))
            chosen = unit_choice.chosen_from(groups, scores)
            if keep_model is not None:
                drop = unit_keep.dropped(run.gold.text, units, groups, scores, model=ranker_from(keep_model))
        quantities = ex.quantities
        if counts_model is not None:
            quantities = [type(q).from_dict(q.to_dict()) for q in quantities]
            counted_nouns.adjust_counts(run.gold.text, tokens, quantities, model=counts_model)
            for r in records:
                r.refresh(quantities[r.quantity])
        new = []
        if mentions_model is not None:
            new = unit_mentions.new_units(run.gold.text, tokens, ex.units, unit_mentions.Labeller(mentions_model))
        if attribution_model is not None:
            attribution.choose_units(run.gold.text, unit_mentions.with_new(units, new), ex.quantities, records,
                                     model=ranker_from(attribution_model))
        if activity_model is not None:
            activities.choose_activities(run.gold.text, tokens, units, ex.quantities, records,
                                         model=ranker_from(activity_model))
        units, records = unit_keep.without(units, records, drop)
        units, records = unit_choice.renamed(units, records, chosen)
        units = unit_mentions.with_new(units, new)
        out[run.gold.doc_id] = {"units": [u.to_dict() for u in units],
                                "quantities": [q.to_dict() for q in quantities],
                                "records": [r.to_dict() for r in records]}
    return out


def _write(model: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(model, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    path.write_text(text, encoding="utf-8")


def _progress(label: str):
    def show(i, n):
        if sys.stderr.isatty():
            print(f"\r{label}: {i}/{n}", end="" if i < n else "\n", file=sys.stderr, flush=True)
    return show


def _counted_noun_pairs(run: RuleRun):
    """(quantity, noun start, syllables, gold syllable count) for each count the rules found that a
    gold quantity of the same value covers; the gold count is None where the gold noun is not a
    prefix of the syllables (the rules' candidates cannot give it)."""
    text = run.gold.text
    gq = run.gold.quantities
    gpos = _gold_positions(text, gq)
    for q in run.ex.quantities:
        at = counted_nouns.count_noun_start(q)
        if at is None:
            continue
        syl = counted_nouns.noun_syllables(text, at)
        if not syl:
            continue
        for g, gp in zip(gq, gpos):
            if g.get("value") is None or abs(float(g["value"]) - q.value) > 1e-6 * max(1, abs(q.value)):
                continue
            if not (gp <= at <= gp + len(g.get("text") or "") + 2):
                continue
            got = [m.group().lower() for m in syl]
            # The scorer accepts the noun or any alias, and annotators differ on which they write
            # first (`lượt tấn công` with alias `lượt`, or the reverse): learn the shortest form
            # they accept, so one convention is learned whichever they wrote first.
            forms = [norm(g.get("unit_of_measure")).split()]
            forms += [norm(a).split() for a in g.get("unit_of_measure_aliases") or []]
            fits = [len(w) for w in forms if w and w == got[:len(w)]]
            k = min(fits) if fits else None
            yield q, at, syl, k
            break


def _counted_noun_stats(pairs_by_doc: dict[str, list]) -> tuple[dict, dict, dict]:
    """Per document: how annotators wrote its nouns (by first syllable: lengths 1..3; by phrase:
    times it was the gold noun, times it was a candidate; by a later syllable: times the noun took
    it, times the noun stopped right before it)."""
    from collections import defaultdict

    first: dict[str, dict[str, list]] = {}
    phrases: dict[str, dict[str, list]] = {}
    later: dict[str, dict[str, list]] = {}
    for doc, pairs in pairs_by_doc.items():
        f: dict = defaultdict(lambda: [0] * counted_nouns.MAX_SYLLABLES)
        ph: dict = defaultdict(lambda: [0, 0])
        la: dict = defaultdict(lambda: [0, 0])
        for _, _, syl, k in pairs:
            if k is None:
                continue
            f[syl[0].group().lower()][k - 1] += 1
            for j in range(1, len(syl) + 1):
                ph[counted_nouns.phrase(syl, j)][1] += 1
            ph[counted_nouns.phrase(syl, k)][0] += 1
            for j in range(1, min(k + 1, len(syl))):
                la[syl[j].group().lower()][0 if j < k else 1] += 1
        first[doc], phrases[doc], later[doc] = dict(f), dict(ph), dict(la)
    return first, phrases, later


def _summed(per_doc: dict[str, dict[str, list]], width: int, leave_out: str | None = None) -> dict:
    out: dict[str, list] = {}
    for doc, table in per_doc.items():
        if doc == leave_out:
            continue
        for key, counts in table.items():
            acc = out.setdefault(key, [0] * width)
            for i, c in enumerate(counts):
                acc[i] += c
    return out


def train_counted_nouns(runs: list[RuleRun]) -> dict:
    """A ranking model over 1 to 4 syllables for each counted noun, with the annotators' usage
    as features. A document's own nouns are left out of the usage its training rows see, so the
    model learns how far usage elsewhere carries, as it will on new text."""
    pairs_by_doc = {run.gold.doc_id: list(_counted_noun_pairs(run)) for run in runs}
    first, phrases, later = _counted_noun_stats(pairs_by_doc)
    examples = Examples()
    for run in runs:
        doc = run.gold.doc_id
        stats = {"first": _summed(first, counted_nouns.MAX_SYLLABLES, doc), "phrases": _summed(phrases, 2, doc),
                 "later": _summed(later, 2, doc)}
        starts = [t[0] for t in run.tokens]
        phrases_in_doc = counted_nouns.DocPhrases(run.gold.text)
        for i, (q, at, syl, k) in enumerate(pairs_by_doc[doc]):
            if k is None:
                continue
            cands = counted_nouns.candidates(run.gold.text, run.tokens, starts, q, syl, stats, phrases_in_doc)
            if len(cands) > 1:
                examples.add((doc, i), cands, [j + 1 == k for j in range(len(cands))])
    model = _ranker(examples, COUNTED_NOUN_TREES, counted_nouns.FEATURE_VERSION,
                    f"syllables a counted noun takes (1 to {counted_nouns.MAX_SYLLABLES})")
    model["first"] = _summed(first, counted_nouns.MAX_SYLLABLES)
    model["phrases"] = _summed(phrases, 2)
    model["later"] = _summed(later, 2)
    return model


# each job trains on the runs alone, so the jobs run side by side; longest first, so that the
# last to start is short and no core waits long at the end (on 890 documents: activity about 80 s,
# the CRFs 30-45 s each, the keep model 20, counted nouns 15, the names model 5)
def _training_jobs() -> tuple[str, ...]:
    return (activities.MODEL_FILE, "mentions labeller") + tuple(
        f"mentions part {p}" for p in range(UNIT_MENTION_FOLDS)) + (
        unit_keep.MODEL_FILE, quantity_keep.MODEL_FILE, counted_nouns.MODEL_FILE, unit_choice.MODEL_FILE)


# the files ``provnews train`` writes, in the order it reports them
MODEL_FILES = (quantity_keep.MODEL_FILE, counted_nouns.MODEL_FILE, attribution.MODEL_FILE, activities.MODEL_FILE,
               unit_choice.MODEL_FILE, unit_keep.MODEL_FILE, unit_mentions.MODEL_FILE)


def _training_job(job: str):
    runs = _FORKED
    if job == "mentions labeller":
        return _crf(runs)
    if job.startswith("mentions part "):
        return _mention_part(runs, int(job.rsplit(" ", 1)[1]))
    return {counted_nouns.MODEL_FILE: train_counted_nouns, activities.MODEL_FILE: train_activity,
            unit_choice.MODEL_FILE: train_unit_names, unit_keep.MODEL_FILE: train_unit_keep,
            quantity_keep.MODEL_FILE: train_quantity_keep}[job](runs)


def train_models(runs: list[RuleRun]) -> dict[str, dict]:
    """Every model from the same rule runs, by file name: the trainings are independent and each is
    deterministic on one core, so they run one per core and give the same files as one by one."""
    jobs = _training_jobs()
    done = dict(zip(jobs, _forked_map(_training_job, runs, jobs)))
    parts = [done.pop(f"mentions part {p}") for p in range(UNIT_MENTION_FOLDS)]
    done[unit_mentions.MODEL_FILE] = _unit_mentions_model(runs, done.pop("mentions labeller"), parts)
    # attribution ranks the labeller's new units too, so it learns from them as they come on new text
    done[attribution.MODEL_FILE] = train_attribution(runs, _added_units(parts))
    return {name: done[name] for name in MODEL_FILES}


def train_all(runs: list[RuleRun], out: Path) -> dict[str, dict]:
    """Every model from the same rule runs, written to ``out``; returns their descriptions."""
    models = train_models(runs)
    for name, model in models.items():
        _write(model, out / name)
    return models


def predictions_with(runs: list[RuleRun], models: dict[str, dict]) -> dict[str, dict]:
    """``predictions`` with the models of ``train_models`` (by file name)."""
    return predictions(runs, models.get(attribution.MODEL_FILE), models.get(activities.MODEL_FILE),
                       models.get(counted_nouns.MODEL_FILE), models.get(unit_choice.MODEL_FILE),
                       models.get(unit_keep.MODEL_FILE), models.get(unit_mentions.MODEL_FILE),
                       models.get(quantity_keep.MODEL_FILE))


def score_with(runs: list[RuleRun], models: dict[str, dict]):
    return evaluate([r.gold for r in runs], predictions_with(runs, models))


def learning_curve(manifest: str, sizes=LEARNING_CURVE_SIZES) -> list[dict]:
    """Train on the first 25, 50, 100 … training documents (a fixed shuffle) and score dev."""
    train = load_gold(manifest, "train")
    dev = load_gold(manifest, "dev")
    train_runs = run_rules(train, _progress("rules on train"))
    dev_runs = run_rules(dev, _progress("rules on dev"))
    order = list(range(len(train_runs)))
    random.Random(SEED).shuffle(order)  # the same subsets on every run
    rows = [{"train_documents": 0, "scores": _summary(evaluate(dev, predictions(dev_runs, None)))}]
    for n in [s for s in sizes if s < len(order)] + [len(order)]:
        subset = [train_runs[i] for i in order[:n]]
        rows.append({"train_documents": n, "scores": _summary(score_with(dev_runs, train_models(subset)))})
    return rows


def _summary(result) -> dict:
    t = result.total()
    return {"units_f1": round(t.units.f1, 4), "quantities_f1": round(t.quantities.f1, 4),
            "records_f1": round(t.records.f1, 4), "activity": round(t.activity.value or 0, 4)}


def cli_train(args) -> int:
    from pipeline.evaluate import GoldError

    try:
        if args.learning_curve:
            rows = learning_curve(args.manifest)
            print(f"{'train docs':>10}{'units F1':>10}{'qty F1':>8}{'rec F1':>8}{'activity':>10}   (dev split;"
                  " 0 = rules only)")
            for r in rows:
                s = r["scores"]
                print(f"{r['train_documents']:>10}{s['units_f1']:>10.3f}{s['quantities_f1']:>8.3f}"
                      f"{s['records_f1']:>8.3f}{s['activity']:>10.3f}")
            return 0
        train = load_gold(args.manifest, "train")
        runs = run_rules(train, _progress("rules on train"))
        out = Path(args.out)
        for name, model in train_all(runs, out).items():
            print(f"provnews train: {out / name}: {model['kind']}, trained on {model['trained_on']}")
    except (GoldError, ValueError, OSError, WorkerDied) as exc:
        print(f"provnews train: {exc}", file=sys.stderr)
        return 2
    return 0


__all__ = ["cli_train", "learning_curve", "MODEL_DIR"]


# ---------------------------------------------------------------- unit mentions (sequence labeller)
# CRFsuite settings (L-BFGS; c1 keeps the file small by zeroing rare features)
UNIT_MENTION_CRF = {"c1": 0.1, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True}


# the filter of new mentions (few rows: small trees) and its threshold (log-odds), chosen by
# 5-fold cross-validation over train + dev
UNIT_MENTION_FILTER_TREES = {"objective": "binary", "rounds": 100, "min_rows": 5, "num_leaves": 7}
UNIT_MENTION_KEEP_FROM = 0.0
# the filter's rows come from labellers trained on the other parts (each part costs one more training):
# 2 parts gave units F1 0.8212 by 5-fold CV x 3 (no gain: too few rows), 4 parts 0.8222 (baseline 0.8213)
UNIT_MENTION_FOLDS = 4


def _located(text: str, name: str) -> list[tuple[int, int]]:
    """Where ``name`` is written in ``text`` as whole words (case aside)."""
    low, s = text.lower(), name.lower().strip()
    out = []
    if not s:
        return out
    i = low.find(s)
    while i >= 0:
        e = i + len(s)
        if (i == 0 or not low[i - 1].isalnum()) and (e >= len(low) or not low[e].isalnum()):
            out.append((i, e))
        i = low.find(s, i + 1)
    return out


def gold_mention_spans(run: RuleRun) -> list[tuple[int, int]]:
    """The gold units' mentions in the text: each name and alias where it is written, and each rules'
    mention whose name is a gold unit's; overlapping ones resolved longest first."""
    text = run.gold.text
    gold = set().union(*(unit_names(u) for u in run.gold.units)) if run.gold.units else set()
    spans = {sp for u in run.gold.units for a in [u["name"], *(u.get("aliases") or [])] for sp in _located(text, a)}
    spans |= {(u.start, u.end) for u in run.ex.units if norm(u.name) in gold}
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(spans, key=lambda se: (se[0] - se[1], se[0])):
        if not any(a < e and s < b for a, b in chosen):
            chosen.append((s, e))
    return sorted(chosen)


def unit_mention_sequences(runs: list[RuleRun]):
    """(features, labels) of each sentence of each training document."""
    for run in runs:
        rows = unit_mentions.features(run.gold.text, run.tokens, run.ex.units)
        labels = unit_mentions.labels_for(run.tokens, gold_mention_spans(run))
        for a, b in unit_mentions.sentences(run.tokens):
            yield rows[a:b], labels[a:b]


def _crf(runs: list[RuleRun], params: dict | None = None) -> dict:
    """The labeller's weights trained on ``runs`` (CRFsuite, L-BFGS: the same weights on every run)."""
    import os
    import tempfile

    import pycrfsuite

    from extractors.crf_model import read_crfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    n = 0
    for xs, ys in unit_mention_sequences(runs):
        trainer.append(xs, ys)
        n += 1
    if not n:
        raise ValueError("no training examples: are the gold texts readable?")
    trainer.set_params({**UNIT_MENTION_CRF, **(params or {})})
    fd, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(fd)
    try:
        trainer.train(path)
        labels, weights, transitions = read_crfsuite(path)
    finally:
        os.unlink(path)
    order = [labels.index(lab) for lab in unit_mentions.LABELS]
    kept = {}
    for attr, ws in sorted(weights.items()):
        ws = [round(ws[j], 4) for j in order]
        if any(ws):
            kept[attr] = ws
    return {"labels": list(unit_mentions.LABELS), "weights": kept, "sentences": n,
            "transitions": [[round(transitions[i][j], 4) for j in order] for i in order]}


def _new_mention_label(run: RuleRun, name: str) -> int:
    """Is a new mention's name a gold unit that no rules' mention names or writes?"""
    found = {norm(u.name) for u in run.ex.units} | {norm(u.text) for u in run.ex.units}
    for g in run.gold.units:
        names = unit_names(g)
        if norm(name) in names:
            return int(not (names & found))
    return 0


def _mention_part(runs: list[RuleRun], part: int) -> tuple[list, list, list, list]:
    """The filter's rows from one of UNIT_MENTION_FOLDS parts: the new mentions that a labeller trained
    on the other parts finds in it (as it will meet them: on text it was not trained on); with each
    row's document, and the rules' units of it with the new unit."""
    k = UNIT_MENTION_FOLDS
    crf = unit_mentions.Labeller(_crf([r for i, r in enumerate(runs) if i % k != part]))
    X, y, groups, units = [], [], [], []
    for run in runs[part::k]:
        tags, po = unit_mentions.labelled(run.gold.text, run.tokens, run.ex.units, crf)
        found = [sp for sp in unit_mentions.spans_of(run.tokens, tags) if po[sp[2]] is not None]
        for u, f in unit_mentions.new_mentions(run.gold.text, run.tokens, run.ex.units, found, po,
                                               unit_mentions.ADD_MIN):
            X.append(f)
            y.append(_new_mention_label(run, u.name))
            groups.append(run.gold.doc_id)
            units.append((run.ex.units, u))
    return X, y, groups, units


def _added_units(parts: list[tuple[list, list, list, list]]) -> dict[str, list]:
    """The units the labeller adds to each training document's rules' units, as on new text: each
    part's new mentions (from a labeller that did not see it), kept by a filter trained on the other
    parts' rows (document → units)."""
    added: dict[str, list] = {}
    for k, (X, _, groups, units) in enumerate(parts):
        rest = [p for j, p in enumerate(parts) if j != k]
        xs, ys = sum((p[0] for p in rest), []), sum((p[1] for p in rest), [])
        if not X or not learnable(xs, ys, UNIT_MENTION_FILTER_TREES):
            continue
        filt = ranker_from(fit_trees(xs, ys, sum((p[2] for p in rest), []), UNIT_MENTION_FILTER_TREES))
        for doc, (rules_units, u), f, score in zip(groups, units, X, filt.scores(X)):
            added.setdefault(doc, []).extend(
                unit_mentions.kept([(u, f)], [score], rules_units, UNIT_MENTION_KEEP_FROM))
    return {doc: us for doc, us in added.items() if us}


def _unit_mentions_model(runs: list[RuleRun], model: dict, parts: list[tuple[list, list, list]]) -> dict:
    """The labeller trained on every run (``model``), and its filter trained on the parts' rows."""
    X, y, groups = (sum((p[i] for p in parts), []) for i in range(3))  # (the parts' units are not needed)
    n = model.pop("sentences")
    model.update({"kind": "CRF (linear chain, BIO) + LightGBM binary filter",
                  "feature_version": unit_mentions.FEATURE_VERSION,
                  "decision": "which words are a unit's mention (B/I/O, the rules' mentions among the features); "
                              "which of its mentions the rules missed to keep",
                  "trained_on": f"{len(runs)} documents, {n} sentences; filter: {len(X)} new mentions, "
                                f"{sum(y)} of a gold unit",
                  "keep_from": UNIT_MENTION_KEEP_FROM})
    if learnable(X, y, UNIT_MENTION_FILTER_TREES):
        model["filter"] = fit_trees(X, y, groups, UNIT_MENTION_FILTER_TREES)
    return model
