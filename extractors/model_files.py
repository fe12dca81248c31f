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
        self.weights: dict[str, float] = data["weights"]
        self.bias: float = data["bias"]

    def score(self, features: dict[str, float]) -> float:
        w = self.weights
        return self.bias + sum(w.get(k, 0.0) * v for k, v in features.items())

    def probability(self, features: dict[str, float]) -> float:
        return 1.0 / (1.0 + math.exp(-self.score(features)))

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        return [self.score(f) for f in rows]


class TreeRanker:
    """A LightGBM ranking model (lambdarank) over named features, stored as LightGBM's text format."""

    def __init__(self, data: dict):
        import lightgbm

        self.features: list[str] = data["features"]
        self.index = {f: i for i, f in enumerate(self.features)}
        self.booster = lightgbm.Booster(model_str=data["model"])

    def scores(self, rows: list[dict[str, float]]) -> list[float]:
        import numpy as np

        if not rows:
            return []
        m = np.zeros((len(rows), len(self.features)), dtype=np.float64)
        idx = self.index
        # (row, column, value) gathered in one comprehension, set in one numpy assignment:
        # setting matrix cells one by one costs more than the prediction
        cells = [(r, idx[k], v) for r, feats in enumerate(rows) for k, v in feats.items() if k in idx]
        if cells:
            at_row, at_col, values = zip(*cells)
            m[list(at_row), list(at_col)] = values
        # raw scores: a ranking score, or a log-odds (> 0 means yes) for a binary model
        return [float(x) for x in self.booster.predict(m, num_threads=1, raw_score=True)]


def ranker_from(data: dict):
    return TreeRanker(data) if data.get("kind", "").startswith("LightGBM") else LinearModel(data)


@lru_cache(maxsize=None)
def ranker(name: str, feature_version: int):
    """The shipped ranking model ``name``: linear or LightGBM, by what the file says it is."""
    return ranker_from(load_json_model(name, feature_version))


linear_model = ranker  # the name earlier modules used
