"""Batched tensor plumbing shared by the model's trainers and inference paths."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["apply_in_batches", "gather_rows"]


def gather_rows(X: np.ndarray, index: np.ndarray | torch.Tensor, device) -> torch.Tensor:
    """Rows ``X[index]`` as a float32 tensor on ``device`` (works on memmaps)."""
    if isinstance(index, torch.Tensor):
        index = index.numpy()
    return torch.from_numpy(np.asarray(X[index], dtype=np.float32)).to(device)


@torch.inference_mode()
def apply_in_batches(
    module: nn.Module | callable, X: np.ndarray, *, batch_size: int = 4096, device="cpu"
) -> np.ndarray:
    """Apply ``module`` to ``X`` (n, d) batch by batch; return float32 (n, out) on CPU.

    Memory grows with ``batch_size``, never with n: rows are converted to
    float32 one batch at a time, so uint8 or memmapped input stays compact.
    """
    was_training = getattr(module, "training", False)
    if isinstance(module, nn.Module):
        module.eval()
    outputs = []
    for start in range(0, X.shape[0], batch_size):
        block = torch.from_numpy(np.asarray(X[start:start + batch_size], dtype=np.float32))
        outputs.append(module(block.to(device)).float().cpu().numpy())
    if isinstance(module, nn.Module):
        module.train(was_training)
    return np.concatenate(outputs) if outputs else np.empty((0, 0), dtype=np.float32)
