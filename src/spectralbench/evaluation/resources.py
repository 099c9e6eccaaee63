"""Resources of one run: wall and CPU time, peak memory of a block, and the machine.

The study reports the paper's "training time" and "testing time" as wall seconds of
``fit`` and ``predict``, and the memory of a run as the peak resident set size
(RSS) reached *inside* the measured block, not over the worker's whole life.
On Linux the kernel's high-water mark is reset when a block starts (writing "5"
to ``/proc/self/clear_refs``) and read back from ``VmHWM`` when it ends; elsewhere
a thread samples the RSS with psutil.
"""

from __future__ import annotations

import functools
import logging
import math
import numbers
import os
import platform
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil
import threadpoolctl

from .._validation import Interval, Options, validate_params

__all__ = ["Measurement", "machine_info", "measure"]

logger = logging.getLogger(__name__)

_MB = 1024.0 * 1024.0
_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")

# Peaks seen so far by the blocks currently measured with the high-water mark, so
# that an inner block's reset does not hide memory an enclosing block used.
_open_peaks: list[list[int]] = []
_hwm_lock = threading.Lock()


@dataclass
class Measurement:
    """What :func:`measure` recorded; every field is filled when the block ends.

    Attributes
    ----------
    wall_seconds : float
        Elapsed wall-clock time of the block.
    cpu_seconds : float
        CPU time of the whole process during the block, all threads together
        (larger than ``wall_seconds`` when BLAS or torch use several threads).
    rss_start_mb, rss_end_mb : float
        Resident set size of the process when the block started and ended, in MiB.
    peak_rss_mb : float
        Highest resident set size reached during the block, in MiB.
    method : str
        How the peak was found: ``"hwm"`` (kernel high-water mark, exact) or
        ``"sampled"`` (psutil polled every ``sample_interval`` seconds; a spike
        shorter than the interval can be missed).
    python_peak_mb : float or None
        Peak of memory allocated through Python's allocators (numpy arrays
        included) during the block, from :mod:`tracemalloc`; None unless asked.
    cuda_peak_mb : float or None
        Peak of torch's CUDA allocator during the block; None when torch has not
        initialised CUDA in this process.
    """

    wall_seconds: float = math.nan
    cpu_seconds: float = math.nan
    rss_start_mb: float = math.nan
    rss_end_mb: float = math.nan
    peak_rss_mb: float = math.nan
    method: str = ""
    python_peak_mb: float | None = None
    cuda_peak_mb: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain Python values (JSON-safe), e.g. for a database row."""
        return asdict(self)


def _read_hwm() -> int | None:
    """``VmHWM`` of this process in bytes, or None where /proc is not available."""
    try:
        with _STATUS.open() as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _reset_hwm() -> bool:
    """Reset the kernel's RSS high-water mark; False where that is not possible."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return _read_hwm() is not None


def _cuda_in_use() -> Any:
    """The torch module when it is imported and has initialised CUDA, else None."""
    torch = sys.modules.get("torch")
    if torch is None or not torch.cuda.is_available() or not torch.cuda.is_initialized():
        return None
    return torch


class _Sampler(threading.Thread):
    """Polls the process RSS until stopped and keeps the largest value."""

    def __init__(self, process: psutil.Process, interval: float):
        super().__init__(name="spectralbench-rss-sampler", daemon=True)
        self._process, self._interval = process, interval
        self._stop_event = threading.Event()
        self.peak = 0

    def run(self) -> None:
        while True:
            self.peak = max(self.peak, self._process.memory_info().rss)
            if self._stop_event.wait(self._interval):
                return

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak


@contextmanager
def measure(
    *, method: str = "auto", sample_interval: float = 0.05, trace_python: bool = False
) -> Iterator[Measurement]:
    """Measure time and peak memory of a block of code.

    Parameters
    ----------
    method : {"auto", "hwm", "sampled"}, default="auto"
        How to find the peak RSS. ``"hwm"`` resets and reads the Linux kernel's
        high-water mark (exact, no overhead); ``"sampled"`` polls the RSS from a
        background thread; ``"auto"`` uses ``"hwm"`` where possible.
    sample_interval : float, default=0.05
        Seconds between two RSS samples with ``method="sampled"``.
    trace_python : bool, default=False
        Also record the peak of Python-level allocations with :mod:`tracemalloc`.
        It slows allocation-heavy code noticeably, so it is off by default.

    Yields
    ------
    Measurement
        Empty while the block runs; its fields are filled when the block ends,
        also when it raises.

    Raises
    ------
    RuntimeError
        When ``method="hwm"`` but this system cannot reset the high-water mark.

    Notes
    -----
    The peak is that of the whole process during the block: memory held by other
    threads at the same time counts too. Blocks may be nested; an inner block's
    reset of the high-water mark does not lower the peak an outer block reports.
    With ``trace_python=True`` while tracemalloc already runs, its peak is reset
    at the start of the block.

    Examples
    --------
    >>> import numpy as np
    >>> with measure() as m:
    ...     block = np.ones(10_000_000)  # 80 MB
    >>> m.peak_rss_mb - m.rss_start_mb > 70
    True
    """
    validate_params(
        {"method": method, "sample_interval": sample_interval, "trace_python": trace_python},
        {
            "method": [Options({"auto", "hwm", "sampled"})],
            "sample_interval": [Interval(numbers.Real, 0.0, None, closed="neither")],
            "trace_python": [bool],
        },
        "measure",
    )
    process = psutil.Process()
    use_hwm = method != "sampled" and _hwm_available()
    if method == "hwm" and not use_hwm:
        raise RuntimeError(
            "measure(method='hwm') needs a writable /proc/self/clear_refs (Linux), which "
            "this system does not offer; use method='auto' to fall back to sampling."
        )
    result = Measurement(method="hwm" if use_hwm else "sampled")
    started_tracing = trace_python and not tracemalloc.is_tracing()
    if started_tracing:
        tracemalloc.start()
    elif trace_python:
        tracemalloc.reset_peak()
    torch = _cuda_in_use()
    if torch is not None:
        torch.cuda.reset_peak_memory_stats()
    rss_start = process.memory_info().rss
    peak_seen = [rss_start]
    sampler = None
    if use_hwm:
        with _hwm_lock:
            before = _read_hwm() or 0
            for peaks in _open_peaks:
                peaks[0] = max(peaks[0], before)
            _reset_hwm()
            _open_peaks.append(peak_seen)
    else:
        sampler = _Sampler(process, sample_interval)
        sampler.start()
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    try:
        yield result
    finally:
        result.wall_seconds = time.perf_counter() - wall_start
        result.cpu_seconds = time.process_time() - cpu_start
        rss_end = process.memory_info().rss
        if use_hwm:
            with _hwm_lock:
                _open_peaks.remove(peak_seen)
                peak = max(peak_seen[0], _read_hwm() or 0)
        else:
            peak = sampler.stop()
        result.rss_start_mb = rss_start / _MB
        result.rss_end_mb = rss_end / _MB
        result.peak_rss_mb = max(peak, rss_start, rss_end) / _MB
        if trace_python:
            result.python_peak_mb = tracemalloc.get_traced_memory()[1] / _MB
            if started_tracing:
                tracemalloc.stop()
        if torch is not None:
            result.cuda_peak_mb = torch.cuda.max_memory_allocated() / _MB
        logger.debug("measured %.2f s wall, peak RSS %.1f MiB (%s)",
                     result.wall_seconds, result.peak_rss_mb, result.method)


@functools.cache
def _hwm_available() -> bool:
    """Whether the high-water mark can be read and reset here (tried once per process)."""
    return _read_hwm() is not None and _reset_hwm()


def _cpu_model() -> str:
    """The processor's marketing name, as precise as the platform tells."""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """Describe the machine and the numeric libraries a run used.

    Returns
    -------
    dict
        JSON-safe: ``cpu_model``, ``logical_cores``, ``physical_cores``,
        ``usable_cores`` (CPU affinity of this process), ``memory_total_mb``,
        ``platform``, ``python``, versions of ``numpy``, ``scipy``,
        ``scikit-learn`` and ``torch``, ``torch_threads`` (intra-op threads),
        ``cuda_device`` (name of GPU 0 or None) and ``threadpools``: one dict per
        native thread pool loaded (BLAS, OpenMP) with its ``user_api``,
        ``internal_api``, ``version`` and ``num_threads`` (threadpoolctl).

    Notes
    -----
    Imports torch (about a second the first time).
    """
    import torch

    if hasattr(os, "sched_getaffinity"):
        usable = len(os.sched_getaffinity(0))
    else:
        usable = os.cpu_count()
    pools = [
        {key: pool.get(key) for key in ("user_api", "internal_api", "version", "num_threads")}
        for pool in threadpoolctl.threadpool_info()
    ]
    return {
        "cpu_model": _cpu_model(),
        "logical_cores": os.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "usable_cores": usable,
        "memory_total_mb": psutil.virtual_memory().total / _MB,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "scipy": _version("scipy"),
        "scikit-learn": _version("scikit-learn"),
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "cuda_device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "threadpools": pools,
    }
