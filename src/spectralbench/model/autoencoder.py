"""A fully connected autoencoder whose codes can serve as SpectralNet's affinity space.

Pretraining an autoencoder and building the kNN graph on its codes is one of the
affinity spaces of the SpectralNet paper (Shaham et al., 2018, Sec. 4); it is
also the first stage of the N2D baseline.
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

__all__ = ["Autoencoder", "fit_autoencoder"]

logger = logging.getLogger(__name__)


class Autoencoder(nn.Module):
    """Encoder d -> hidden -> code and a mirrored decoder.

    Parameters
    ----------
    in_dim : int
    hidden : sequence of int
        Encoder widths; the decoder uses them reversed.
    code_dim : int
    """

    def __init__(self, in_dim: int, hidden: Sequence[int], code_dim: int):
        super().__init__()
        self.encoder = mlp(in_dim, hidden, code_dim)
        self.decoder = mlp(code_dim, tuple(reversed(hidden)), in_dim)
        self.history_: list[dict] = []
        self.device = "cpu"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def encode(self, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Codes of ``X`` (n, d) as float32 (n, code_dim), computed in batches."""
        return apply_in_batches(self.encoder, X, batch_size=batch_size, device=self.device)


def fit_autoencoder(
    X: np.ndarray,
    *,
    code_dim: int = 10,
    hidden: Sequence[int] = (500, 500, 2000),
    epochs: int = 10,
    batch_size: int = 256,
    lr: float = 1e-3,
    random_state: int | None = None,
    device: str | torch.device = "cpu",
    verbose: int = 0,
) -> Autoencoder:
    """Train an :class:`Autoencoder` on ``X`` with mean squared reconstruction error.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training rows (a memmap works: batches are gathered row by row).
    code_dim : int, default=10
    hidden : sequence of int, default=(500, 500, 2000)
        Encoder widths (the DEC/N2D architecture); costs grow with their products.
    epochs : int, default=10
    batch_size : int, default=256
    lr : float, default=1e-3
        Adam learning rate.
    random_state : int, optional
        Seeds weight initialisation and batch order without touching global RNGs.
    device : str or torch.device, default="cpu"
    verbose : int, default=0
        0 silent, 1 progress bar, 2 also a log line per epoch.

    Returns
    -------
    Autoencoder
        Trained, in eval mode, with ``history_`` (per-epoch mean loss).
    """
    seed = np.random.default_rng(random_state).integers(2**63 - 1)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(seed))
        model = Autoencoder(X.shape[1], hidden, code_dim).to(device)
    model.device = device
    generator = torch.Generator().manual_seed(int(seed) + 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    n = X.shape[0]
    steps = max(1, math.ceil(n / batch_size))
    model.train()
    for epoch in tqdm(range(1, epochs + 1), desc="autoencoder", unit="epoch",
                      disable=verbose < 1, leave=False):
        order = torch.randperm(n, generator=generator)
        total = 0.0
        for step in range(steps):
            xb = gather_rows(X, order[step * batch_size:(step + 1) * batch_size], device)
            loss = nn.functional.mse_loss(model(xb), xb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
        model.history_.append({"epoch": epoch, "loss": total / steps})
        if verbose >= 2:
            logger.info("autoencoder epoch %d/%d loss %.5f", epoch, epochs, total / steps)
    model.eval()
    return model
