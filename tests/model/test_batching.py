"""Reading memmapped data in blocks: same values as in memory, bounded resident set."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from spectralbench.model._batching import apply_in_batches, row_blocks, take_rows


@pytest.fixture()
def image_memmap(tmp_path, fmnist_small) -> tuple[np.memmap, np.ndarray]:
    """64 MB of real uint8 images (the 2,000 test images tiled) as a read-only memmap."""
    images = np.round(fmnist_small[0] * 255).astype(np.uint8)
    data = np.tile(images, (41, 1))  # 82,000 x 784
    path = tmp_path / "images.u8"
    data.tofile(path)
    return np.memmap(path, dtype=np.uint8, mode="r", shape=data.shape), data


def _resident_mb(path: Path) -> float:
    """Resident MB of this process's mappings of ``path`` (Linux /proc/self/smaps)."""
    total, inside = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split(maxsplit=1)[0]
        if not head.endswith(":"):  # a mapping's header line
            inside = line.endswith(str(path))
        elif inside and head == "Rss:":
            total += int(line.split()[1])
    return total / 1024


def test_row_blocks_and_take_rows_return_the_rows(image_memmap):
    X, data = image_memmap
    blocks = list(row_blocks(X[5:], 4096))
    assert [start for start, _ in blocks] == list(range(0, len(data) - 5, 4096))
    np.testing.assert_array_equal(np.concatenate([b for _, b in blocks]), data[5:])
    assert all(b.dtype == np.float32 for _, b in blocks)
    rows = np.sort(np.random.default_rng(0).choice(len(data), 3000, replace=False))
    np.testing.assert_array_equal(take_rows(X, rows, block_rows=100), data[rows])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/smaps")
def test_a_pass_over_a_memmap_keeps_it_out_of_the_resident_set(image_memmap):
    X, data = image_memmap
    file_mb = data.nbytes / 2**20
    embedding = apply_in_batches(lambda block: block[:, :3], X, batch_size=4096)
    np.testing.assert_array_equal(embedding, data[:, :3])
    take_rows(X, np.arange(0, len(data), 7))
    assert _resident_mb(Path(X.filename)) < 0.1 * file_mb
    # The same pass without release makes the file resident: the check can fail.
    np.asarray(X, dtype=np.float32).sum()
    assert _resident_mb(Path(X.filename)) > 0.5 * file_mb


def test_writable_memmaps_are_never_released(tmp_path):
    path = tmp_path / "rw.f32"
    X = np.memmap(path, dtype=np.float32, mode="w+", shape=(5000, 16))
    X[:] = 3.0
    assert sum(float(b.sum()) for _, b in row_blocks(X, 512)) == 3.0 * X.size
    assert float(X.sum()) == 3.0 * X.size  # written values are intact
