"""Loading the bundled datasets: sizes, verification, resolution order."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from spectralbench.data import DATASETS, available_datasets, dataset_status, load_dataset
from spectralbench.data.locate import search_dirs
from spectralbench.exceptions import DatasetChecksumError, DatasetError, DatasetNotFoundError


def test_registry_lists_both_datasets_with_ten_class_names():
    assert available_datasets() == ["fashion_mnist", "kmnist"]
    assert DATASETS["fashion_mnist"].class_names[0] == "T-shirt/top"
    assert DATASETS["kmnist"].class_names[:3] == ("o", "ki", "su")
    for info in DATASETS.values():
        assert info.n_classes == 10 and info.n_features == 784
        assert info.licence in info.describe()


@pytest.mark.parametrize("name", ["fashion_mnist", "kmnist"])
def test_load_all_gives_70000_rows_in_unit_range_7000_per_class(name, datasets_dir):
    bunch = load_dataset(name, data_dir=datasets_dir)
    assert bunch.data.shape == (70000, 784) and bunch.data.dtype == np.float32
    assert bunch.data.min() == 0.0 and bunch.data.max() == 1.0
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(bunch.target), np.full(10, 7000))
    assert len(bunch.target_names) == 10 and "images" not in bunch
    assert [f.rsplit("/", 1)[-1] for f in bunch.files] == [f"{name}_train.npz",
                                                           f"{name}_test.npz"]


def test_train_and_test_splits_have_official_sizes_and_order(datasets_dir, fmnist_small):
    X_train, y_train = load_dataset("fashion_mnist", "train", return_X_y=True)
    test = load_dataset("fashion_mnist", "test", return_images=True)
    assert X_train.shape == (60000, 784) and test.data.shape == (10000, 784)
    assert test.images.shape == (10000, 28, 28) and test.images.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(y_train), np.full(10, 6000))
    # The conftest fixture reads the same file independently: its rows must be ours.
    with np.load(datasets_dir / "fashion_mnist_test.npz") as f:
        np.testing.assert_array_equal(test.images, f["x"])


def test_unknown_name_and_split_are_refused():
    with pytest.raises(ValueError, match=r"unknown dataset 'mnist'.*fashion_mnist, kmnist"):
        load_dataset("mnist")
    with pytest.raises(ValueError, match="did you mean 'kmnist'"):
        load_dataset("kmnst")
    with pytest.raises(ValueError, match=r"split='validation' is invalid.*'all'"):
        load_dataset("kmnist", "validation")


@pytest.mark.parametrize("name", ["fashion_mnist", "kmnist"])
@pytest.mark.parametrize("split", ["train", "test"])
def test_flipped_byte_is_reported_and_never_loaded(tmp_path, datasets_dir, tiny, name, split):
    copy = tmp_path / f"{name}_{split}.npz"
    shutil.copyfile(datasets_dir / copy.name, copy)
    tiny.flip(copy)
    expected = DATASETS[name].sources[split][0].files[0].digest
    with pytest.raises(DatasetChecksumError, match=rf"{copy.name} is corrupted.*expected "
                       rf"{expected}.*git checkout") as info:
        load_dataset(name, split, data_dir=tmp_path)
    assert info.value.path == str(copy)
    status = {s.split: s for s in dataset_status(name, data_dir=tmp_path)}
    assert not status[split].ok and "corrupted" in status[split].message
    other = "test" if split == "train" else "train"
    assert status[other].message == "not found"


def test_truncated_file_is_reported(tmp_path, datasets_dir):
    copy = tmp_path / "kmnist_test.npz"
    copy.write_bytes((datasets_dir / "kmnist_test.npz").read_bytes()[:100_000])
    with pytest.raises(DatasetChecksumError, match=r"kmnist_test\.npz is corrupted"):
        load_dataset("kmnist", "test", data_dir=tmp_path)


def test_registered_file_with_wrong_contents_is_refused(tmp_path, datasets_dir):
    # A valid, intact file under the wrong name: the checksum tells them apart.
    shutil.copyfile(datasets_dir / "fashion_mnist_test.npz", tmp_path / "kmnist_test.npz")
    with pytest.raises(DatasetChecksumError, match=r"kmnist_test\.npz"):
        load_dataset("kmnist", "test", data_dir=tmp_path)


def test_missing_dataset_without_download_says_where_it_looked(tmp_path):
    with pytest.raises(DatasetNotFoundError, match=rf"kmnist \(test\) was not found; looked in "
                       rf"{tmp_path}.*kmnist_test\.npz.*rois-codh"):
        load_dataset("kmnist", "test", data_dir=tmp_path, download=False)


def test_resolution_order(monkeypatch, tmp_path, datasets_dir):
    monkeypatch.delenv("SPECTRALBENCH_DATA", raising=False)
    monkeypatch.setenv("SPECTRALBENCH_CACHE", str(tmp_path / "cache"))
    assert search_dirs() == [datasets_dir, tmp_path / "cache"]
    monkeypatch.setenv("SPECTRALBENCH_DATA", str(tmp_path / "env"))
    assert search_dirs() == [tmp_path / "env"]
    assert search_dirs(tmp_path / "explicit") == [tmp_path / "explicit"]
    (tmp_path / "env").mkdir()
    shutil.copyfile(datasets_dir / "kmnist_test.npz", tmp_path / "env" / "kmnist_test.npz")
    assert load_dataset("kmnist", "test").files == [str(tmp_path / "env" / "kmnist_test.npz")]


def test_contents_disagreeing_with_registry_raise(tmp_path, tiny, clean_env):
    info = tiny.write(tmp_path, "bundled")
    bigger = type(info)(**{**info.__dict__, "n_samples": {"train": 31, "test": 12}})
    with pytest.raises(DatasetError, match=r"should hold uint8 images of shape \(31, 4, 5\)"):
        load_dataset(bigger, "train", data_dir=tmp_path)
