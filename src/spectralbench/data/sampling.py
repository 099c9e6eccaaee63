"""Draw balanced and unbalanced subsets of a labelled dataset, as the study does.

The plan (how many rows per class) is a pure function of the class sizes, the
fraction, the profile and the seed, so the study can print it ("Table 1 as
realised") without drawing anything.

Profile
-------
Let ``n`` be the number of rows, ``C`` the number of classes and
``m = round(fraction * n / C)`` (halves rounded up). Every subset has exactly
``N = C * m`` rows:

* **balanced**: every class gets ``m`` rows.
* **unbalanced**: class sizes fall linearly from the largest ``L`` to the
  smallest ``S`` with ``L / S = imbalance_ratio`` and mean ``m``, i.e.
  ``S = 2m / (1 + r)``, ``L = r S``, size ``i = L - (L - S) i / (C - 1)``.
  These real sizes are rounded by the largest-remainder rule (floor all, then
  give one more row to the sizes with the largest fractional parts, ties to
  the larger size), so the total stays exactly ``N``. The sizes are assigned to
  the classes in an order shuffled by the seed. For the full Fashion-MNIST
  training set (``m = 6000``, ``r = 5``) this is the source paper's Table 1:
  10,000 down to 2,000.

A class that needs more rows than it has is drawn with replacement: every row
of the class once, plus the missing number drawn uniformly from it again; the
number of duplicates is logged as a warning. With ``replace=False`` such a
class is capped at its size instead, so the total shrinks (also logged).
"""

from __future__ import annotations

import logging
import math
import numbers

import numpy as np

from .._validation import Interval, Options, validate_params

__all__ = ["PAPER_FRACTIONS", "class_counts_for", "sample"]

logger = logging.getLogger(__name__)

PAPER_FRACTIONS = (0.25, 0.5, 0.75, 1.0)

_CONSTRAINTS = {
    "fraction": [Interval(numbers.Real, 0, 1, closed="right")],
    "balance": [Options(("balanced", "unbalanced"))],
    "imbalance_ratio": [Interval(numbers.Real, 1, None, closed="left")],
    "replace": [bool],
    "random_state": [None, numbers.Integral, np.random.Generator],
}


def _class_sizes(y) -> tuple[np.ndarray, np.ndarray]:
    """Class code of every row and the size of each class (np.unique order)."""
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"y must be a non-empty 1-D array of labels, got shape {y.shape}.")
    _, codes = np.unique(y, return_inverse=True)
    return codes, np.bincount(codes)


def _linear_profile(n_classes: int, per_class: int, ratio: float) -> np.ndarray:
    """Integer sizes falling linearly (ratio largest/smallest) summing to C*m."""
    total = n_classes * per_class
    smallest = 2.0 * per_class / (1.0 + ratio)
    largest = ratio * smallest
    ideal = np.round(np.linspace(largest, smallest, n_classes), 9)
    sizes = np.floor(ideal).astype(np.int64)
    shortfall = total - int(sizes.sum())
    by_remainder = np.argsort(-(ideal - sizes), kind="stable")
    sizes[by_remainder[:shortfall]] += 1
    return sizes


def _plan(sizes: np.ndarray, fraction: float, balance: str, ratio: float, replace: bool,
          rng: np.random.Generator) -> np.ndarray:
    n_classes = len(sizes)
    per_class = math.floor(fraction * sizes.sum() / n_classes + 0.5)
    if per_class < 1:
        raise ValueError(
            f"fraction={fraction} of {sizes.sum()} rows leaves less than one row per class "
            f"for {n_classes} classes; use a larger fraction."
        )
    if balance == "balanced" or n_classes == 1:
        counts = np.full(n_classes, per_class, dtype=np.int64)
    else:
        counts = np.empty(n_classes, dtype=np.int64)
        counts[rng.permutation(n_classes)] = _linear_profile(n_classes, per_class, ratio)
    if not replace and (counts > sizes).any():
        capped = np.minimum(counts, sizes)
        logger.warning(
            "sample: replace=False caps %d class(es) at their size; the subset has %d rows "
            "instead of %d", int((counts > sizes).sum()), int(capped.sum()), int(counts.sum()),
        )
        counts = capped
    return counts


def class_counts_for(
    y,
    fraction: float,
    *,
    balance: str = "balanced",
    imbalance_ratio: float = 5.0,
    replace: bool = True,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Rows per class that :func:`sample` draws with the same arguments.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels.
    fraction : float in (0, 1]
        Share of the rows to keep; the paper uses 0.25, 0.5, 0.75 and 1.0.
    balance : {"balanced", "unbalanced"}, default="balanced"
        The profile; see the module notes.
    imbalance_ratio : float >= 1, default=5.0
        Largest over smallest class size of the unbalanced profile.
    replace : bool, default=True
        Whether a class may be drawn with replacement when it is too small.
    random_state : int, numpy Generator or None, default=None
        Seed of the class order of the unbalanced profile.

    Returns
    -------
    ndarray of shape (n_classes,), int64
        Count per class, in the order of ``np.unique(y)``. Duplicates drawn
        are ``np.maximum(counts - class_sizes, 0).sum()``.
    """
    validate_params(dict(fraction=fraction, balance=balance, imbalance_ratio=imbalance_ratio,
                         replace=replace, random_state=random_state),
                    _CONSTRAINTS, "class_counts_for")
    _, sizes = _class_sizes(y)
    return _plan(sizes, fraction, balance, imbalance_ratio, replace,
                 np.random.default_rng(random_state))


def sample(
    y,
    fraction: float,
    *,
    balance: str = "balanced",
    imbalance_ratio: float = 5.0,
    replace: bool = True,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Row indices of a balanced or unbalanced subset of a labelled dataset.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels of the full dataset.
    fraction : float in (0, 1]
        Share of the rows to keep; the paper uses 0.25, 0.5, 0.75 and 1.0.
    balance : {"balanced", "unbalanced"}, default="balanced"
        ``"balanced"``: equal counts per class. ``"unbalanced"``: the linear
        profile of the module notes, with the same total as balanced.
    imbalance_ratio : float >= 1, default=5.0
        Largest over smallest class size when unbalanced.
    replace : bool, default=True
        Draw a too-small class with replacement (duplicates are logged); when
        False, cap it at its size, so the total shrinks (logged).
    random_state : int, numpy Generator or None, default=None
        Seed for the class order and the draws; same seed, same indices.

    Returns
    -------
    ndarray of shape (n_subset,), int64
        Sorted row indices into ``y``; a row drawn twice appears twice.
        ``np.bincount`` of the subset's class codes equals
        :func:`class_counts_for` with the same arguments.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.repeat(np.arange(4), 100)
    >>> len(sample(y, 0.5, random_state=0)), len(sample(y, 0.5, balance="unbalanced",
    ...                                                 random_state=0))
    (200, 200)
    """
    validate_params(dict(fraction=fraction, balance=balance, imbalance_ratio=imbalance_ratio,
                         replace=replace, random_state=random_state),
                    _CONSTRAINTS, "sample")
    codes, sizes = _class_sizes(y)
    rng = np.random.default_rng(random_state)
    counts = _plan(sizes, fraction, balance, imbalance_ratio, replace, rng)
    chosen = []
    for code, count in enumerate(counts):
        members = np.flatnonzero(codes == code)
        if count <= len(members):
            chosen.append(rng.choice(members, size=count, replace=False))
        else:
            chosen.extend([members, rng.choice(members, size=count - len(members))])
    n_duplicates = int(np.maximum(counts - sizes, 0).sum())
    if n_duplicates:
        logger.warning(
            "sample: %d row(s) drawn twice or more (classes smaller than their planned "
            "count were drawn with replacement); pass replace=False to avoid duplicates",
            n_duplicates,
        )
    return np.sort(np.concatenate(chosen)).astype(np.int64)
