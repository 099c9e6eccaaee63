"""The registry and the shared interface: names, parameter checks, input checks, errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from spectralbench.baselines import (
    DBSCANClustering,
    KMeansClustering,
    SOMClustering,
    available,
    make,
)
from spectralbench.exceptions import MissingDependencyError, NotFittedError

NAMES = ["dbscan", "hdbscan", "kmeans", "n2d", "pca_kmeans", "reference_spectralnet", "som",
         "spectral", "spectralnet", "tsne_kmeans", "umap_gmm"]


def test_available_lists_every_method_sorted():
    assert available() == NAMES


@pytest.mark.parametrize("name", [n for n in NAMES if n != "spectralnet"])
def test_make_passes_seed_and_clusters(name):
    model = make(name, n_clusters=7, random_state=5)
    params = model.get_params()
    assert params["random_state"] == 5
    assert params.get("n_clusters", 7) == 7
    assert not hasattr(model, "labels_")


def test_make_drops_n_clusters_for_dbscan():
    model = make("dbscan", n_clusters=7, eps_quantile=0.3)
    assert isinstance(model, DBSCANClustering)
    assert "n_clusters" not in model.get_params()
    assert model.eps_quantile == 0.3


def test_unknown_name_suggests_closest():
    with pytest.raises(ValueError, match=r"Unknown clustering method 'kmeams'\. Did you mean "
                                         r"'kmeans'\?"):
        make("kmeams")


def test_unknown_parameter_suggests_closest():
    with pytest.raises(ValueError, match=r"'som' \(SOMClustering\) has no parameter "
                                         r"'n_iteration'\. Did you mean 'n_iterations'\?"):
        make("som", n_iteration=10)


def test_invalid_parameter_names_value_and_rule(fmnist_small):
    X, _ = fmnist_small
    with pytest.raises(ValueError, match=r"KMeansClustering: n_init=0 is invalid; it must be "
                                         r"an int in \[1, inf\]"):
        KMeansClustering(n_init=0).fit(X[:50])


def test_too_many_clusters_for_rows(fmnist_small):
    X, _ = fmnist_small
    with pytest.raises(ValueError, match=r"n_clusters=20 needs at least 20 samples, got 12"):
        KMeansClustering(n_clusters=20).fit(X[:12])


def test_nan_input_is_rejected(fmnist_small):
    X = fmnist_small[0][:50].copy()
    X[3, 4] = np.nan
    with pytest.raises(ValueError, match=r"NaN in X \(first at row 3, column 4\)"):
        make("kmeans").fit(X)


def test_predict_checks_fitted_and_features(fmnist_small):
    X, _ = fmnist_small
    model = KMeansClustering(n_clusters=3, n_init=1, random_state=0)
    with pytest.raises(NotFittedError):
        model.predict(X[:5])
    model.fit(X[:100])
    with pytest.raises(ValueError, match=r"X has 10 features, but KMeansClustering was fitted "
                                         r"with 784 features"):
        model.predict(X[:5, :10])


def test_accepts_lists_and_uint8(fmnist_small):
    X, _ = fmnist_small
    as_list = KMeansClustering(n_clusters=3, n_init=1, random_state=0).fit_predict(
        X[:60].tolist())
    as_array = KMeansClustering(n_clusters=3, n_init=1, random_state=0).fit_predict(X[:60])
    assert np.array_equal(as_list, as_array)


def test_kmeans_predict_on_training_rows_gives_its_labels(fmnist_small):
    X, _ = fmnist_small
    model = KMeansClustering(n_clusters=5, n_init=2, random_state=1)
    labels = model.fit_predict(X[:300])
    assert np.array_equal(model.predict(X[:300]), labels)


def test_different_seeds_give_different_runs(fmnist_small):
    X, _ = fmnist_small
    a = make("pca_kmeans", random_state=0, n_init=1).fit(X[:400]).kmeans_.cluster_centers_
    b = make("pca_kmeans", random_state=1, n_init=1).fit(X[:400]).kmeans_.cluster_centers_
    assert not np.allclose(a, b)


def test_missing_extra_names_what_to_install(fmnist_small, monkeypatch):
    monkeypatch.setitem(sys.modules, "minisom", None)  # makes "import minisom" fail
    with pytest.raises(MissingDependencyError,
                       match=r"pip install 'spectralbench\[som\]'"):
        SOMClustering(n_clusters=2, n_iterations=10).fit(fmnist_small[0][:20])


@pytest.mark.parametrize(("shape", "message"), [
    ((2, 2), r"map_shape=\(2, 2\) has 4 units, fewer than n_clusters=10"),
    ((3, 0), r"map_shape=\(3, 0\) is invalid; pass two positive ints"),
])
def test_som_map_shape_errors(fmnist_small, shape, message):
    pytest.importorskip("minisom")
    with pytest.raises(ValueError, match=message):
        SOMClustering(map_shape=shape).fit(fmnist_small[0][:50])
