"""Run a study: expand its grid, skip what is stored, execute the rest, store each result.

:func:`run_study` is the entry point of ``spectralbench study``. Results come back
to this (parent) process, which writes each one to the store in its own
transaction as soon as it arrives, so a study stopped at any moment (Ctrl+C,
``kill -9``) resumes where it stopped when the same command runs again.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tqdm.auto import tqdm

from .config import StudyConfig, load_config
from .execute import RunResult
from .executors import run_in_dask, run_in_pool, run_sequential
from .grid import expand_grid
from .store import ResultsStore

__all__ = ["StudySummary", "run_study"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudySummary:
    """What one call of :func:`run_study` did.

    Attributes
    ----------
    name : str
        The study's name.
    out_dir : Path
        Output folder (holding ``results.sqlite`` and ``artifacts/``).
    n_runs : int
        Unique runs in the study's grid.
    n_skipped : int
        Runs already stored with status ok, not recomputed.
    n_ok, n_failed : int
        Runs executed now that succeeded or failed.
    failures : tuple of (str, str, str)
        ``(key, method, first line of the error)`` of each failed run.
    wall_seconds : float
        Time this call took.
    """

    name: str
    out_dir: Path
    n_runs: int
    n_skipped: int
    n_ok: int
    n_failed: int
    failures: tuple[tuple[str, str, str], ...]
    wall_seconds: float

    @property
    def db_path(self) -> Path:
        """Path of the results database."""
        return self.out_dir / "results.sqlite"


def run_study(
    config: StudyConfig | str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    workers: int = 1,
    dask_scheduler: str | None = None,
    force: bool = False,
    verbose: int = 1,
) -> StudySummary:
    """Execute every run of a study that is not stored yet, storing each as it ends.

    Parameters
    ----------
    config : StudyConfig, str or path-like
        A loaded study, a preset name (``"quick"``, ``"paper"``) or a TOML path.
    out_dir : path-like
        Output folder; ``results.sqlite`` and ``artifacts/`` are created there.
    workers : int, default=1
        1 runs in this process; more uses a local pool of that many processes,
        each limited to ``cores // workers`` threads.
    dask_scheduler : str, optional
        Address of a dask.distributed scheduler (``"tcp://host:8786"``) to run
        the grid on instead; needs the ``dask`` extra.
    force : bool, default=False
        Recompute runs that are already stored.
    verbose : int, default=1
        0 silent; 1 a progress bar (runs done / total, ETA).

    Returns
    -------
    StudySummary

    Raises
    ------
    ConfigError
        When ``config`` cannot be loaded.
    ResultsStoreError
        When ``out_dir`` holds an unreadable results database.
    ValueError
        When ``workers`` is not a positive integer, or is above 1 together with
        ``dask_scheduler``.
    """
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} must be a positive integer (1 runs in this "
                         "process).")
    if dask_scheduler is not None and workers != 1:
        raise ValueError(f"workers={workers} and dask_scheduler={dask_scheduler!r} were both "
                         "given; the dask cluster decides its own workers, so pass only one.")
    if not isinstance(config, StudyConfig):
        config = load_config(config)
    start = time.perf_counter()
    grid = expand_grid(config)
    out_dir = Path(out_dir)
    with ResultsStore(out_dir) as store:
        store.record_study(config.name, config.source, config.text, grid.memberships)
        done = set() if force else store.finished_keys()
        todo = [run for run in grid.runs if run.key not in done]
        logger.info("study %s: %d runs, %d stored, %d to do", config.name, len(grid.runs),
                    len(grid.runs) - len(todo), len(todo))
        results = _results(todo, workers, dask_scheduler, config.embedding_sample)
        n_ok, failures = 0, []
        with closing(results), tqdm(total=len(todo), desc=f"study {config.name}", unit="run",
                                    disable=not verbose) as bar:
            for result in results:
                store.write(result.run, result.row, result.artifacts)
                if result.row["status"] == "ok":
                    n_ok += 1
                else:
                    failures.append((result.run.key, result.run.method,
                                     result.row["error"].splitlines()[0]))
                    bar.set_postfix(failed=len(failures))
                bar.update(1)
    summary = StudySummary(
        name=config.name, out_dir=out_dir, n_runs=len(grid.runs),
        n_skipped=len(grid.runs) - len(todo), n_ok=n_ok, n_failed=len(failures),
        failures=tuple(failures), wall_seconds=time.perf_counter() - start,
    )
    logger.info("study %s: %d ok, %d failed, %d skipped in %.1f s", summary.name, summary.n_ok,
                summary.n_failed, summary.n_skipped, summary.wall_seconds)
    return summary


def _results(todo: list, workers: int, dask_scheduler: str | None,
             embedding_sample: int) -> Iterator[RunResult]:
    if not todo:
        return
    if dask_scheduler is not None:
        yield from run_in_dask(todo, dask_scheduler, embedding_sample=embedding_sample)
    elif workers > 1:
        yield from run_in_pool(todo, workers, embedding_sample=embedding_sample)
    else:
        yield from run_sequential(todo, embedding_sample=embedding_sample)
