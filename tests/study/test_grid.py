"""Expanding a study into runs, and the stability of run keys."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest

from spectralbench.study import expand_grid, load_config
from spectralbench.study.grid import Run, canonical_json

STUDY = """
[study]
datasets = ["fashion_mnist", "kmnist"]
max_samples = 300
seeds = [0, 1]

[methods.paper]
method = "spectralnet"
embedding_dim = 10
hidden = [64, 32]

[[experiments]]
kind = "fraction_balance"
fractions = [0.5, 1.0]
balances = ["balanced", "unbalanced"]
imbalance_ratios = [2.0, 5.0]
methods = ["kmeans", "paper"]

[[experiments]]
kind = "embedding_dim"
methods = ["paper"]
[experiments.grid.paper]
embedding_dim = [2, 10]
lr = [0.001, 0.01]
"""


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "study.toml"
    path.write_text(textwrap.dedent(STUDY))
    return load_config(path)


def test_counts_and_shared_runs(config):
    grid = expand_grid(config)
    # fraction_balance: 2 datasets x 2 fractions x (1 balanced + 2 ratios) x 2 methods x 2 seeds
    fraction_balance = 2 * 2 * 3 * 2 * 2
    # embedding_dim: 2 datasets x 2 H x 2 lr x 2 seeds; the runs with H=10 and
    # lr unset are not shared, because lr is set here (different params)
    embedding_dim = 2 * 2 * 2 * 2
    assert len(grid.memberships) == fraction_balance + embedding_dim
    assert len(grid.runs) == len({run.key for run in grid.runs}) == len(grid.memberships)
    balanced = [r for r in grid.runs if r.balance == "balanced"]
    assert all(r.imbalance_ratio is None for r in balanced)
    assert {r.imbalance_ratio for r in grid.runs if r.balance == "unbalanced"} == {2.0, 5.0}
    assert {m.kind for m in grid.memberships} == {"fraction_balance", "embedding_dim"}


def test_a_run_asked_for_twice_is_computed_once(tmp_path):
    text = STUDY.replace("lr = [0.001, 0.01]", "")
    path = tmp_path / "study.toml"
    path.write_text(textwrap.dedent(text))
    grid = expand_grid(load_config(path))
    # H=10 at fraction 1.0 balanced (2 datasets x 2 seeds) is in both experiments
    assert len(grid.memberships) - len(grid.runs) == 4
    shared = {m.key for m in grid.memberships if m.kind == "embedding_dim"} & {
        m.key for m in grid.memberships if m.kind == "fraction_balance"}
    assert len(shared) == 4
    for run in grid.runs:
        if run.key in shared:
            assert run.kwargs["embedding_dim"] == 10 and run.fraction == 1.0


def test_list_params_become_tuples_and_n_clusters_enters_params(tmp_path):
    text = STUDY.replace("seeds = [0, 1]", "seeds = [0, 1]\nn_clusters = 12")
    path = tmp_path / "study.toml"
    path.write_text(textwrap.dedent(text))
    grid = expand_grid(load_config(path))
    paper = [r for r in grid.runs if r.method == "spectralnet"]
    assert all(r.kwargs["hidden"] == (64, 32) for r in paper)
    assert all(r.kwargs["n_clusters"] == 12 for r in grid.runs)


def test_key_is_insensitive_to_param_order_and_number_spelling(config):
    run = expand_grid(config).runs[-1]
    reordered = dataclasses.replace(run, params=tuple(reversed(run.params)))
    assert reordered.key == run.key
    spelled = dataclasses.replace(run, params=tuple(
        (k, float(v) if isinstance(v, int) else v) for k, v in run.params))
    assert spelled.key == run.key
    assert canonical_json({"b": 1, "a": [0.1 + 0.2]}) == canonical_json({"a": [0.3], "b": 1.0})


def test_key_changes_with_every_field(config):
    run = expand_grid(config).runs[0]
    other_dataset = dataclasses.replace(run.dataset, name="kmnist")
    changes = {
        "dataset": other_dataset, "fraction": 0.75, "balance": "unbalanced",
        "imbalance_ratio": 3.0, "train_ratio": 0.7, "method": "pca_kmeans",
        "params": (("n_init", 3),), "seed": 99,
    }
    assert set(changes) == {f.name for f in dataclasses.fields(Run)}
    keys = {run.key}
    for name, value in changes.items():
        keys.add(dataclasses.replace(run, **{name: value}).key)
    assert len(keys) == len(changes) + 1
    assert dataclasses.replace(run, dataset=dataclasses.replace(
        run.dataset, max_samples=None)).key != run.key


def test_key_is_stable_across_processes(config):
    keys = [run.key for run in expand_grid(config).runs]
    code = (
        "import sys; from spectralbench.study import load_config, expand_grid;"
        "print('\\n'.join(r.key for r in expand_grid(load_config(sys.argv[1])).runs))"
    )
    out = subprocess.run([sys.executable, "-c", code, config.source], capture_output=True,
                         text=True, check=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert out.stdout.split() == keys
    assert all(len(k) == 64 for k in keys)
