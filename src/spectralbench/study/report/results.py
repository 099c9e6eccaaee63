"""Read a study's results database into one pandas frame the tables and figures share.

One row per (finished run, experiment label that asked for it), so a run shared
by two experiments appears in both. Scores are flattened into plain columns
(``train_accuracy``, ``test_precision_macro``, ...), and a few derived columns
name the grouping the report uses (``arm``: the balance arm with its imbalance
ratio). Nothing here draws or formats anything.
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..._optional import import_optional
from ..store import COLUMNS, DB_NAME, ResultsStore, ResultsStoreError

__all__ = ["METRICS", "METRIC_LABELS", "StudyResults", "load_results"]

logger = logging.getLogger(__name__)

METRICS = ("accuracy", "precision_macro", "recall_macro", "f1_macro", "f1_weighted", "nmi",
           "ari")
"""Scores kept per part (``train_<name>``, ``test_<name>``)."""

METRIC_LABELS = {
    "accuracy": "ACC", "precision_macro": "precision", "recall_macro": "recall",
    "f1_macro": "F1", "f1_weighted": "F1 (weighted)", "nmi": "NMI", "ari": "ARI",
    "fit_seconds": "fit s", "predict_seconds": "predict s", "peak_rss_mb": "peak MB",
    "n_train": "N train",
}
"""Short column headings of the report."""


@dataclass(frozen=True)
class StudyResults:
    """A study's stored runs, ready for aggregation.

    Attributes
    ----------
    out_dir : Path
        The study's output folder.
    name, description : str
        From the study definition stored with the results.
    runs : pandas.DataFrame
        One row per (ok run, membership): the run's fields (dataset, fraction,
        balance, train_ratio, method, params dict, seed, ...), ``experiment``,
        ``kind``, ``label`` (the method label), ``arm``, flattened scores
        ``train_<metric>``/``test_<metric>`` for each of :data:`METRICS`,
        ``fit_seconds``, ``predict_seconds``, ``peak_rss_mb`` and the JSON
        columns decoded (``class_counts``, ``history``, ``params_used``, ...).
    failures : list of (str, str, str)
        ``(method label, dataset, first line of the error)`` of each failed run.
    machine, versions : dict
        Of the most recent run (empty without runs).
    """

    out_dir: Path
    name: str
    description: str
    runs: Any
    failures: list[tuple[str, str, str]]
    machine: dict
    versions: dict

    def of_kind(self, kind: str):
        """Rows of the experiments of ``kind`` (an empty frame when there are none)."""
        return self.runs[self.runs["kind"] == kind] if len(self.runs) else self.runs

    def artifact(self, key: str) -> dict[str, np.ndarray]:
        """The arrays stored for run ``key`` (empty dict when it has none)."""
        path = self.out_dir / "artifacts" / f"{key}.npz"
        if not path.is_file():
            return {}
        with np.load(path) as data:
            return {name: data[name] for name in data.files}


def _first_line(text: str | None) -> str:
    return (text or "unknown error").strip().splitlines()[0]


def _arm(balance: str, ratio: float | None) -> str:
    if balance != "unbalanced" or ratio is None or (isinstance(ratio, float) and math.isnan(ratio)):
        return balance
    return f"unbalanced x{ratio:g}"


def _flatten(row: dict[str, Any]) -> dict[str, Any]:
    flat = dict(row)
    for part in ("train", "test"):
        scores = row.get(f"{part}_metrics") or {}
        for name in METRICS:
            value = scores.get(name)
            flat[f"{part}_{name}"] = math.nan if value is None else float(value)
    for name in ("fit_seconds", "predict_seconds", "peak_rss_mb"):
        flat[name] = math.nan if row.get(name) is None else float(row[name])
    flat["arm"] = _arm(row["balance"], row.get("imbalance_ratio"))
    return flat


def load_results(out_dir: str | os.PathLike) -> StudyResults:
    """Read ``<out_dir>/results.sqlite`` without changing it.

    Parameters
    ----------
    out_dir : path-like
        A folder a study wrote (``spectralbench study --out DIR``).

    Returns
    -------
    StudyResults

    Raises
    ------
    ResultsStoreError
        When the folder holds no results database, or an unreadable one.
    MissingDependencyError
        When pandas is not installed (``pip install 'spectralbench[study]'``).
    """
    pd = import_optional("pandas", extra="study", feature="the study report")
    out_dir = Path(out_dir)
    if not (out_dir / DB_NAME).is_file():
        raise ResultsStoreError(
            f"{out_dir} holds no results database ({DB_NAME}). Pass the folder a study wrote, "
            f"or run 'spectralbench study --out {out_dir}' first."
        )
    with ResultsStore(out_dir) as store:
        meta = store.meta()
        rows = {row["key"]: row for row in store.rows()}
        memberships = store.memberships()
    asked = {m.key for m in memberships}
    failures = [(row["method"], row["dataset"], _first_line(row["error"]))
                for key, row in rows.items() if row["status"] == "failed" and key in asked]
    records = [
        {**_flatten(rows[m.key]), "experiment": m.experiment, "kind": m.kind, "label": m.label}
        for m in memberships if m.key in rows and rows[m.key]["status"] == "ok"
    ]
    columns = [*COLUMNS, *(f"{part}_{name}" for part in ("train", "test") for name in METRICS),
               "arm", "experiment", "kind", "label"]
    runs = pd.DataFrame.from_records(records, columns=list(dict.fromkeys(columns)))
    if len(rows) > len(asked):
        logger.info("%d stored runs belong to no experiment of the current study; left out",
                    len(set(rows) - asked))
    latest = max((r for r in rows.values() if r["status"] == "ok"),
                 key=lambda r: r["stored_at"], default={})
    return StudyResults(
        out_dir=out_dir,
        name=meta.get("study_name", out_dir.name),
        description=_description(meta.get("config_text", "")),
        runs=runs,
        failures=failures,
        machine=latest.get("machine") or {},
        versions=latest.get("versions") or {},
    )


def _description(config_text: str) -> str:
    try:
        study = tomllib.loads(config_text).get("study", {})
    except tomllib.TOMLDecodeError:
        return ""
    return str(study.get("description", "")) if isinstance(study, dict) else ""
