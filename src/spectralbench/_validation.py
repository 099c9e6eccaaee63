"""Input and parameter validation shared by the estimator and the baselines.

``check_array`` is the one gate for user data: numpy arrays (memmaps included),
torch tensors, pandas frames and nested lists come out as a 2-D numpy array.
``validate_params`` checks keyword arguments against a declarative table of
``Interval``/``Options``/type rules, in the spirit of scikit-learn's
``_parameter_constraints`` but in a small checker of our own.
"""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Interval",
    "InvalidParameterError",
    "Options",
    "check_array",
    "check_n_features",
    "closest_match",
    "did_you_mean",
    "validate_params",
]


def _to_numpy(X: Any) -> Any:
    """Turn torch tensors and pandas objects into numpy without copying if possible."""
    module = type(X).__module__
    if module.startswith("torch"):
        return X.detach().cpu().numpy()
    if hasattr(X, "to_numpy") and module.startswith("pandas"):
        return X.to_numpy()
    return X


def check_array(
    X: Any,
    *,
    name: str = "X",
    owner: str = "",
    dtype: Any = np.float32,
    min_samples: int = 1,
    allow_nan: bool = False,
    copy: bool = False,
) -> np.ndarray:
    """Validate user data and return it as a C-ordered 2-D numpy array.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        numpy array or memmap, torch tensor, pandas DataFrame or nested list.
    name : str, default="X"
        How the data is named in error messages.
    owner : str, default=""
        The estimator or function checking the data, named in error messages.
    dtype : numpy dtype or None, default=numpy.float32
        Target dtype. ``None`` keeps numeric dtypes as they are (so a uint8
        memmap is not copied into memory).
    min_samples : int, default=1
        Fewer rows raise ``ValueError``.
    allow_nan : bool, default=False
        When False, NaN or infinite values raise ``ValueError``.
    copy : bool, default=False
        Force a copy even when the input already has the right dtype and order.

    Returns
    -------
    ndarray of shape (n_samples, n_features)

    Raises
    ------
    TypeError
        For sparse matrices, complex or non-numeric data.
    ValueError
        For wrong dimensionality, too few rows, no columns, NaN or infinity.
    """
    who = f"{owner} " if owner else ""
    if hasattr(X, "tocsr") and hasattr(X, "nnz"):
        raise TypeError(
            f"{who}got a sparse matrix for {name}; pass a dense array "
            f"(for example {name}.toarray()) or reduce its dimension first."
        )
    X = _to_numpy(X)
    if isinstance(X, np.ndarray) and not isinstance(X, np.matrix):
        array = X
    else:
        try:
            array = np.asarray(X)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"{who}could not turn {name} into a numeric array: {exc}") from exc
    if isinstance(array, np.matrix):
        raise TypeError(f"{who}does not accept np.matrix for {name}; use np.asarray({name}).")
    if array.dtype.kind == "c":
        raise TypeError(f"{who}got complex values in {name}; pass real numbers.")
    if array.dtype.kind not in "biuf":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"{who}needs numeric data in {name}, got dtype {array.dtype}: {exc}"
            ) from exc
    if array.ndim == 1:
        raise ValueError(
            f"{who}expected a 2-D array for {name}, got a 1-D array of shape {array.shape}. "
            f"Reshape with {name}.reshape(-1, 1) if it holds one feature, or "
            f"{name}.reshape(1, -1) if it holds one sample."
        )
    if array.ndim != 2:
        raise ValueError(
            f"{who}expected a 2-D array of shape (n_samples, n_features) for {name}, "
            f"got {array.ndim} dimensions with shape {array.shape}. Flatten each sample, "
            f"e.g. {name}.reshape(len({name}), -1)."
        )
    n_samples, n_features = array.shape
    if n_samples < min_samples:
        raise ValueError(
            f"{who}needs at least {min_samples} sample(s) in {name}, got shape {array.shape}."
        )
    if n_features == 0:
        raise ValueError(f"{who}got {name} with 0 features (shape {array.shape}).")
    if dtype is not None and array.dtype != dtype:
        array = array.astype(dtype)
    elif copy:
        array = array.copy()
    if not array.flags.c_contiguous:
        array = np.ascontiguousarray(array)
    if not allow_nan and array.dtype.kind == "f":
        _check_finite(array, name, who)
    return array


def _check_finite(array: np.ndarray, name: str, who: str, chunk_rows: int = 65536) -> None:
    """Raise if ``array`` has NaN or inf; scans in chunks so memmaps stay on disk."""
    for start in range(0, array.shape[0], chunk_rows):
        block = array[start:start + chunk_rows]
        if not np.isfinite(block).all():
            bad = np.argwhere(~np.isfinite(block))[0]
            row, col = int(bad[0]) + start, int(bad[1])
            kind = "NaN" if np.isnan(array[row, col]) else "infinite values"
            raise ValueError(
                f"{who}got {kind} in {name} (first at row {row}, column {col}). "
                "Remove those rows or impute them first, e.g. with "
                "sklearn.impute.SimpleImputer or spectralbench.data.impute_missing."
            )


def check_n_features(X: np.ndarray, n_features_in: int, owner: str = "") -> None:
    """Raise ``ValueError`` when new data has a different feature count than fit."""
    if X.shape[1] != n_features_in:
        who = f"{owner} " if owner else ""
        raise ValueError(
            f"X has {X.shape[1]} features, but {who}was fitted with {n_features_in} "
            "features. Pass data with the same columns as in fit."
        )


class InvalidParameterError(ValueError, TypeError):
    """A parameter has a wrong type or value (both a ValueError and a TypeError,
    as in scikit-learn, so either ``except`` clause catches it)."""


@dataclass(frozen=True)
class Interval:
    """A numeric range rule: ``kind`` is ``numbers.Integral`` or ``numbers.Real``.

    ``low``/``high`` may be None (unbounded); ``closed`` is "both", "left",
    "right" or "neither".
    """

    kind: type
    low: float | None
    high: float | None
    closed: str = "both"

    def accepts(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, self.kind):
            return False
        if self.low is not None:
            if value < self.low or (value == self.low and self.closed in ("right", "neither")):
                return False
        if self.high is not None:
            if value > self.high or (value == self.high and self.closed in ("left", "neither")):
                return False
        return True

    def __str__(self) -> str:
        kind = "an int" if self.kind is numbers.Integral else "a number"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else self.low
        high = "inf" if self.high is None else self.high
        return f"{kind} in {left}{low}, {high}{right}"


@dataclass(frozen=True)
class Options:
    """A rule that accepts one value from a closed set (usually strings)."""

    values: frozenset

    def __init__(self, values: Iterable):
        object.__setattr__(self, "values", frozenset(values))

    def accepts(self, value: Any) -> bool:
        try:
            return value in self.values
        except TypeError:
            return False

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in sorted(self.values, key=str))


def _describe(rule: Any) -> str:
    if rule is None:
        return "None"
    if isinstance(rule, type):
        return f"an instance of {rule.__name__}"
    if rule == "callable":
        return "a callable"
    return str(rule)


def _accepts(rule: Any, value: Any) -> bool:
    if rule is None:
        return value is None
    if rule == "callable":
        return callable(value)
    if isinstance(rule, type):
        if rule in (int, numbers.Integral) and isinstance(value, bool):
            return False
        return isinstance(value, rule)
    return rule.accepts(value)


def closest_match(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most similar to ``name`` (difflib), or None."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.5)
    return matches[0] if matches else None


def did_you_mean(name: Any, candidates: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the candidate closest to ``name``, or ``""``."""
    match = closest_match(str(name), candidates)
    return f" Did you mean {match!r}?" if match else ""


def validate_params(
    params: Mapping[str, Any], constraints: Mapping[str, list], owner: str
) -> None:
    """Check each parameter against its list of accepted rules.

    Parameters
    ----------
    params : mapping
        Parameter names to values, usually ``estimator.get_params(deep=False)``.
    constraints : mapping
        Parameter names to a list of rules; a value must satisfy at least one.
        A rule is ``None``, a type, ``"callable"``, an :class:`Interval` or an
        :class:`Options`.
    owner : str
        Class or function name used in messages.

    Raises
    ------
    InvalidParameterError
        (a ``ValueError`` and a ``TypeError``) when a value satisfies none of
        its rules, naming the value and what is accepted.
    """
    for key, value in params.items():
        rules = constraints.get(key)
        if rules is None or any(_accepts(rule, value) for rule in rules):
            continue
        accepted = " or ".join(_describe(rule) for rule in rules)
        raise InvalidParameterError(f"{owner}: {key}={value!r} is invalid; it must be {accepted}.")
