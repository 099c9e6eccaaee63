"""UMAP followed by a Gaussian mixture or k-means, on raw input or on autoencoder codes (N2D).

N2D (McConville et al., 2020) is the strongest known method of this kind on
Fashion-MNIST: an autoencoder compresses the images, UMAP learns a manifold of
the codes with as many dimensions as clusters, and a Gaussian mixture clusters it.
"""

from __future__ import annotations

import logging
import numbers
from typing import Any, ClassVar

import numpy as np
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from .._logging import timed
from .._optional import import_optional
from .._validation import Interval, Options
from .base import Clusterer, derive_seed

__all__ = ["N2D", "UMAPGMM"]

logger = logging.getLogger(__name__)


class UMAPGMM(Clusterer):
    """UMAP (umap-learn) to a few dimensions, then a Gaussian mixture or k-means.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of mixture components / k-means clusters.
    n_components : int or None, default=None
        UMAP output dimension; ``None`` uses ``n_clusters`` (the N2D choice).
    n_neighbors : int, default=20
        Size of the local neighbourhood UMAP preserves: small values keep local
        detail, large values a more global view (2 to 100 is sensible).
    min_dist : float, default=0.0
        How tightly UMAP may pack points; 0 gives dense clumps, which suits
        clustering.
    head : {"gmm", "kmeans"}, default="gmm"
        The clustering step on the UMAP output: a full-covariance Gaussian
        mixture or k-means.
    n_epochs : int or None, default=None
        UMAP optimisation epochs; ``None`` lets UMAP choose (200 for large data,
        500 for small).
    random_state : int or None, default=None
        Seed of UMAP and of the clustering head. UMAP then runs single-threaded
        (its price for reproducibility).

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
    umap_ : umap.UMAP
        The fitted UMAP; ``umap_.embedding_`` is the training embedding.
    head_ : sklearn.mixture.GaussianMixture or sklearn.cluster.KMeans
    n_features_in_ : int
    params_ : dict

    Notes
    -----
    ``predict`` embeds new points with ``UMAP.transform`` (their neighbours in
    the training data, then a short optimisation with the training embedding
    fixed) and applies the fitted head, so it uses the training clusters.

    References
    ----------
    McInnes, Healy and Melville, "UMAP: Uniform manifold approximation and
    projection for dimension reduction", arXiv:1802.03426, 2018.
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **Clusterer._parameter_constraints,
        "n_clusters": [Interval(numbers.Integral, 1, None)],
        "n_components": [None, Interval(numbers.Integral, 1, None)],
        "n_neighbors": [Interval(numbers.Integral, 2, None)],
        "min_dist": [Interval(numbers.Real, 0, None)],
        "head": [Options({"gmm", "kmeans"})],
        "n_epochs": [None, Interval(numbers.Integral, 1, None)],
    }
    _feature_name = "The 'umap_gmm' baseline"

    def __init__(self, n_clusters: int = 10, *, n_components: int | None = None,
                 n_neighbors: int = 20, min_dist: float = 0.0, head: str = "gmm",
                 n_epochs: int | None = None, random_state: int | None = None):
        self.n_clusters = n_clusters
        self.n_components = n_components
        self.n_neighbors = n_neighbors
        self.min_dist = min_dist
        self.head = head
        self.n_epochs = n_epochs
        self.random_state = random_state

    def _features(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The data UMAP runs on; subclasses learn a representation here."""
        return X

    def _new_features(self, X: np.ndarray) -> np.ndarray:
        return X

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        umap = import_optional("umap", extra="umap", feature=self._feature_name,
                               package="umap-learn")
        F = self._features(X, rng)
        n_components = self.n_components if self.n_components is not None else self.n_clusters
        n_neighbors = min(self.n_neighbors, len(F) - 1)
        self._record(n_components=n_components, n_neighbors=n_neighbors)
        seed = derive_seed(rng) if self.random_state is not None else None
        self.umap_ = umap.UMAP(
            n_neighbors=n_neighbors, n_components=n_components, min_dist=self.min_dist,
            n_epochs=self.n_epochs, random_state=seed, transform_seed=derive_seed(rng),
            n_jobs=1 if seed is not None else -1, verbose=False,
        )
        with timed(logger, f"UMAP on {F.shape[0]} x {F.shape[1]}"):
            embedding = self.umap_.fit_transform(F)
        self.head_ = self._make_head(derive_seed(rng))
        return self.head_.fit_predict(embedding)

    def _make_head(self, seed: int) -> Any:
        if self.head == "kmeans":
            return KMeans(self.n_clusters, n_init=10, random_state=seed)
        return GaussianMixture(self.n_clusters, covariance_type="full", random_state=seed)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        with timed(logger, f"UMAP transform of {X.shape[0]} points"):
            embedding = self.umap_.transform(self._new_features(X))
        return self.head_.predict(embedding)


class N2D(UMAPGMM):
    """N2D: autoencoder codes, then UMAP, then a Gaussian mixture.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.
    code_dim : int, default=10
        Size of the autoencoder's code layer.
    hidden : tuple of int, default=(500, 500, 2000)
        Encoder layer widths (the decoder mirrors them), as in N2D and DEC.
    ae_epochs : int, default=10
        Autoencoder training epochs. N2D pretrains far longer; on two CPU cores
        one epoch over 70,000 images with the default widths takes about half
        a minute or more, so raise it when a GPU is available.
    batch_size : int, default=256
        Autoencoder mini-batch size.
    n_components : int or None, default=None
        UMAP output dimension; ``None`` uses ``n_clusters``.
    n_neighbors : int, default=20
        UMAP neighbourhood size.
    min_dist : float, default=0.0
        UMAP packing distance.
    head : {"gmm", "kmeans"}, default="gmm"
        Clustering step on the UMAP output.
    n_epochs : int or None, default=None
        UMAP optimisation epochs.
    device : str, default="cpu"
        Torch device of the autoencoder.
    random_state : int or None, default=None
        Seed of the autoencoder, UMAP and the head.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
    autoencoder_ : object
        The fitted autoencoder (``encode(X)`` gives the codes).
    umap_ : umap.UMAP
    head_ : sklearn.mixture.GaussianMixture or sklearn.cluster.KMeans
    n_features_in_ : int
    params_ : dict

    Notes
    -----
    ``predict`` encodes new points, embeds the codes with ``UMAP.transform`` and
    applies the fitted head. The autoencoder is
    :func:`spectralbench.model.autoencoder.fit_autoencoder`, the one SpectralNet
    uses for ``affinity_space="autoencoder"``.

    References
    ----------
    McConville, Santos-Rodriguez, Piechocki and Craddock, "N2D: (Not too) deep
    clustering via clustering the local manifold of an autoencoded embedding",
    ICPR 2020. doi:10.1109/ICPR48806.2021.9413131
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **UMAPGMM._parameter_constraints,
        "code_dim": [Interval(numbers.Integral, 1, None)],
        "hidden": [tuple, list],
        "ae_epochs": [Interval(numbers.Integral, 1, None)],
        "batch_size": [Interval(numbers.Integral, 1, None)],
        "device": [str],
    }
    _feature_name = "The 'n2d' baseline"

    def __init__(self, n_clusters: int = 10, *, code_dim: int = 10,
                 hidden: tuple[int, ...] = (500, 500, 2000), ae_epochs: int = 10,
                 batch_size: int = 256, n_components: int | None = None,
                 n_neighbors: int = 20, min_dist: float = 0.0, head: str = "gmm",
                 n_epochs: int | None = None, device: str = "cpu",
                 random_state: int | None = None):
        super().__init__(n_clusters, n_components=n_components, n_neighbors=n_neighbors,
                         min_dist=min_dist, head=head, n_epochs=n_epochs,
                         random_state=random_state)
        self.code_dim = code_dim
        self.hidden = hidden
        self.ae_epochs = ae_epochs
        self.batch_size = batch_size
        self.device = device

    def _features(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        from ..model.autoencoder import fit_autoencoder  # torch loads only when N2D is used

        with timed(logger, f"autoencoder on {X.shape[0]} x {X.shape[1]}"):
            self.autoencoder_ = fit_autoencoder(
                X, code_dim=self.code_dim, hidden=tuple(self.hidden), epochs=self.ae_epochs,
                batch_size=self.batch_size, random_state=derive_seed(rng), device=self.device,
            )
        return self.autoencoder_.encode(X)

    def _new_features(self, X: np.ndarray) -> np.ndarray:
        return self.autoencoder_.encode(X)
