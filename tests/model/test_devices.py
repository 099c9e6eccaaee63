"""Device requests are checked in one place, with a message that says what is visible."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from spectralbench import SpectralNet
from spectralbench.model.devices import resolve_device

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device is visible")


def test_cpu_requests():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")


@no_cuda
def test_auto_falls_back_to_cpu():
    assert resolve_device("auto") == torch.device("cpu")


@no_cuda
@pytest.mark.parametrize("device", ["cuda", "cuda:0", "cuda:3"])
def test_cuda_without_a_gpu(device):
    with pytest.raises(ValueError, match=rf"device='{device}' but no CUDA device is visible; use"):
        resolve_device(device)


@pytest.mark.parametrize(
    ("device", "match"),
    [("gpu", r"device='gpu' is not a torch device"), ("meta", r"device='meta' is not supported")],
)
def test_unknown_devices(device, match):
    with pytest.raises(ValueError, match=match):
        resolve_device(device)


@no_cuda
def test_fit_checks_the_device_first():
    model = SpectralNet(n_clusters=2, device="cuda", hidden=(8,), epochs=1)
    with pytest.raises(ValueError, match=r"no CUDA device is visible"):
        model.fit(np.random.default_rng(0).normal(size=(20, 3)))
    assert not hasattr(model, "network_")


def test_auto_device_fit_records_the_device(fmnist_split):
    model = SpectralNet(n_clusters=2, device="auto", hidden=(8,), epochs=1, random_state=0)
    model.fit(fmnist_split[0][:100])
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert model.params_["device"].startswith(expected)
    assert model.get_params()["device"] == "auto"  # the public parameter is untouched
