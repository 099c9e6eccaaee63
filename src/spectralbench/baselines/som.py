"""Self-Organizing Map baseline (MiniSom): a map of units, grouped into clusters by k-means.

The map runs on whatever X it is given: raw pixels, or a SpectralNet embedding
(``SpectralNet().fit(X).transform(X)``) to compare the two representations.
"""

from __future__ import annotations

import logging
import numbers
from typing import ClassVar

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import pairwise_distances_argmin

from .._logging import timed
from .._optional import import_optional
from .._validation import Interval
from .base import Clusterer, derive_seed

__all__ = ["SOMClustering"]

logger = logging.getLogger(__name__)


class SOMClustering(Clusterer):
    """A MiniSom map whose units are grouped into ``n_clusters`` by k-means.

    Each point goes to its best-matching unit (nearest unit weight vector), and
    each unit to the k-means group of its weight vector.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters the map units are grouped into.
    map_shape : tuple of two ints, default=(10, 10)
        Rows and columns of the map; needs at least ``n_clusters`` units. Larger
        maps resolve more detail and cost proportionally more per iteration.
    sigma : float, default=2.0
        Initial neighbourhood radius on the map, in units; it decays during
        training. Keep it below half the map side.
    learning_rate : float, default=0.5
        Initial learning rate; it decays during training.
    n_iterations : int, default=10000
        Training steps, one random sample each. Cost is
        O(n_iterations * n_units * n_features), independent of n_samples.
    random_state : int or None, default=None
        Seed of MiniSom's sampling order and of the k-means grouping. The map
        starts from the data's two leading principal components (deterministic).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
    weights_ : ndarray of shape (n_units, n_features)
        Unit weight vectors, row-major over the map.
    unit_labels_ : ndarray of shape (n_units,), dtype int64
        Cluster of each unit.
    n_features_in_ : int
    params_ : dict

    Notes
    -----
    ``predict`` maps each new point to its best-matching unit and returns that
    unit's cluster, so it uses the training clusters as they are.

    References
    ----------
    Kohonen, "Self-organized formation of topologically correct feature maps",
    Biological Cybernetics 43, 1982. doi:10.1007/BF00337288
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **Clusterer._parameter_constraints,
        "n_clusters": [Interval(numbers.Integral, 1, None)],
        "map_shape": [tuple, list],
        "sigma": [Interval(numbers.Real, 0, None, closed="neither")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iterations": [Interval(numbers.Integral, 1, None)],
    }

    def __init__(self, n_clusters: int = 10, *, map_shape: tuple[int, int] = (10, 10),
                 sigma: float = 2.0, learning_rate: float = 0.5, n_iterations: int = 10000,
                 random_state: int | None = None):
        self.n_clusters = n_clusters
        self.map_shape = map_shape
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.n_iterations = n_iterations
        self.random_state = random_state

    def _check_params_vs_input(self, X: np.ndarray) -> None:
        super()._check_params_vs_input(X)
        shape = self.map_shape
        if len(shape) != 2 or not all(isinstance(s, numbers.Integral) and s >= 1 for s in shape):
            raise ValueError(
                f"SOMClustering: map_shape={shape!r} is invalid; pass two positive ints, "
                "e.g. map_shape=(10, 10)."
            )
        if shape[0] * shape[1] < self.n_clusters:
            raise ValueError(
                f"SOMClustering: map_shape={shape!r} has {shape[0] * shape[1]} units, fewer "
                f"than n_clusters={self.n_clusters}; use a larger map."
            )

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        minisom = import_optional("minisom", extra="som", feature="The 'som' baseline",
                                  package="MiniSom")
        rows, cols = self.map_shape
        som = minisom.MiniSom(rows, cols, X.shape[1], sigma=self.sigma,
                              learning_rate=self.learning_rate, random_seed=derive_seed(rng))
        if X.shape[1] >= 2:
            som.pca_weights_init(X)
        with timed(logger, f"SOM {rows}x{cols}, {self.n_iterations} iterations"):
            som.train(X, self.n_iterations, random_order=True)
        self.weights_ = som.get_weights().reshape(rows * cols, X.shape[1]).astype(np.float32)
        grouping = KMeans(self.n_clusters, n_init=10, random_state=derive_seed(rng))
        self.unit_labels_ = grouping.fit_predict(self.weights_).astype(np.int64)
        return self._predict(X)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return self.unit_labels_[pairwise_distances_argmin(X, self.weights_)]
