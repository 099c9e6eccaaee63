"""Edge sampling, per-batch graphs, the final orthonorm fit and early stopping."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from scipy.stats import chisquare

from spectralbench import SpectralNet
from spectralbench.model.affinity import gaussian_affinity, knn_search
from spectralbench.model.networks import SpectralNetwork
from spectralbench.model.trainer import EdgeSampler, batch_affinity, fit_orthonorm


@pytest.fixture()
def tiny_graph() -> sp.csr_matrix:
    """A path 0-1-2-3-4 plus an edge 0-4, weights 1..5."""
    edges = [(0, 1, 1.0), (1, 2, 2.0), (2, 3, 3.0), (3, 4, 4.0), (0, 4, 5.0)]
    rows, cols, weights = zip(*edges, strict=True)
    W = sp.coo_matrix((weights, (rows, cols)), shape=(5, 5))
    return (W + W.T).tocsr()


def test_edges_are_drawn_in_proportion_to_their_weight(tiny_graph):
    sampler = EdgeSampler(tiny_graph)
    i, j = sampler.sample(30_000, torch.Generator().manual_seed(0))
    i, j = i.numpy(), j.numpy()
    assert np.all(tiny_graph.toarray()[i, j] > 0)  # only real edges
    pairs = [tuple(p) for p in np.sort(np.stack([i, j], axis=1), axis=1)]
    edges = [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)]
    observed = np.array([pairs.count(e) for e in edges])
    expected = 30_000 * np.arange(1, 6) / 15
    assert chisquare(observed, expected).pvalue > 1e-3
    # Both orientations of an edge are equally likely.
    assert abs(np.mean(i < j) - 0.5) < 0.02


def test_sampler_degrees_are_row_sums(tiny_graph):
    sampler = EdgeSampler(tiny_graph)
    np.testing.assert_allclose(sampler.degree.numpy(), [6, 3, 5, 7, 9])


def test_sampling_is_reproducible_with_a_seeded_generator(tiny_graph):
    sampler = EdgeSampler(tiny_graph)
    first = sampler.sample(100, torch.Generator().manual_seed(3))
    second = sampler.sample(100, torch.Generator().manual_seed(3))
    assert all(torch.equal(a, b) for a, b in zip(first, second, strict=True))


def test_empty_graph_raises_a_clear_error():
    with pytest.raises(ValueError, match=r"affinity graph has no edges.*Increase k"):
        EdgeSampler(sp.csr_matrix((5, 5)))


@pytest.mark.parametrize("scale", ["median", "local", 2.0])
def test_batch_affinity_is_a_symmetric_knn_graph(fmnist_small, scale):
    Z = torch.from_numpy(fmnist_small[0][:64])
    W = batch_affinity(Z, 5, scale)
    assert W.shape == (64, 64)
    assert torch.equal(W, W.T)
    assert torch.all(W >= 0) and torch.all(W <= 1)
    assert torch.all(W.diagonal() == 0)
    # Every row keeps at least its own 5 neighbours, at most 5 + the rows that chose it.
    assert torch.all((W > 0).sum(dim=1) >= 5)


def test_weighted_orthonorm_fit_whitens_with_the_weights(fmnist_small):
    X = fmnist_small[0][:500]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = SpectralNetwork(784, (32,), 6)
    weights = np.random.default_rng(0).uniform(0.1, 3.0, size=500)
    fit_orthonorm(net, X, weights=weights, batch_size=128)  # several batches
    with torch.no_grad():
        Y = net(torch.from_numpy(X)).double().numpy()
    G = (Y * weights[:, None]).T @ Y / weights.sum()
    np.testing.assert_allclose(G, np.eye(6), atol=1e-4)


def test_embedding_is_orthonormal_under_the_degree_weights(fitted_fmnist, fmnist_split):
    """What ``fit`` guarantees with ``graph="global"``: Σ_i d_i y_i y_iᵀ / Σ_i d_i = I.

    The last layer is fitted on the whole training set with the node degrees
    d of the kNN graph as weights (``fit_orthonorm``), so the training
    embedding is orthonormal in the degree-weighted inner product, not in the
    plain one. The graph is rebuilt here from the network's fixed first layer:
    it differs from the affinity space only by a global factor, to which the
    median kernel scale is blind.
    """
    model, X = fitted_fmnist, fmnist_split[0]
    with torch.no_grad():
        Z = model.network_.projection(torch.from_numpy(X)).numpy()
    W = gaussian_affinity(*knn_search(Z, model.params_["k"]), scale=model.params_["scale"],
                          symmetrize=model.params_["symmetrize"])
    degree = np.asarray(W.sum(axis=1)).ravel()
    Y = model.embedding_.astype(np.float64)
    G = (Y * degree[:, None]).T @ Y / degree.sum()
    np.testing.assert_allclose(G, np.eye(model.params_["embedding_dim"]), atol=1e-4)
    # The plain Gram matrix is then well conditioned, though not the identity.
    assert np.linalg.cond(Y.T @ Y / len(Y)) < 10


def test_callback_returning_true_stops_training(fmnist_split):
    X = fmnist_split[0][:300]
    calls = []

    def stop_at_two(stage, epoch, logs):
        calls.append((stage, epoch, sorted(logs)))
        return epoch >= 2

    model = SpectralNet(n_clusters=3, hidden=(16,), epochs=50, batch_size=64, random_state=0)
    model.fit(X, callbacks=[stop_at_two])
    assert calls == [("spectralnet", e, ["epoch", "loss", "lr", "seconds"]) for e in (1, 2)]
    assert len(model.history_["spectralnet"]) == 2
    assert model.history_["stop_reason"] == "stopped by callback at epoch 2"
    assert model.predict(X[:10]).shape == (10,)  # still a fitted model


def test_completed_training_says_so(fitted_fmnist):
    history = fitted_fmnist.history_
    assert history["stop_reason"] == "completed"
    assert [h["epoch"] for h in history["spectralnet"]] == list(range(1, 6))
    assert all(np.isfinite(h["loss"]) and h["loss"] >= 0 for h in history["spectralnet"])
