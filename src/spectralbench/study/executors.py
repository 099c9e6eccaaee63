"""Where runs execute: this process, a local process pool, or a dask.distributed cluster.

Each executor takes the runs to do and yields a :class:`RunResult` per run as it
finishes (in completion order); the caller, in the parent process, writes the
store. Native thread pools (BLAS, OpenMP, torch) are limited in each worker so
that workers x threads does not exceed the cores.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any

from .._optional import import_optional
from .execute import DataCache, RunResult, execute_run
from .grid import Run

__all__ = ["run_in_dask", "run_in_pool", "run_sequential", "usable_cores"]

logger = logging.getLogger(__name__)

_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "NUMEXPR_NUM_THREADS", "NUMBA_NUM_THREADS")

_worker_cache: DataCache | None = None
"""The data cache of a worker process (each process gets its own)."""

_run_lock = threading.Lock()
"""Runs seed global generators and measure process-wide memory, so a process that
serves several task threads (a dask worker with nthreads > 1) runs one at a time."""


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def limit_threads(threads: int) -> None:
    """Limit BLAS/OpenMP (threadpoolctl) and torch to ``threads`` threads in this process."""
    import torch
    from threadpoolctl import threadpool_limits

    for name in _THREAD_VARIABLES:
        os.environ[name] = str(threads)
    threadpool_limits(limits=threads)
    torch.set_num_threads(threads)
    logger.debug("worker %d limited to %d thread(s)", os.getpid(), threads)


def _execute_in_worker(run: Run, embedding_sample: int) -> RunResult:
    global _worker_cache
    with _run_lock:
        if _worker_cache is None:
            _worker_cache = DataCache()
        return execute_run(run, _worker_cache, embedding_sample=embedding_sample)


def run_sequential(runs: Sequence[Run], *, embedding_sample: int = 2000
                   ) -> Iterator[RunResult]:
    """Execute runs one after another in this process (threads left as they are)."""
    cache = DataCache()
    for run in runs:
        yield execute_run(run, cache, embedding_sample=embedding_sample)


def run_in_pool(runs: Sequence[Run], workers: int, *, embedding_sample: int = 2000
                ) -> Iterator[RunResult]:
    """Execute runs in ``workers`` fresh (spawned) processes.

    Each worker is limited to ``max(1, usable_cores() // workers)`` threads.
    Pending runs are cancelled when the caller stops early (e.g. Ctrl+C).
    """
    threads = max(1, usable_cores() // workers)
    logger.info("process pool: %d workers x %d thread(s)", workers, threads)
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                   initializer=limit_threads, initargs=(threads,))
    try:
        futures = [executor.submit(_execute_in_worker, run, embedding_sample) for run in runs]
        for future in as_completed(futures):
            yield future.result()
    finally:
        executor.shutdown(wait=False, cancel_futures=True)


def _configure_dask_worker(threads_by_address: dict[str, int], dask_worker: Any = None) -> int:
    threads = threads_by_address.get(dask_worker.address, 1)
    limit_threads(threads)
    return threads


def _dask_thread_plan(client: Any) -> dict[str, int]:
    """Threads per worker so that, on each host, workers x threads <= cores.

    A worker runs one run at a time whatever its ``nthreads``, so each worker
    counts once.
    """
    workers = client.scheduler_info(n_workers=-1)["workers"]
    cores = client.run(usable_cores)
    per_host = Counter(info["host"] for info in workers.values())
    return {address: max(1, cores.get(address, 1) // per_host[info["host"]])
            for address, info in workers.items()}


def run_in_dask(runs: Sequence[Run], address: str, *, embedding_sample: int = 2000
                ) -> Iterator[RunResult]:
    """Execute runs on the dask.distributed scheduler at ``address``.

    A worker process runs one run at a time (runs seed global generators and
    measure process-wide memory), so start workers with ``--nthreads 1`` and as
    many workers per host as runs should run in parallel. Thread limits
    (cores // workers on the host) are set once on the workers present when the
    study starts. Pending tasks are cancelled when the caller stops early.
    """
    distributed = import_optional("distributed", extra="dask",
                                  feature="Running a study on a dask cluster")
    client = distributed.Client(address)
    try:
        plan = _dask_thread_plan(client)
        client.run(_configure_dask_worker, plan)
        logger.info("dask: %d workers at %s, threads per worker %s", len(plan), address,
                    sorted(set(plan.values())))
        futures = client.map(_execute_in_worker, list(runs), embedding_sample=embedding_sample,
                             pure=False)
        try:
            for _, result in distributed.as_completed(futures, with_results=True):
                yield result
        finally:
            client.cancel(futures)
    finally:
        client.close()
