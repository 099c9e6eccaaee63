"""Classical spectral clustering: the sparse eigendecomposition and its Nyström extension."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from spectralbench.baselines import ClassicalSpectralClustering, spectral_embedding
from spectralbench.model.affinity import knn_affinity


@pytest.fixture(scope="module")
def graph(fmnist_small):
    X = fmnist_small[0][:600]
    return knn_affinity(X, k=10)


def test_eigenvectors_orthonormal_with_decreasing_eigenvalues(graph):
    V, values = spectral_embedding(graph, 5, normalize_rows=False, random_state=0,
                                   return_eigenvalues=True)
    assert V.shape == (600, 5)
    np.testing.assert_allclose(V.T @ V, np.eye(5), atol=1e-6)
    assert np.all(np.diff(values) <= 1e-12)
    assert values[0] == pytest.approx(1.0, abs=1e-6)  # a connected graph's top eigenvalue
    # They are eigenvectors of the normalised adjacency D^-1/2 W D^-1/2.
    d = 1 / np.sqrt(np.asarray(graph.sum(axis=1)).ravel())
    A = sp.diags(d) @ graph @ sp.diags(d)
    np.testing.assert_allclose(A @ V, V * values, atol=1e-5)


def test_rows_are_unit_length_and_seed_reproducible(graph):
    Y = spectral_embedding(graph, 4, random_state=1)
    np.testing.assert_allclose(np.linalg.norm(Y, axis=1), 1.0, atol=1e-9)
    np.testing.assert_array_equal(Y, spectral_embedding(graph, 4, random_state=1))


def test_disconnected_blocks_are_separated():
    block = sp.csr_matrix(np.ones((4, 4)) - np.eye(4))
    W = sp.block_diag([block, block, block], format="csr")
    Y = spectral_embedding(W, 3, random_state=0)
    for start in (0, 4, 8):
        np.testing.assert_allclose(Y[start:start + 4], Y[[start] * 4], atol=1e-6)
    assert np.linalg.matrix_rank(Y[[0, 4, 8]], tol=1e-6) == 3


def test_rejects_dense_matrix_and_bad_n_components(graph):
    with pytest.raises(ValueError, match=r"W must be a square scipy.sparse matrix, got ndarray"):
        spectral_embedding(np.eye(5), 2)
    with pytest.raises(ValueError, match=r"n_components=600 must be an int with 1 <= "
                                         r"n_components < n_samples=600"):
        spectral_embedding(graph, 600)


def test_nystrom_extension_reproduces_training_embedding(fmnist_small):
    X = fmnist_small[0][:800]
    model = ClassicalSpectralClustering(n_clusters=10, k=15, symmetrize="mean",
                                        random_state=0).fit(X)
    extended = model.transform(X)
    cosine = np.sum(extended * model.embedding_, axis=1)
    assert np.median(cosine) > 0.9
    assert np.mean(model.predict(X) == model.labels_) > 0.8


def test_k_must_be_below_rows(fmnist_small):
    with pytest.raises(ValueError, match=r"k=30 and n_clusters=10 must both be below "
                                         r"n_samples=20"):
        ClassicalSpectralClustering().fit(fmnist_small[0][:20])
