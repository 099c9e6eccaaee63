"""Shared fixtures: small real subsets of the bundled datasets.

They read the repository's ``datasets/*.npz`` directly (not through
``spectralbench.data``) so that every part of the package can be tested on real
images without depending on the data layer under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

DATASETS = Path(__file__).resolve().parents[1] / "datasets"


def _subset(name: str, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    with np.load(DATASETS / f"{name}_test.npz") as f:
        x, y = f["x"], f["y"]
    rows = np.random.default_rng(seed).permutation(len(y))[:n]
    rows.sort()
    X = x[rows].reshape(n, -1).astype(np.float32) / 255.0
    return X, y[rows].astype(np.int64)


@pytest.fixture(scope="session")
def datasets_dir() -> Path:
    """The repository's folder of bundled dataset files."""
    return DATASETS


@pytest.fixture(scope="session")
def fmnist_small() -> tuple[np.ndarray, np.ndarray]:
    """2,000 Fashion-MNIST test images: X float32 (2000, 784) in [0, 1], y int64."""
    return _subset("fashion_mnist", 2000)


@pytest.fixture(scope="session")
def kmnist_small() -> tuple[np.ndarray, np.ndarray]:
    """2,000 KMNIST test images: X float32 (2000, 784) in [0, 1], y int64."""
    return _subset("kmnist", 2000)
