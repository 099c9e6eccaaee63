"""save -> load: one pickle-free file that gives identical predictions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

from spectralbench import SpectralNet


@pytest.fixture(scope="module")
def saved(fitted_fmnist, tmp_path_factory):
    return fitted_fmnist.save(tmp_path_factory.mktemp("model") / "spectralnet.pt")


def test_loaded_model_predicts_identically(fitted_fmnist, saved, fmnist_split):
    X_test = fmnist_split[2]
    loaded = SpectralNet.load(saved, device="cpu")
    assert np.array_equal(loaded.predict(X_test), fitted_fmnist.predict(X_test))
    assert np.array_equal(loaded.transform(X_test), fitted_fmnist.transform(X_test))
    assert np.array_equal(loaded.cluster_centers_, fitted_fmnist.cluster_centers_)
    assert loaded.n_features_in_ == 784
    assert loaded.get_params() == fitted_fmnist.get_params()
    assert loaded.params_ == fitted_fmnist.params_
    assert loaded.history_["stop_reason"] == fitted_fmnist.history_["stop_reason"]


def test_file_loads_without_pickle(saved):
    state = torch.load(saved, weights_only=True)
    assert int(state["format_version"]) == 1
    assert isinstance(state["config"], str)
    assert "orthonorm.weight" in state["network"]  # the last layer is saved with the weights
    assert not saved.with_name(saved.name + ".tmp").exists()


def test_a_loaded_model_can_be_saved_again(saved, tmp_path, fmnist_split):
    loaded = SpectralNet.load(saved)
    again = SpectralNet.load(loaded.save(tmp_path / "again.pt"))
    X_test = fmnist_split[2][:50]
    assert np.array_equal(again.transform(X_test), loaded.transform(X_test))


@pytest.mark.parametrize(
    "damage", ["truncated", "garbage", "empty", "other torch file", "tensor file"]
)
def test_damaged_file_gives_a_clear_error(saved, tmp_path, damage):
    path = tmp_path / "damaged.pt"
    data = saved.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(np.random.default_rng(0).bytes(4096))
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other torch file":
        torch.save({"weights": torch.zeros(3)}, path)
    else:
        torch.save(torch.zeros(3), path)
    with pytest.raises(ValueError, match=r"damaged.pt is not a SpectralNet model file written by"):
        SpectralNet.load(path)


def test_load_asks_for_a_usable_device(saved):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device is visible")
    with pytest.raises(ValueError, match=r"no CUDA device is visible"):
        SpectralNet.load(saved, device="cuda")


def test_save_before_fit(tmp_path):
    with pytest.raises(NotFittedError):
        SpectralNet().save(tmp_path / "model.pt")
    assert not any(tmp_path.iterdir())
