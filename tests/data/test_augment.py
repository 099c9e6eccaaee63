"""Deformed copies of real images written to a memmap (the scaling benchmark's data)."""

from __future__ import annotations

import numpy as np
import pytest

from spectralbench.data.augment import augment_images, open_augmented, write_augmented_memmap


@pytest.fixture(scope="module")
def images(fmnist_small) -> tuple[np.ndarray, np.ndarray]:
    X, y = fmnist_small
    return np.round(X[:300] * 255).astype(np.uint8).reshape(-1, 28, 28), y[:300]


def test_deformations_change_images_but_keep_them_close(images):
    originals, _ = images
    warped = augment_images(originals, random_state=0)
    assert warped.shape == originals.shape and warped.dtype == np.uint8
    np.testing.assert_array_equal(warped, augment_images(originals, random_state=0))
    assert not np.array_equal(warped, augment_images(originals, random_state=1))
    assert np.mean(np.any(warped != originals, axis=(1, 2))) > 0.95  # almost every image moved
    # Mild deformations: the ink is kept and its centre moves a few pixels at most.
    ink_a, ink_b = originals.sum(axis=(1, 2)), warped.sum(axis=(1, 2)).astype(float)
    assert np.median(np.abs(ink_b / ink_a - 1)) < 0.15
    grid = np.arange(28)
    def centre(im):
        return np.stack([(im.sum(axis=2) * grid).sum(1), (im.sum(axis=1) * grid).sum(1)],
                        axis=1) / im.sum(axis=(1, 2))[:, None]
    moved = np.linalg.norm(centre(originals.astype(float)) - centre(warped.astype(float)), axis=1)
    assert np.quantile(moved, 0.99) < 4.0 and np.median(moved) > 0.3
    # No deformation at all gives the images back.
    same = augment_images(originals, random_state=0, max_rotation=0, max_shift=0,
                          scale_range=(1, 1), elastic_pixels=0)
    np.testing.assert_array_equal(same, originals)


def test_written_memmap_has_the_labels_of_its_sources(tmp_path, images):
    originals, labels = images
    out = write_augmented_memmap(originals, labels, 1000, tmp_path / "aug", random_state=3,
                                 chunk_size=256)
    X, y = open_augmented(out)
    source = np.load(out / "source.npy")
    assert X.shape == (1000, 784) and X.dtype == np.uint8 and not X.flags.writeable
    np.testing.assert_array_equal(y, labels[source])
    prefix, y_prefix = open_augmented(out, 200)
    np.testing.assert_array_equal(prefix, X[:200])
    np.testing.assert_array_equal(y_prefix, y[:200])
    assert not (out / "images.u8.tmp").exists()


def test_broken_or_missing_files_are_reported(tmp_path, images):
    originals, labels = images
    with pytest.raises(FileNotFoundError, match="write_augmented_memmap"):
        open_augmented(tmp_path / "nothing")
    out = write_augmented_memmap(originals, labels, 50, tmp_path / "aug")
    with pytest.raises(ValueError, match="between 1 and 50"):
        open_augmented(out, 51)
    with open(out / "images.u8", "r+b") as f:
        f.truncate(50 * 784 - 10)
    with pytest.raises(ValueError, match="truncated"):
        open_augmented(out)
    with pytest.raises(ValueError, match="uint8"):
        augment_images(originals.astype(np.float32))
    with pytest.raises(ValueError, match="labels"):
        write_augmented_memmap(originals, labels[:-1], 10, tmp_path / "bad")
