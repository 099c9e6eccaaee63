"""The orthonormalisation layer: SpectralNet's last layer makes the outputs orthonormal.

Given raw outputs Ỹ (m x H) on an orthogonalisation batch, the layer factors
ỸᵀỸ/m = L Lᵀ (Cholesky) and multiplies by A = L⁻ᵀ, so Y = Ỹ A satisfies
YᵀY/m = I (Shaham et al., ICLR 2018, Sec. 3.1; the paper writes √m Ỹ L⁻ᵀ with
ỸᵀỸ = L Lᵀ, which is the same). A is a registered buffer, so it is saved with the
weights and used unchanged at prediction time.

Rank-deficient batches (duplicate rows, fewer rows than H, collapsed outputs)
make plain Cholesky fail — the reference implementation's most reported crash.
Here the Gram matrix gets a small relative jitter, raised until the
factorisation succeeds, and if it never does an eigendecomposition with clamped
eigenvalues takes over. The result is then orthonormal on the non-degenerate
directions and finite everywhere.
"""

from __future__ import annotations

import logging
import warnings

import torch
from torch import nn

__all__ = ["Orthonorm", "RankDeficiencyWarning", "gram_orthonorm_matrix", "orthonorm_matrix"]

logger = logging.getLogger(__name__)

_JITTERS = (1e-7, 1e-5, 1e-3)


class RankDeficiencyWarning(UserWarning):
    """The orthogonalisation batch cannot span the embedding dimension."""


def orthonorm_matrix(Y: torch.Tensor) -> torch.Tensor:
    """Return A of shape (H, H) such that (Y A)ᵀ (Y A) / m = I.

    Differentiable (autograd passes through the Cholesky factor), robust to
    rank-deficient Y.

    Parameters
    ----------
    Y : Tensor of shape (m, H)
        Raw network outputs on one batch.

    Returns
    -------
    Tensor of shape (H, H), same dtype as Y
    """
    Y64 = Y.double()
    return gram_orthonorm_matrix(Y64.T @ Y64 / Y.shape[0]).to(Y.dtype)


def gram_orthonorm_matrix(gram: torch.Tensor) -> torch.Tensor:
    """Return A with Aᵀ G A = I for a symmetric positive semi-definite G (H, H).

    A = L⁻ᵀ from G + εI = L Lᵀ, with ε a tiny multiple of trace(G)/H raised
    until Cholesky succeeds; if it never does, the eigendecomposition of G with
    eigenvalues clamped from below.
    """
    H = gram.shape[0]
    eye = torch.eye(H, dtype=gram.dtype, device=gram.device)
    level = torch.clamp(torch.trace(gram).detach() / H, min=1e-12)
    for jitter in _JITTERS:
        L, info = torch.linalg.cholesky_ex(gram + jitter * level * eye)
        if int(info) == 0:
            return torch.linalg.solve_triangular(L, eye, upper=False).T
    logger.debug("Cholesky failed even with jitter; using a clamped eigendecomposition")
    values, vectors = torch.linalg.eigh(gram)
    values = torch.clamp(values, min=float(_JITTERS[-1] * level))
    return vectors / torch.sqrt(values)[None, :]


class Orthonorm(nn.Module):
    """Linear last layer y = x A with A kept as a buffer (saved, not trained).

    Parameters
    ----------
    dim : int
        Embedding dimension H.
    """

    def __init__(self, dim: int):
        super().__init__()
        self.register_buffer("weight", torch.eye(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight

    @torch.no_grad()
    def update(self, Y_raw: torch.Tensor) -> None:
        """Orthogonalisation step: set A from raw outputs Y_raw (m, H) of one batch."""
        Y64 = Y_raw.double()
        self.update_from_gram(Y64.T @ Y64, Y_raw.shape[0], stacklevel=4)

    @torch.no_grad()
    def update_from_gram(self, gram: torch.Tensor, m: int, *, stacklevel: int = 3) -> None:
        """Set A from the unnormalised Gram matrix ỸᵀỸ (H, H) of m rows.

        The same as :meth:`update` on those rows; the Gram matrix may be summed
        over several processes' batches (distributed training).
        """
        H = gram.shape[0]
        if m < H:
            warnings.warn(
                f"The orthogonalisation batch has {m} rows but the embedding dimension is {H}: "
                "outputs cannot be orthonormal in every direction. Use batch_size >= "
                "embedding_dim (ideally much larger).",
                RankDeficiencyWarning,
                stacklevel=stacklevel,
            )
        self.weight.copy_(gram_orthonorm_matrix(gram / m))
