"""Batched tensor plumbing shared by the model's trainers and inference paths."""

from __future__ import annotations

import mmap
from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

__all__ = ["apply_in_batches", "gather_rows", "row_blocks", "take_rows"]


def gather_rows(X: np.ndarray, index: np.ndarray | torch.Tensor, device) -> torch.Tensor:
    """Rows ``X[index]`` as a float32 tensor on ``device`` (works on memmaps)."""
    if isinstance(index, torch.Tensor):
        index = index.numpy()
    return torch.from_numpy(np.asarray(X[index], dtype=np.float32)).to(device)


def row_blocks(X: np.ndarray, batch_size: int) -> Iterator[tuple[int, np.ndarray]]:
    """Yield ``(start, X[start:start + batch_size] as float32)`` for consecutive blocks.

    For a read-only ``numpy.memmap`` the pages of each block are released from
    this process once the block has been converted (they stay in the kernel's
    file cache), so one pass over a file larger than memory keeps the resident
    set at one block, not the whole file.
    """
    for start in range(0, X.shape[0], batch_size):
        stop = min(start + batch_size, X.shape[0])
        block = np.array(X[start:stop], dtype=np.float32)
        _release_pages(X, start, stop)
        yield start, block


def take_rows(X: np.ndarray, rows: np.ndarray, *, block_rows: int = 1024) -> np.ndarray:
    """``X[rows]`` as float32 (len(rows), d) for sorted ``rows``, releasing memmap pages.

    Reading scattered rows of a memmap faults in whole pages and their
    neighbours: 20,000 random rows of a 784 MB file made the whole file
    resident. Here each block of rows is copied and its pages released.
    """
    out = np.empty((len(rows), X.shape[1]), dtype=np.float32)
    for start in range(0, len(rows), block_rows):
        part = rows[start:start + block_rows]
        out[start:start + len(part)] = X[part]
        _release_pages(X, int(part[0]), int(part[-1]) + 1)
    return out


def _release_pages(X: np.ndarray, start: int, stop: int) -> None:
    """Drop rows start:stop of read-only memmapped X from the resident set (else no-op).

    The pages stay in the kernel's file cache; reading them again faults them
    back in. Writable or copy-on-write maps are left alone.
    """
    mapping, owner = None, X
    while owner is not None and mapping is None:
        if isinstance(owner, mmap.mmap):
            mapping = owner
        owner = getattr(owner, "base", None)
    if mapping is None or X.flags.writeable or not X.flags.c_contiguous \
            or not hasattr(mapping, "madvise"):
        return
    base = np.frombuffer(mapping, dtype=np.uint8).ctypes.data
    begin = X.ctypes.data - base + start * X.strides[0]
    end = X.ctypes.data - base + stop * X.strides[0]
    # Only whole pages inside the rows: a page shared with other rows may be read again.
    page = mmap.PAGESIZE
    first, last = -(-begin // page) * page, end // page * page
    if last > first:
        mapping.madvise(mmap.MADV_DONTNEED, first, last - first)


@torch.inference_mode()
def apply_in_batches(
    module: nn.Module | callable, X: np.ndarray, *, batch_size: int = 4096, device="cpu"
) -> np.ndarray:
    """Apply ``module`` to ``X`` (n, d) batch by batch; return float32 (n, out) on CPU.

    Memory is the output plus one batch: rows are converted to float32 one
    batch at a time (see :func:`row_blocks`), so uint8 or memmapped input stays
    compact and is never resident as a whole.
    """
    was_training = getattr(module, "training", False)
    if isinstance(module, nn.Module):
        module.eval()
    output = None
    for start, block in row_blocks(X, batch_size):
        result = module(torch.from_numpy(block).to(device)).float().cpu().numpy()
        if output is None:
            output = np.empty((X.shape[0], result.shape[1]), dtype=np.float32)
        output[start:start + len(block)] = result
    if isinstance(module, nn.Module):
        module.train(was_training)
    return output if output is not None else np.empty((0, 0), dtype=np.float32)
