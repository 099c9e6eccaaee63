"""The results store of a study: one SQLite row per finished run, plus small artifacts.

``<out>/results.sqlite`` (WAL mode) holds a ``runs`` table, one row per run
written in a single transaction when the run ends, a ``memberships`` table (which
experiment asked for which run) and a ``meta`` table (the study's TOML text).
``<out>/artifacts/<key>.npz`` holds per-run arrays the report draws from (test
rows, labels, an embedding sample); it is written atomically *before* the row is
committed, so a committed row always has its artifact. Only one process (the
study's parent) writes; a run killed at any moment leaves either a complete row
or none.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import SpectralBenchError
from .grid import Membership, Run

__all__ = ["COLUMNS", "DB_NAME", "ResultsStore", "ResultsStoreError", "utc_now"]

logger = logging.getLogger(__name__)

DB_NAME = "results.sqlite"
SCHEMA_VERSION = "1"

COLUMNS: dict[str, str] = {
    "key": "TEXT PRIMARY KEY",
    "dataset": "TEXT NOT NULL",
    "dataset_path": "TEXT",
    "dataset_sha256": "TEXT",
    "data_split": "TEXT",
    "max_samples": "INTEGER",
    "fraction": "REAL NOT NULL",
    "balance": "TEXT NOT NULL",
    "imbalance_ratio": "REAL",
    "train_ratio": "REAL NOT NULL",
    "method": "TEXT NOT NULL",
    "params": "TEXT NOT NULL",
    "seed": "INTEGER NOT NULL",
    "status": "TEXT NOT NULL CHECK (status IN ('ok', 'failed'))",
    "error": "TEXT",
    "test_error": "TEXT",
    "n_pool": "INTEGER",
    "n_drawn": "INTEGER",
    "n_duplicates": "INTEGER",
    "n_train": "INTEGER",
    "n_test": "INTEGER",
    "n_clusters": "INTEGER",
    "class_names": "TEXT",
    "class_counts": "TEXT",
    "train_metrics": "TEXT",
    "test_metrics": "TEXT",
    "train_accuracy": "REAL",
    "test_accuracy": "REAL",
    "train_f1_macro": "REAL",
    "test_f1_macro": "REAL",
    "train_nmi": "REAL",
    "test_nmi": "REAL",
    "train_ari": "REAL",
    "test_ari": "REAL",
    "train_confusion": "TEXT",
    "test_confusion": "TEXT",
    "mapping": "TEXT",
    "fit_seconds": "REAL",
    "predict_seconds": "REAL",
    "peak_rss_mb": "REAL",
    "fit_resources": "TEXT",
    "predict_resources": "TEXT",
    "history": "TEXT",
    "params_used": "TEXT",
    "threads": "INTEGER",
    "machine": "TEXT",
    "versions": "TEXT",
    "worker": "TEXT",
    "artifact": "TEXT",
    "started_at": "TEXT",
    "finished_at": "TEXT",
    "stored_at": "TEXT",
}
"""Columns of the ``runs`` table and their SQL types. Those typed TEXT beyond the
plain names hold JSON: params, class_names, class_counts ({class: count} of the
draw, the report's Table 1), *_metrics (``Metrics.as_dict``), *_confusion (rows
true, columns predicted), mapping ([[cluster, class], ...]), *_resources
(``Measurement.as_dict``), history (per-epoch losses), params_used, machine, versions."""

JSON_COLUMNS = frozenset({
    "params", "class_names", "class_counts", "train_metrics", "test_metrics", "train_confusion",
    "test_confusion", "mapping", "fit_resources", "predict_resources", "history",
    "params_used", "machine", "versions",
})


class ResultsStoreError(SpectralBenchError):
    """The results database is unreadable, corrupted or from another version."""


def utc_now() -> str:
    """The current time as ISO 8601 in UTC, with microseconds."""
    return datetime.now(UTC).isoformat()


def _json_default(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return repr(value)


def _clean(value: Any) -> Any:
    """numpy scalars become Python ones; NaN and infinities become None (NULL)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _run_columns(run: Run) -> dict[str, Any]:
    spec = run.dataset
    return {
        "key": run.key, "dataset": spec.name, "dataset_path": spec.path,
        "dataset_sha256": spec.sha256, "data_split": spec.split, "max_samples": spec.max_samples,
        "fraction": run.fraction, "balance": run.balance, "imbalance_ratio": run.imbalance_ratio,
        "train_ratio": run.train_ratio, "method": run.method, "params": run.kwargs,
        "seed": run.seed,
    }


class ResultsStore:
    """Read and write a study's ``results.sqlite`` and ``artifacts/`` in ``out_dir``.

    Parameters
    ----------
    out_dir : path-like
        The study's output folder; created when missing.

    Raises
    ------
    ResultsStoreError
        When an existing database is not readable SQLite, fails its integrity
        check or was written by another schema version.

    Examples
    --------
    >>> import tempfile
    >>> with ResultsStore(tempfile.mkdtemp()) as store:
    ...     store.finished_keys()
    set()
    """

    def __init__(self, out_dir: str | os.PathLike):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.out_dir / DB_NAME
        self.artifacts_dir = self.out_dir / "artifacts"
        self._conn = sqlite3.connect(self.path)
        try:
            self._setup()
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise ResultsStoreError(
                f"{self.path} is not a readable results database ({exc}). Move it away or "
                "delete it to start the study afresh, or choose another output folder."
            ) from exc

    def _setup(self) -> None:
        conn = self._conn
        result = conn.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {result}")
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
        columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS.items())
        with conn:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            conn.execute(f"CREATE TABLE IF NOT EXISTS runs ({columns})")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS memberships (key TEXT NOT NULL, experiment TEXT "
                "NOT NULL, kind TEXT NOT NULL, label TEXT NOT NULL, "
                "PRIMARY KEY (key, experiment, label))"
            )
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                         (SCHEMA_VERSION,))
        version = self.meta().get("schema_version")
        if version != SCHEMA_VERSION:
            raise ResultsStoreError(
                f"{self.path} was written by results schema {version}, this spectralbench "
                f"reads schema {SCHEMA_VERSION}. Use another output folder, or rerun with "
                "a fresh one."
            )

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        self._conn.close()

    def meta(self) -> dict[str, str]:
        """The ``meta`` table as a dict (schema_version, study_name, config_text, ...)."""
        return dict(self._conn.execute("SELECT name, value FROM meta").fetchall())

    def record_study(self, name: str, source: str, text: str,
                     memberships: Iterable[Membership]) -> None:
        """Store the study's definition and replace the memberships with this grid's.

        Rows of runs that the current study no longer asks for stay in ``runs``
        (nothing computed is thrown away) but lose their memberships.
        """
        with self._conn as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("study_name", name), ("config_source", source), ("config_text", text),
                 ("recorded_at", utc_now())],
            )
            conn.execute("DELETE FROM memberships")
            conn.executemany(
                "INSERT OR IGNORE INTO memberships VALUES (?, ?, ?, ?)",
                [(m.key, m.experiment, m.kind, m.label) for m in memberships],
            )

    def finished_keys(self) -> set[str]:
        """Keys of the runs stored with status ``ok`` (these are skipped on resume)."""
        rows = self._conn.execute("SELECT key FROM runs WHERE status = 'ok'").fetchall()
        return {key for (key,) in rows}

    def write(self, run: Run, result: Mapping[str, Any],
              artifacts: Mapping[str, np.ndarray] | None = None) -> None:
        """Store one finished run: its artifact file first, then its row in one transaction.

        Parameters
        ----------
        run : Run
        result : mapping
            Values for the columns of :data:`COLUMNS` beyond the run's own fields
            (unknown names raise ``KeyError``); JSON columns take Python objects.
        artifacts : mapping of str to ndarray, optional
            Saved to ``artifacts/<key>.npz`` (compressed, atomically renamed).
        """
        unknown = sorted(set(result) - set(COLUMNS))
        if unknown:
            raise KeyError(f"result has fields the runs table lacks: {unknown}")
        row = {**_run_columns(run), **result, "stored_at": utc_now()}
        if artifacts:
            row["artifact"] = self._write_artifact(run.key, artifacts)
        names = list(row)
        values = [json.dumps(_clean(row[n]), default=_json_default, allow_nan=False)
                  if n in JSON_COLUMNS and row[n] is not None else _clean(row[n]) for n in names]
        placeholders = ", ".join("?" for _ in names)
        with self._conn as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO runs ({', '.join(names)}) VALUES ({placeholders})",
                values,
            )
        logger.debug("stored run %s (%s)", run.key[:12], row.get("status"))

    def _write_artifact(self, key: str, arrays: Mapping[str, np.ndarray]) -> str:
        self.artifacts_dir.mkdir(exist_ok=True)
        target = self.artifacts_dir / f"{key}.npz"
        fd, tmp = tempfile.mkstemp(dir=self.artifacts_dir, prefix=f".{key[:12]}-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez_compressed(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return str(target.relative_to(self.out_dir))

    def rows(self, status: str | None = None) -> list[dict[str, Any]]:
        """Stored runs as dicts, JSON columns decoded, ordered by ``stored_at``.

        Parameters
        ----------
        status : {"ok", "failed"} or None, default=None
            Only rows with this status; None for all.
        """
        query = "SELECT * FROM runs"
        args: tuple = ()
        if status is not None:
            query += " WHERE status = ?"
            args = (status,)
        cursor = self._conn.execute(query + " ORDER BY stored_at, key", args)
        names = [d[0] for d in cursor.description]
        return [
            {n: json.loads(v) if n in JSON_COLUMNS and v is not None else v
             for n, v in zip(names, values, strict=True)}
            for values in cursor.fetchall()
        ]

    def memberships(self) -> list[Membership]:
        """The (key, experiment, kind, label) rows of the current study."""
        rows = self._conn.execute(
            "SELECT key, experiment, kind, label FROM memberships ORDER BY experiment, key"
        ).fetchall()
        return [Membership(*row) for row in rows]

    def load_artifact(self, key: str) -> dict[str, np.ndarray]:
        """The arrays saved for run ``key`` (empty dict when it has none)."""
        path = self.artifacts_dir / f"{key}.npz"
        if not path.is_file():
            return {}
        with np.load(path) as data:
            return {name: data[name] for name in data.files}
