"""The SpectralNet estimator: accuracy on easy shapes, determinism, predict, inputs, errors."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_moons
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from spectralbench import SpectralNet
from spectralbench.evaluation import cluster_accuracy, match_clusters
from spectralbench.model import estimator as estimator_module

TINY = {"hidden": (16,), "epochs": 3, "batch_size": 64, "random_state": 0}


@pytest.mark.slow  # default settings: about 3,000 gradient steps, ~25 s on one core
def test_two_moons_with_default_settings():
    X, y = make_moons(2000, noise=0.05, random_state=0)
    model = SpectralNet(n_clusters=2, random_state=0).fit(X)
    assert cluster_accuracy(y, model.labels_) >= 0.99
    assert model.embedding_.shape == (2000, 2)


def test_blobs_are_found():
    X, y = make_blobs(300, centers=3, cluster_std=0.5, random_state=0)
    model = SpectralNet(n_clusters=3, hidden=(32,), epochs=20, batch_size=64, random_state=0)
    labels = model.fit_predict(X)
    assert cluster_accuracy(y, labels) >= 0.98
    assert set(labels) == {0, 1, 2}
    assert model.cluster_centers_.shape == (3, 3)


def test_same_seed_gives_identical_results(fmnist_split):
    X = fmnist_split[0][:300]
    first = SpectralNet(n_clusters=5, **TINY).fit(X)
    second = SpectralNet(n_clusters=5, **TINY).fit(X)
    np.testing.assert_array_equal(first.labels_, second.labels_)
    np.testing.assert_array_equal(first.embedding_, second.embedding_)
    other = SpectralNet(n_clusters=5, **{**TINY, "random_state": 1}).fit(X)
    assert not np.array_equal(first.embedding_, other.embedding_)


def test_fit_leaves_global_random_state_alone(fmnist_split):
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    SpectralNet(n_clusters=3, **TINY).fit(fmnist_split[0][:200])
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002


def test_predict_uses_the_training_clusters(fitted_fmnist, fmnist_split):
    X_train, y_train, X_test, y_test = fmnist_split
    model = fitted_fmnist
    np.testing.assert_array_equal(model.predict(X_train), model.labels_)
    np.testing.assert_allclose(model.transform(X_train), model.embedding_, atol=1e-5)
    labels = model.predict(X_test)
    assert labels.shape == (400,) and labels.dtype == np.int64
    assert labels.min() >= 0 and labels.max() < 10
    # The cluster -> class mapping found on training rows carries over to new rows.
    mapping = match_clusters(y_train, model.labels_)
    assert cluster_accuracy(y_test, labels, mapping) > 0.35  # chance is 0.1
    # Predicting one row at a time gives the same ids (no refit on new data).
    np.testing.assert_array_equal([model.predict(X_test[i:i + 1])[0] for i in range(5)],
                                  labels[:5])


def test_accepts_the_usual_array_types(fmnist_split):
    X = fmnist_split[0][:200]
    reference = SpectralNet(n_clusters=3, **TINY).fit(X).labels_
    for data in (X.astype(np.float64), torch.from_numpy(X), pd.DataFrame(X), X.tolist()):
        labels = SpectralNet(n_clusters=3, **TINY).fit(data).labels_
        np.testing.assert_array_equal(labels, reference, err_msg=type(data).__name__)


def test_accepts_uint8_pixels(fmnist_split):
    X = (fmnist_split[0][:200] * 255).round().astype(np.uint8)
    model = SpectralNet(n_clusters=3, **TINY).fit(X)
    assert np.isfinite(model.embedding_).all()
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_uint8_memmap_is_used_in_place(fmnist_split, tmp_path):
    """A uint8 memmap is validated without a copy and read batch by batch."""
    pixels = (fmnist_split[0][:300] * 255).round().astype(np.uint8)
    memmap = np.memmap(tmp_path / "x.u8", dtype=np.uint8, mode="w+", shape=pixels.shape)
    memmap[:] = pixels
    memmap.flush()
    X = np.memmap(tmp_path / "x.u8", dtype=np.uint8, mode="r", shape=pixels.shape)
    assert np.shares_memory(estimator_module._check_input(X), X)
    model = SpectralNet(n_clusters=3, **TINY).fit(X)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    reference = SpectralNet(n_clusters=3, **TINY).fit(pixels.astype(np.float32) / 255).labels_
    assert cluster_accuracy(reference, model.labels_) > 0.9  # the same clusters up to ids


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.array([[0.0, 1.0], [1.0, np.nan], [3.0, 4.0]]), r"NaN in X \(first at row 1, column 1"),
        (np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]), r"infinite values in X"),
        (np.arange(10.0), r"got a 1-D array.*reshape\(-1, 1\)"),
        (np.zeros((4, 3, 2)), r"got 3 dimensions with shape \(4, 3, 2\)"),
        (np.empty((0, 5)), r"needs at least 2 sample\(s\) in X, got shape \(0, 5\)"),
    ],
    ids=["nan", "inf", "1-D", "3-D", "empty"],
)
def test_bad_input_is_rejected_with_a_clear_message(X, match):
    with pytest.raises(ValueError, match=match):
        SpectralNet(n_clusters=2, **TINY).fit(X)


def test_more_clusters_than_samples():
    with pytest.raises(ValueError, match=r"n_clusters=12 needs at least 12 samples, got 10; lower"):
        SpectralNet(n_clusters=12, **TINY).fit(np.random.default_rng(0).normal(size=(10, 3)))


def test_predict_checks_the_feature_count(fitted_fmnist, fmnist_split):
    with pytest.raises(ValueError, match=r"X has 783 features, but SpectralNet was fitted with"):
        fitted_fmnist.predict(fmnist_split[2][:, :-1])


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match=r"not fitted yet"):
        SpectralNet().predict(np.zeros((3, 2)))
    with pytest.raises(NotFittedError):
        SpectralNet().transform(np.zeros((3, 2)))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"lr": -1}, r"lr=-1 is invalid; it must be a number in \(0, inf\)"),
        ({"head": "x"}, r"head='x' is invalid; it must be one of 'kmeans', 'laplacian', 'som'"),
        ({"hidden": (0,)}, r"hidden=\(0,\) must be a tuple of positive ints"),
        ({"hidden": (8, 2.5)}, r"hidden=\(8, 2.5\) must be a tuple of positive ints"),
        ({"n_clusters": 0}, r"n_clusters=0 is invalid; it must be an int in \[1, inf\]"),
        ({"graph": "local"}, r"graph='local' is invalid; it must be one of 'batch', 'global'"),
        ({"scale": 0.0}, r"scale=0.0 is invalid"),
        ({"dropout": 1.0}, r"dropout=1.0 is invalid"),
        ({"device": "tpu"}, r"device='tpu' is not a torch device"),
    ],
)
def test_bad_parameters_are_rejected_at_fit(params, match):
    model = SpectralNet(**{"n_clusters": 2, **TINY, **params})  # __init__ never checks
    with pytest.raises(ValueError, match=match):
        model.fit(np.random.default_rng(0).normal(size=(20, 3)))


def test_k_larger_than_the_data_is_lowered(caplog):
    X = np.random.default_rng(0).normal(size=(8, 2))
    model = SpectralNet(n_clusters=2, k=10, **TINY).fit(X)
    assert model.params_["k"] == 7
    assert "k=10 is too large for 8 rows; using k=7" in caplog.text
    assert model.get_params()["k"] == 10  # the public parameter is untouched


def test_params_round_trip_and_clone():
    model = SpectralNet(n_clusters=4, hidden=(8, 4), scale=0.5, random_state=3)
    params = model.get_params()
    assert params["hidden"] == (8, 4) and params["scale"] == 0.5
    copy = clone(model)
    assert copy is not model and copy.get_params() == params
    copy.set_params(n_clusters=6, lr=0.01)
    assert copy.get_params() == {**params, "n_clusters": 6, "lr": 0.01}
    assert model.get_params() == params
    assert SpectralNet().set_params(**params).get_params() == params


def test_works_in_a_pipeline():
    X, y = make_blobs(300, centers=3, cluster_std=0.5, random_state=1)
    X[:, 1] *= 1000  # the scaler must run first for the clusters to be found
    pipe = make_pipeline(StandardScaler(), SpectralNet(n_clusters=3, hidden=(32,), epochs=20,
                                                       batch_size=64, random_state=0))
    labels = pipe.fit_predict(X)
    assert cluster_accuracy(y, labels) >= 0.98
    np.testing.assert_array_equal(pipe.predict(X), labels)
    assert pipe.transform(X).shape == (300, 3)


def test_class_docstring_example_runs():
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(SpectralNet, "SpectralNet", globs=dict(vars(estimator_module)))
    assert tests and tests[0].examples
    for test in tests:
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0


@pytest.mark.parametrize("space", ["autoencoder", "siamese"])
def test_learned_affinity_spaces(fmnist_split, space):
    X = fmnist_split[0][:200]
    model = SpectralNet(n_clusters=3, affinity_space=space, pretrain_epochs=2, **TINY).fit(X)
    assert [h["epoch"] for h in model.history_["pretrain"]] == [1, 2]
    assert all(np.isfinite(h["loss"]) for h in model.history_["pretrain"])
    np.testing.assert_array_equal(model.predict(X), model.labels_)


def test_silent_by_default_and_logs_epochs_when_verbose(fmnist_split, capsys, caplog):
    X = fmnist_split[0][:200]
    SpectralNet(n_clusters=3, **TINY).fit(X)
    assert capsys.readouterr() == ("", "")
    caplog.set_level("INFO", logger="spectralbench.model")
    SpectralNet(n_clusters=3, verbose=2, **TINY).fit(X)
    assert "epoch 3/3 loss" in caplog.text
    assert capsys.readouterr().out == ""  # progress bars go to stderr, never print
