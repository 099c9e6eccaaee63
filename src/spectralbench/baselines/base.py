"""The small interface every baseline shares: ``fit_predict`` and ``predict``.

:class:`Clusterer` validates parameters and input once, turns ``random_state``
into a generator at the start of ``fit`` and records the parameters a run used
(``params_``, JSON-safe), so the study can treat every method alike. A subclass
wraps one library method by writing ``_fit`` (and ``_predict`` when the method
can label unseen points).
"""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.utils.validation import check_is_fitted

from .._validation import Interval, check_array, check_n_features, validate_params

__all__ = ["Clusterer", "derive_seed"]

_SEED_LIMIT = 2**31 - 1


def derive_seed(rng: np.random.Generator) -> int:
    """Draw one integer seed for a library that only accepts ints.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator made once at the start of ``fit``.

    Returns
    -------
    int in [0, 2**31 - 1)
    """
    return int(rng.integers(_SEED_LIMIT))


def _json_safe(value: Any) -> Any:
    """Turn numpy scalars, tuples and nested containers into JSON types."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


class Clusterer(ClusterMixin, BaseEstimator):
    """Base class of the baselines: one small, uniform clustering interface.

    Subclasses store their keyword arguments in ``__init__`` unchanged, extend
    ``_parameter_constraints`` and implement ``_fit(X, rng) -> labels`` (and
    ``_predict(X) -> labels`` when they can label unseen points; otherwise
    ``predict`` raises ``NotImplementedError`` quoting ``_no_predict_reason``).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
        Cluster of each training point; ``-1`` marks noise (density methods).
    n_features_in_ : int
        Number of features seen in ``fit``.
    params_ : dict
        JSON-safe parameters the fit ran with, including values resolved from
        the data (for example an automatic ``eps``).
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        "random_state": [None, Interval(numbers.Integral, 0, 2**32 - 1)],
    }
    _no_predict_reason: ClassVar[str] = ""

    def fit(self, X, y=None) -> Clusterer:
        """Cluster the training data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (numpy, torch, pandas or nested lists).
        y : None
            Ignored; present for scikit-learn compatibility.

        Returns
        -------
        self : Clusterer
            The fitted baseline.
        """
        name = type(self).__name__
        validate_params(self.get_params(deep=False), self._parameter_constraints, name)
        X = check_array(X, owner=name, min_samples=2)
        self._check_params_vs_input(X)
        rng = np.random.default_rng(self.random_state)
        self._resolved: dict[str, Any] = {}
        labels = self._fit(X, rng)
        self.labels_ = np.asarray(labels, dtype=np.int64)
        self.n_features_in_ = X.shape[1]
        self.params_ = _json_safe({**self.get_params(deep=False), **self._resolved})
        return self

    def fit_predict(self, X, y=None) -> np.ndarray:
        """Fit on ``X`` and return its cluster labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int64
        """
        return self.fit(X).labels_

    def predict(self, X) -> np.ndarray:
        """Label unseen points with the clusters found in ``fit``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New data with the features seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,), dtype int64

        Raises
        ------
        NotImplementedError
            When the method has no out-of-sample rule (the message says why).
        sklearn.exceptions.NotFittedError
            When called before ``fit``.
        """
        check_is_fitted(self, "labels_")
        name = type(self).__name__
        X = check_array(X, owner=name)
        check_n_features(X, self.n_features_in_, owner=name)
        return np.asarray(self._predict(X), dtype=np.int64)

    def _check_params_vs_input(self, X: np.ndarray) -> None:
        """Raise when ``n_clusters`` (if the method has it) exceeds the rows of ``X``."""
        n_clusters = getattr(self, "n_clusters", None)
        if n_clusters is not None and n_clusters > X.shape[0]:
            raise ValueError(
                f"{type(self).__name__}: n_clusters={n_clusters} needs at least "
                f"{n_clusters} samples, got {X.shape[0]}; lower n_clusters or pass more rows."
            )

    def _record(self, **values: Any) -> None:
        """Note values resolved from the data; they end up in ``params_``."""
        self._resolved.update(values)

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__} must implement _fit.")

    def _predict(self, X: np.ndarray) -> np.ndarray:
        raise NotImplementedError(
            f"{type(self).__name__} cannot label unseen points: {self._no_predict_reason}"
        )
