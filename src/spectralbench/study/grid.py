"""Expand a study into runs, each with a stable key.

A run is (dataset, fraction, balance, imbalance_ratio, train_ratio, method,
params, seed). Its key is the SHA-256 of a canonical JSON of those fields (sorted
keys, normalised numbers), independent of the experiment that asked for it: a run
shared by two experiments is computed once, and the experiments it belongs to
are recorded separately as :class:`Membership` rows.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .config import DatasetSpec, StudyConfig

__all__ = ["Membership", "Run", "StudyGrid", "canonical_json", "expand_grid"]


@dataclass(frozen=True)
class Run:
    """One fit-and-evaluate job of a study.

    Attributes
    ----------
    dataset : DatasetSpec
        The pool to sample from.
    fraction : float
        Share of the pool drawn, in (0, 1].
    balance : {"balanced", "unbalanced"}
    imbalance_ratio : float or None
        Largest over smallest class size of an unbalanced draw; None when balanced.
    train_ratio : float
        Share of the draw used for fitting, in (0, 1); the rest is the test part.
    method : str
        Name passed to ``spectralbench.baselines.make``.
    params : tuple of (str, value)
        Method parameters, sorted by name (list values as tuples).
    seed : int
        Seeds the draw, the split, the method and the run's global seeding.
    """

    dataset: DatasetSpec
    fraction: float
    balance: str
    imbalance_ratio: float | None
    train_ratio: float
    method: str
    params: tuple[tuple[str, Any], ...]
    seed: int

    @property
    def kwargs(self) -> dict[str, Any]:
        """The method parameters as a dict (tuples become lists again only in JSON)."""
        return dict(self.params)

    def identity(self) -> dict[str, Any]:
        """Every field that defines the run, as JSON-safe values."""
        return {
            "dataset": self.dataset.identity(),
            "fraction": self.fraction,
            "balance": self.balance,
            "imbalance_ratio": self.imbalance_ratio,
            "train_ratio": self.train_ratio,
            "method": self.method,
            "params": self.kwargs,
            "seed": self.seed,
        }

    @cached_property
    def key(self) -> str:
        """Hex SHA-256 of :func:`canonical_json` of :meth:`identity` (64 characters)."""
        return hashlib.sha256(canonical_json(self.identity()).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Membership:
    """Which experiment (and method label) asked for the run ``key``."""

    key: str
    experiment: str
    kind: str
    label: str


@dataclass(frozen=True)
class StudyGrid:
    """The runs of a study (unique keys, in config order) and their memberships."""

    runs: tuple[Run, ...]
    memberships: tuple[Membership, ...]

    def __len__(self) -> int:
        return len(self.runs)


def _normalise(value: Any) -> Any:
    """Numbers in one spelling: 1 and 1.0 agree, floats rounded to 12 significant digits."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return repr(value)
        if value.is_integer():
            return int(value)
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {str(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    raise TypeError(f"cannot put a {type(value).__name__} ({value!r}) into a run key.")


def canonical_json(value: Any) -> str:
    """JSON with sorted keys, no spaces and normalised numbers: equal runs, equal text."""
    return json.dumps(_normalise(value), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True)


def expand_grid(config: StudyConfig) -> StudyGrid:
    """List every run of a study, each once.

    Parameters
    ----------
    config : StudyConfig

    Returns
    -------
    StudyGrid
        ``runs``: unique runs in the order the experiments list them (per
        experiment: methods, then datasets, fractions, balances, imbalance ratios,
        train ratios, parameter grid, and seeds innermost); ``memberships``: one
        row per (run, experiment, label).
    """
    runs: dict[str, Run] = {}
    memberships: dict[tuple[str, str, str], Membership] = {}
    for experiment in config.experiments:
        for label in experiment.methods:
            spec = config.method(label)
            grid = experiment.grid_for(label)
            names = [name for name, _ in grid]
            combos = itertools.product(*(values for _, values in grid))
            fixed = dict(spec.params)
            if config.n_clusters is not None:
                fixed.setdefault("n_clusters", config.n_clusters)
            param_sets = [{**fixed, **dict(zip(names, combo, strict=True))} for combo in combos]
            for dataset, fraction, balance, ratio, train_ratio, params, seed in itertools.product(
                experiment.datasets, experiment.fractions, experiment.balances,
                experiment.imbalance_ratios, experiment.train_ratios, param_sets,
                experiment.seeds,
            ):
                run = Run(
                    dataset=dataset, fraction=fraction, balance=balance,
                    imbalance_ratio=ratio if balance == "unbalanced" else None,
                    train_ratio=train_ratio, method=spec.method,
                    params=tuple(sorted(params.items())), seed=seed,
                )
                key = run.key
                runs.setdefault(key, run)
                memberships.setdefault(
                    (key, experiment.name, label),
                    Membership(key, experiment.name, experiment.kind, label),
                )
    return StudyGrid(runs=tuple(runs.values()), memberships=tuple(memberships.values()))
