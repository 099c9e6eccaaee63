"""kNN search and the sparse Gaussian affinity W on real Fashion-MNIST rows."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

from spectralbench.model.affinity import gaussian_affinity, kernel_scale, knn_search

SYMMETRIZE = ("mean", "max", "mutual")


@pytest.fixture(scope="module")
def rows(fmnist_small) -> np.ndarray:
    """300 real images, reduced to 50 dimensions (float32)."""
    X = fmnist_small[0][:300]
    return PCA(50, random_state=0).fit_transform(X).astype(np.float32)


@pytest.fixture(scope="module")
def neighbours(rows) -> tuple[np.ndarray, np.ndarray]:
    return knn_search(rows, 10, method="exact")


def test_exact_search_matches_sklearn(fmnist_small):
    X = fmnist_small[0][:300]
    k = 10
    indices, distances = knn_search(X, k, method="exact")
    assert indices.shape == distances.shape == (300, k)
    assert indices.dtype == np.int64 and distances.dtype == np.float32
    ref_d, ref_i = NearestNeighbors(n_neighbors=k + 2).fit(X).kneighbors(X)
    ref_d, ref_i = ref_d[:, 1:], ref_i[:, 1:]  # drop the point itself
    np.testing.assert_allclose(distances, ref_d[:, :k], atol=1e-4)
    assert not np.any(indices == np.arange(300)[:, None])
    # Same neighbour sets wherever the k-th distance is not tied with the next one.
    untied = ref_d[:, k] - ref_d[:, k - 1] > 1e-4
    assert untied.mean() > 0.9
    for row in np.flatnonzero(untied):
        assert set(indices[row]) == set(ref_i[row, :k])
    assert np.all(np.diff(distances, axis=1) >= 0)  # nearest first


def test_exact_search_does_not_depend_on_block_size(rows):
    whole = knn_search(rows, 5, method="exact")
    chunked = knn_search(rows, 5, method="exact", memory_mb=0.01)  # 16-row blocks
    np.testing.assert_array_equal(whole[0], chunked[0])
    np.testing.assert_array_equal(whole[1], chunked[1])


@pytest.mark.slow  # pynndescent compiles its kernels with numba on first use (~30 s)
def test_approximate_search_recall(fmnist_small):
    assert torch.get_num_threads() == 1  # set by conftest
    Z = PCA(50, random_state=0).fit_transform(fmnist_small[0]).astype(np.float32)
    approx, approx_d = knn_search(Z, 10, method="approx", random_state=0)
    exact, _ = knn_search(Z, 10, method="exact")
    assert approx.shape == (2000, 10)
    assert not np.any(approx == np.arange(2000)[:, None])
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact, strict=True)])
    assert recall >= 0.9
    assert np.all(approx_d >= 0) and np.all(np.diff(approx_d, axis=1) >= -1e-5)
    # numba's OpenMP start-up must not leave torch with another thread count
    # (it did: 1 -> 2, and training then ran 20x slower on a busy 2-core box).
    assert torch.get_num_threads() == 1


@pytest.mark.parametrize("k", [0, 300, 301, -1, 2.5, True])
def test_k_out_of_range(rows, k):
    with pytest.raises(ValueError, match=r"k=.* nearest neighbours needs 1 <= k < n_samples=300"):
        knn_search(rows, k)


def test_unknown_method(rows):
    with pytest.raises(ValueError, match=r"method='fast' is not one of 'auto', 'exact', 'approx'"):
        knn_search(rows, 5, method="fast")


@pytest.mark.parametrize("symmetrize", SYMMETRIZE)
def test_affinity_symmetric_nonnegative_zero_diagonal(neighbours, symmetrize):
    W = gaussian_affinity(*neighbours, symmetrize=symmetrize)
    assert sp.issparse(W) and W.shape == (300, 300)
    assert abs(W - W.T).max() == 0
    assert W.data.min() > 0 and W.data.max() <= 1
    assert np.all(W.diagonal() == 0)
    assert W.nnz <= 2 * 300 * 10


def test_mutual_edges_are_a_subset_of_max_edges(neighbours):
    mutual = gaussian_affinity(*neighbours, symmetrize="mutual")
    union = gaussian_affinity(*neighbours, symmetrize="max")
    mean = gaussian_affinity(*neighbours, symmetrize="mean")
    assert 0 < mutual.nnz < union.nnz
    assert (mutual.astype(bool) > union.astype(bool)).nnz == 0  # no edge outside "max"
    assert (mean.astype(bool) != union.astype(bool)).nnz == 0  # "mean" keeps the union
    assert (mean - union).max() <= 1e-12  # averaging never exceeds the larger weight


def test_unknown_symmetrize(neighbours):
    with pytest.raises(ValueError, match=r"symmetrize='min' must be one of mean, max, mutual"):
        gaussian_affinity(*neighbours, symmetrize="min")


def test_larger_sigma_gives_larger_weights(neighbours):
    narrow = gaussian_affinity(*neighbours, scale=0.5 * kernel_scale(neighbours[1]))
    wide = gaussian_affinity(*neighbours, scale=2.0 * kernel_scale(neighbours[1]))
    assert (narrow.astype(bool) != wide.astype(bool)).nnz == 0
    assert np.all(wide.data > narrow.data)


def test_median_scale_is_the_median_kth_distance(neighbours):
    distances = neighbours[1]
    assert kernel_scale(distances, "median") == pytest.approx(np.median(distances[:, -1]))
    assert kernel_scale(distances, 1.5) == 1.5


@pytest.mark.parametrize("scale", ["median", "local"])
def test_adaptive_scales_do_not_depend_on_units(rows, scale):
    W = gaussian_affinity(*knn_search(rows, 10), scale=scale)
    W_scaled = gaussian_affinity(*knn_search(rows * 100.0, 10), scale=scale)
    np.testing.assert_allclose(W.toarray(), W_scaled.toarray(), atol=1e-5)


def test_local_scale_adapts_to_density(neighbours):
    indices, distances = neighbours
    sigma = kernel_scale(distances, "local")
    np.testing.assert_allclose(sigma, distances[:, -1])
    # Each point's k-th neighbour edge gets exp(-σ_i / σ_j): no point is left with
    # only vanishing weights, unlike a fixed σ in a sparse region.
    W = gaussian_affinity(indices, distances, scale="local", symmetrize="max")
    sparse_point = int(np.argmax(distances[:, 0]))
    fixed = gaussian_affinity(indices, distances, scale="median", symmetrize="max")
    assert W[sparse_point].max() > fixed[sparse_point].max()


def test_duplicate_rows_give_finite_weights(rows):
    X = np.concatenate([rows[:50], rows[:50]])
    for scale in ("median", "local"):
        W = gaussian_affinity(*knn_search(X, 5), scale=scale)
        assert np.all(np.isfinite(W.data)) and np.all(W.diagonal() == 0)
        assert W[0, 50] == pytest.approx(1.0)  # a row and its copy are at distance 0


@pytest.mark.parametrize("scale", [0, -1.0, "mean"])
def test_bad_scale(neighbours, scale):
    with pytest.raises(ValueError, match=r"scale=.* must be a positive number, 'median'"):
        kernel_scale(neighbours[1], scale)


@pytest.mark.parametrize("symmetrize", SYMMETRIZE)
@pytest.mark.parametrize("scale", ["local", "median", 0.7])
def test_blockwise_graph_equals_the_whole_matrix_formula(neighbours, monkeypatch, scale,
                                                         symmetrize):
    import spectralbench.model.affinity as affinity

    indices, distances = neighbours
    n, k = indices.shape
    sigma = kernel_scale(distances, scale)
    d2 = distances.astype(np.float64) ** 2
    weights = (np.exp(-d2 / (sigma[:, None] * sigma[indices])) if np.ndim(sigma)
               else np.exp(-d2 / (2 * sigma**2)))
    directed = sp.csr_matrix((weights.ravel(), (np.repeat(np.arange(n), k), indices.ravel())),
                             shape=(n, n)).toarray()
    expected = {"mean": (directed + directed.T) / 2, "max": np.maximum(directed, directed.T),
                "mutual": np.minimum(directed, directed.T)}[symmetrize]
    monkeypatch.setattr(affinity, "_BLOCK_ROWS", 37)  # blocks that cut the matrix unevenly
    W = affinity.symmetrize_graph(affinity.kernel_graph(indices, distances, scale=scale),
                                  symmetrize)
    np.testing.assert_allclose(W.toarray(), expected, rtol=1e-12)
    assert W.dtype == np.float64 and W.diagonal().max() == 0


def test_symmetrize_leaves_its_input_alone_unless_told(neighbours):
    from spectralbench.model.affinity import kernel_graph, symmetrize_graph

    directed = kernel_graph(*neighbours, scale="local")
    before = directed.copy()
    mutual = symmetrize_graph(directed, "mutual")
    assert (abs(directed - before)).max() == 0 and directed.nnz == before.nnz
    in_place = symmetrize_graph(directed, "mutual", copy=False)
    assert (abs(in_place - mutual)).max() == 0
    assert mutual.nnz < before.nnz  # some kNN edges are one-way


@pytest.mark.parametrize("how", SYMMETRIZE)
def test_self_loops_of_a_given_graph_are_dropped(how):
    from spectralbench.model.affinity import symmetrize_graph

    W = sp.csr_matrix(np.array([[0.5, 0.2, 0.0], [0.3, 0.0, 0.4], [0.0, 0.4, 0.9]]))
    S = symmetrize_graph(W, how).toarray()
    expected = {"mean": [[0, 0.25, 0], [0.25, 0, 0.4], [0, 0.4, 0]],
                "max": [[0, 0.3, 0], [0.3, 0, 0.4], [0, 0.4, 0]],
                "mutual": [[0, 0.2, 0], [0.2, 0, 0.4], [0, 0.4, 0]]}[how]
    np.testing.assert_allclose(S, expected)
