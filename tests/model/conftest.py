"""Fixtures for the SpectralNet model tests.

Torch runs single-threaded here: on a small shared CPU, intra-op threads of
the tiny networks under test wait on each other far longer than they compute
(a 512-row step of a (512, 256) network measured 26 ms with 2 threads and
5.5 ms with 1 on the 2-core CI box).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from spectralbench import SpectralNet


@pytest.fixture(scope="session")
def _torch_threads_before() -> int:
    threads = torch.get_num_threads()
    yield threads
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def _single_torch_thread(_torch_threads_before) -> None:
    # Per test: libraries run by other tests (numba's OpenMP layer) reset it.
    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def fmnist_split(fmnist_small) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """800 training and 400 held-out Fashion-MNIST rows: X_train, y_train, X_test, y_test."""
    X, y = fmnist_small
    return X[:800], y[:800], X[800:1200], y[800:1200]


@pytest.fixture(scope="session")
def fitted_fmnist(fmnist_split) -> SpectralNet:
    """A small SpectralNet fitted on the 800 training rows (a few seconds)."""
    X_train = fmnist_split[0]
    return SpectralNet(
        n_clusters=10, hidden=(64,), epochs=5, batch_size=256, random_state=0
    ).fit(X_train)
