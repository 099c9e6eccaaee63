"""A Siamese network trained on nearest-neighbour pairs: a learned affinity space.

Shaham et al. (2018, Sec. 3.3) learn the distance the affinity is computed in
with a Siamese network: pairs of nearest neighbours are "similar", random pairs
"dissimilar", and a contrastive loss pulls the first together and pushes the
second at least ``margin`` apart. The kNN graph is then rebuilt on its outputs.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from ._batching import apply_in_batches, gather_rows
from .networks import mlp

__all__ = ["SiameseNet", "fit_siamese"]

logger = logging.getLogger(__name__)


class SiameseNet(nn.Module):
    """Shared branch d -> hidden -> out_dim of a Siamese pair."""

    def __init__(self, in_dim: int, hidden: Sequence[int], out_dim: int):
        super().__init__()
        self.branch = mlp(in_dim, hidden, out_dim)
        self.history_: list[dict] = []
        self.device = "cpu"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.branch(x)

    def embed(self, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Outputs for ``X`` (n, d) as float32 (n, out_dim), computed in batches."""
        return apply_in_batches(self.branch, X, batch_size=batch_size, device=self.device)


def fit_siamese(
    X: np.ndarray,
    neighbors: np.ndarray,
    *,
    out_dim: int = 10,
    hidden: Sequence[int] = (256, 256),
    n_positive: int = 2,
    margin: float = 1.0,
    epochs: int = 10,
    batch_size: int = 512,
    lr: float = 1e-3,
    random_state: int | None = None,
    device: str | torch.device = "cpu",
    verbose: int = 0,
) -> SiameseNet:
    """Train a :class:`SiameseNet` with a contrastive loss on kNN pairs.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    neighbors : ndarray of shape (n_samples, k), int
        Nearest neighbours of each row (from ``affinity.knn_search``); the first
        ``n_positive`` of each row form the similar pairs.
    out_dim : int, default=10
    hidden : sequence of int, default=(256, 256)
    n_positive : int, default=2
        Neighbours per point taken as similar (the paper uses 2).
    margin : float, default=1.0
        Dissimilar pairs closer than this are penalised.
    epochs, batch_size, lr, random_state, device, verbose
        As in :func:`~spectralbench.model.autoencoder.fit_autoencoder`; one epoch
        visits every similar pair once, each with one random dissimilar pair.

    Returns
    -------
    SiameseNet
        Trained, in eval mode, with ``history_`` (per-epoch mean loss).
    """
    n = X.shape[0]
    n_positive = max(1, min(n_positive, neighbors.shape[1]))
    anchors = np.repeat(np.arange(n), n_positive)
    partners = neighbors[:, :n_positive].ravel()
    seed = int(np.random.default_rng(random_state).integers(2**63 - 1))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SiameseNet(X.shape[1], hidden, out_dim).to(device)
    model.device = device
    generator = torch.Generator().manual_seed(seed + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    half = max(1, batch_size // 2)
    steps = max(1, math.ceil(len(anchors) / half))
    model.train()
    for epoch in tqdm(range(1, epochs + 1), desc="siamese", unit="epoch",
                      disable=verbose < 1, leave=False):
        order = torch.randperm(len(anchors), generator=generator).numpy()
        total = 0.0
        for step in range(steps):
            pick = order[step * half:(step + 1) * half]
            left = np.concatenate([anchors[pick], anchors[pick]])
            right = np.concatenate(
                [partners[pick], torch.randint(n, (len(pick),), generator=generator).numpy()]
            )
            similar = torch.cat([torch.ones(len(pick)), torch.zeros(len(pick))]).to(device)
            distance = (model(gather_rows(X, left, device))
                        - model(gather_rows(X, right, device))).norm(dim=1)
            loss = (similar * distance.pow(2)
                    + (1 - similar) * torch.clamp(margin - distance, min=0).pow(2)).mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
        model.history_.append({"epoch": epoch, "loss": total / steps})
        if verbose >= 2:
            logger.info("siamese epoch %d/%d loss %.5f", epoch, epochs, total / steps)
    model.eval()
    return model
