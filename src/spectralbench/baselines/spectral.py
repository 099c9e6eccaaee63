"""Classical spectral clustering: eigenvectors of a sparse kNN graph's Laplacian, then k-means.

This is what SpectralNet approximates with a network (Shaham et al., ICLR 2018),
computed exactly: the leading eigenvectors of the normalised adjacency
D^-1/2 W D^-1/2 (equivalently, the smallest of the normalised Laplacian
I - D^-1/2 W D^-1/2) of a sparse Gaussian kNN graph, found by a scipy sparse
eigensolver. Memory is O(n k); no dense n x n matrix is ever formed.
"""

from __future__ import annotations

import logging
import numbers
from typing import ClassVar

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_is_fitted

from .._logging import timed
from .._validation import Interval, Options, check_array, check_n_features
from .base import Clusterer, derive_seed

__all__ = ["ClassicalSpectralClustering", "spectral_embedding"]

logger = logging.getLogger(__name__)

#: Below this many rows ``knn_method="auto"`` searches neighbours exactly.
_EXACT_KNN_MAX_ROWS = 20_000


def _inverse_sqrt_degree(W: sp.spmatrix) -> np.ndarray:
    degree = np.asarray(W.sum(axis=1)).ravel()
    inv_sqrt = np.zeros_like(degree)
    connected = degree > 0
    inv_sqrt[connected] = 1.0 / np.sqrt(degree[connected])
    return inv_sqrt


def _normalize_rows(Y: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(Y, axis=1, keepdims=True)
    return np.divide(Y, norms, out=np.zeros_like(Y), where=norms > 0)


def spectral_embedding(
    W,
    n_components: int,
    *,
    normalize_rows: bool = True,
    tol: float = 1e-6,
    random_state: int | None = None,
    return_eigenvalues: bool = False,
):
    """Leading eigenvectors of the normalised adjacency of a sparse affinity matrix.

    Parameters
    ----------
    W : scipy.sparse matrix of shape (n_samples, n_samples)
        Symmetric, non-negative affinities (e.g. from
        :func:`spectralbench.model.affinity.knn_affinity`). Rows without any
        edge get a zero embedding.
    n_components : int
        Number of eigenvectors, ``1 <= n_components < n_samples``; usually the
        number of clusters.
    normalize_rows : bool, default=True
        Scale each row of the result to unit length (Ng, Jordan and Weiss), which
        makes k-means on the embedding markedly more accurate.
    tol : float, default=1e-6
        Relative accuracy of the eigenpairs (ARPACK); 0 means machine precision.
    random_state : int or None, default=None
        Seed of the solver's starting vector, so the result is reproducible.
    return_eigenvalues : bool, default=False
        Also return the eigenvalues.

    Returns
    -------
    embedding : ndarray of shape (n_samples, n_components), float64
        Eigenvectors of D^-1/2 W D^-1/2 for its largest eigenvalues, largest
        first, each with a deterministic sign (largest entry positive).
    eigenvalues : ndarray of shape (n_components,)
        Only with ``return_eigenvalues=True``; in [-1, 1], decreasing.

    Notes
    -----
    The eigenvectors of I - D^-1/2 W D^-1/2 (the normalised graph Laplacian)
    for its smallest eigenvalues are the same vectors. A graph with c connected
    components has eigenvalue 1 c times; results make little sense when c
    exceeds ``n_components``. ARPACK's Lanczos iteration costs a few hundred
    sparse matrix-vector products, O(n k) each, so 70,000 points with k=30 take
    seconds.

    References
    ----------
    Ng, Jordan and Weiss, "On spectral clustering: analysis and an algorithm",
    NIPS 2001. von Luxburg, "A tutorial on spectral clustering", Statistics and
    Computing 17, 2007. doi:10.1007/s11222-007-9033-z
    """
    if not hasattr(W, "nnz") or W.ndim != 2 or W.shape[0] != W.shape[1]:
        raise ValueError(
            f"W must be a square scipy.sparse matrix, got {type(W).__name__} of shape "
            f"{getattr(W, 'shape', None)}; build one with "
            "spectralbench.model.affinity.knn_affinity."
        )
    n = W.shape[0]
    if not isinstance(n_components, numbers.Integral) or not 1 <= n_components < n:
        raise ValueError(
            f"n_components={n_components!r} must be an int with 1 <= n_components < "
            f"n_samples={n}; lower it or pass a larger graph."
        )
    W = sp.csr_matrix(W, dtype=np.float64)
    inv_sqrt = _inverse_sqrt_degree(W)
    D = sp.diags(inv_sqrt)
    A = D @ W @ D
    # A + I has eigenvalues in [0, 2], so the wanted ones are the largest in magnitude.
    shifted = A + sp.identity(n, format="csr")
    v0 = np.random.default_rng(random_state).uniform(-1.0, 1.0, n)
    with timed(logger, f"eigsh for {n_components} eigenvectors of a {n} x {n} graph"):
        # A wider Krylov space converges reliably when eigenvalues cluster near 1.
        ncv = min(n - 1, max(2 * n_components + 1, 40))
        values, vectors = eigsh(shifted, k=n_components, which="LM", tol=tol, v0=v0, ncv=ncv)
    order = np.argsort(values)[::-1]
    values, vectors = values[order] - 1.0, vectors[:, order]
    signs = np.sign(vectors[np.abs(vectors).argmax(axis=0), np.arange(n_components)])
    vectors = vectors * np.where(signs == 0, 1.0, signs)
    if normalize_rows:
        vectors = _normalize_rows(vectors)
    return (vectors, values) if return_eigenvalues else vectors


class ClassicalSpectralClustering(Clusterer):
    """Spectral clustering with an explicit sparse eigendecomposition, then k-means.

    Steps: PCA, exact kNN graph with a Gaussian kernel
    (:mod:`spectralbench.model.affinity`), :func:`spectral_embedding`, k-means
    on the row-normalised eigenvectors.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters and of eigenvectors.
    k : int, default=30
        Number of nearest neighbours per point in the graph. With
        ``symmetrize="mutual"``, k=30 on PCA-50 was the best setting measured
        on 70,000 Fashion-MNIST and KMNIST images (ACC 0.586 and 0.711, vs 0.53
        and 0.62 for a plain k=10 graph).
    scale : float or {"median", "local"}, default="median"
        Gaussian kernel width σ; see :func:`spectralbench.model.affinity.kernel_scale`.
    symmetrize : {"mutual", "mean", "max"}, default="mutual"
        How the kNN graph is made symmetric; see
        :func:`spectralbench.model.affinity.gaussian_affinity`.
    pca_components : int or None, default=50
        PCA dimension the graph is built in (``None``: the input as it is).
    knn_method : {"auto", "exact", "approx"}, default="auto"
        Neighbour search; ``"auto"`` is exact below 20,000 rows and approximate
        (pynndescent, extra ``ann``) above, where exact search is the slowest
        step (70,000 images: about 35 s approximate vs 110 s exact on two busy
        cores, with the same accuracy).
    random_state : int or None, default=None
        Seed of PCA, the eigensolver's start vector and k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
    embedding_ : ndarray of shape (n_samples, n_clusters)
        Row-normalised eigenvectors of the training graph.
    eigenvalues_ : ndarray of shape (n_clusters,)
        Their eigenvalues of D^-1/2 W D^-1/2, decreasing.
    affinity_matrix_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
    pca_ : sklearn.decomposition.PCA or None
    kmeans_ : sklearn.cluster.KMeans
    n_features_in_ : int
    params_ : dict

    Notes
    -----
    Out of sample (``predict``, ``transform``) uses the Nyström extension: a new
    point x gets Gaussian weights w_j to its k nearest training points, and its
    embedding is u(x) = (1/λ) Σ_j w_j / sqrt(d_x d_j) v_j, with d_x = Σ_j w_j, d_j
    the training degrees and (λ, v) the training eigenpairs; it is row-normalised
    and assigned to the nearest training centroid, so it uses the training
    clusters. The new point's edges are one-sided (no mutual check).

    A mutual kNN graph leaves some points without any edge (about 1-2% of
    70,000 images with k=30); they get a zero embedding and join the cluster
    whose centroid is nearest the origin. ``params_["isolated_points"]`` counts
    them. On 70,000 images (PCA-50, k=30, mutual) a fit takes about 35 s on two
    cores, most of it the approximate neighbour search; the eigensolver takes
    a few seconds.
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **Clusterer._parameter_constraints,
        "n_clusters": [Interval(numbers.Integral, 1, None)],
        "k": [Interval(numbers.Integral, 1, None)],
        "scale": [Interval(numbers.Real, 0, None, closed="neither"), Options({"median", "local"})],
        "symmetrize": [Options({"mutual", "mean", "max"})],
        "pca_components": [None, Interval(numbers.Integral, 1, None)],
        "knn_method": [Options({"auto", "exact", "approx"})],
    }

    def __init__(self, n_clusters: int = 10, *, k: int = 30, scale: float | str = "median",
                 symmetrize: str = "mutual", pca_components: int | None = 50,
                 knn_method: str = "auto", random_state: int | None = None):
        self.n_clusters = n_clusters
        self.k = k
        self.scale = scale
        self.symmetrize = symmetrize
        self.pca_components = pca_components
        self.knn_method = knn_method
        self.random_state = random_state

    def _check_params_vs_input(self, X: np.ndarray) -> None:
        super()._check_params_vs_input(X)
        if self.k >= X.shape[0] or self.n_clusters >= X.shape[0]:
            raise ValueError(
                f"ClassicalSpectralClustering: k={self.k} and n_clusters={self.n_clusters} "
                f"must both be below n_samples={X.shape[0]}; lower them or pass more rows."
            )

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        # Imported here so that importing the baselines does not pull in the model package.
        from ..model.affinity import gaussian_affinity, kernel_scale, knn_search

        self.pca_ = None
        if self.pca_components is not None and self.pca_components < min(X.shape):
            self.pca_ = PCA(self.pca_components, random_state=derive_seed(rng))
            X = self.pca_.fit_transform(X).astype(np.float32)
        method = self.knn_method
        if method == "auto":
            method = "exact" if X.shape[0] < _EXACT_KNN_MAX_ROWS else "approx"
        self._record(knn_method=method)
        indices, distances = knn_search(X, self.k, method=method, random_state=derive_seed(rng))
        self.sigma_ = kernel_scale(distances, self.scale)
        W = gaussian_affinity(indices, distances, scale=self.scale, symmetrize=self.symmetrize)
        self.affinity_matrix_ = W
        isolated = int(np.sum(np.diff(W.indptr) == 0))
        self._record(isolated_points=isolated)
        if isolated:
            logger.info("%d of %d points have no edge in the graph", isolated, X.shape[0])
        self._eigenvectors, self.eigenvalues_ = spectral_embedding(
            W, self.n_clusters, normalize_rows=False, random_state=derive_seed(rng),
            return_eigenvalues=True)
        self.embedding_ = _normalize_rows(self._eigenvectors)
        self._inv_sqrt_degree = _inverse_sqrt_degree(W)
        self._index = NearestNeighbors(n_neighbors=self.k).fit(X)
        self.kmeans_ = KMeans(self.n_clusters, n_init=10, random_state=derive_seed(rng))
        return self.kmeans_.fit_predict(self.embedding_)

    def transform(self, X) -> np.ndarray:
        """Nyström embedding of new points.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_clusters)
            Row-normalised, comparable with ``embedding_``.
        """
        check_is_fitted(self, "labels_")
        X = check_array(X, owner=type(self).__name__)
        check_n_features(X, self.n_features_in_, owner=type(self).__name__)
        return self._transform(X)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        if self.pca_ is not None:
            X = self.pca_.transform(X).astype(np.float32)
        distances, neighbours = self._index.kneighbors(X)
        d2 = distances.astype(np.float64) ** 2
        if np.ndim(self.sigma_):
            sigma_x = np.maximum(distances[:, -1], np.min(self.sigma_))
            weights = np.exp(-d2 / (sigma_x[:, None] * self.sigma_[neighbours]))
        else:
            weights = np.exp(-d2 / (2.0 * self.sigma_**2))
        degree = weights.sum(axis=1, keepdims=True)
        coef = weights * self._inv_sqrt_degree[neighbours]
        coef = np.divide(coef, np.sqrt(degree), out=np.zeros_like(coef), where=degree > 0)
        U = np.einsum("nk,nkc->nc", coef, self._eigenvectors[neighbours]) / self.eigenvalues_
        return _normalize_rows(U)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return self.kmeans_.predict(self._transform(X))
