"""Readers of the official formats, on tiny synthetic files."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from spectralbench.data import FileSpec, load_dataset, read_idx
from spectralbench.data.readers import file_digest, read_npz_array, verify_file
from spectralbench.exceptions import DatasetChecksumError, DatasetError


@pytest.mark.parametrize("compressed", [False, True])
def test_read_idx_round_trips_images_and_labels(tmp_path, tiny, compressed):
    images, labels = tiny.arrays("train")
    for name, array in (("img", images), ("lab", labels)):
        data = tiny.idx_bytes(array)
        path = tmp_path / (name + (".gz" if compressed else ""))
        path.write_bytes(gzip.compress(data) if compressed else data)
        read = read_idx(path)
        assert read.dtype == np.uint8
        np.testing.assert_array_equal(read, array)


def test_read_idx_rejects_wrong_magic(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 8)
    with pytest.raises(DatasetError, match=r"not an IDX file.*12 34 08 01"):
        read_idx(path)


def test_read_idx_rejects_unknown_type_code(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x00\x00\x07\x01\x00\x00\x00\x01\x05")
    with pytest.raises(DatasetError, match="invalid IDX header"):
        read_idx(path)


@pytest.mark.parametrize("cut", [3, 10, -1])
def test_read_idx_rejects_truncated_file(tmp_path, tiny, cut):
    images, _ = tiny.arrays("test")
    path = tmp_path / "short"
    path.write_bytes(tiny.idx_bytes(images)[:cut])
    with pytest.raises(DatasetError, match=r"truncated|not an IDX"):
        read_idx(path)


def test_read_idx_reports_damaged_gzip(tmp_path, tiny):
    images, _ = tiny.arrays("test")
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(tiny.idx_bytes(images))[:-20])
    with pytest.raises(DatasetError, match="could not be read as an IDX file"):
        read_idx(path)


def test_read_npz_array_names_missing_key(tmp_path):
    path = tmp_path / "a.npz"
    np.savez_compressed(path, something=np.zeros(3))
    with pytest.raises(DatasetError, match=r"no array 'arr_0'.*something"):
        read_npz_array(path)


def test_read_npz_array_reports_non_archive(tmp_path):
    path = tmp_path / "a.npz"
    path.write_bytes(b"definitely not a zip file")
    with pytest.raises(DatasetError, match="could not be read as an npz"):
        read_npz_array(path)


def test_verify_file_names_path_and_both_digests(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"abc")
    good = file_digest(path)
    verify_file(path, FileSpec("f.bin", good))
    with pytest.raises(DatasetChecksumError, match=rf"f\.bin.*sha256 {good}.*expected 0+\. Fix"):
        verify_file(path, FileSpec("f.bin", "0" * 64), hint="Fix it.")
    md5 = file_digest(path, "md5")
    with pytest.raises(DatasetChecksumError, match=rf"md5 {md5}, expected 1+ \(the published md5"):
        verify_file(path, FileSpec("f.bin", "1" * 32, "md5"))


@pytest.mark.parametrize("layout", ["bundled", "npz", "idx", "idx.gz"])
def test_load_dataset_reads_every_layout(tmp_path, tiny, clean_env, layout):
    info = tiny.write(tmp_path / "data", layout)
    bunch = load_dataset(info, data_dir=tmp_path / "data", return_images=True, download=False)
    train_images, train_labels = tiny.arrays("train")
    test_images, test_labels = tiny.arrays("test")
    np.testing.assert_array_equal(bunch.images, np.concatenate([train_images, test_images]))
    np.testing.assert_array_equal(bunch.target, np.concatenate([train_labels, test_labels]))
    np.testing.assert_allclose(bunch.data, bunch.images.reshape(len(bunch.images), -1) / 255,
                               rtol=1e-6)
    assert bunch.target.dtype == np.int64 and bunch.data.dtype == np.float32
    assert bunch.target_names == ["a", "b", "c"]


def test_load_dataset_finds_torchvision_layout(tmp_path, tiny, clean_env):
    info = tiny.write(tmp_path / "root" / "Tiny" / "raw", "idx.gz")
    X, _ = load_dataset(info, "test", data_dir=tmp_path / "root", return_X_y=True,
                        download=False)
    assert X.shape == (tiny.n_samples["test"], 20)
    assert all("Tiny/raw" in f for f in load_dataset(info, "test", data_dir=tmp_path / "root",
                                                     download=False).files)
