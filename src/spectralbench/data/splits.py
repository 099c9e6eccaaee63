"""Stratified, seeded train/test splits at the study's ratios.

The split itself is scikit-learn's ``train_test_split`` with ``stratify``; this
module adds seeding from a numpy Generator and ``groups``, which keeps rows
that are copies of one original row (duplicates from sampling with
replacement) on the same side, so no image is both trained and tested on.
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.model_selection import train_test_split

from .._validation import Interval, validate_params

__all__ = ["PAPER_TRAIN_SIZES", "split"]

PAPER_TRAIN_SIZES = (0.5, 0.6, 0.7, 0.8, 0.9)

_CONSTRAINTS = {
    "train_size": [Interval(numbers.Real, 0, 1, closed="neither")],
    "random_state": [None, numbers.Integral, np.random.Generator],
}


def split(
    y,
    train_size: float = 0.8,
    *,
    groups=None,
    random_state: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train/test split of row positions.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels; each class keeps (up to rounding) its share on both sides.
    train_size : float in (0, 1), default=0.8
        Share of rows (of groups, when ``groups`` is given) for training. The
        paper's ratios 50/50 ... 90/10 are ``PAPER_TRAIN_SIZES``.
    groups : array-like of shape (n_samples,) or None, default=None
        Rows with equal group ids go to the same side, e.g. the original row
        index of each row of a subset drawn with replacement
        (``groups=subset_indices``). Every group must have one label.
    random_state : int, numpy Generator or None, default=None
        Seed; same seed, same split. A Generator is drawn from once.

    Returns
    -------
    train_idx, test_idx : ndarray of int64
        Sorted positions into ``y``; together they cover every row once.

    Raises
    ------
    ValueError
        When a class is too small to appear on both sides, when a group holds
        two labels, or for a bad ``train_size``.
    """
    validate_params({"train_size": train_size, "random_state": random_state}, _CONSTRAINTS,
                    "split")
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}.")
    seed = random_state
    if isinstance(random_state, np.random.Generator):
        seed = int(random_state.integers(2**31 - 1))
    if groups is None:
        units, unit_labels = np.arange(len(y)), y
    else:
        groups = np.asarray(groups)
        if groups.shape != y.shape:
            raise ValueError(f"groups has shape {groups.shape} but y has {y.shape}.")
        units, first, row_unit = np.unique(groups, return_index=True, return_inverse=True)
        unit_labels = y[first]
        if (unit_labels[row_unit] != y).any():
            raise ValueError("a group holds rows with different labels; groups must mark "
                             "copies of one row.")
    try:
        train_units, _ = train_test_split(np.arange(len(units)), train_size=train_size,
                                          stratify=unit_labels, random_state=seed)
    except ValueError as exc:
        raise ValueError(
            f"cannot split {len(units)} rows of {len(np.unique(unit_labels))} classes "
            f"with train_size={train_size}: {exc}"
        ) from exc
    in_train = np.zeros(len(units), dtype=bool)
    in_train[train_units] = True
    if groups is not None:
        in_train = in_train[row_unit]
    return (np.flatnonzero(in_train).astype(np.int64),
            np.flatnonzero(~in_train).astype(np.int64))
