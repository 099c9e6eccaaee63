"""Training SpectralNet's network: alternate orthogonalisation and gradient steps.

Two ways to get the affinities a batch needs (``graph``):

``"global"`` (default)
    One sparse kNN affinity W for the whole training set is built once. A batch
    is a set of edges drawn with probability ∝ W_ij; its rows are both
    endpoints. The mean of ½‖y_i − y_j‖² over sampled edges is an unbiased
    estimate of tr(Yᵀ L Y)/vol(W), and the endpoints of W-sampled edges are
    distributed ∝ degree, so whitening them makes E_d[y yᵀ] = I. The network
    therefore converges to the leading eigenvectors of the random-walk
    Laplacian D⁻¹L, whose row-normalised form is the classical Ng–Jordan–Weiss
    spectral embedding. Every batch carries real neighbours whatever its size.
``"batch"``
    The original recipe (Shaham et al., 2018, Alg. 1): each gradient batch of m
    random rows gets its own kNN Gaussian affinity computed inside the batch;
    loss Σ_ij W_ij ‖y_i − y_j‖² / m². With small batches most true neighbours
    are absent from the batch, which is why it needs large batches.

Orthogonalisation (``orthonorm``):

``"alternate"``
    As in the paper: an orthogonalisation step sets the last layer from a batch
    (no gradient), then a gradient step trains the other layers with it fixed.
``"whiten"``
    The orthonorm matrix is recomputed on each gradient batch with autograd
    through the Cholesky factor, so the loss is the trace of the batch's
    generalised Rayleigh quotient and cannot be lowered by shrinking outputs.

Data-parallel training (a torch.distributed process group, e.g. ``torchrun``;
see :mod:`spectralbench.model.distributed`): ``batch_size`` stays the global
batch. Each of the W ranks draws batch_size/W rows (``"global"``:
batch_size/(2W) edges) from its own random stream, the trained layers are
wrapped in ``DistributedDataParallel``, and the orthonorm matrix comes from the
Gram matrix summed over all ranks' rows, so with ``"whiten"`` a step is,
up to floating-point rounding, the single-process step on the concatenated
batch. With ``"batch"`` each rank's affinity only links rows of its own
batch_size/W rows: pairs split between ranks are never seen, as in W
independent batches of that size. The epoch loss is averaged over ranks, so
learning-rate and stopping decisions agree everywhere; ``fit_orthonorm`` sums
the Gram matrix over row shards of the ranks.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
import torch
from tqdm.auto import tqdm

from ._batching import gather_rows
from .distributed import (
    all_reduce_mean,
    all_reduce_sum_,
    any_rank,
    global_gram,
    rank_generator,
    world,
    wrap,
)
from .networks import SpectralNetwork
from .orthonorm import gram_orthonorm_matrix

__all__ = ["EdgeSampler", "batch_affinity", "fit_orthonorm", "train_spectral_network"]

logger = logging.getLogger(__name__)

Callback = Callable[[str, int, dict], bool]
#: Training ends once plateaus have halved the learning rate this many times.
MAX_LR_HALVINGS = 5


class EdgeSampler:
    """Draw edges (i, j) of a symmetric sparse W with probability ∝ W_ij.

    Parameters
    ----------
    W : scipy.sparse matrix of shape (n, n)
        Symmetric, non-negative affinity.
    """

    def __init__(self, W: sp.spmatrix):
        coo = sp.triu(W, k=1).tocoo()
        if coo.nnz == 0:
            raise ValueError(
                "The affinity graph has no edges: every point is isolated. Increase k or "
                "use symmetrize='mean'."
            )
        self.rows = torch.from_numpy(coo.row.astype(np.int64))
        self.cols = torch.from_numpy(coo.col.astype(np.int64))
        cdf = np.cumsum(coo.data, dtype=np.float64)
        self.cdf = torch.from_numpy(cdf / cdf[-1])
        degree = np.asarray(W.sum(axis=1)).ravel()
        self.degree = torch.from_numpy(degree)

    def sample(self, n_edges: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Return endpoint index tensors (n_edges,), (n_edges,); each edge in random order."""
        u = torch.rand(n_edges, generator=generator, dtype=torch.float64)
        edge = torch.searchsorted(self.cdf, u).clamp_(max=len(self.cdf) - 1)
        i, j = self.rows[edge], self.cols[edge]
        flip = torch.rand(n_edges, generator=generator) < 0.5
        return torch.where(flip, j, i), torch.where(flip, i, j)


def batch_affinity(Z: torch.Tensor, k: int, scale: float | str) -> torch.Tensor:
    """Gaussian kNN affinity inside one batch, dense (m, m), symmetric, zero diagonal.

    The original SpectralNet's per-batch graph. ``scale`` is a float σ,
    ``"median"`` (median k-th neighbour distance in the batch) or ``"local"``.
    """
    m = Z.shape[0]
    k = min(k, m - 1)
    d2 = torch.cdist(Z, Z).pow_(2)
    d2.fill_diagonal_(float("inf"))
    knn_d2, knn_idx = torch.topk(d2, k, dim=1, largest=False)
    if scale == "local":
        sigma = knn_d2[:, -1].clamp_min(1e-12).sqrt()
        weights = torch.exp(-knn_d2 / (sigma[:, None] * sigma[knn_idx]))
    else:
        sigma = knn_d2[:, -1].median().sqrt().clamp_min(1e-12) if scale == "median" else scale
        weights = torch.exp(-knn_d2 / (2.0 * sigma**2))
    W = torch.zeros(m, m, dtype=Z.dtype, device=Z.device)
    W.scatter_(1, knn_idx, weights)
    return (W + W.T) / 2


@torch.no_grad()
def fit_orthonorm(
    net: SpectralNetwork,
    X: np.ndarray,
    *,
    weights: np.ndarray | None = None,
    batch_size: int = 4096,
    device: torch.device | str = "cpu",
) -> None:
    """Set the orthonorm layer from the whole training set (weighted Gram matrix).

    ``X`` holds rows already passed through ``net.projection`` (the fixed first
    layer), so only the trained body runs. One pass over ``X`` in batches;
    memory O(batch_size · d + H²). With
    ``weights`` (e.g. node degrees) the outputs satisfy Σ w_i y_i y_iᵀ / Σ w_i = I.
    When distributed, rank r passes over the r-th of W equal row shards and the
    weighted Gram matrix and total weight are summed over ranks, so every rank
    sets the same layer.
    """
    H = net.orthonorm.weight.shape[0]
    gram = torch.zeros(H, H, dtype=torch.float64)
    total = 0.0
    was_training = net.training
    net.eval()
    rank, world_size = world()
    first, end = rank * X.shape[0] // world_size, (rank + 1) * X.shape[0] // world_size
    for start in range(first, end, batch_size):
        stop = min(start + batch_size, end)
        xb = torch.as_tensor(np.asarray(X[start:stop], dtype=np.float32))
        Y = net.body(xb.to(device)).double().cpu()
        w = (torch.ones(len(Y), dtype=torch.float64) if weights is None
             else torch.as_tensor(weights[start:stop], dtype=torch.float64))
        gram += (Y * w[:, None]).T @ Y
        total += float(w.sum())
    net.train(was_training)
    all_reduce_sum_(gram)
    total = float(all_reduce_sum_(torch.tensor([total], dtype=torch.float64))[0])
    A = gram_orthonorm_matrix(gram / max(total, 1e-300))
    net.orthonorm.weight.copy_(A.to(net.orthonorm.weight.dtype))


def train_spectral_network(
    net: SpectralNetwork,
    X: np.ndarray,
    *,
    graph: str,
    sampler: EdgeSampler | None,
    Z: np.ndarray | None,
    k: int,
    scale: float | str,
    epochs: int,
    batch_size: int,
    lr: float,
    orthonorm: str,
    generator: torch.Generator,
    device: torch.device | str = "cpu",
    callbacks: Sequence[Callback] = (),
    verbose: int = 0,
) -> tuple[list[dict], str]:
    """Train ``net`` in place; return (per-epoch history, why training ended).

    Parameters
    ----------
    net : SpectralNetwork
    X : ndarray of shape (n, p)
        Training rows already passed through ``net.projection`` (the fixed
        first layer is not trained, so it is applied once, not every step).
    graph : {"global", "batch"}
        See the module docstring.
    sampler : EdgeSampler or None
        Edge sampler of the global graph (``graph="global"``).
    Z : ndarray of shape (n, p) or None
        Affinity space rows for per-batch graphs (``graph="batch"``).
    k, scale
        Neighbours and kernel scale of per-batch graphs.
    epochs, batch_size, lr : int, int, float
        One epoch is ceil(n / batch_size) steps; Adam with learning rate ``lr``,
        halved whenever the epoch loss has not improved for 5 epochs; after
        five halvings training stops ("converged"). ``batch_size`` counts the
        rows of all ranks together when distributed (module docstring).
    orthonorm : {"alternate", "whiten"}
        See the module docstring.
    generator : torch.Generator
        The only source of randomness for batches. When distributed, pass it
        seeded alike on every rank: each rank derives its own stream from it.
    callbacks : sequence of callables (stage, epoch, logs) -> bool
        Called after each epoch with stage "spectralnet"; a true return stops
        (on every rank, when distributed: a stop on any rank stops all).
    verbose : int
        0 silent, 1 progress bar, 2 also a log line per epoch (rank 0 only).

    Returns
    -------
    history : list of dict
        One dict per epoch: epoch, loss, lr, seconds.
    stop_reason : str
        "completed", "converged at epoch N: ..." or "stopped by callback at epoch N".
    """
    rank, world_size = world()
    generator = rank_generator(generator)
    body = wrap(net.body, device)  # DDP averages the gradients when distributed
    n = X.shape[0]
    steps = max(1, math.ceil(n / batch_size))
    n_edges = max(2, batch_size // (2 * world_size))  # per rank, graph="global"
    m = max(1, min(batch_size, n) // world_size)  # rows per rank, graph="batch"
    optimizer = torch.optim.Adam(
        [p for p in net.parameters() if p.requires_grad], lr=lr
    )
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=5)
    min_lr = lr * 0.5**MAX_LR_HALVINGS
    history: list[dict] = []
    stop_reason = "completed"
    net.train()
    bar = tqdm(range(1, epochs + 1), desc="SpectralNet", unit="epoch",
               disable=verbose < 1 or rank > 0, leave=False)
    for epoch in bar:
        start, total = time.perf_counter(), 0.0
        for _ in range(steps):
            if graph == "global":
                loss = _global_step(net, body, X, sampler, n_edges, orthonorm, generator, device)
            else:
                loss = _batch_step(net, body, X, Z, k, scale, m, orthonorm, generator, device)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
        logs = {
            "epoch": epoch,
            "loss": all_reduce_mean(total / steps),
            "lr": optimizer.param_groups[0]["lr"],
            "seconds": time.perf_counter() - start,
        }
        scheduler.step(logs["loss"])
        history.append(logs)
        bar.set_postfix(loss=f"{logs['loss']:.4f}")
        if verbose >= 2 and rank == 0:
            logger.info("epoch %d/%d loss %.5f (%.1f s)", epoch, epochs, logs["loss"],
                        logs["seconds"])
        if any_rank(any(callback("spectralnet", epoch, logs) for callback in callbacks)):
            stop_reason = f"stopped by callback at epoch {epoch}"
            break
        if optimizer.param_groups[0]["lr"] < min_lr * 1.0001:
            stop_reason = f"converged at epoch {epoch}: the loss stopped improving"
            break
    bar.close()
    return history, stop_reason


def _orthonorm_matrix(Y_raw: torch.Tensor) -> torch.Tensor:
    """``orthonorm_matrix`` of the rows of every rank's batch (just Y_raw on one process)."""
    gram, m = global_gram(Y_raw)
    return gram_orthonorm_matrix(gram / m).to(Y_raw.dtype)


def _whitened(net: SpectralNetwork, Y_raw: torch.Tensor, orthonorm: str) -> torch.Tensor:
    if orthonorm == "whiten":
        return Y_raw @ _orthonorm_matrix(Y_raw)
    net.orthonorm.update_from_gram(*global_gram(Y_raw.detach()))
    return net.orthonorm(Y_raw)


def _global_step(net, body, X, sampler, n_edges, orthonorm, generator, device) -> torch.Tensor:
    i, j = sampler.sample(n_edges, generator)
    Y = _whitened(net, body(gather_rows(X, torch.cat([i, j]), device)), orthonorm)
    diff = Y[:n_edges] - Y[n_edges:]
    return 0.5 * diff.pow(2).sum(dim=1).mean()


def _batch_step(net, body, X, Z, k, scale, m, orthonorm, generator, device) -> torch.Tensor:
    n = X.shape[0]
    if orthonorm == "alternate":  # the paper's separate orthogonalisation batch
        ortho = torch.randperm(n, generator=generator)[:m]
        with torch.no_grad():
            net.orthonorm.update_from_gram(*global_gram(net.body(gather_rows(X, ortho, device))))
    index = torch.randperm(n, generator=generator)[:m]
    W = batch_affinity(gather_rows(Z, index, device), k, scale)
    Y_raw = body(gather_rows(X, index, device))
    Y = Y_raw @ _orthonorm_matrix(Y_raw) if orthonorm == "whiten" else net.orthonorm(Y_raw)
    sq = torch.cdist(Y, Y).pow(2)
    return (W * sq).sum() / m**2
