"""Data-parallel training on two real processes (Gloo): the same maths as one process.

The two ranks are started once for the whole module by ``torchrun
--standalone`` on this very file (see ``_worker_main`` at the bottom); each
writes what it computed to files, and the tests compare those with the
single-process computation done here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.distributed as dist

from spectralbench import SpectralNet
from spectralbench.evaluation import cluster_accuracy
from spectralbench.model.affinity import gaussian_affinity, knn_search
from spectralbench.model.distributed import global_gram, init_from_env, world
from spectralbench.model.networks import SpectralNetwork
from spectralbench.model.orthonorm import gram_orthonorm_matrix
from spectralbench.model.trainer import train_spectral_network

WORLD_SIZE = 2
#: Rows of each rank in the Gram test: unequal on purpose.
GRAM_ROWS = (5, 7)
#: Settings of the end-to-end fit on real images. With lr=1e-2 the ACC of
#: one-process fits of these rows varied by 0.02 over seeds (0.533 to 0.556);
#: the two-process fit draws other batches, like another seed would.
FIT_ROWS = 1500
FIT_PARAMS = {"n_clusters": 10, "hidden": (64,), "epochs": 60, "batch_size": 256, "lr": 1e-2,
              "random_state": 0}
LAUNCH_TIMEOUT_S = 240

pytestmark = pytest.mark.skipif(
    not (dist.is_available() and dist.is_gloo_available()),
    reason="torch.distributed with the Gloo backend is not available in this torch build",
)


def _gram_inputs(rank: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Rows Y_r (GRAM_ROWS[rank], 4) and a target T_r of the same shape, float64."""
    generator = torch.Generator().manual_seed(100 + rank)
    Y = torch.randn(GRAM_ROWS[rank], 4, generator=generator, dtype=torch.float64)
    Y *= torch.tensor([1.0, 3.0, 0.5, 2.0], dtype=torch.float64)  # badly scaled columns
    T = torch.randn(GRAM_ROWS[rank], 4, generator=generator, dtype=torch.float64)
    return Y, T


def _step_inputs() -> tuple[SpectralNetwork, np.ndarray, torch.Tensor, torch.Tensor]:
    """A small network, 64 rows of 20 features and 32 fixed edges between them."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        net = SpectralNetwork(20, (16,), 4)
    generator = torch.Generator().manual_seed(1)
    X = torch.randn(64, 20, generator=generator).numpy()
    i, j = torch.randint(0, 64, (2, 32), generator=generator)
    return net, X, i, j


class _FixedEdges:
    """Stands in for ``EdgeSampler``: rank r gets the r-th slice of a fixed edge list."""

    def __init__(self, i: torch.Tensor, j: torch.Tensor):
        self.i, self.j = i, j

    def sample(self, n_edges: int, generator: torch.Generator):
        start = world()[0] * n_edges
        return self.i[start:start + n_edges], self.j[start:start + n_edges]


def _one_step(orthonorm: str) -> tuple[SpectralNetwork, list[dict]]:
    """One training step on the fixed edges: 64 rows (32 edges) split over the ranks."""
    net, X, i, j = _step_inputs()
    history, _ = train_spectral_network(
        net, X, graph="global", sampler=_FixedEdges(i, j), Z=None, k=5, scale="local",
        epochs=1, batch_size=64, lr=1e-2, orthonorm=orthonorm,
        generator=torch.Generator().manual_seed(2),
    )
    return net, history


def _grads(net: SpectralNetwork) -> dict[str, np.ndarray]:
    return {name: p.grad.numpy().copy() for name, p in net.body.named_parameters()}


def _state(net: SpectralNetwork) -> dict[str, np.ndarray]:
    return {name: t.detach().numpy().copy() for name, t in net.state_dict().items()}


@pytest.fixture(scope="module")
def two_ranks(tmp_path_factory, fmnist_small) -> Path:
    """Run ``_worker_main`` on 2 Gloo ranks with torchrun; return the folder of results."""
    out = tmp_path_factory.mktemp("two_ranks")
    np.save(out / "X.npy", fmnist_small[0][:FIT_ROWS])  # read back as a memmap
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", str(WORLD_SIZE), __file__, str(out)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True,
                              timeout=LAUNCH_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the {WORLD_SIZE} ranks did not finish within {LAUNCH_TIMEOUT_S} s")
    if done.returncode != 0:
        pytest.fail(f"torchrun failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-6000:]}")
    return out


def _load(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as f:
        return dict(f)


def test_one_process_without_a_group():
    assert world() == (0, 1)
    assert not dist.is_initialized()


def test_init_from_env_does_nothing_outside_torchrun(monkeypatch):
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert init_from_env() == (0, 1)
    assert not dist.is_initialized()


def test_global_gram_without_a_group_is_the_local_gram():
    Y, _ = _gram_inputs(0)
    G, m = global_gram(Y)
    assert m == GRAM_ROWS[0]
    torch.testing.assert_close(G, Y.T @ Y, rtol=0, atol=0)


def test_global_gram_and_its_gradient_match_the_concatenated_rows(two_ranks):
    """Σ_r Y_rᵀY_r on 2 ranks is the Gram of the concatenated rows, and the
    gradient of Σ_r loss_r through it (backward sums over ranks) is the
    single-process gradient, rank by rank."""
    inputs = [_gram_inputs(rank) for rank in range(WORLD_SIZE)]
    Y = torch.cat([Y_r for Y_r, _ in inputs]).requires_grad_(True)
    G = Y.T @ Y
    A = gram_orthonorm_matrix(G / len(Y))
    parts = Y.split(GRAM_ROWS)
    sum(((Y_r @ A) * T_r).sum() for Y_r, (_, T_r) in zip(parts, inputs, strict=True)).backward()
    for rank, grad in enumerate(Y.grad.split(GRAM_ROWS)):
        result = _load(two_ranks / f"gram.rank{rank}.npz")
        assert int(result["m"]) == sum(GRAM_ROWS)
        np.testing.assert_allclose(result["G"], G.detach().numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(result["grad"], grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("orthonorm", ["whiten", "alternate"])
def test_ddp_step_on_half_batches_equals_one_step_on_the_whole_batch(two_ranks, orthonorm):
    net, history = _one_step(orthonorm)
    expected_grads, expected_state = _grads(net), _state(net)
    # Relative to the largest gradient: some (the output bias's) are 0 up to rounding.
    scale = max(np.abs(grad).max() for grad in expected_grads.values())
    for rank in range(WORLD_SIZE):
        result = _load(two_ranks / f"step_{orthonorm}.rank{rank}.npz")
        for name, grad in expected_grads.items():
            np.testing.assert_allclose(result[f"grad.{name}"], grad, rtol=0, atol=1e-5 * scale)
        for name, value in expected_state.items():
            # Adam's first step is lr·g/(|g| + 1e-8): on a gradient that is zero up
            # to rounding it turns rounding into a step of up to lr, so skip those.
            grad = expected_grads.get(name.removeprefix("body."))
            solid = slice(None) if grad is None else np.abs(grad) > 1e-4 * scale
            np.testing.assert_allclose(result[f"state.{name}"][solid], value[solid], rtol=0,
                                       atol=1e-5)
        np.testing.assert_allclose(result["loss"], history[0]["loss"], rtol=1e-5)


def test_batch_graph_training_keeps_ranks_identical_and_a_stop_on_one_rank_stops_all(two_ranks):
    ranks = [_load(two_ranks / f"batch.rank{rank}.npz") for rank in range(WORLD_SIZE)]
    for name in (k for k in ranks[0] if k.startswith("state.")):
        np.testing.assert_array_equal(ranks[0][name], ranks[1][name])
    for result in ranks:  # only rank 1's callback asked to stop, at epoch 1
        assert list(result["epochs"]) == [1]
        assert str(result["stop_reason"]) == "stopped by callback at epoch 1"


def test_fit_refuses_different_data_on_the_ranks(two_ranks):
    for rank in range(WORLD_SIZE):
        message = str(_load(two_ranks / f"fit.rank{rank}.npz")["bad_data_error"])
        assert "X differs between the 2 distributed ranks" in message


def test_two_process_fit_matches_one_process_fit(two_ranks, fmnist_small):
    X, y = fmnist_small[0][:FIT_ROWS], fmnist_small[1][:FIT_ROWS]
    ranks = [_load(two_ranks / f"fit.rank{rank}.npz") for rank in range(WORLD_SIZE)]
    for name in (k for k in ranks[0] if k.startswith("state.")):
        np.testing.assert_array_equal(ranks[0][name], ranks[1][name])
    np.testing.assert_array_equal(ranks[0]["labels"], ranks[1]["labels"])
    assert int(ranks[0]["world_size"]) == WORLD_SIZE

    # Orthonormal under the degree weights of the kNN graph, as a one-process fit.
    fitted = SpectralNet.load(two_ranks / "model.pt")
    with torch.no_grad():
        Z = fitted.network_.projection(torch.from_numpy(X)).numpy()
    params = fitted.params_
    W = gaussian_affinity(*knn_search(Z, params["k"]), scale=params["scale"],
                          symmetrize=params["symmetrize"])
    degree = np.asarray(W.sum(axis=1)).ravel()
    Y = ranks[0]["embedding"].astype(np.float64)
    G = (Y * degree[:, None]).T @ Y / degree.sum()
    np.testing.assert_allclose(G, np.eye(params["embedding_dim"]), atol=1e-4)
    np.testing.assert_array_equal(fitted.predict(X), ranks[0]["labels"])

    single = SpectralNet(**FIT_PARAMS).fit(X)
    assert single.history_["world_size"] == 1
    accuracy = cluster_accuracy(y, ranks[0]["labels"])
    assert accuracy >= cluster_accuracy(y, single.labels_) - 0.05
    assert accuracy > 0.4  # chance is 0.1


def _worker_main(out: Path) -> None:
    """What each rank runs under torchrun: the distributed half of every test above."""
    torch.set_num_threads(1)
    warnings.filterwarnings("error", category=FutureWarning, module="spectralbench")
    rank, world_size = init_from_env()
    if (rank, world_size) != (int(os.environ["RANK"]), WORLD_SIZE) or init_from_env() != (
            rank, world_size):
        raise RuntimeError(f"init_from_env gave {(rank, world_size)} on rank {os.environ['RANK']}")
    try:
        Y, T = _gram_inputs(rank)
        Y.requires_grad_(True)
        G, m = global_gram(Y)
        ((Y @ gram_orthonorm_matrix(G / m)) * T).sum().backward()
        np.savez(out / f"gram.rank{rank}.npz", G=G.detach().numpy(), m=m, grad=Y.grad.numpy())

        for orthonorm in ("whiten", "alternate"):
            net, history = _one_step(orthonorm)
            np.savez(out / f"step_{orthonorm}.rank{rank}.npz", loss=history[0]["loss"],
                     **{f"grad.{k}": v for k, v in _grads(net).items()},
                     **{f"state.{k}": v for k, v in _state(net).items()})

        net, X, _, _ = _step_inputs()
        history, stop_reason = train_spectral_network(
            net, X, graph="batch", sampler=None, Z=X, k=5, scale="local", epochs=3,
            batch_size=32, lr=1e-2, orthonorm="alternate",
            generator=torch.Generator().manual_seed(3),
            callbacks=[lambda stage, epoch, logs: rank == 1],
        )
        np.savez(out / f"batch.rank{rank}.npz", epochs=[h["epoch"] for h in history],
                 stop_reason=stop_reason, **{f"state.{k}": v for k, v in _state(net).items()})

        X = np.load(out / "X.npy", mmap_mode="r")
        bad = np.array(X)
        bad[0, 300] += rank  # row 0 is among the rows fit compares
        try:
            SpectralNet(**FIT_PARAMS).fit(bad)
            bad_data_error = ""
        except ValueError as exc:
            bad_data_error = str(exc)
        model = SpectralNet(**FIT_PARAMS).fit(X)
        if rank == 0:
            model.save(out / "model.pt")
        np.savez(out / f"fit.rank{rank}.npz", embedding=model.embedding_, labels=model.labels_,
                 world_size=model.history_["world_size"], bad_data_error=bad_data_error,
                 **{f"state.{k}": v for k, v in _state(model.network_).items()})
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    _worker_main(Path(sys.argv[1]))
