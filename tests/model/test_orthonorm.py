"""The orthonorm layer: outputs orthonormal on a batch, robust to rank-deficient batches."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from spectralbench.model.networks import SpectralNetwork
from spectralbench.model.orthonorm import (
    Orthonorm,
    RankDeficiencyWarning,
    gram_orthonorm_matrix,
    orthonorm_matrix,
)


def _gram(Y: torch.Tensor) -> torch.Tensor:
    Y = Y.double()
    return Y.T @ Y / Y.shape[0]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_full_rank_batch_becomes_orthonormal(dtype):
    generator = torch.Generator().manual_seed(0)
    # Correlated, badly scaled columns: a plain normalisation would not do.
    Y = torch.randn(256, 6, generator=generator, dtype=dtype) @ torch.randn(
        6, 6, generator=generator, dtype=dtype
    ) * 50
    A = orthonorm_matrix(Y)
    assert A.shape == (6, 6) and A.dtype == dtype
    np.testing.assert_allclose(_gram(Y @ A).numpy(), np.eye(6), atol=1e-4)


def test_result_does_not_depend_on_output_scale():
    Y = torch.randn(128, 4, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    np.testing.assert_allclose(
        (Y @ orthonorm_matrix(Y)).numpy(), (1e-3 * Y @ orthonorm_matrix(1e-3 * Y)).numpy(),
        atol=1e-6,
    )


def test_gram_version_whitens_any_spd_matrix():
    B = torch.randn(5, 5, generator=torch.Generator().manual_seed(2), dtype=torch.float64)
    G = B @ B.T + 0.1 * torch.eye(5, dtype=torch.float64)
    A = gram_orthonorm_matrix(G)
    # Not exact: the first Cholesky try already adds a 1e-7 · trace/H jitter.
    np.testing.assert_allclose((A.T @ G @ A).numpy(), np.eye(5), atol=1e-5)


def _rank_deficient_batches() -> dict[str, torch.Tensor]:
    generator = torch.Generator().manual_seed(3)
    base = torch.randn(4, 8, generator=generator)
    zero_column = torch.randn(64, 8, generator=generator)
    zero_column[:, 5] = 0
    return {
        "duplicated rows": base.repeat(16, 1),  # 64 rows, rank 4 < H = 8
        "fewer rows than H": torch.randn(3, 8, generator=generator),
        "all rows equal": torch.ones(64, 8) * 0.7,
        "all zero": torch.zeros(64, 8),
        "zero column": zero_column,
        "one row": torch.randn(1, 8, generator=generator),
    }


@pytest.mark.parametrize("case", list(_rank_deficient_batches()))
def test_rank_deficient_batches_never_raise(case):
    Y = _rank_deficient_batches()[case]
    A = orthonorm_matrix(Y)
    assert A.shape == (8, 8)
    assert torch.isfinite(A).all()
    assert torch.isfinite(Y @ A).all()


def test_zero_column_leaves_the_other_directions_orthonormal():
    Y = _rank_deficient_batches()["zero column"]
    G = _gram(Y @ orthonorm_matrix(Y)).numpy()
    keep = [c for c in range(8) if c != 5]
    np.testing.assert_allclose(G[np.ix_(keep, keep)], np.eye(7), atol=1e-3)
    assert np.all(G[5] == 0)


def test_small_batch_warns_with_a_fix():
    layer = Orthonorm(8)
    with pytest.warns(RankDeficiencyWarning, match=r"has 3 rows but the embedding dimension is 8"):
        layer.update(torch.randn(3, 8, generator=torch.Generator().manual_seed(4)))
    assert torch.isfinite(layer.weight).all()


def test_update_sets_the_buffer_and_it_is_saved():
    layer = Orthonorm(4)
    Y = torch.randn(100, 4, generator=torch.Generator().manual_seed(5)) * 3 + 1
    layer.update(Y)
    np.testing.assert_allclose(_gram(layer(Y)).numpy(), np.eye(4), atol=1e-4)
    assert "weight" in layer.state_dict()
    assert not any(p.requires_grad for p in layer.parameters())


@pytest.mark.parametrize("case", ["full rank", "duplicated rows", "zero column"])
def test_gradient_flows_through_the_orthonorm_matrix(case):
    generator = torch.Generator().manual_seed(6)
    if case == "full rank":
        Y0 = torch.randn(64, 8, generator=generator)
    else:
        Y0 = _rank_deficient_batches()[case]
    Y = Y0.clone().requires_grad_(True)
    out = Y @ orthonorm_matrix(Y)
    target = torch.randn(64, 8, generator=generator)
    (out * target).sum().backward()
    assert Y.grad is not None
    assert torch.isfinite(Y.grad).all()
    assert Y.grad.abs().sum() > 0


def test_network_output_on_a_batch_is_orthonormal_after_update():
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(7)
        net = SpectralNetwork(20, (32,), 5)
    x = torch.randn(200, 20, generator=torch.Generator().manual_seed(8))
    net.orthonorm.update(net.raw(x).detach())
    with torch.no_grad():
        np.testing.assert_allclose(_gram(net(x)).numpy(), np.eye(5), atol=1e-4)
