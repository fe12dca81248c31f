"""Where the NLP stage runs: in this process, in a local process pool, or on Dask.

The NLP stage is CPU-bound Python (underthesea's featurizer), so threads do
not help; processes do.  Dask distributed (extra ``[dask]``) is for when one
machine is not enough: ``--scheduler tcp://host:8786`` sends the work to an
existing cluster, ``--engine dask`` alone starts a local one.

Every engine yields ``(index, Extraction | Exception)`` so one failing
document never loses the others.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Iterator, Sequence

from extractors.mentions import Extraction

ENGINES = ("local", "dask")


def extract_text(text: str) -> Extraction:
    """The unit of work shipped to a worker (module-level so it pickles)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from extractors.extract import extract

    return extract(text)


def _safe(text: str) -> Extraction | Exception:
    try:
        return extract_text(text)
    except Exception as exc:  # returned, not raised: the batch goes on
        return exc


def map_extract(texts: Sequence[str], workers: int = 1, engine: str = "local",
                scheduler: str | None = None) -> Iterator[tuple[int, Extraction | Exception]]:
    """Extract every text; yields (index, result) as results arrive."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "dask":
        yield from _dask(texts, workers, scheduler)
    elif workers <= 1 or len(texts) <= 1:
        for i, text in enumerate(texts):
            yield i, _safe(text)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_safe, t): i for i, t in enumerate(texts)}
            for fut in as_completed(futures):
                yield futures[fut], fut.result()


def _dask(texts: Sequence[str], workers: int, scheduler: str | None):
    try:
        from distributed import Client, LocalCluster, as_completed as dask_completed
    except ImportError as exc:
        raise ImportError("the dask engine needs the [dask] extra: pip install 'provnews[dask]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(_safe, list(texts), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        for fut in dask_completed(futures):
            yield index[fut.key], fut.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
