"""Load a user's own labelled data (``.npz`` or ``.csv``) into the same Bunch.

Features come out as float32 rows, missing values are imputed by a documented
rule (or refused), and labels of any type are encoded to ``0..C-1`` with the
original values kept as ``target_names``.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._validation import Options, validate_params
from ..exceptions import DatasetError, DatasetNotFoundError
from .preprocess import encode_labels, impute_missing
from .readers import read_npz_array

__all__ = ["load_user_dataset"]

logger = logging.getLogger(__name__)

_MISSING = ("mean", "median", "zero", "error")


def load_user_dataset(
    path: str | Path,
    *,
    label_column: str = "label",
    missing: str = "mean",
    scale: bool = False,
    return_X_y: bool = False,
):
    """Load your own labelled data: an ``.npz`` archive or a ``.csv`` table.

    Parameters
    ----------
    path : str or Path
        ``.npz`` with arrays ``X`` and ``y`` (or ``x`` and ``y``); ``X`` may be
        (n_samples, n_features) or images (n_samples, height, width), which are
        flattened. ``.csv`` with a header row: the ``label_column`` holds the
        labels, every other column is a numeric feature; empty cells and
        ``nan`` are missing values.
    label_column : str, default="label"
        Name of the label column of a CSV file.
    missing : {"mean", "median", "zero", "error"}, default="mean"
        What to do with missing (NaN) feature values: impute them with
        :func:`~spectralbench.data.impute_missing` using this strategy, or
        raise (``"error"``). Rows with a missing label always raise.
    scale : bool, default=False
        Min-max scale all features together to [0, 1] (``(X - min) / (max - min)``
        over the whole array, which keeps pixel intensities comparable).
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    Bunch or tuple
        ``data`` float32 (n_samples, n_features); ``target`` int64 (n_samples,)
        in ``0..C-1``; ``target_names`` list of str, the original label of each
        code; ``DESCR`` str; ``files`` list with ``path``.

    Raises
    ------
    DatasetNotFoundError
        When ``path`` does not exist.
    DatasetError
        When the file lacks labels or features, is unreadable, has
        non-numeric features, or holds NaN with ``missing="error"``.
    ValueError
        For an unknown ``missing`` strategy or file type.
    """
    validate_params({"missing": missing}, {"missing": [Options(_MISSING)]}, "load_user_dataset")
    path = Path(path)
    if not path.is_file():
        raise DatasetNotFoundError(f"{path} does not exist; pass the path of an .npz or .csv file.")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        X, y = _read_npz(path)
    elif suffix == ".csv":
        X, y = _read_csv(path, label_column)
    else:
        raise ValueError(f"{path}: unsupported file type {suffix!r}; use .npz or .csv.")
    if len(X) != len(y) or len(X) == 0:
        raise DatasetError(f"{path}: {len(X)} feature rows but {len(y)} labels; they must match "
                           "and not be empty.")
    if np.isnan(X).any():
        if missing == "error":
            row = int(np.flatnonzero(np.isnan(X).any(axis=1))[0])
            raise DatasetError(f"{path} has missing feature values (first in row {row}); "
                               "fill them in, or pass missing='mean' to impute them.")
        X = impute_missing(X, strategy=missing)
    if scale:
        low, high = float(X.min()), float(X.max())
        X = (X - low) / np.float32(high - low if high > low else 1.0)
    try:
        target, classes = encode_labels(y)
    except ValueError as exc:
        raise DatasetError(f"{path}: {exc}") from exc
    logger.info("loaded %s: %d samples, %d features, %d classes", path, *X.shape, len(classes))
    if return_X_y:
        return X, target
    return Bunch(
        data=X, target=target, target_names=[str(c) for c in classes],
        DESCR=f"User dataset {path.name}: {X.shape[0]} samples, {X.shape[1]} features, "
              f"{len(classes)} classes.",
        files=[str(path)],
    )


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        keys = set(archive.files)
    feature_key = "X" if "X" in keys else "x"
    if feature_key not in keys or "y" not in keys:
        raise DatasetError(f"{path} must hold arrays 'X' (or 'x') and 'y'; it holds "
                           f"{sorted(keys)}.")
    X, y = read_npz_array(path, feature_key), read_npz_array(path, "y")
    if X.ndim == 3:
        X = X.reshape(len(X), -1)
    if X.ndim != 2 or X.dtype.kind not in "biuf":
        raise DatasetError(f"{path}: 'X' must be numeric of shape (n_samples, n_features) or "
                           f"(n_samples, height, width), got {X.dtype} {X.shape}.")
    return X.astype(np.float32), np.asarray(y).ravel()


def _read_csv(path: Path, label_column: str) -> tuple[np.ndarray, np.ndarray]:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        raise DatasetError(f"{path} is empty.")
    header, body = rows[0], rows[1:]
    if label_column not in header:
        raise DatasetError(f"{path} has no column {label_column!r} (columns: {header}); "
                           "pass label_column= the name of the label column.")
    where = header.index(label_column)
    ragged = next((i for i, row in enumerate(body) if len(row) != len(header)), None)
    if ragged is not None:
        raise DatasetError(f"{path}: row {ragged + 1} has {len(body[ragged])} cells, the header "
                           f"has {len(header)}; every row needs one value per column.")
    labels = [row[where].strip() for row in body]
    if "" in labels:
        raise DatasetError(f"{path}: row {labels.index('') + 1} has no label; drop unlabelled "
                           "rows first.")
    try:
        X = np.array([[float(value) if value.strip() else np.nan
                       for i, value in enumerate(row) if i != where] for row in body],
                     dtype=np.float32)
    except ValueError as exc:
        raise DatasetError(f"{path}: every column but {label_column!r} must be numeric "
                           f"({exc}).") from exc
    if X.ndim != 2 or X.shape[1] == 0:
        raise DatasetError(f"{path} needs at least one data row and one feature column.")
    y = np.array(labels)
    if all(_is_int(label) for label in labels):
        y = y.astype(np.int64)
    return X, y


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True
