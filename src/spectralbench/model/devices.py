"""Parse and check a torch device request in one place."""

from __future__ import annotations

import torch

__all__ = ["resolve_device"]


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
