"""Named configurations: the source paper's Table 2 and the defaults."""

from __future__ import annotations

import numpy as np
import pytest

from spectralbench import SpectralNet
from spectralbench.model import PRESETS

TABLE_2 = {
    "embedding_dim": 10, "lr": 0.001, "batch_size": 64, "epochs": 50, "k": 10,
    "scale": 1.0, "dropout": 0.5,
}


def test_paper_preset_has_the_table_2_values():
    params = SpectralNet.from_preset("paper").get_params()
    assert {key: params[key] for key in TABLE_2} == TABLE_2
    # Trained the original way, on raw pixels.
    assert params["graph"] == "batch" and params["orthonorm"] == "alternate"
    assert params["pca_components"] is None
    assert params["hidden"] == (1024, 1024, 512)


def test_default_preset_is_the_estimator_defaults():
    assert SpectralNet.from_preset("default").get_params() == SpectralNet().get_params()


def test_overrides_win_and_presets_stay_unchanged():
    model = SpectralNet.from_preset("paper", epochs=3, random_state=1)
    assert model.epochs == 3 and model.random_state == 1
    assert PRESETS["paper"]["epochs"] == 50
    with pytest.raises(TypeError):
        PRESETS["paper"]["epochs"] = 1  # read-only


def test_unknown_preset():
    with pytest.raises(ValueError, match=r"Unknown SpectralNet preset 'papr'; choose one of paper"):
        SpectralNet.from_preset("papr")


def test_paper_preset_fits_a_few_hundred_rows(fmnist_split):
    """graph="batch" has no global graph, so the last layer is fitted unweighted:
    the training embedding satisfies YᵀY / n = I."""
    X = fmnist_split[0][:300]
    model = SpectralNet.from_preset("paper", n_clusters=10, epochs=2, random_state=0).fit(X)
    assert model.embedding_.shape == (300, 10)
    assert len(model.history_["spectralnet"]) == 2
    assert all(np.isfinite(h["loss"]) for h in model.history_["spectralnet"])
    Y = model.embedding_.astype(np.float64)
    np.testing.assert_allclose(Y.T @ Y / len(Y), np.eye(10), atol=1e-4)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
