"""Where the NLP stage runs: in this process, in a local process pool, or on Dask.

The NLP stage is CPU-bound Python, so threads do not help; processes do.
Dask distributed (extra ``[dask]``) is for when one machine is not enough:
``--scheduler tcp://host:8786`` sends the work to an existing cluster,
``--engine dask`` alone starts a local one.

Inputs are read lazily and at most a few texts per worker are in flight (a
bounded window of futures), so memory does not grow with the corpus and the
caller can store each result as soon as it arrives.  Ctrl-C cancels what is
queued and stops the local workers at once: they ignore SIGINT themselves
(the main process decides) and exit on their own if the main process dies.

Every engine yields ``(index, Extraction | Exception)`` so one failing
document never loses the others.
"""
from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Iterable, Iterator

from extractors.mentions import Extraction

ENGINES = ("local", "dask")
# texts in flight per worker: enough to keep each busy, few enough to stay small
IN_FLIGHT_PER_WORKER = 4


def default_workers() -> int:
    """The cores this process may run on (``--workers`` default)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return max(os.cpu_count() or 1, 1)


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


def _exit_with_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


def _init_worker(parent: int) -> None:
    """A local worker: Ctrl-C is the main process's to handle, and no worker outlives it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()


def map_extract(texts: Iterable[str], workers: int = 1, engine: str = "local",
                scheduler: str | None = None) -> Iterator[tuple[int, Extraction | Exception]]:
    """Extract every text; yields (index, result) as results arrive (not in input order).

    ``texts`` is consumed lazily, a few per worker ahead of the results.
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "dask":
        yield from _dask(texts, workers, scheduler)
    elif workers <= 1:
        for i, text in enumerate(texts):
            yield i, _safe(text)
    else:
        yield from _local_pool(texts, workers)


def _bounded(submit, texts: Iterable[str], window: int, wait_first):
    """Keep at most ``window`` submitted texts pending; yield (index, future) as they finish."""
    it = enumerate(texts)
    pending: dict = {}
    for i, text in itertools.islice(it, window):
        pending[submit(text)] = i
    while pending:
        done = wait_first(list(pending))
        for fut in done:
            i = pending.pop(fut)
            nxt = next(it, None)
            if nxt is not None:
                pending[submit(nxt[1])] = nxt[0]
            yield i, fut


def _local_pool(texts: Iterable[str], workers: int):
    children_before = frozenset(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(os.getpid(),))
    finished = False
    try:
        for i, fut in _bounded(lambda t: pool.submit(_safe, t), texts, workers * IN_FLIGHT_PER_WORKER,
                               lambda fs: wait(fs, return_when=FIRST_COMPLETED).done):
            yield i, fut.result()
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # Ctrl-C, an error, or the caller stopped early: drop the queue, stop the workers now
            stop_workers(pool, children_before)


def stop_workers(pool: ProcessPoolExecutor, children_before: frozenset = frozenset()) -> None:
    """Stop the pool's workers now, dropping its queue.  ``children_before``: the processes this one
    had before the pool (``multiprocessing.active_children()``); any other child still alive at the
    end is the pool's too and is stopped (the executor's manager thread can still be starting or
    replacing a worker while it is told to shut down: one was found alive, under load, on 3.11)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    if hasattr(pool, "terminate_workers"):  # Python 3.14+
        pool.terminate_workers()
    for _ in range(2):
        for p in processes:
            if p.is_alive():
                p.terminate()
        for p in processes:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
                p.join()  # (SIGKILL cannot be refused: only a loaded machine makes it take seconds)
        processes = [p for p in multiprocessing.active_children() if p not in children_before]


def _dask(texts: Iterable[str], workers: int, scheduler: str | None):
    try:
        from distributed import Client, LocalCluster, wait as dask_wait
    except ImportError as exc:
        raise ImportError("the dask engine needs the [dask] extra: pip install 'provnews[dask]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(workers, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    window = max(sum((client.nthreads() or {}).values()), workers, 1) * IN_FLIGHT_PER_WORKER
    try:
        for i, fut in _bounded(lambda t: client.submit(_safe, t, pure=False), texts, window,
                               lambda fs: dask_wait(fs, return_when="FIRST_COMPLETED").done):
            yield i, fut.result()
    finally:  # closing the client releases its futures: the cluster drops what is still queued
        client.close()
        if cluster is not None:
            cluster.close()
