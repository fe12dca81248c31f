"""The learned decisions' model files: shipped inside the package, loaded offline.

Each decision (which unit a figure belongs to, which verb reports it, which
syllables form a unit's name) is a model trained by ``provnews train`` from
the annotated corpus (``annotations/``) and written to ``extractors/models/``.
A model file records the feature version it was trained for; a file that is
missing, unreadable or made for other features is refused with one line that
names the command rebuilding it, never silently ignored.
"""
from __future__ import annotations

import json
import math
import os
from functools import lru_cache
from itertools import accumulate, chain
from pathlib import Path

# PROVNEWS_MODELS points at another folder of model files (e.g. ones trained on your own annotations)
MODEL_DIR = Path(os.environ.get("PROVNEWS_MODELS") or Path(__file__).with_name("models"))
REBUILD = "make train (or: provnews train)"


class ModelError(RuntimeError):
    """A shipped model file is missing, unreadable or from another version."""


def model_path(name: str) -> Path:
    return MODEL_DIR / name


@lru_cache(maxsize=None)
def load_json_model(name: str, feature_version: int) -> dict:
    path = model_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"model file {path} is missing: rebuild it with {REBUILD}") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"model file {path} is unreadable ({exc}): rebuild it with {REBUILD}") from None
    got = data.get("feature_version")
    if got != feature_version:
        raise ModelError(f"model file {path} was trained for feature version {got}, this provnews "
                         f"uses {feature_version}: rebuild it with {REBUILD}")
    return data


class LinearModel:
    """A logistic model over named features: ``sigmoid(bias + Σ weight·value)``.

    Weights are stored by feature name, so a feature the model never saw
    counts zero and the file stays readable as JSON.
    """

    def __init__(self, data: dict):
        self.data = data  # the file's other entries (word lists learned in training)
        self.weights: dict[str, float] = data["weights"]
        self.bias: float = data["bias"]

    def score(self, features: dict[str, float]) -> float:
        w = self.weights
        return self.bias + sum(w.get(k, 0.0) * v for k, v in features.items())

    def probability(self, features: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.score(features)))

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        return [self.score(f) for f in rows]

    def best_in_groups(self, groups: list[list[dict[str, float]]], first_trees: int = 0, keep: int = 0) -> list[int]:
        """The index of each group's best row (-1 for an empty group); a linear model has no stages."""
        return _best_of_each(self.scores([r for g in groups for r in g]), groups)


def _best_of_each(flat: list[float], groups: list[list]) -> list[int]:
    """Per group, the index of its highest score in ``flat`` (the later row on a tie; -1 if empty)."""
    out, o = [], 0
    for g in groups:
        out.append(max(range(len(g)), key=lambda i: (flat[o + i], i)) if g else -1)
        o += len(g)
    return out


@lru_cache(maxsize=None)
def _lightgbm():
    """LightGBM, kept to one thread in this process.

    Loading a model runs an OpenMP loop on every core, which leaves a thread
    pool behind; a worker forked after that (``extract --workers``, after
    ``check_models`` loaded the models in the main process) waits for that
    pool forever.  With one thread no pool is made, and each process works on
    one core anyway: the parallelism is across processes.
    """
    import lightgbm
    from lightgbm.basic import _LIB

    if hasattr(_LIB, "LGBM_SetMaxThreads"):  # LightGBM >= 4.2
        _LIB.LGBM_SetMaxThreads(1)
    return lightgbm


class _Columns(dict):
    """Feature name → column; -1 for a name the model never saw (counted in ``unseen``)."""

    unseen = 0

    def __missing__(self, name: str) -> int:
        self.unseen += 1
        return -1


class TreeRanker:
    """A LightGBM ranking model (lambdarank) over named features, stored as LightGBM's text format.

    ``scores`` asks LightGBM's C library for the raw scores of one document's
    rows in one call, as ``Booster.predict`` does, without the Python layers
    around it (argument checks, format dispatch, a new parameter string each
    call): those cost more than the trees themselves on a document's hundred
    rows.  The numbers are LightGBM's own; ``reference_scores`` is the plain
    ``Booster.predict`` route (``tests/test_model_files.py`` checks they agree
    on real rows).
    """

    def __init__(self, data: dict):
        lightgbm = _lightgbm()
        self.data = data  # the file's other entries (word lists learned in training)
        self.features: list[str] = data["features"]
        self.index = _Columns((f, i) for i, f in enumerate(self.features))
        self._column = self.index.__getitem__  # -1 for a feature the model never saw
        self.booster = lightgbm.Booster(model_str=data["model"])
        self._predict = _c_predict(self.booster, len(self.features))

    def sparse(self, rows: list[dict[str, float]]):
        """The rows as CSR arrays ``(indptr, indices, values)``, features the model never saw left out.

        Every (column, value) of every row is read by C-level iteration (map and
        chain, no Python loop per feature): a list comprehension per feature, or
        setting matrix cells one by one, costs more than the prediction.
        """
        import numpy as np

        sizes = list(map(len, rows))
        total = sum(sizes)
        unseen = self.index.unseen
        cols = np.fromiter(map(self._column, chain.from_iterable(rows)), dtype=np.int32, count=total)
        values = np.fromiter(chain.from_iterable(map(dict.values, rows)), dtype=np.float64, count=total)
        if self.index.unseen == unseen:  # the usual case: every feature seen in training
            # (numpy's own calls on a list, cumsum and all, cost more than these rows' work)
            return np.fromiter(accumulate(sizes, initial=0), dtype=np.int32, count=len(rows) + 1), cols, values
        indptr = np.zeros(len(rows) + 1, dtype=np.int32)
        known = cols >= 0
        at_row = np.repeat(np.arange(len(rows), dtype=np.int32), sizes)
        np.cumsum(np.bincount(at_row[known], minlength=len(rows)), out=indptr[1:])
        return indptr, np.ascontiguousarray(cols[known]), np.ascontiguousarray(values[known])

    def matrix(self, rows: list[dict[str, float]]):
        """The rows as one dense float64 matrix (row-major), features the model never saw left out."""
        import numpy as np

        indptr, cols, values = self.sparse(rows)
        m = np.zeros((len(rows), len(self.features)), dtype=np.float64)
        m[np.repeat(np.arange(len(rows)), np.diff(indptr)), cols] = values
        return m

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        """Raw scores: a ranking score, or a log-odds (> 0 means yes) for a binary model."""
        if not rows:
            return []
        if self._predict is None:
            return self.reference_scores(rows)
        return self._predict(*self.sparse(rows))

    def best_in_groups(self, groups: list[list[dict[str, float]]], first_trees: int, keep: int) -> list[int]:
        """The index of each group's best row, the trees run in two stages.

        The first ``first_trees`` trees score every row; only each group's ``keep``
        best by that partial score go on through the remaining trees, and the best
        total wins.  The totals are the model's own scores (first part + rest), so
        the choice differs from scoring every row only where the row the full model
        prefers was not among the ``keep`` best after the first trees.  A group of
        ``keep`` rows or fewer goes straight through every tree.
        """
        if self._predict is None or first_trees >= self.booster.current_iteration():
            return _best_of_each(self.scores([r for g in groups for r in g]), groups)
        partial = self._predict(*self.sparse([r for g in groups for r in g]), 0, first_trees)
        kept: list[tuple[int, int, float]] = []  # (group, row in group, partial score)
        o = 0
        for gi, g in enumerate(groups):
            n = len(g)
            top = sorted(range(n), key=lambda i: -partial[o + i])[:keep]  # stable: the earlier row on a tie
            kept.extend((gi, i, partial[o + i]) for i in top)
            o += n
        rest = self._predict(*self.sparse([groups[gi][i] for gi, i, _ in kept]), first_trees, -1)
        best: list[tuple[float, int]] = [(-math.inf, -1)] * len(groups)
        for (gi, i, part), more in zip(kept, rest):
            if (part + more, i) > best[gi]:
                best[gi] = (part + more, i)
        return [i for _, i in best]

    def reference_scores(self, rows: list[dict[str, float]], m=None) -> list[float]:
        """The same scores through ``lightgbm.Booster.predict`` on the dense matrix."""
        if not rows:
            return []
        m = self.matrix(rows) if m is None else m
        return [float(x) for x in self.booster.predict(m, num_threads=1, raw_score=True)]


def _c_predict(booster, n_features: int):
    """``(indptr, indices, values) -> raw scores`` calling ``LGBM_BoosterPredictForCSR`` directly.

    None if this LightGBM lacks it.  Sparse rows, not a dense matrix: a row
    holds some 25 of the activity model's 751 features, and zeroing, filling
    and scanning the dense rows cost more than the trees.  A feature absent
    from a row reads as zero, as an explicit zero of the dense matrix does, so
    the scores are the same.  The arguments are those ``Booster.predict``
    passes for a CSR matrix with ``num_threads=1, raw_score=True``.
    """
    import ctypes

    import numpy as np

    try:
        from lightgbm.basic import _LIB, _safe_call

        fn = _LIB.LGBM_BoosterPredictForCSR
        handle = booster._handle
    except (ImportError, AttributeError):
        return None
    C_API_DTYPE_FLOAT64, C_API_DTYPE_INT32, C_API_PREDICT_RAW_SCORE = 1, 2, 1
    params = ctypes.c_char_p(b"num_threads=1")
    void_p, c_int64 = ctypes.c_void_p, ctypes.c_int64
    # the arguments that are the same on every call, made once
    int32, float64, raw = ctypes.c_int(C_API_DTYPE_INT32), ctypes.c_int(C_API_DTYPE_FLOAT64), \
        ctypes.c_int(C_API_PREDICT_RAW_SCORE)
    columns = c_int64(n_features)
    addressof, byte_at = ctypes.addressof, ctypes.c_char.from_buffer

    def address(a) -> int:
        """Where the array's data starts (``a.ctypes.data``, at a third of its cost)."""
        try:
            return addressof(byte_at(a))
        except (TypeError, ValueError, BufferError):  # a read-only, empty or strided array
            return a.ctypes.data

    def predict(indptr, indices, values, start: int = 0, trees: int = -1) -> list[float]:
        """Raw scores summed over ``trees`` boosting rounds from round ``start`` (-1: to the last)."""
        rows = len(indptr) - 1
        assert indptr.dtype == indices.dtype == np.int32 and values.dtype == np.float64
        out = np.empty(rows, dtype=np.float64)
        got = c_int64(0)
        # the arrays' addresses as plain pointers (``ctypes.data_as`` costs more than a small call's work)
        _safe_call(fn(handle, void_p(address(indptr)), int32, void_p(address(indices)),
                      void_p(address(values)), float64, c_int64(len(indptr)), c_int64(len(values)),
                      columns, raw, ctypes.c_int(start), ctypes.c_int(trees), params, ctypes.byref(got),
                      void_p(address(out))))
        if got.value != rows:
            raise ValueError("LightGBM returned a wrong number of scores")
        return out.tolist()

    return predict


def ranker_from(data: dict):
    return TreeRanker(data) if data.get("kind", "").startswith("LightGBM") else LinearModel(data)


@lru_cache(maxsize=None)
def ranker(name: str, feature_version: int):
    """The shipped ranking model ``name``: linear or LightGBM, by what the file says it is."""
    return ranker_from(load_json_model(name, feature_version))


linear_model = ranker  # the name earlier modules used
