"""Execute one run of a study: draw, split, fit, predict, score, measure.

This is the only place in spectralbench that seeds the global generators
(Python, numpy, torch), once per run and logged, as a safety net for third-party
code; every spectralbench step gets its own seed derived from the run's seed.
Exceptions inside a run become a ``failed`` result with the message, so one bad
run does not stop a study; ``KeyboardInterrupt`` is not caught.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import random
import socket
import traceback
from collections import OrderedDict
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import numpy as np
from sklearn.model_selection import train_test_split

from .config import DatasetSpec
from .grid import Run
from .store import utc_now

__all__ = ["DataCache", "Pool", "RunResult", "execute_run"]

logger = logging.getLogger(__name__)

POOL_SEED = 0
"""Seed of the stratified cut to ``max_samples`` rows: the same pool for every run."""

_VERSIONED = ("spectralbench", "numpy", "scipy", "scikit-learn", "torch", "pynndescent",
              "minisom", "openTSNE", "umap-learn")


@dataclass(frozen=True)
class Pool:
    """The rows a run samples from.

    Attributes
    ----------
    X : ndarray of shape (n_pool, n_features), float32
    y : ndarray of shape (n_pool,), int64
        Class codes ``0 .. n_classes - 1``.
    rows : ndarray of shape (n_pool,), int64
        Row of each pool entry in the loaded dataset split (to find its image).
    class_names : tuple of str
    """

    X: np.ndarray
    y: np.ndarray
    rows: np.ndarray
    class_names: tuple[str, ...]


@dataclass(frozen=True)
class RunResult:
    """What a worker sends back: the run, its database columns and its artifact arrays."""

    run: Run
    row: dict[str, Any]
    artifacts: dict[str, np.ndarray] = field(default_factory=dict)


class DataCache:
    """Per-process cache of dataset pools (least recently used ones are dropped).

    Parameters
    ----------
    max_items : int, default=2
        Pools kept; a full Fashion-MNIST pool takes about 220 MB.
    """

    def __init__(self, max_items: int = 2):
        self.max_items = max_items
        self._pools: OrderedDict[DatasetSpec, Pool] = OrderedDict()

    def get(self, spec: DatasetSpec) -> Pool:
        """The pool of ``spec``, loaded on first use."""
        if spec in self._pools:
            self._pools.move_to_end(spec)
            return self._pools[spec]
        pool = load_pool(spec)
        self._pools[spec] = pool
        while len(self._pools) > self.max_items:
            self._pools.popitem(last=False)
        return pool


def load_pool(spec: DatasetSpec) -> Pool:
    """Load a dataset and cut it to ``spec.max_samples`` rows (stratified, seed 0)."""
    from ..data import load_dataset, load_user_dataset

    if spec.path is None:
        bunch = load_dataset(spec.name, split=spec.split)
    else:
        bunch = load_user_dataset(spec.path, label_column=spec.label_column)
    X, y = bunch.data, np.asarray(bunch.target, dtype=np.int64)
    rows = np.arange(len(y))
    if spec.max_samples is not None and spec.max_samples < len(y):
        rows, _ = train_test_split(rows, train_size=spec.max_samples, stratify=y,
                                   random_state=POOL_SEED)
        rows = np.sort(rows)
        X, y = X[rows], y[rows]
    names = tuple(str(n) for n in bunch.target_names)
    return Pool(X=np.ascontiguousarray(X, dtype=np.float32), y=y, rows=rows, class_names=names)


def child_seeds(seed: int, n: int = 4) -> list[int]:
    """``n`` independent seeds in [0, 2**32) derived from ``seed`` (numpy SeedSequence)."""
    return [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(seed).spawn(n)]


def seed_globally(seed: int) -> None:
    """Seed Python's, numpy's and torch's global generators (logged)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - the one deliberate global seeding
    torch.manual_seed(seed)
    logger.info("seeded python, numpy and torch global generators with %d", seed)


@functools.cache
def library_versions() -> dict[str, str | None]:
    """Installed versions of spectralbench and the libraries a run may use."""
    versions = {}
    for package in _VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


@functools.cache
def _machine() -> dict[str, Any]:
    from ..evaluation.resources import machine_info

    return machine_info()


def execute_run(run: Run, cache: DataCache | None = None, *,
                embedding_sample: int = 2000) -> RunResult:
    """Draw, split, fit, predict and score one run; never raises for a failing method.

    Parameters
    ----------
    run : Run
    cache : DataCache, optional
        Pools loaded earlier in this process; a fresh cache when None.
    embedding_sample : int, default=2000
        Most training rows whose labels (and embedding, when the method has
        ``embedding_``) are kept as artifacts for the report's figures.

    Returns
    -------
    RunResult
        ``row`` holds the database columns (status ``ok`` or ``failed`` with the
        error), ``artifacts`` the arrays: ``test_rows`` (rows of the loaded split),
        ``test_true``, ``test_pred`` (when the method predicts), ``sample_rows``,
        ``sample_true``, ``sample_pred`` and ``sample_embedding``.
    """
    import torch

    started = utc_now()
    seed_globally(run.seed)
    try:
        row, artifacts = _fit_and_score(run, cache or DataCache(), embedding_sample)
        row["status"] = "ok"
    except Exception as exc:  # a failing method must not stop the study
        logger.warning("run %s (%s, seed %d) failed: %s", run.key[:12], run.method, run.seed, exc)
        row = {"status": "failed",
               "error": f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc()}"}
        artifacts = {}
    row.update(
        started_at=started, finished_at=utc_now(), worker=f"{socket.gethostname()}:{os.getpid()}",
        threads=torch.get_num_threads(), machine=_machine(), versions=library_versions(),
    )
    return RunResult(run=run, row=row, artifacts=artifacts)


def _fit_and_score(run: Run, cache: DataCache, embedding_sample: int
                   ) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    from ..baselines import make
    from ..data import sample, split
    from ..evaluation import evaluate
    from ..evaluation.resources import measure

    pool = cache.get(run.dataset)
    sample_seed, split_seed, method_seed, keep_seed = child_seeds(run.seed)
    n_classes = len(pool.class_names)
    classes = np.arange(n_classes)
    balance = {"balance": run.balance}
    if run.imbalance_ratio is not None:
        balance["imbalance_ratio"] = run.imbalance_ratio
    drawn = np.asarray(sample(pool.y, run.fraction, **balance, random_state=sample_seed))
    # groups: a row drawn twice (unbalanced arm, with replacement) stays on one side.
    train_pos, test_pos = split(pool.y[drawn], train_size=run.train_ratio, groups=drawn,
                                random_state=split_seed)
    train_idx, test_idx = drawn[train_pos], drawn[test_pos]
    X_train, y_train = pool.X[train_idx], pool.y[train_idx]
    X_test, y_test = pool.X[test_idx], pool.y[test_idx]

    params = run.kwargs
    n_clusters = params.pop("n_clusters", n_classes)
    model = make(run.method, n_clusters=n_clusters, random_state=method_seed, **params)
    with measure() as fit:
        train_pred = np.asarray(model.fit_predict(X_train))
    train = evaluate(y_train, train_pred, labels=classes)
    test, test_pred, test_error, predict = None, None, None, None
    try:
        with measure() as predict:
            test_pred = np.asarray(model.predict(X_test))
        test = evaluate(y_test, test_pred, mapping=train.mapping, labels=classes)
    except NotImplementedError as exc:
        test_error = str(exc)
        predict = None

    counts = np.bincount(pool.y[drawn], minlength=n_classes)
    row = {
        "n_pool": len(pool.y), "n_drawn": len(drawn),
        "n_duplicates": int(len(drawn) - np.unique(drawn).size),
        "n_train": len(train_idx), "n_test": len(test_idx), "n_clusters": n_clusters,
        "class_names": list(pool.class_names),
        "class_counts": dict(zip(pool.class_names, counts.tolist(), strict=True)),
        "train_metrics": train.as_dict(), "train_confusion": train.confusion_matrix_as_list(),
        "mapping": sorted([k, v] for k, v in train.mapping.items()),
        "fit_seconds": fit.wall_seconds, "fit_resources": fit.as_dict(),
        "peak_rss_mb": _nanmax(fit.peak_rss_mb, predict.peak_rss_mb if predict else math.nan),
        "history": getattr(model, "history_", None),
        "params_used": _params_used(model, run),
        "test_error": test_error,
    }
    for split_name, metrics in (("train", train), ("test", test)):
        if metrics is not None:
            row.update({f"{split_name}_{name}": getattr(metrics, name)
                        for name in ("accuracy", "f1_macro", "nmi", "ari")})
    if test is not None:
        row.update(test_metrics=test.as_dict(), test_confusion=test.confusion_matrix_as_list(),
                   predict_seconds=predict.wall_seconds, predict_resources=predict.as_dict())

    artifacts = {"test_rows": pool.rows[test_idx].astype(np.int64),
                 "test_true": y_test.astype(np.int64)}
    if test_pred is not None:
        artifacts["test_pred"] = test_pred.astype(np.int64)
    keep = np.random.default_rng(keep_seed).permutation(len(train_idx))[:embedding_sample]
    keep.sort()
    artifacts.update(sample_rows=pool.rows[train_idx[keep]].astype(np.int64),
                     sample_true=y_train[keep].astype(np.int64),
                     sample_pred=train_pred[keep].astype(np.int64))
    embedding = getattr(model, "embedding_", None)
    if embedding is not None and len(embedding) == len(train_idx):
        artifacts["sample_embedding"] = np.asarray(embedding)[keep].astype(np.float32)
    return row, artifacts


def _nanmax(*values: float) -> float:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return max(finite) if finite else math.nan


def _params_used(model: Any, run: Run) -> dict[str, Any]:
    """The parameters the fitted method reports (``params_``), else its ``get_params``."""
    used = getattr(model, "params_", None)
    if used is None and hasattr(model, "get_params"):
        used = model.get_params(deep=False)
    return dict(used) if used is not None else run.kwargs
