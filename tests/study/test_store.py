"""The SQLite results store: round trip, resume bookkeeping, atomic artifacts, corruption."""

from __future__ import annotations

import math
import sqlite3

import numpy as np
import pytest

from spectralbench.study import ResultsStore, ResultsStoreError
from spectralbench.study.config import DatasetSpec
from spectralbench.study.grid import Membership, Run

SPEC = DatasetSpec("fashion_mnist", None, None, "test", 300, "label")


def make_run(seed: int = 0, method: str = "kmeans") -> Run:
    return Run(SPEC, 0.5, "unbalanced", 5.0, 0.8, method, (("n_init", 3),), seed)


def ok_row(accuracy: float = 0.5) -> dict:
    return {
        "status": "ok", "n_train": 120, "n_test": 30, "train_accuracy": np.float64(accuracy),
        "train_metrics": {"accuracy": accuracy, "nmi": 0.4},
        "train_confusion": np.eye(3, dtype=np.int64), "class_counts": {"a": 1, "b": 2},
        "history": [1.0, 0.5], "peak_rss_mb": math.nan, "n_clusters": np.int64(10),
        "params_used": {"hidden": (64, 32)},
    }


def test_round_trip_of_row_and_artifact(tmp_path):
    run = make_run()
    arrays = {"test_rows": np.arange(30), "sample_embedding": np.ones((5, 2), np.float32)}
    with ResultsStore(tmp_path) as store:
        store.write(run, ok_row(0.75), arrays)
    with ResultsStore(tmp_path) as store:  # reopened: the row persisted
        (row,) = store.rows()
        assert row["key"] == run.key
        assert row["dataset"] == "fashion_mnist" and row["max_samples"] == 300
        assert row["balance"] == "unbalanced" and row["imbalance_ratio"] == 5.0
        assert row["params"] == {"n_init": 3}
        assert row["train_accuracy"] == 0.75 and row["n_clusters"] == 10
        assert row["train_metrics"] == {"accuracy": 0.75, "nmi": 0.4}
        assert row["train_confusion"] == np.eye(3).tolist()
        assert row["params_used"] == {"hidden": [64, 32]}
        assert row["peak_rss_mb"] is None  # NaN is stored as NULL
        assert row["artifact"] == f"artifacts/{run.key}.npz"
        loaded = store.load_artifact(run.key)
        np.testing.assert_array_equal(loaded["test_rows"], arrays["test_rows"])
        assert loaded["sample_embedding"].dtype == np.float32
        assert store.meta()["schema_version"] == "1"
    assert [p.name for p in (tmp_path / "artifacts").iterdir()] == [f"{run.key}.npz"]
    with sqlite3.connect(tmp_path / "results.sqlite") as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_only_ok_runs_count_as_finished_and_a_rewrite_replaces(tmp_path):
    done, failed = make_run(0), make_run(1)
    with ResultsStore(tmp_path) as store:
        store.write(done, ok_row())
        store.write(failed, {"status": "failed", "error": "ValueError: boom"})
        assert store.finished_keys() == {done.key}
        assert store.rows(status="failed")[0]["error"] == "ValueError: boom"
        store.write(failed, ok_row(0.9))
        assert store.finished_keys() == {done.key, failed.key}
        assert len(store.rows()) == 2


def test_unknown_result_field_is_refused(tmp_path):
    with ResultsStore(tmp_path) as store, pytest.raises(KeyError, match="accuracy_train"):
        store.write(make_run(), {"status": "ok", "accuracy_train": 1.0})


def test_record_study_replaces_memberships(tmp_path):
    a, b = make_run(0), make_run(1)
    with ResultsStore(tmp_path) as store:
        store.record_study("s", "s.toml", "text", [Membership(a.key, "e1", "k", "kmeans"),
                                                   Membership(b.key, "e1", "k", "kmeans")])
        store.record_study("s", "s.toml", "text v2", [Membership(a.key, "e2", "k", "km")])
        assert store.memberships() == [Membership(a.key, "e2", "k", "km")]
        assert store.meta()["config_text"] == "text v2"


def test_corrupted_database_gives_a_clear_error(tmp_path):
    (tmp_path / "results.sqlite").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ResultsStoreError, match=r"results.sqlite is not a readable results "
                                                r"database .* delete it to start"):
        ResultsStore(tmp_path)


def test_database_of_another_schema_version_is_refused(tmp_path):
    with ResultsStore(tmp_path):
        pass
    with sqlite3.connect(tmp_path / "results.sqlite") as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE name = 'schema_version'")
    with pytest.raises(ResultsStoreError, match="written by results schema 99"):
        ResultsStore(tmp_path)
