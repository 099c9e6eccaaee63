"""A user's own .npz or .csv file becomes the same Bunch."""

from __future__ import annotations

import numpy as np
import pytest

from spectralbench.data import load_user_dataset
from spectralbench.exceptions import DatasetError, DatasetNotFoundError


@pytest.mark.parametrize("key", ["X", "x"])
def test_npz_with_images_and_string_labels(tmp_path, fmnist_small, key):
    X, y = fmnist_small
    names = np.array(["shoe", "shirt", "bag"])[y[:300] % 3]
    path = tmp_path / "mine.npz"
    np.savez(path, **{key: (X[:300] * 255).astype(np.uint8).reshape(300, 28, 28), "y": names})
    bunch = load_user_dataset(path, scale=True)
    assert bunch.data.shape == (300, 784) and bunch.data.dtype == np.float32
    assert bunch.data.min() == 0.0 and bunch.data.max() == 1.0
    assert bunch.target_names == ["bag", "shirt", "shoe"]
    np.testing.assert_array_equal(np.array(bunch.target_names)[bunch.target], names)


def test_csv_with_label_column_and_missing_values(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("f1,kind,f2\n1.0,b,2\n,a,4\n3.0,b,\n5.0,a,8\n")
    X, y = load_user_dataset(path, label_column="kind", return_X_y=True)
    np.testing.assert_allclose(X, [[1, 2], [3, 4], [3, 14 / 3], [5, 8]], rtol=1e-6)
    np.testing.assert_array_equal(y, [1, 0, 1, 0])
    with pytest.raises(DatasetError, match=r"missing feature values \(first in row 1\)"):
        load_user_dataset(path, label_column="kind", missing="error")


def test_user_file_errors(tmp_path):
    with pytest.raises(DatasetNotFoundError, match="does not exist"):
        load_user_dataset(tmp_path / "none.csv")
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DatasetError, match=r"no column 'label' \(columns: \['a', 'b'\]\)"):
        load_user_dataset(path)
    path.write_text("a,label\nx,1\n")
    with pytest.raises(DatasetError, match="every column but 'label' must be numeric"):
        load_user_dataset(path)
    path.write_text("a,label\n1,\n")
    with pytest.raises(DatasetError, match="row 1 has no label"):
        load_user_dataset(path)
    npz = tmp_path / "a.npz"
    np.savez(npz, data=np.zeros((2, 2)))
    with pytest.raises(DatasetError, match=r"must hold arrays 'X' \(or 'x'\) and 'y'"):
        load_user_dataset(npz)
    (tmp_path / "a.txt").write_text("")
    with pytest.raises(ValueError, match=r"unsupported file type '\.txt'"):
        load_user_dataset(tmp_path / "a.txt")
