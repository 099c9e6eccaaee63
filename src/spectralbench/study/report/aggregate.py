"""Shared pieces of the report: seed aggregation, number formatting, table records.

``aggregate`` turns runs into mean, standard deviation and 95% confidence
interval per group (:func:`spectralbench.evaluation.summarize`); ``show`` turns
those numbers into "mean ± std" text. :class:`Table`, :class:`Figure` and
:class:`Omitted` are what the table and figure builders hand to the renderer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..._optional import import_optional
from ...evaluation.statistics import summarize
from .results import METRIC_LABELS

__all__ = [
    "SWEPT_PARAMS",
    "Figure",
    "Omitted",
    "Table",
    "aggregate",
    "fmt",
    "headline_runs",
    "reference_label",
    "score_column",
    "show",
    "with_swept_value",
]

SWEPT_PARAMS = {"embedding_dim": "embedding_dim", "learning_rate": "lr", "k": "k",
                "epochs": "epochs", "clustering_head": "head"}
"""The parameter an experiment kind sweeps, when its grid sweeps that parameter."""

_STATS = ("mean", "std", "ci_low", "ci_high")


@dataclass(frozen=True)
class Table:
    """One table of the report.

    Attributes
    ----------
    id : str
        Stable identifier: the CSV is ``tables/<id>.csv``, the HTML anchor ``<id>``.
    title, caption : str
    data : pandas.DataFrame
        Numbers as computed (written to the CSV).
    display : pandas.DataFrame
        The same, formatted as text for Markdown and HTML.
    """

    id: str
    title: str
    caption: str
    data: Any
    display: Any


@dataclass(frozen=True)
class Figure:
    """One PNG figure of the report (``figures/<id>.png``)."""

    id: str
    title: str
    caption: str
    path: Path


@dataclass(frozen=True)
class Omitted:
    """A table or figure the study has no data for, and why (one line in the report)."""

    id: str
    title: str
    reason: str = field(default="")

    @property
    def note(self) -> str:
        """The line shown in the report."""
        return self.reason or f"no runs for {self.title} in this study"


def aggregate(frame: Any, by: Sequence[str], columns: Sequence[str]) -> Any:
    """Mean, std and 95% CI of ``columns`` over the runs (seeds) of each group.

    Parameters
    ----------
    frame : pandas.DataFrame
        Runs, one per row, with a ``seed`` column.
    by : sequence of str
        Grouping columns (e.g. dataset, label, fraction, arm).
    columns : sequence of str
        Numeric columns to summarise; NaN values (a method that cannot predict)
        are left out, a group without values gets NaN.

    Returns
    -------
    pandas.DataFrame
        One row per group, sorted: the ``by`` columns, ``n_seeds``, and
        ``<column>_mean``, ``_std``, ``_ci_low``, ``_ci_high`` per column.
    """
    pd = import_optional("pandas", extra="study", feature="the study report")
    records = []
    for keys, group in frame.groupby(list(by), sort=True, dropna=False):
        record = dict(zip(by, keys if isinstance(keys, tuple) else (keys,), strict=True))
        record["n_seeds"] = int(group["seed"].nunique())
        for column in columns:
            values = pd.to_numeric(group[column], errors="coerce").dropna()
            stats = summarize(values.to_numpy()) if len(values) else dict.fromkeys(_STATS,
                                                                                   math.nan)
            record.update({f"{column}_{s}": float(stats[s]) for s in _STATS})
        records.append(record)
    return pd.DataFrame.from_records(records)


def fmt(value: float | None) -> str:
    """A number as short text: 3 decimals below 10, fewer above, "—" when missing."""
    if value is None or not np.isfinite(value):
        return "—"
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if 0 < size < 0.01:
        return f"{value:.2g}"
    return f"{value:.3f}"


def show(summary: Any, by: Sequence[str], columns: Sequence[str],
         names: dict[str, str] | None = None) -> Any:
    """Format an :func:`aggregate` result as "mean ± std" text columns.

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of :func:`aggregate`.
    by : sequence of str
        Grouping columns, shown as they are.
    columns : sequence of str
        Summarised columns; each becomes one text column headed by its short
        label (``METRIC_LABELS``, or ``names``).
    names : dict, optional
        Headings overriding the defaults, by column name.
    """
    pd = import_optional("pandas", extra="study", feature="the study report")
    names = {**METRIC_LABELS, **(names or {})}
    shown = pd.DataFrame({column: summary[column].map(_plain) for column in by})
    for column in columns:
        means, stds = summary[f"{column}_mean"], summary[f"{column}_std"]
        shown[names.get(column, column)] = [_mean_std(m, s)
                                            for m, s in zip(means, stds, strict=True)]
    shown["seeds"] = summary["n_seeds"].astype(int)
    return shown


def _mean_std(mean: float, std: float) -> str:
    if not np.isfinite(mean) or not np.isfinite(std):
        return fmt(mean)
    return f"{fmt(mean)} ± {'0' if std == 0 else fmt(std)}"


def _plain(value: Any) -> str:
    """A grouping value as text: 10.0 as "10", 0.25 as "0.25"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def reference_label(frame: Any) -> str | None:
    """The SpectralNet label others are compared with: ``spectralnet`` when present."""
    labels = list(dict.fromkeys(frame.loc[frame["method"] == "spectralnet", "label"]))
    if not labels:
        return None
    return "spectralnet" if "spectralnet" in labels else labels[0]


def headline_runs(results: Any) -> dict[str, Any]:
    """Per dataset, the runs the report's overview figures and findings describe.

    SpectralNet (else the most accurate method) at the largest fraction of the
    balanced arm, in the first of the ``fraction_balance``, ``baselines`` and
    ``configurations`` experiments that ran SpectralNet (else the first of them
    the study has, else any runs); one row per seed.

    Returns
    -------
    dict of str to pandas.DataFrame
        Dataset name to its headline rows (empty dict without runs).
    """
    runs = results.runs
    if not len(runs):
        return {}
    chosen = {}
    for dataset, rows in runs.groupby("dataset", sort=True):
        kinds = [rows[rows["kind"] == k] for k in ("fraction_balance", "baselines",
                                                    "configurations")]
        kinds = [part for part in kinds if len(part)] or [rows]
        rows = next((part for part in kinds if reference_label(part) is not None), kinds[0])
        label = reference_label(rows)
        if label is None:
            column = score_column(rows)
            label = rows.groupby("label")[column].mean().idxmax()
        rows = rows[(rows["label"] == label) & (rows["fraction"] == rows["fraction"].max())]
        arm = "balanced" if (rows["arm"] == "balanced").any() else rows["arm"].iloc[0]
        rows = rows[rows["arm"] == arm]
        first = rows.iloc[0]
        same = ((rows["train_ratio"] == first["train_ratio"])
                & (rows["experiment"] == first["experiment"]))
        chosen[dataset] = rows[same].drop_duplicates("key").sort_values("seed")
    return chosen


def score_column(frame: Any, metric: str = "accuracy") -> str:
    """``test_<metric>`` when every row has it, else ``train_<metric>``."""
    column = f"test_{metric}"
    return column if len(frame) and frame[column].notna().all() else f"train_{metric}"


def with_swept_value(frame: Any, kind: str) -> tuple[Any, str | None]:
    """Add a ``value`` column holding the parameter the experiment sweeps.

    The kind's own parameter (``embedding_dim`` for ``embedding_dim``, ``lr``
    for ``learning_rate``, ...) when it varies, else the one parameter that
    varies among the rows (e.g. ``n_components`` of PCA k-means standing in for
    H). Returns ``(rows that have the parameter, its name)``, or
    ``(empty rows, None)`` when no single parameter varies.
    """
    if not len(frame):
        return frame, None
    params = frame["params"]
    varying = sorted({name for p in params for name in p
                      if len({_hashable(q.get(name)) for q in params}) > 1})
    preferred = SWEPT_PARAMS.get(kind)
    name = preferred if preferred in varying else (varying[0] if len(varying) == 1 else None)
    if name is None:
        return frame.iloc[0:0], None
    rows = frame[[name in p for p in params]].copy()
    rows["value"] = [p[name] for p in rows["params"]]
    return rows, name


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value
