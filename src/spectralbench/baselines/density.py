"""Density-based baselines, DBSCAN and HDBSCAN (scikit-learn), with automatic settings.

Both run on a PCA projection (distances in 784 pixel dimensions carry little
density contrast) and mark noise with ``-1``. Noise points count as wrong in
the study's accuracy: :func:`spectralbench.evaluation.evaluate` maps noise to no
class (``noise_fraction`` and ``unassigned_fraction`` report how many).
"""

from __future__ import annotations

import logging
import numbers
from typing import ClassVar

import numpy as np
from sklearn.cluster import DBSCAN, HDBSCAN
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

from .._logging import timed
from .._validation import Interval
from ._extension import KNNVote
from .base import Clusterer, derive_seed

__all__ = ["DBSCANClustering", "HDBSCANClustering"]

logger = logging.getLogger(__name__)


class _DensityClusterer(Clusterer):
    """PCA projection and noise bookkeeping shared by the two density methods."""

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **Clusterer._parameter_constraints,
        "n_components": [Interval(numbers.Integral, 1, None)],
        "min_samples": [Interval(numbers.Integral, 1, None)],
    }

    def _project(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        n_components = min(self.n_components, *X.shape)
        self._record(n_components=n_components)
        self.pca_ = PCA(n_components, random_state=derive_seed(rng))
        return self.pca_.fit_transform(X)

    def _finish(self, labels: np.ndarray) -> np.ndarray:
        self.noise_fraction_ = float(np.mean(labels == -1))
        self.n_clusters_ = int(labels.max()) + 1
        self._record(noise_fraction=self.noise_fraction_, n_clusters_found=self.n_clusters_)
        logger.info("%s found %d clusters, %.1f%% noise", type(self).__name__,
                    self.n_clusters_, 100 * self.noise_fraction_)
        return labels


class DBSCANClustering(_DensityClusterer):
    """DBSCAN on PCA-reduced data with an automatic ``eps``.

    DBSCAN chooses its own number of clusters, so it has no ``n_clusters``
    (:func:`spectralbench.baselines.make` drops that argument for it).

    Parameters
    ----------
    eps : float or None, default=None
        Neighbourhood radius in the PCA space. ``None`` picks it from the data:
        the ``eps_quantile`` quantile of every point's distance to its
        ``min_samples``-th nearest neighbour (the k-distance), so that about
        that fraction of the points are core points whatever the scale of X.
    eps_quantile : float in (0, 1), default=0.5
        Quantile used when ``eps`` is None. Lower gives more, smaller clusters
        and more noise; higher merges classes into one cluster.
    min_samples : int, default=5
        Neighbours (the point included) a core point needs within ``eps``.
    n_components : int, default=10
        PCA dimension the density is measured in.
    random_state : int or None, default=None
        Seed of the randomised PCA solver (DBSCAN itself is deterministic).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
        Cluster ids; ``-1`` is noise and counts as wrong in accuracy.
    eps_ : float
        The radius used.
    core_sample_indices_ : ndarray of shape (n_core,)
        Training rows that are core points.
    core_labels_ : ndarray of shape (n_core,)
        Their labels.
    noise_fraction_ : float
        Fraction of training points labelled noise.
    n_clusters_ : int
        Number of clusters found (noise excluded).
    pca_ : sklearn.decomposition.PCA
    n_features_in_ : int
    params_ : dict
        Includes ``eps``, ``noise_fraction`` and ``n_clusters_found``.

    Notes
    -----
    ``predict`` applies DBSCAN's own rule to new points: the label of the
    nearest core sample if it lies within ``eps_``, otherwise noise (``-1``).
    Memory grows with the number of pairs within ``eps``; on 70,000 images in
    10 PCA dimensions it stays in the low hundreds of MB.

    References
    ----------
    Ester, Kriegel, Sander and Xu, "A density-based algorithm for discovering
    clusters in large spatial databases with noise", KDD 1996.
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_DensityClusterer._parameter_constraints,
        "eps": [None, Interval(numbers.Real, 0, None, closed="neither")],
        "eps_quantile": [Interval(numbers.Real, 0, 1, closed="neither")],
    }

    def __init__(self, *, eps: float | None = None, eps_quantile: float = 0.5,
                 min_samples: int = 5, n_components: int = 10,
                 random_state: int | None = None):
        self.eps = eps
        self.eps_quantile = eps_quantile
        self.min_samples = min_samples
        self.n_components = n_components
        self.random_state = random_state

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        Z = self._project(X, rng)
        if self.eps is None:
            k = min(self.min_samples, len(Z))
            distances, _ = NearestNeighbors(n_neighbors=k).fit(Z).kneighbors(Z)
            self.eps_ = float(np.quantile(distances[:, -1], self.eps_quantile))
            if self.eps_ <= 0:
                self.eps_ = float(np.finfo(np.float32).eps)
        else:
            self.eps_ = float(self.eps)
        self._record(eps=self.eps_)
        with timed(logger, f"DBSCAN on {Z.shape[0]} points, eps={self.eps_:.4g}"):
            model = DBSCAN(eps=self.eps_, min_samples=self.min_samples).fit(Z)
        labels = model.labels_
        core = model.core_sample_indices_
        self.core_sample_indices_ = core
        self.core_labels_ = labels[core]
        self._core_index = NearestNeighbors(n_neighbors=1).fit(Z[core]) if len(core) else None
        return self._finish(labels)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        labels = np.full(len(X), -1, dtype=np.int64)
        if self._core_index is None:
            return labels
        distances, nearest = self._core_index.kneighbors(self.pca_.transform(X))
        close = distances[:, 0] <= self.eps_
        labels[close] = self.core_labels_[nearest[close, 0]]
        return labels


class HDBSCANClustering(_DensityClusterer):
    """HDBSCAN on PCA-reduced data with an automatic ``min_cluster_size``.

    Parameters
    ----------
    n_clusters : int, default=10
        The expected number of classes. HDBSCAN picks its own number of
        clusters; this only sets the automatic ``min_cluster_size``.
    min_cluster_size : int or None, default=None
        Smallest group HDBSCAN calls a cluster. ``None`` uses
        ``max(5, n_samples // (20 * n_clusters))``: a cluster must hold at least
        5% of an average class (10 points for 2,000 images, 350 for 70,000).
    min_samples : int, default=5
        Neighbours used to estimate density (core distance); larger values
        make more points noise.
    n_components : int, default=10
        PCA dimension the density is measured in.
    random_state : int or None, default=None
        Seed of the randomised PCA solver (HDBSCAN itself is deterministic).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
        Cluster ids; ``-1`` is noise and counts as wrong in accuracy.
    min_cluster_size_ : int
        The value used.
    noise_fraction_ : float
        Fraction of training points labelled noise.
    n_clusters_ : int
        Number of clusters found (noise excluded).
    pca_ : sklearn.decomposition.PCA
    n_features_in_ : int
    params_ : dict
        Includes ``min_cluster_size``, ``noise_fraction`` and ``n_clusters_found``.

    Notes
    -----
    scikit-learn's HDBSCAN has no out-of-sample rule, so ``predict`` takes a
    vote of the ``min_samples`` nearest training points (in the PCA space) over
    their labels, noise included: a new point among noise stays noise.

    References
    ----------
    Campello, Moulavi and Sander, "Density-based clustering based on
    hierarchical density estimates", PAKDD 2013. doi:10.1007/978-3-642-37456-2_14
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **_DensityClusterer._parameter_constraints,
        "n_clusters": [Interval(numbers.Integral, 1, None)],
        "min_cluster_size": [None, Interval(numbers.Integral, 2, None)],
    }

    def __init__(self, n_clusters: int = 10, *, min_cluster_size: int | None = None,
                 min_samples: int = 5, n_components: int = 10,
                 random_state: int | None = None):
        self.n_clusters = n_clusters
        self.min_cluster_size = min_cluster_size
        self.min_samples = min_samples
        self.n_components = n_components
        self.random_state = random_state

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        Z = self._project(X, rng)
        self.min_cluster_size_ = (self.min_cluster_size if self.min_cluster_size is not None
                                  else max(5, len(Z) // (20 * self.n_clusters)))
        self._record(min_cluster_size=self.min_cluster_size_)
        with timed(logger, f"HDBSCAN on {Z.shape[0]} points"):
            model = HDBSCAN(min_cluster_size=self.min_cluster_size_,
                            min_samples=min(self.min_samples, len(Z) - 1))
            if "copy" in model.get_params():  # scikit-learn >= 1.5; Z is ours to overwrite
                model.set_params(copy=False)
            labels = model.fit_predict(Z)
        self._vote = KNNVote(Z, labels, self.min_samples)
        return self._finish(labels)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return self._vote(self.pca_.transform(X))
