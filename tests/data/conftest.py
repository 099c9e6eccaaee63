"""Tiny synthetic datasets in the official file formats, with a matching registry record."""

from __future__ import annotations

import gzip
import hashlib
import struct
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from spectralbench.data import DatasetInfo, FileSpec, SplitSource

N_SAMPLES = {"train": 30, "test": 12}
SHAPE = (4, 5)
N_CLASSES = 3


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file (MNIST format) holding a uint8 array."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def tiny_arrays(split: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random uint8 images and balanced labels 0..2 for one split."""
    rng = np.random.default_rng(seed + (split == "test"))
    n = N_SAMPLES[split]
    images = rng.integers(0, 256, size=(n, *SHAPE), dtype=np.uint8)
    labels = rng.permutation(np.arange(n) % N_CLASSES).astype(np.uint8)
    return images, labels


def _write(path: Path, data: bytes) -> FileSpec:
    path.write_bytes(data)
    return FileSpec(path.name, hashlib.md5(data).hexdigest(), "md5")


def write_tiny(folder: Path, layout: str, base_url: str | None = None) -> DatasetInfo:
    """Write both splits of the tiny dataset into ``folder`` and describe them.

    ``layout`` is "bundled" (savez_compressed x/y), "npz" (two arr_0 files),
    "idx" (raw) or "idx.gz". With ``base_url`` the specs carry download URLs.
    """
    folder.mkdir(parents=True, exist_ok=True)
    sources = {}
    for split in ("train", "test"):
        images, labels = tiny_arrays(split)
        if layout == "bundled":
            path = folder / f"tiny_{split}.npz"
            np.savez_compressed(path, x=images, y=labels)
            data = path.read_bytes()
            specs = (FileSpec(path.name, hashlib.sha256(data).hexdigest()),)
        elif layout == "npz":
            specs = []
            for kind, array in (("imgs", images), ("labels", labels)):
                path = folder / f"tiny-{split}-{kind}.npz"
                np.savez_compressed(path, array)
                specs.append(FileSpec(path.name, hashlib.md5(path.read_bytes()).hexdigest(),
                                      "md5"))
            specs = tuple(specs)
        else:
            suffix = ".gz" if layout == "idx.gz" else ""
            specs = []
            for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
                data = idx_bytes(array)
                if suffix:
                    data = gzip.compress(data, mtime=0)
                specs.append(_write(folder / f"{split}-{kind}-ubyte{suffix}", data))
            specs = tuple(specs)
        if base_url is not None:
            specs = tuple(FileSpec(s.filename, s.digest, s.algorithm, base_url + s.filename)
                          for s in specs)
        kind = {"bundled": "bundled", "npz": "npz"}.get(layout, "idx")
        sources[split] = (SplitSource(kind, specs),)
    return DatasetInfo(
        name="tiny", title="Tiny test set", class_names=("a", "b", "c"),
        n_samples=dict(N_SAMPLES), image_shape=SHAPE, sources=sources,
        licence="CC0", citation="none", homepage="https://example.invalid/tiny",
        torchvision_folder="Tiny",
    )


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No SPECTRALBENCH_DATA; the user cache is an empty folder under tmp_path."""
    monkeypatch.delenv("SPECTRALBENCH_DATA", raising=False)
    monkeypatch.setenv("SPECTRALBENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def flip_byte(path: Path, position: int | None = None) -> None:
    """Invert one byte of a file (the middle one by default)."""
    data = bytearray(path.read_bytes())
    position = len(data) // 2 if position is None else position
    data[position] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.fixture(scope="session")
def tiny():
    """The helpers above, for test modules (importlib mode cannot import conftest)."""
    return SimpleNamespace(write=write_tiny, arrays=tiny_arrays, idx_bytes=idx_bytes,
                           flip=flip_byte, n_samples=N_SAMPLES, shape=SHAPE)
