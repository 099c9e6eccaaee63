"""Running a tiny study end to end: rows, artifacts, resume, failures, kill -9, dask."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from spectralbench.study import ResultsStore, expand_grid, load_config, run_study
from spectralbench.study.executors import usable_cores

TINY = """
[study]
name = "tiny"
datasets = ["fashion_mnist", "kmnist"]
data_split = "test"
max_samples = 300
seeds = [0, 1]
embedding_sample = 50

[methods.kmeans]
n_init = 2

[[experiments]]
kind = "fraction_balance"
fractions = [0.5, 1.0]
balances = ["balanced", "unbalanced"]
methods = ["kmeans"]
"""


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(TINY))
    return load_config(path)


def stored(out_dir) -> dict[str, dict]:
    with ResultsStore(out_dir) as store:
        return {row["key"]: row for row in store.rows()}


def test_tiny_study_end_to_end(tiny, tmp_path, datasets_dir):
    labels = {name: np.load(datasets_dir / f"{name}_test.npz")["y"]
              for name in ("fashion_mnist", "kmnist")}
    out = tmp_path / "out"
    summary = run_study(tiny, out, verbose=0)
    grid = expand_grid(tiny)
    assert (summary.n_runs, summary.n_ok, summary.n_failed, summary.n_skipped) == (16, 16, 0, 0)
    rows = stored(out)
    assert set(rows) == {run.key for run in grid.runs}
    for run in grid.runs:
        row = rows[run.key]
        assert row["status"] == "ok", row["error"]
        assert (row["dataset"], row["fraction"], row["seed"]) == (
            run.dataset.name, run.fraction, run.seed)
        assert row["n_train"] + row["n_test"] == row["n_drawn"]
        assert sum(row["class_counts"].values()) == row["n_drawn"]
        assert len(row["class_counts"]) == 10 and row["n_clusters"] == 10
        if run.balance == "balanced":
            assert len(set(row["class_counts"].values())) == 1
        assert 0 <= row["n_duplicates"] < row["n_drawn"]
        assert np.asarray(row["test_confusion"]).shape == (10, 10)
        assert np.asarray(row["train_confusion"]).sum() <= row["n_train"]
        if run.dataset.name == "fashion_mnist":
            assert row["test_accuracy"] > 0.25  # k-means is well above chance (0.1) here
        assert row["fit_seconds"] > 0 and row["predict_seconds"] > 0
        assert row["machine"]["usable_cores"] >= 1
        assert row["versions"]["spectralbench"]
        assert row["started_at"] <= row["finished_at"] <= row["stored_at"]
        with ResultsStore(out) as store:
            arrays = store.load_artifact(run.key)
        assert len(arrays["test_rows"]) == len(arrays["test_pred"]) == row["n_test"]
        mapping = dict(row["mapping"])
        mapped = [mapping.get(c, -1) for c in arrays["test_pred"]]
        assert np.mean(mapped == arrays["test_true"]) == pytest.approx(row["test_accuracy"])
        pool_y = labels[run.dataset.name]
        np.testing.assert_array_equal(pool_y[arrays["test_rows"]], arrays["test_true"])
        assert len(arrays["sample_rows"]) == min(50, row["n_train"])
    with ResultsStore(out) as store:
        assert len(store.memberships()) == 16


def test_rerun_skips_and_force_recomputes_identically(tiny, tmp_path):
    out = tmp_path / "out"
    run_study(tiny, out, verbose=0)
    first = stored(out)
    again = run_study(tiny, out, verbose=0)
    assert (again.n_skipped, again.n_ok) == (16, 0)
    assert stored(out) == first
    forced = run_study(tiny, out, force=True, verbose=0)
    assert (forced.n_skipped, forced.n_ok) == (0, 16)
    recomputed = stored(out)
    for key, row in first.items():
        assert recomputed[key]["stored_at"] > row["stored_at"]
        assert recomputed[key]["test_accuracy"] == row["test_accuracy"]  # same seed, same labels


def test_failing_run_is_stored_and_retried(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(textwrap.dedent(TINY).replace("n_init = 2", "n_init = 0").replace(
        'methods = ["kmeans"]', 'methods = ["kmeans", "fine"]\n[methods.fine]\n'
        'method = "kmeans"\nn_init = 1'))
    out = tmp_path / "out"
    summary = run_study(path, out, verbose=0)
    assert (summary.n_ok, summary.n_failed) == (16, 16)
    failed = [row for row in stored(out).values() if row["status"] == "failed"]
    assert all(row["params"] == {"n_init": 0} and "n_init" in row["error"] for row in failed)
    assert "n_init" in summary.failures[0][2]
    retried = run_study(path, out, verbose=0)
    assert (retried.n_skipped, retried.n_failed) == (16, 16)


def test_kill_9_then_resume_loses_and_repeats_nothing(tiny, tmp_path):
    text = textwrap.dedent(TINY).replace("seeds = [0, 1]", "seeds = [0, 1, 2, 3, 4]")
    path = tmp_path / "long.toml"
    path.write_text(text)
    out = tmp_path / "killed"
    code = ("import sys; from spectralbench.study import run_study; "
            "run_study(sys.argv[1], sys.argv[2], verbose=0)")
    process = subprocess.Popen([sys.executable, "-c", code, str(path), str(out)])
    db = out / "results.sqlite"
    before: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(before) < 3:
        time.sleep(0.02)
        if db.exists():
            with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                try:
                    before = dict(conn.execute("SELECT key, stored_at FROM runs"))
                except sqlite3.OperationalError:  # the table is not created yet
                    continue
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    total = len(expand_grid(load_config(path)).runs)
    after_kill = stored(out)
    assert 3 <= len(before) <= len(after_kill) < total
    resumed = run_study(path, out, verbose=0)
    assert resumed.n_skipped == len(after_kill)
    assert resumed.n_ok == total - len(after_kill)
    final = stored(out)
    for key, row in after_kill.items():
        assert final[key]["stored_at"] == row["stored_at"]  # not recomputed
    reference = stored(run_study(path, tmp_path / "straight", verbose=0).out_dir)
    assert set(final) == set(reference)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM runs").fetchone() == (
            total, total)
    for key, row in reference.items():
        assert final[key]["test_accuracy"] == row["test_accuracy"]
        assert final[key]["class_counts"] == row["class_counts"]


def test_dask_local_cluster_gives_the_same_results(tiny, tmp_path):
    distributed = pytest.importorskip("distributed")
    sequential = stored(run_study(tiny, tmp_path / "seq", verbose=0).out_dir)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        summary = run_study(tiny, tmp_path / "dask", dask_scheduler=cluster.scheduler_address,
                            verbose=0)
    assert summary.n_ok == 16
    on_dask = stored(tmp_path / "dask")
    assert set(on_dask) == set(sequential)
    for key, row in sequential.items():
        assert on_dask[key]["test_accuracy"] == row["test_accuracy"]


def test_argument_errors(tiny, tmp_path):
    with pytest.raises(ValueError, match="workers=0 must be a positive integer"):
        run_study(tiny, tmp_path, workers=0)
    with pytest.raises(ValueError, match="pass only one"):
        run_study(tiny, tmp_path, workers=2, dask_scheduler="tcp://127.0.0.1:1")


def test_process_pool_gives_the_same_results(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(textwrap.dedent(TINY).replace('"fashion_mnist", "kmnist"', '"kmnist"')
                    .replace("fractions = [0.5, 1.0]", "fractions = [1.0]"))
    sequential = stored(run_study(path, tmp_path / "seq", verbose=0).out_dir)
    summary = run_study(path, tmp_path / "pool", workers=2, verbose=0)
    assert (summary.n_ok, summary.n_failed) == (4, 0)
    pooled = stored(tmp_path / "pool")
    assert set(pooled) == set(sequential)
    for key, row in sequential.items():
        assert pooled[key]["test_accuracy"] == row["test_accuracy"]
        assert pooled[key]["threads"] == max(1, usable_cores() // 2)
        assert pooled[key]["worker"] != row["worker"]
