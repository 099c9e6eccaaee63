"""Timing and peak memory of a block; the machine description."""

from __future__ import annotations

import json
import os
import sys
import time

import numpy as np
import pytest

from spectralbench.evaluation import machine_info, measure
from spectralbench.evaluation.resources import _hwm_available

N_200MB = 25_000_000  # float64 values

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the RSS high-water mark is a Linux feature")


@linux_only
def test_peak_is_that_of_the_block_not_of_the_process():
    assert _hwm_available()
    with measure() as big:
        block = np.ones(N_200MB)
        del block
    assert big.method == "hwm"
    assert big.peak_rss_mb >= big.rss_start_mb + 180
    assert big.rss_end_mb < big.peak_rss_mb - 150  # freed before the block ended
    with measure() as small:
        np.ones(1000)
    assert small.peak_rss_mb < big.peak_rss_mb - 150  # the high-water mark was reset


@linux_only
def test_nested_block_does_not_hide_outer_peak():
    with measure() as outer:
        block = np.ones(N_200MB)
        del block
        with measure() as inner:
            time.sleep(0.01)
    assert outer.peak_rss_mb >= outer.rss_start_mb + 180
    assert inner.peak_rss_mb < outer.peak_rss_mb - 150


def test_sampling_fallback_sees_a_held_allocation():
    with measure(method="sampled", sample_interval=0.01) as m:
        block = np.ones(N_200MB)
        time.sleep(0.15)
        del block
    assert m.method == "sampled"
    assert m.peak_rss_mb >= m.rss_start_mb + 180
    assert m.rss_end_mb < m.peak_rss_mb - 150


def test_times_are_recorded():
    with measure() as m:
        time.sleep(0.2)
    assert 0.2 <= m.wall_seconds < 2.0
    assert 0.0 <= m.cpu_seconds < 0.15  # sleeping costs no CPU


def test_fields_are_filled_when_the_block_raises():
    with pytest.raises(KeyError), measure() as m:
        raise KeyError("boom")
    assert m.wall_seconds >= 0.0 and m.peak_rss_mb >= m.rss_start_mb


def test_python_heap_peak_only_when_asked():
    with measure(trace_python=True) as traced:
        block = np.ones(6_250_000)  # 50 MB
        del block
    assert traced.python_peak_mb >= 45
    with measure() as plain:
        pass
    assert plain.python_peak_mb is None
    assert plain.cuda_peak_mb is None  # torch has not started CUDA here


def test_measurement_as_dict_is_json_safe():
    with measure() as m:
        pass
    row = m.as_dict()
    assert json.loads(json.dumps(row)) == row
    assert set(row) >= {"wall_seconds", "cpu_seconds", "peak_rss_mb", "rss_start_mb", "method"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"method": "exact"}, "method='exact' is invalid"),
     ({"sample_interval": 0}, "sample_interval=0 is invalid")],
)
def test_bad_arguments_are_explained(kwargs, message):
    with pytest.raises(ValueError, match=message), measure(**kwargs):
        pass


def test_machine_info_describes_this_machine():
    info = machine_info()
    assert json.loads(json.dumps(info)) == info
    assert info["logical_cores"] == os.cpu_count()
    assert info["numpy"] == np.__version__
    assert info["torch_threads"] >= 1
    assert info["cpu_model"]
    assert all(pool["num_threads"] >= 1 for pool in info["threadpools"])
