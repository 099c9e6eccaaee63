"""Clustering heads: nearest-prototype prediction that reproduces the training labels."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans

from spectralbench import SpectralNet
from spectralbench.evaluation import cluster_accuracy
from spectralbench.model.heads import fit_head
from spectralbench.model.spectral_embedding import row_normalize


@pytest.fixture(scope="module")
def separated() -> tuple[np.ndarray, np.ndarray]:
    """400 points in 5 well-separated directions of R^5 (like an ideal spectral embedding)."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, size=400)
    E = np.eye(5)[y] * rng.uniform(0.5, 2.0, size=(400, 1)) + rng.normal(0, 0.05, (400, 5))
    return E.astype(np.float32), y


def test_row_normalize():
    E = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.0]])
    np.testing.assert_allclose(row_normalize(E), [[0.6, 0.8], [0, 0], [-1, 0]], atol=1e-7)


def test_kmeans_head_reproduces_kmeans_labels(fitted_fmnist):
    E = fitted_fmnist.embedding_
    head = fit_head("kmeans", E, 10, seed=4)
    reference = KMeans(10, n_init=10, random_state=4).fit(row_normalize(E))
    np.testing.assert_array_equal(head.predict(E), reference.labels_)
    assert head.centers(10).shape == (10, E.shape[1])
    np.testing.assert_allclose(head.centers(10), reference.cluster_centers_, atol=1e-6)


def test_estimator_labels_are_the_nearest_cluster_centre(fitted_fmnist):
    model = fitted_fmnist
    assert model.cluster_centers_.shape == (10, model.embedding_.shape[1])
    E = row_normalize(model.embedding_)
    distances = ((E[:, None, :] - model.cluster_centers_[None]) ** 2).sum(axis=2)
    np.testing.assert_array_equal(distances.argmin(axis=1), model.labels_)


@pytest.mark.parametrize("kind", ["kmeans", "som"])
def test_head_finds_separated_directions(separated, kind):
    E, y = separated
    head = fit_head(kind, E, 5, seed=0)
    labels = head.predict(E)
    assert cluster_accuracy(y, labels) == 1.0
    assert head.centers(5).shape == (5, 5)
    assert head.prototypes.shape[1] == 5
    assert len(head.prototype_labels) == len(head.prototypes)
    # Rows are normalised first: rescaling any row never changes its cluster.
    scale = np.random.default_rng(1).uniform(0.1, 10.0, size=(len(E), 1)).astype(np.float32)
    np.testing.assert_array_equal(head.predict(E * scale), labels)
    np.testing.assert_array_equal(head.predict(E, chunk_rows=7), labels)


def test_som_head_prototypes_are_a_grid_of_units(separated):
    E, _ = separated
    head = fit_head("som", E, 5, seed=0)
    side = int(np.sqrt(len(head.prototypes)))
    assert side * side == len(head.prototypes) and side >= 3
    assert set(head.prototype_labels) == set(range(5))
    again = fit_head("som", E, 5, seed=0)
    np.testing.assert_array_equal(again.prototypes, head.prototypes)  # seeded


def test_estimator_with_som_head(fmnist_split):
    X = fmnist_split[0][:300]
    model = SpectralNet(n_clusters=4, head="som", hidden=(16,), epochs=3, batch_size=64,
                        random_state=0).fit(X)
    assert model.cluster_centers_.shape == (4, 4)
    np.testing.assert_array_equal(model.predict(X), model.labels_)
    assert model.labels_.min() >= 0 and model.labels_.max() < 4


def test_unknown_head():
    with pytest.raises(ValueError, match=r"head='gmm' must be one of kmeans, som"):
        fit_head("gmm", np.ones((5, 2)), 2, seed=0)
