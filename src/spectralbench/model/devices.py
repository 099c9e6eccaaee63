"""Device and thread settings: parse a device request, bound torch's threads."""

from __future__ import annotations

import os
from contextlib import contextmanager

import torch

__all__ = ["resolve_device", "torch_threads"]


def resolve_device(device: str | torch.device) -> torch.device:
    """Turn "cpu", "cuda", "cuda:N" or "auto" into a usable ``torch.device``.

    Raises
    ------
    ValueError
        For an unknown name, or CUDA requested where none is visible (the
        message says what was asked for and what the machine has).
    """
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'cpu', 'cuda', 'cuda:N' or 'auto'."
        ) from exc
    if resolved.type == "cuda":
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ValueError(
                f"device={device!r} but no CUDA device is visible; use device='cpu' or 'auto'."
            )
        if resolved.index is not None and resolved.index >= count:
            raise ValueError(
                f"device={device!r} but only {count} CUDA device(s) are visible (0..{count - 1})."
            )
    elif resolved.type != "cpu":
        raise ValueError(f"device={device!r} is not supported; use 'cpu', 'cuda' or 'auto'.")
    return resolved


@contextmanager
def torch_threads(n_jobs: int | None):
    """Limit torch's intra-op threads inside the block, then restore them.

    ``n_jobs=None`` means 1 thread (scikit-learn's convention), ``-1`` all
    cores, a positive number that many. SpectralNet's matrices are small, and
    one thread avoids the large slow-down of oversubscribed threads on a busy
    machine.
    """
    previous = torch.get_num_threads()
    if n_jobs is None:
        wanted = 1
    elif n_jobs < 0:
        wanted = max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    else:
        wanted = n_jobs
    torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        torch.set_num_threads(previous)
