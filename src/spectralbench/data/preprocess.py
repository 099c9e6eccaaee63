"""Preprocessing as the study uses it: flatten, scale, impute, encode labels.

Images become rows of grey levels in [0, 1] (``pixel / 255``). Missing values
never travel downstream silently: :func:`impute_missing` replaces them by a
documented rule and logs how many it replaced. Labels of any type map to
``0..C-1`` and back.
"""

from __future__ import annotations

import logging

import numpy as np
from sklearn.impute import SimpleImputer

from .._validation import Options, validate_params

__all__ = ["decode_labels", "encode_labels", "flatten_images", "impute_missing"]

logger = logging.getLogger(__name__)

_IMPUTE_STRATEGIES = ("mean", "median", "zero")


def flatten_images(images: np.ndarray) -> np.ndarray:
    """Flatten grey-level images into rows scaled to [0, 1].

    Parameters
    ----------
    images : ndarray of shape (n_samples, height, width), uint8
        Grey levels 0..255.

    Returns
    -------
    ndarray of shape (n_samples, height * width), float32
        ``images / 255``, C-ordered.

    Raises
    ------
    ValueError
        When ``images`` is not a 3-D uint8 array.
    """
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"flatten_images expects uint8 images of shape (n_samples, height, width), "
            f"got dtype {images.dtype} and shape {images.shape}."
        )
    rows = images.reshape(len(images), -1).astype(np.float32)
    rows /= np.float32(255.0)
    return rows


def impute_missing(X: np.ndarray, strategy: str = "mean") -> np.ndarray:
    """Replace NaN entries of a feature matrix; rows are never dropped.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Float data that may contain NaN (missing pixels, or whole missing rows).
    strategy : {"mean", "median", "zero"}, default="mean"
        ``"mean"``/``"median"``: each NaN becomes its column's mean/median over
        the rows where that column is present; ``"zero"``: each NaN becomes 0.
        A column with no value at all becomes 0 under every strategy, and a
        fully missing row therefore becomes the mean (median) row.

    Returns
    -------
    ndarray of shape (n_samples, n_features), float32
        A new array without NaN (the input is not modified). The number of
        replaced values is logged at WARNING level when it is not zero.

    Raises
    ------
    ValueError
        For an unknown strategy, a non-2-D array, or infinite values (which
        are not missing values; remove or clip them).
    """
    validate_params({"strategy": strategy}, {"strategy": [Options(_IMPUTE_STRATEGIES)]},
                    "impute_missing")
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 2:
        raise ValueError(f"impute_missing expects a 2-D array, got shape {X.shape}.")
    if np.isinf(X).any():
        raise ValueError(
            "impute_missing got infinite values; they are not missing values. "
            "Replace them (e.g. np.clip or np.nan_to_num) before imputing."
        )
    missing = np.isnan(X)
    n_missing = int(missing.sum())
    if n_missing == 0:
        return X.copy()
    imputer = SimpleImputer(
        strategy="constant" if strategy == "zero" else strategy,
        fill_value=0.0,
        keep_empty_features=True,
    )
    filled = imputer.fit_transform(X).astype(np.float32)
    logger.warning(
        "impute_missing: replaced %d missing values in %d rows (strategy=%r)",
        n_missing, int(missing.any(axis=1).sum()), strategy,
    )
    return filled


def encode_labels(y) -> tuple[np.ndarray, np.ndarray]:
    """Map arbitrary labels to integer codes ``0..C-1``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of any sortable type (ints, strings, ...).

    Returns
    -------
    codes : ndarray of shape (n_samples,), int64
        ``classes[codes] == y``.
    classes : ndarray of shape (n_classes,)
        The distinct labels, sorted; code ``i`` stands for ``classes[i]``.

    Raises
    ------
    ValueError
        When ``y`` is not 1-D or contains NaN.
    """
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"labels must be 1-D, got shape {y.shape}; pass y.ravel() if intended.")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError(
            f"labels contain NaN (first at row {int(np.flatnonzero(np.isnan(y))[0])}); "
            "drop unlabelled rows before encoding."
        )
    classes, codes = np.unique(y, return_inverse=True)
    return codes.astype(np.int64), classes


def decode_labels(codes, classes) -> np.ndarray:
    """Map integer codes back to the original labels (the inverse of encode).

    Parameters
    ----------
    codes : array-like of shape (n_samples,), int
        Values in ``0..len(classes)-1``.
    classes : array-like of shape (n_classes,)
        As returned by :func:`encode_labels`.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``classes[codes]``.

    Raises
    ------
    ValueError
        When a code is out of range or not an integer.
    """
    codes = np.asarray(codes)
    classes = np.asarray(classes)
    if codes.dtype.kind not in "iu":
        raise ValueError(f"codes must be integers, got dtype {codes.dtype}.")
    if codes.size and (codes.min() < 0 or codes.max() >= len(classes)):
        raise ValueError(
            f"codes must lie in 0..{len(classes) - 1} for {len(classes)} classes, "
            f"got values from {codes.min()} to {codes.max()}."
        )
    return classes[codes]
