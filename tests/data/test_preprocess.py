"""Flatten/scale, missing values and label encoding."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from spectralbench.data import decode_labels, encode_labels, flatten_images, impute_missing


def test_flatten_images_scales_to_unit_range():
    images = np.array([[[0, 255], [51, 102]]], dtype=np.uint8)
    rows = flatten_images(images)
    assert rows.dtype == np.float32 and rows.shape == (1, 4)
    np.testing.assert_allclose(rows, [[0.0, 1.0, 0.2, 0.4]])
    with pytest.raises(ValueError, match=r"uint8 images.*float64"):
        flatten_images(images.astype(float))


def test_impute_mean_fills_pixels_rows_and_empty_columns(fmnist_small, caplog):
    X = fmnist_small[0][:200].copy()
    X[3, 10] = np.nan      # one missing pixel
    X[7, :] = np.nan       # one missing row
    X[:, 5] = np.nan       # one column with no value at all
    with caplog.at_level(logging.WARNING, logger="spectralbench.data.preprocess"):
        filled = impute_missing(X)
    assert not np.isnan(filled).any() and np.isnan(X).any()  # input untouched
    present = np.delete(X[:, 10], [3, 7])
    assert filled[3, 10] == pytest.approx(present.mean(), rel=1e-5)
    assert (filled[:, 5] == 0).all()
    others = np.delete(np.arange(X.shape[1]), 5)
    np.testing.assert_allclose(filled[7, others], np.nanmean(X[:, others], axis=0), rtol=1e-5)
    assert "replaced 984 missing values in 200 rows" in caplog.text


def test_impute_strategies_and_errors():
    X = np.array([[1.0, np.nan], [3.0, 4.0], [np.nan, 8.0]])
    np.testing.assert_allclose(impute_missing(X, "zero"), [[1, 0], [3, 4], [0, 8]])
    np.testing.assert_allclose(impute_missing(X, "median"), [[1, 6], [3, 4], [2, 8]])
    with pytest.raises(ValueError, match=r"strategy='drop' is invalid"):
        impute_missing(X, "drop")
    with pytest.raises(ValueError, match="infinite values"):
        impute_missing(np.array([[np.inf, 1.0]]))


def test_encode_and_decode_round_trip():
    y = np.array(["ki", "o", "ki", "su"])
    codes, classes = encode_labels(y)
    np.testing.assert_array_equal(codes, [0, 1, 0, 2])
    assert codes.dtype == np.int64
    np.testing.assert_array_equal(decode_labels(codes, classes), y)
    codes, classes = encode_labels([10, -3, 10])
    np.testing.assert_array_equal(classes[codes], [10, -3, 10])
    with pytest.raises(ValueError, match=r"codes must lie in 0\.\.1 .* from 0 to 2"):
        decode_labels([0, 2], ["a", "b"])
    with pytest.raises(ValueError, match="labels contain NaN"):
        encode_labels([1.0, np.nan])
