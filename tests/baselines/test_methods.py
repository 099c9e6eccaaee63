"""Every registered method on small real subsets: labels, seeds, accuracy, predict.

Each case fits on the first ``n_train`` Fashion-MNIST rows of the fixture and
predicts the next ``n_test``. Slow libraries run on fewer rows and iterations.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from spectralbench.baselines import make
from spectralbench.evaluation import evaluate

# name, fast parameters, rows to fit, minimum training accuracy (noise counts as wrong)
CASES = [
    pytest.param("kmeans", {"n_init": 2}, 1500, 0.40, id="kmeans"),
    pytest.param("pca_kmeans", {"n_init": 2, "n_components": 20}, 1500, 0.40, id="pca_kmeans"),
    pytest.param("spectral", {"k": 15}, 1500, 0.40, id="spectral", marks=pytest.mark.slow),
    pytest.param("som", {"n_iterations": 2000}, 1500, 0.40, id="som"),
    pytest.param("dbscan", {}, 1500, 0.15, id="dbscan"),
    pytest.param("hdbscan", {}, 1500, 0.20, id="hdbscan"),
    pytest.param("tsne_kmeans", {"n_iter": 200, "early_exaggeration_iter": 100}, 800, 0.40,
                 id="tsne_kmeans", marks=pytest.mark.slow),
    pytest.param("umap_gmm", {"n_epochs": 100}, 800, 0.40, id="umap_gmm",
                 marks=pytest.mark.slow),
    pytest.param("reference_spectralnet", {"spectral_epochs": 5}, 1000, 0.30,
                 id="reference_spectralnet", marks=pytest.mark.slow),
]
N_TEST = 300


def _needs(name: str) -> None:
    modules = {"som": "minisom", "tsne_kmeans": "openTSNE", "umap_gmm": "umap",
               "reference_spectralnet": "spectralnet"}
    if name in modules:
        pytest.importorskip(modules[name])


@pytest.mark.parametrize(("name", "params", "n_train", "min_accuracy"), CASES)
def test_method_on_real_images(fmnist_small, name, params, n_train, min_accuracy):
    _needs(name)
    X, y = fmnist_small
    X_train, y_train = X[:n_train], y[:n_train]
    X_test, y_test = X[n_train:n_train + N_TEST], y[n_train:n_train + N_TEST]

    model = make(name, n_clusters=10, random_state=0, **params)
    labels = model.fit_predict(X_train)
    assert labels.shape == (n_train,) and labels.dtype == np.int64
    assert np.array_equal(labels, model.labels_)
    train = evaluate(y_train, labels)
    assert train.accuracy > min_accuracy, f"{name}: accuracy {train.accuracy:.3f}"

    again = make(name, n_clusters=10, random_state=0, **params).fit_predict(X_train)
    assert np.array_equal(labels, again), f"{name} is not reproducible by seed"

    json.dumps(model.params_)
    assert model.params_["random_state"] == 0
    for key, value in params.items():
        assert model.params_[key] == value

    predicted = model.predict(X_test)
    assert predicted.shape == (len(X_test),) and predicted.dtype == np.int64
    # Scored with the training mapping: only right if predict reuses the training clusters.
    test = evaluate(y_test, predicted, mapping=train.mapping)
    assert test.accuracy > min_accuracy - 0.1, f"{name}: test accuracy {test.accuracy:.3f}"


@pytest.mark.slow
def test_n2d_on_real_images(fmnist_small):
    pytest.importorskip("umap")
    pytest.importorskip("spectralbench.model.autoencoder")
    X, y = fmnist_small
    X_train, y_train, X_test = X[:600], y[:600], X[600:800]
    # A tiny autoencoder trained briefly: N2D is far from its best here, only above chance.
    params = {"hidden": (64, 64, 128), "ae_epochs": 5, "n_epochs": 100}
    model = make("n2d", n_clusters=10, random_state=0, **params)
    labels = model.fit_predict(X_train)
    assert labels.shape == (600,)
    assert evaluate(y_train, labels).accuracy > 0.2
    again = make("n2d", n_clusters=10, random_state=0, **params).fit_predict(X_train)
    assert np.array_equal(labels, again)
    assert model.predict(X_test).shape == (200,)


def test_spectralnet_entry_builds_our_estimator():
    estimator = pytest.importorskip(
        "spectralbench.model.estimator", reason="the SpectralNet estimator is not written yet")
    model = make("spectralnet", n_clusters=4, random_state=3)
    assert isinstance(model, estimator.SpectralNet)
    assert model.n_clusters == 4 and model.random_state == 3


def test_som_clusters_an_embedding(fmnist_small):
    pytest.importorskip("minisom")
    X, y = fmnist_small
    embedding = make("spectral", random_state=0, k=15).fit(X[:1000]).embedding_
    labels = make("som", random_state=0, n_iterations=2000).fit_predict(embedding)
    assert evaluate(y[:1000], labels).accuracy > 0.4


@pytest.mark.slow
def test_reference_keeps_global_generators_and_training_clusters(fmnist_small):
    torch = pytest.importorskip("torch")
    pytest.importorskip("spectralnet")
    X = fmnist_small[0][:400]
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002 - checking it is untouched
    torch_state = torch.random.get_rng_state().clone()
    model = make("reference_spectralnet", n_clusters=5, random_state=0, spectral_epochs=2,
                 spectral_batch_size=128, spectral_n_nbg=10)
    labels = model.fit_predict(X)
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert torch.equal(torch.random.get_rng_state(), torch_state)
    # predict goes through the k-means fitted in fit, so training rows keep their cluster ids.
    np.testing.assert_array_equal(model.predict(X), labels)
