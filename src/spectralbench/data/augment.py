"""Large realistic datasets from real images: random geometric deformations, labels kept.

:func:`augment_images` deforms each image by a random affine map (rotation,
scaling, shift) plus a smooth random elastic displacement field, the usual way
to enlarge MNIST-like data while keeping each image's class.
:func:`write_augmented_memmap` writes millions of such images, chunk by chunk,
to a uint8 ``numpy.memmap`` (N, 784) that ``SpectralNet`` reads batch by batch,
so neither step needs the whole dataset in memory.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

__all__ = ["augment_images", "open_augmented", "write_augmented_memmap"]


def augment_images(
    images: np.ndarray,
    *,
    random_state: int | None = None,
    max_rotation: float = 10.0,
    max_shift: float = 2.0,
    scale_range: tuple[float, float] = (0.9, 1.1),
    elastic_pixels: float = 0.75,
) -> np.ndarray:
    """Deform every image once, at random; same shape and dtype uint8.

    Parameters
    ----------
    images : ndarray of shape (n, h, w), uint8
        Grey-level images (0-255).
    random_state : int or None
        Seed of all deformations.
    max_rotation : float, default=10.0
        Rotation drawn uniformly in ±max_rotation degrees.
    max_shift : float, default=2.0
        Shift in pixels, uniformly in ±max_shift along each axis.
    scale_range : (float, float), default=(0.9, 1.1)
        Isotropic zoom drawn uniformly in this range.
    elastic_pixels : float, default=0.75
        Standard deviation, in pixels, of a smooth random displacement field
        (noise on a 4x4 grid, upsampled bicubically); 0 disables it.

    Returns
    -------
    ndarray of shape (n, h, w), uint8
    """
    images = np.asarray(images)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"images must be a uint8 array of shape (n, height, width), got dtype "
            f"{images.dtype} and shape {images.shape}."
        )
    n, h, w = images.shape
    gen = torch.Generator().manual_seed(
        int(np.random.default_rng(random_state).integers(2**62))
    )

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=gen)

    angle = torch.deg2rad(uniform(-max_rotation, max_rotation))
    zoom = uniform(*scale_range)
    # affine_grid works in [-1, 1] coordinates: one pixel is 2 / size.
    shift = torch.stack([uniform(-max_shift, max_shift) * 2 / w,
                         uniform(-max_shift, max_shift) * 2 / h], dim=1)
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], dim=1),
                         torch.stack([sin, cos, shift[:, 1]], dim=1)], dim=1)
    grid = F.affine_grid(theta, (n, 1, h, w), align_corners=False)
    if elastic_pixels > 0:
        coarse = torch.randn(n, 2, 4, 4, generator=gen) * elastic_pixels
        field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False)
        field[:, 0] *= 2 / w
        field[:, 1] *= 2 / h
        grid = grid + field.permute(0, 2, 3, 1)
    source = torch.from_numpy(images).float().unsqueeze(1)
    warped = F.grid_sample(source, grid, mode="bilinear", padding_mode="zeros",
                           align_corners=False)
    return warped.squeeze(1).round_().clamp_(0, 255).to(torch.uint8).numpy()


def write_augmented_memmap(
    images: np.ndarray,
    labels: np.ndarray,
    n_samples: int,
    out_dir: str | os.PathLike,
    *,
    random_state: int = 0,
    chunk_size: int = 20_000,
    **deformation,
) -> Path:
    """Write ``n_samples`` deformed copies of randomly drawn images to ``out_dir``.

    Files: ``images.u8`` (raw uint8, shape (n_samples, h·w), read with
    :func:`open_augmented`), ``labels.npy`` (int64), ``source.npy`` (the source
    row of each image) and ``meta.json`` (shape and settings). Rows are independent draws,
    so every prefix is itself a random sample (100k, 300k, 1M from one file).
    The file is written under a temporary name and renamed when complete, so
    an interrupted run leaves no half-written dataset behind.

    Parameters
    ----------
    images : ndarray of shape (n, h, w), uint8
    labels : ndarray of shape (n,)
    n_samples : int
    out_dir : path
        Created if missing.
    random_state : int, default=0
    chunk_size : int, default=20000
        Images deformed per step; memory is O(chunk_size · h · w).
    **deformation
        Passed to :func:`augment_images`.

    Returns
    -------
    Path of ``out_dir``.
    """
    images, labels = np.asarray(images), np.asarray(labels)
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels.")
    if n_samples < 1:
        raise ValueError(f"n_samples={n_samples} must be at least 1.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _, h, w = images.shape
    rng = np.random.default_rng(random_state)
    source = rng.integers(0, len(images), size=n_samples)
    tmp = out / "images.u8.tmp"
    data = np.memmap(tmp, dtype=np.uint8, mode="w+", shape=(n_samples, h * w))
    n_chunks = math.ceil(n_samples / chunk_size)
    seeds = rng.integers(2**62, size=n_chunks)
    for chunk, start in enumerate(range(0, n_samples, chunk_size)):
        rows = source[start:start + chunk_size]
        warped = augment_images(images[rows], random_state=int(seeds[chunk]), **deformation)
        data[start:start + len(rows)] = warped.reshape(len(rows), h * w)
    data.flush()
    del data
    np.save(out / "labels.npy", labels[source].astype(np.int64))
    np.save(out / "source.npy", source)
    (out / "meta.json").write_text(json.dumps(
        {"n_samples": n_samples, "n_features": h * w, "image_shape": [h, w],
         "dtype": "uint8", "random_state": random_state, "deformation": deformation},
        indent=2))
    tmp.replace(out / "images.u8")
    return out


def open_augmented(
    out_dir: str | os.PathLike, n_samples: int | None = None
) -> tuple[np.memmap, np.ndarray]:
    """Open a dataset written by :func:`write_augmented_memmap` without reading it.

    Returns the first ``n_samples`` rows (all when None) as a read-only uint8
    memmap of shape (n_samples, n_features) and their labels, int64 (n_samples,).
    """
    out = Path(out_dir)
    meta_path = out / "meta.json"
    if not meta_path.exists() or not (out / "images.u8").exists():
        raise FileNotFoundError(
            f"{out} holds no complete augmented dataset (images.u8 + meta.json); "
            "write one with write_augmented_memmap."
        )
    meta = json.loads(meta_path.read_text())
    total, d = meta["n_samples"], meta["n_features"]
    if (out / "images.u8").stat().st_size != total * d:
        raise ValueError(f"{out / 'images.u8'} does not hold {total} x {d} bytes: it is "
                         "truncated or from another run; write it again.")
    n = total if n_samples is None else n_samples
    if not 1 <= n <= total:
        raise ValueError(f"n_samples={n_samples} must be between 1 and {total}.")
    X = np.memmap(out / "images.u8", dtype=np.uint8, mode="r", shape=(n, d))
    return X, np.load(out / "labels.npy", mmap_mode="r")[:n].copy()
