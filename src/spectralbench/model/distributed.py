"""The torch.distributed glue for data-parallel SpectralNet training (DDP).

Training is data-parallel when a process group is initialised, e.g. by
``torchrun``: every rank (one process per CPU socket or GPU, on one or many
hosts) holds the same data, draws its share of each batch from its own random
stream, and gradients are averaged by ``DistributedDataParallel``. The only
cross-rank quantity inside a step is the Gram matrix of the batch outputs,
summed over ranks by :func:`global_gram` with autograd passing through the sum,
so a step on W ranks with batch_size/W rows each is the single-process step
on the whole batch. Without a process group every function here is the
single-process no-op (:func:`world` returns (0, 1)).

Backends: the launcher chooses; :func:`init_from_env` takes NCCL when CUDA is
available and Gloo otherwise. Collectives run on the device NCCL needs (the
current CUDA device) and on the tensor's own device otherwise.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

__all__ = [
    "all_reduce_mean",
    "all_reduce_sum_",
    "any_rank",
    "broadcast_ints",
    "global_gram",
    "init_from_env",
    "rank_generator",
    "same_on_all_ranks",
    "world",
    "wrap",
]

logger = logging.getLogger(__name__)


def world() -> tuple[int, int]:
    """Return (rank, world_size); (0, 1) when torch.distributed is not initialised."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def init_from_env(backend: str | None = None) -> tuple[int, int]:
    """Join the process group described by torchrun's environment, once.

    Does nothing (returns (0, 1)) when ``RANK`` and ``WORLD_SIZE`` are not set,
    and nothing new when a group is already initialised (idempotent).

    Parameters
    ----------
    backend : {"nccl", "gloo"} or None, default=None
        None takes NCCL when CUDA is available (and NCCL is built in), else
        Gloo. With NCCL the current CUDA device becomes ``LOCAL_RANK``, so
        ``device="cuda"`` or ``"auto"`` means this rank's own GPU.

    Returns
    -------
    rank, world_size : int, int
    """
    if not dist.is_available() or dist.is_initialized():
        return world()
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return 0, 1
    if backend is None:
        backend = "nccl" if torch.cuda.is_available() and dist.is_nccl_available() else "gloo"
    if backend == "nccl":
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group(backend)
    rank, world_size = world()
    logger.info("joined process group: rank %d of %d (%s)", rank, world_size, backend)
    return rank, world_size


def wrap(module: nn.Module, device: torch.device | str = "cpu") -> nn.Module:
    """``DistributedDataParallel(module)`` when world_size > 1, else ``module`` itself.

    DDP broadcasts rank 0's parameters at construction and averages the
    gradients over ranks in ``backward``. The parameters stay those of
    ``module``, so an optimizer built on them and ``module.state_dict()``
    work unchanged.
    """
    if world()[1] == 1:
        return module
    device = torch.device(device)
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return nn.parallel.DistributedDataParallel(module, device_ids=[index])
    return nn.parallel.DistributedDataParallel(module)


class _AllReduceSum(torch.autograd.Function):
    """Sum over ranks whose backward sums the incoming gradients over ranks.

    What ``torch.distributed.nn.functional.all_reduce`` does, written out:
    that function now warns that it is deprecated (FutureWarning, torch
    2.13), and its successor in ``torch.distributed._functional_collectives``
    is private and has no autograd formula in older releases (it would
    silently drop the cross-rank gradient).
    """

    @staticmethod
    def forward(ctx, tensor: torch.Tensor) -> torch.Tensor:
        total = tensor.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        return _AllReduceSum.apply(grad)  # the same sum, itself differentiable


def global_gram(Y: torch.Tensor) -> tuple[torch.Tensor, int]:
    """Gram matrix of the batch rows of all ranks, differentiable.

    Parameters
    ----------
    Y : Tensor of shape (m_r, H)
        This rank's rows; m_r may differ between ranks.

    Returns
    -------
    G : Tensor of shape (H, H), float64
        Σ_r Y_rᵀ Y_r, identical on every rank. Its backward sums the
        gradients of all ranks, so that with gradients averaged by DDP the
        update is the gradient of the mean of the ranks' losses, as if one
        process held the concatenated rows (up to rounding). One all-reduce
        (of G and the row count together) per call, one more in backward.
    m_total : int
        Σ_r m_r.

    Without a process group: ``(Y64ᵀ Y64, m)`` with no communication.
    """
    Y64 = Y.double()
    G = Y64.T @ Y64
    if world()[1] == 1:
        return G, Y.shape[0]
    packed = torch.cat([G.reshape(-1), G.new_tensor([float(Y.shape[0])])])
    total = _AllReduceSum.apply(_to_comm_device(packed)).to(G.device)
    H = G.shape[0]
    return total[:-1].reshape(H, H), int(total[-1].item())


def all_reduce_sum_(tensor: torch.Tensor) -> torch.Tensor:
    """Sum ``tensor`` over ranks in place (no autograd); returns it. No-op on one rank."""
    if world()[1] > 1:
        buffer = _to_comm_device(tensor)
        dist.all_reduce(buffer)
        if buffer is not tensor:
            tensor.copy_(buffer)
    return tensor


def all_reduce_mean(value: float) -> float:
    """Mean of a Python float over ranks, identical on every rank (e.g. the epoch loss)."""
    world_size = world()[1]
    if world_size == 1:
        return value
    total = all_reduce_sum_(torch.tensor([value], dtype=torch.float64))
    return float(total[0]) / world_size


def any_rank(flag: bool) -> bool:
    """True on every rank when ``flag`` is true on at least one (e.g. a callback's stop)."""
    if world()[1] == 1:
        return bool(flag)
    return bool(all_reduce_sum_(torch.tensor([float(bool(flag))], dtype=torch.float64))[0] > 0)


def broadcast_ints(values: Sequence[int]) -> list[int]:
    """Rank 0's ``values`` on every rank (e.g. seeds drawn from ``random_state=None``)."""
    values = [int(v) for v in values]
    if world()[1] == 1:
        return values
    buffer = _to_comm_device(torch.tensor(values, dtype=torch.int64))
    dist.broadcast(buffer, src=0)
    return [int(v) for v in buffer.cpu()]


def same_on_all_ranks(values: Sequence[float]) -> bool:
    """Whether every rank passed exactly the same numbers (a cheap consistency check)."""
    if world()[1] == 1:
        return True
    local = torch.tensor([float(v) for v in values], dtype=torch.float64)
    low, high = _to_comm_device(local.clone()), _to_comm_device(local.clone())
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    return bool(torch.equal(low, high))


def rank_generator(generator: torch.Generator) -> torch.Generator:
    """This rank's own random stream, derived from a generator seeded alike on all ranks.

    On one process the generator itself is returned (its stream is unchanged).
    Otherwise one number drawn from it and the rank seed a new generator via
    numpy's ``SeedSequence``, so no two ranks draw the same batches.
    """
    rank, world_size = world()
    if world_size == 1:
        return generator
    base = int(torch.randint(0, 2**62, (1,), generator=generator))
    seed = np.random.SeedSequence([base, rank]).generate_state(1, dtype=np.uint64)[0]
    return torch.Generator().manual_seed(int(seed))


def _to_comm_device(tensor: torch.Tensor) -> torch.Tensor:
    """``tensor`` on the device the backend communicates from (NCCL: the current GPU)."""
    if dist.get_backend() == "nccl" and tensor.device.type != "cuda":
        return tensor.to(torch.device("cuda", torch.cuda.current_device()))
    return tensor
