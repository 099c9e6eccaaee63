"""Loading and validating study files."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from spectralbench.exceptions import ConfigError
from spectralbench.model.presets import preset_params
from spectralbench.study import expand_grid, load_config, preset_names
from spectralbench.study._schema import EXPERIMENT_KINDS

MINIMAL = """
[study]
datasets = ["fashion_mnist"]
seeds = [0]

[[experiments]]
kind = "baselines"
methods = ["kmeans"]
"""


def write(tmp_path, text: str, name: str = "study.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_presets_load_and_cover_every_experiment_kind():
    assert {"quick", "paper"} <= set(preset_names())
    quick = load_config("quick")
    kinds = {e.kind for e in quick.experiments}
    assert kinds == set(EXPERIMENT_KINDS) - {"custom"}


def test_paper_preset_holds_the_paper_design():
    paper = load_config("paper")
    by_kind = {e.kind: e for e in paper.experiments}
    fb = by_kind["fraction_balance"]
    assert {d.name for d in fb.datasets} == {"fashion_mnist", "kmnist"}
    assert fb.fractions == (0.25, 0.5, 0.75, 1.0)
    assert fb.balances == ("balanced", "unbalanced")
    assert dict(by_kind["embedding_dim"].grid_for("spectralnet"))["embedding_dim"] == (
        2, 5, 7, 9, 10, 20, 50, 128)
    assert dict(by_kind["learning_rate"].grid_for("spectralnet"))["lr"] == (0.001, 0.01)
    assert dict(by_kind["k"].grid_for("spectralnet"))["k"] == (10, 20)
    assert {"spectralnet", "spectralnet_paper"} <= set(by_kind["configurations"].methods)
    assert by_kind["split_ratio"].train_ratios == (0.5, 0.6, 0.7, 0.8, 0.9)
    heads = dict(by_kind["clustering_head"].grid_for("spectralnet"))["head"]
    assert set(heads) == {"kmeans", "som", "laplacian"}
    assert all(len(e.seeds) >= 3 for e in paper.experiments)
    table2 = dict(paper.method("spectralnet_paper").params)
    assert table2 == {**preset_params("paper"), "epochs": 50}
    for key, value in {"embedding_dim": 10, "lr": 0.001, "batch_size": 64, "epochs": 50, "k": 10,
                       "scale": 1.0, "dropout": 0.5}.items():
        assert table2[key] == value


def test_method_preset_expands_and_is_checked(tmp_path):
    body = """
        [study]
        datasets = ["kmnist"]
        [methods.paper_like]
        method = "spectralnet"
        preset = "{preset}"
        lr = 0.01
        [[experiments]]
        kind = "custom"
        methods = ["paper_like"]
        """
    config = load_config(write(tmp_path, body.format(preset="paper")))
    params = dict(config.method("paper_like").params)
    assert params["graph"] == "batch" and params["batch_size"] == 64
    assert params["lr"] == 0.01  # the table's own keys override the preset
    with pytest.raises(ConfigError, match="Unknown SpectralNet preset 'papr'"):
        load_config(write(tmp_path, body.format(preset="papr")))
    with pytest.raises(ConfigError, match="'preset' is only available for spectralnet"):
        load_config(write(tmp_path, body.format(preset="paper").replace(
            'method = "spectralnet"', 'method = "kmeans"').replace("lr = 0.01", "")))


def test_experiments_inherit_study_defaults(tmp_path):
    config = load_config(write(tmp_path, """
        [study]
        datasets = ["kmnist"]
        fractions = [0.5]
        seeds = [3, 4]
        [[experiments]]
        kind = "k"
        methods = ["spectralnet"]
        fractions = 0.25
        [experiments.grid.spectralnet]
        k = [5, 10]
    """))
    (experiment,) = config.experiments
    assert experiment.name == "k"
    assert experiment.fractions == (0.25,)
    assert experiment.seeds == (3, 4)
    assert [d.name for d in experiment.datasets] == ["kmnist"]
    assert experiment.feeds == EXPERIMENT_KINDS["k"]


@pytest.mark.parametrize(("section", "text", "where", "suggestion"), [
    ("top", "[studdy]\nname = 'x'\n" + MINIMAL, r"top level", "study"),
    ("study", MINIMAL.replace("seeds = [0]", "seeds = [0]\nfractons = [0.5]"),
     r"\[study\]", "fractions"),
    ("experiment", MINIMAL + "balance = ['balanced']\n", r"\[\[experiments\]\] #1",
     "balances"),
    ("method params", MINIMAL + "[methods.spectralnet]\nembeding_dim = 5\n",
     r"\[methods.spectralnet\]", "embedding_dim"),
])
def test_unknown_key_names_key_place_and_closest(tmp_path, section, text, where, suggestion):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=rf"Unknown key '\w+' in .*study.toml.*{where}.*"
                                          rf"Did you mean '{suggestion}'\?"):
        load_config(path)


@pytest.mark.parametrize(("line", "message"), [
    ("fractions = [0.0]", r"fractions entry 0.0 must be a number in \(0, 1\]"),
    ("fractions = [1.5]", r"fractions entry 1.5 must be a number in \(0, 1\]"),
    ("train_ratios = [1.0]", r"train_ratios entry 1.0 must be a number in \(0, 1\)"),
    ("imbalance_ratios = [1]", r"imbalance_ratios entry 1 must be a number > 1"),
    ("balances = ['balancd']", r"'balancd' is not a balance arm. Did you mean 'balanced'"),
    ("seeds = [-1]", r"seeds entry -1 must be a non-negative integer"),
    ("methods = ['kmean']", r"'kmean' is neither a known method .* Did you mean 'kmeans'"),
    ("datasets = ['fashion_mnst']", r"'fashion_mnst' is neither a registered dataset nor an "
                                    r"existing file. Did you mean 'fashion_mnist'"),
    ("kind = 'embeding_dim'", r"kind='embeding_dim' is not an experiment kind. Did you mean "
                              r"'embedding_dim'"),
])
def test_bad_values_fail_at_load(tmp_path, line, message):
    defaults = {"kind": 'kind = "custom"', "methods": 'methods = ["kmeans"]'}
    lines = [text for key, text in defaults.items() if not line.startswith(key)]
    body = "\n".join([*lines, line])
    text = f"[study]\nseeds = [0]\n[[experiments]]\nname = \"one\"\n{body}\n"
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_grid_values_must_be_lists(tmp_path):
    path = write(tmp_path, MINIMAL.replace('"kmeans"', '"spectralnet"')
                 + "[experiments.grid.spectralnet]\nlr = 0.01\n")
    with pytest.raises(ConfigError, match=r"grid.spectralnet.lr=0.01 must be a non-empty list.*"
                                          r"lr = \[0.01\]"):
        load_config(path)


def test_random_state_is_rejected_in_params(tmp_path):
    path = write(tmp_path, MINIMAL + "[methods.kmeans]\nrandom_state = 3\n")
    with pytest.raises(ConfigError, match="do not set random_state"):
        load_config(path)


def test_duplicate_experiment_names_are_rejected(tmp_path):
    text = MINIMAL + '[[experiments]]\nkind = "baselines"\n'
    with pytest.raises(ConfigError, match="'baselines' is used more than once"):
        load_config(write(tmp_path, text))


def test_missing_experiments_and_bad_toml(tmp_path):
    with pytest.raises(ConfigError, match="defines no experiments"):
        load_config(write(tmp_path, "[study]\nseeds = [0]\n"))
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(write(tmp_path, "[study\n"))


def test_unknown_preset_suggests_the_closest():
    with pytest.raises(ConfigError, match=r"No study preset or file named .quik.\. Did you mean "
                                          "'quick'"):
        load_config("quik")


def test_user_file_dataset_is_resolved_and_hashed(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "mine.npz", X=rng.random((30, 4)), y=rng.integers(0, 3, 30))
    text = MINIMAL.replace('datasets = ["fashion_mnist"]', 'datasets = ["mine.npz"]')
    config = load_config(write(tmp_path, text))
    (spec,) = config.experiments[0].datasets
    assert spec.name == "mine"
    assert spec.path == str((tmp_path / "mine.npz").resolve())
    key_before = expand_grid(config).runs[0].key
    np.savez(tmp_path / "mine.npz", X=rng.random((30, 4)), y=rng.integers(0, 3, 30))
    changed = load_config(tmp_path / "study.toml")
    assert changed.experiments[0].datasets[0].sha256 != spec.sha256
    assert expand_grid(changed).runs[0].key != key_before


def test_user_file_with_wrong_suffix_is_rejected(tmp_path):
    (tmp_path / "mine.txt").write_text("1,2\n")
    text = MINIMAL.replace('datasets = ["fashion_mnist"]', 'datasets = ["mine.txt"]')
    with pytest.raises(ConfigError, match=r"must be an .npz \(keys X, y\) or a .csv"):
        load_config(write(tmp_path, text))


def test_presets_ship_inside_the_package_and_configs_links_to_them():
    from pathlib import Path

    import spectralbench
    from spectralbench.study.config import PRESET_DIR

    package = Path(spectralbench.__file__).resolve().parent
    assert package in PRESET_DIR.resolve().parents  # so a wheel install has them too
    configs = Path(__file__).resolve().parents[2] / "configs"
    for name in preset_names():
        link = configs / f"{name}.toml"
        assert link.resolve() == (PRESET_DIR / f"{name}.toml").resolve()
