"""t-SNE (openTSNE) followed by k-means; new points are embedded with openTSNE's transform."""

from __future__ import annotations

import logging
import numbers
from typing import ClassVar

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA

from .._logging import timed
from .._optional import import_optional
from .._validation import Interval
from .base import Clusterer, derive_seed

__all__ = ["TSNEKMeans"]

logger = logging.getLogger(__name__)


class TSNEKMeans(Clusterer):
    """k-means on a 2-D t-SNE map computed by openTSNE (FFT-accelerated).

    Parameters
    ----------
    n_clusters : int, default=10
        Number of k-means clusters in the map.
    perplexity : float, default=30
        Effective number of neighbours each point attends to; 5 to 50 is the
        usual range, larger values keep more global structure. Clipped by
        openTSNE when the data has too few rows.
    n_iter : int, default=500
        Optimisation steps after the early-exaggeration phase.
    early_exaggeration_iter : int, default=250
        Steps of the early-exaggeration phase, which forms the clusters.
    pca_components : int or None, default=50
        Reduce X with PCA to this dimension before t-SNE (faster neighbour
        search, little change to the map); ``None`` uses X as it is.
    n_jobs : int, default=1
        Threads openTSNE may use.
    random_state : int or None, default=None
        Seed of PCA, the neighbour search, the initialisation and k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
    embedding_ : openTSNE.TSNEEmbedding of shape (n_samples, 2)
        The training map; it keeps the affinities needed to embed new points.
    pca_ : sklearn.decomposition.PCA or None
    kmeans_ : sklearn.cluster.KMeans
    n_features_in_ : int
    params_ : dict

    Notes
    -----
    ``predict`` places new points into the fixed training map with
    ``TSNEEmbedding.transform`` (their affinities to the training points, then a
    short optimisation that moves only the new points) and assigns them to the
    nearest training centroid. Fit costs roughly O(n_samples log n_samples); on
    70,000 images it takes a few minutes on two cores.

    References
    ----------
    van der Maaten and Hinton, "Visualizing data using t-SNE", JMLR 9, 2008.
    Poličar, Stražar and Zupan, "openTSNE: a modular Python library for t-SNE
    dimensionality reduction and embedding", JSS 109, 2024. doi:10.18637/jss.v109.i03
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **Clusterer._parameter_constraints,
        "n_clusters": [Interval(numbers.Integral, 1, None)],
        "perplexity": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_iter": [Interval(numbers.Integral, 0, None)],
        "early_exaggeration_iter": [Interval(numbers.Integral, 0, None)],
        "pca_components": [None, Interval(numbers.Integral, 1, None)],
        "n_jobs": [Interval(numbers.Integral, 1, None)],
    }

    def __init__(self, n_clusters: int = 10, *, perplexity: float = 30.0, n_iter: int = 500,
                 early_exaggeration_iter: int = 250, pca_components: int | None = 50,
                 n_jobs: int = 1, random_state: int | None = None):
        self.n_clusters = n_clusters
        self.perplexity = perplexity
        self.n_iter = n_iter
        self.early_exaggeration_iter = early_exaggeration_iter
        self.pca_components = pca_components
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        opentsne = import_optional("openTSNE", extra="tsne", feature="The 'tsne_kmeans' baseline")
        self.pca_ = None
        if self.pca_components is not None and self.pca_components < min(X.shape):
            self.pca_ = PCA(self.pca_components, random_state=derive_seed(rng))
            X = self.pca_.fit_transform(X)
        tsne = opentsne.TSNE(
            perplexity=self.perplexity, n_iter=self.n_iter,
            early_exaggeration_iter=self.early_exaggeration_iter, n_jobs=self.n_jobs,
            random_state=derive_seed(rng), verbose=False,
        )
        with timed(logger, f"t-SNE on {X.shape[0]} x {X.shape[1]}"):
            self.embedding_ = tsne.fit(X)
        self.kmeans_ = KMeans(self.n_clusters, n_init=10, random_state=derive_seed(rng))
        return self.kmeans_.fit_predict(np.asarray(self.embedding_))

    def _predict(self, X: np.ndarray) -> np.ndarray:
        if self.pca_ is not None:
            X = self.pca_.transform(X)
        with timed(logger, f"t-SNE transform of {X.shape[0]} points"):
            Y = self.embedding_.transform(X)
        return self.kmeans_.predict(np.asarray(Y))
