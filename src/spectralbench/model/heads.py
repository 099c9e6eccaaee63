"""Clustering heads: turn SpectralNet's embedding into cluster labels.

Rows of the embedding are scaled to unit length first (the Ng–Jordan–Weiss
step, which the row-wise scale of random-walk eigenvectors makes necessary).
Every head ends up as a set of prototype vectors and the cluster each
prototype belongs to, so ``predict`` on new points is always "nearest
prototype, then its cluster" and never refits anything:

``"kmeans"``
    k-means (scikit-learn, ``n_init=10``); prototypes are the centroids.
``"som"``
    A self-organising map (MiniSom, extra ``som``) of about 5·√n units, whose
    unit weights are grouped into ``n_clusters`` by k-means.
``"laplacian"``
    Classical spectral clustering of the embedding: a 10-NN graph on it, the
    exact eigendecomposition of its normalised Laplacian, k-means on the
    eigenvectors. Every training row is a prototype (a 1-nearest-neighbour
    extension), so prediction costs O(n_train) per point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.cluster import KMeans

from .._optional import import_optional
from .affinity import knn_affinity
from .spectral_embedding import row_normalize, spectral_embedding

__all__ = ["HEADS", "ClusterHead", "fit_head"]

HEADS = ("kmeans", "som", "laplacian")
#: Neighbours of the "laplacian" head's graph on the embedding.
LAPLACIAN_K = 10


@dataclass
class ClusterHead:
    """Prototypes (p, H) and the cluster id (p,) of each; see module docstring."""

    kind: str
    prototypes: np.ndarray
    prototype_labels: np.ndarray

    def predict(self, E: np.ndarray, chunk_rows: int = 65536) -> np.ndarray:
        """Cluster id of each row of E (n, H): its nearest prototype's cluster."""
        E = row_normalize(E).astype(np.float32)
        P = self.prototypes.astype(np.float32)
        chunk_rows = max(1, min(chunk_rows, 2**25 // max(len(P), 1)))  # ~128 MB blocks
        p_sq = np.einsum("ij,ij->i", P, P)
        labels = np.empty(E.shape[0], dtype=np.int64)
        for start in range(0, E.shape[0], chunk_rows):
            block = E[start:start + chunk_rows]
            nearest = np.argmin(p_sq[None, :] - 2.0 * block @ P.T, axis=1)
            labels[start:start + chunk_rows] = self.prototype_labels[nearest]
        return labels

    def centers(self, n_clusters: int) -> np.ndarray:
        """Mean prototype of each cluster, shape (n_clusters, H)."""
        return np.stack([
            self.prototypes[self.prototype_labels == c].mean(axis=0)
            if np.any(self.prototype_labels == c) else np.zeros(self.prototypes.shape[1])
            for c in range(n_clusters)
        ]).astype(np.float32)


def fit_head(kind: str, E: np.ndarray, n_clusters: int, seed: int) -> ClusterHead:
    """Fit the head ``kind`` on the training embedding E (n, H) with integer ``seed``."""
    E = row_normalize(E).astype(np.float32)
    if kind == "kmeans":
        km = KMeans(n_clusters, n_init=10, random_state=seed).fit(E)
        return ClusterHead(kind, km.cluster_centers_.astype(np.float32),
                           np.arange(n_clusters, dtype=np.int64))
    if kind == "som":
        minisom = import_optional("minisom", extra="som", feature="The 'som' clustering head")
        side = max(math.ceil(math.sqrt(5 * math.sqrt(len(E)))), math.ceil(math.sqrt(n_clusters)))
        som = minisom.MiniSom(side, side, E.shape[1], sigma=max(1.0, side / 4),
                              learning_rate=0.5, random_seed=seed)
        som.pca_weights_init(E)
        som.train(E, num_iteration=min(20 * len(E), 200_000), random_order=True)
        units = som.get_weights().reshape(-1, E.shape[1]).astype(np.float32)
        groups = KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(units)
        return ClusterHead(kind, units, groups.astype(np.int64))
    if kind == "laplacian":
        W = knn_affinity(E, min(LAPLACIAN_K, len(E) - 1), scale="local", symmetrize="mean")
        U = spectral_embedding(W, n_clusters, random_state=seed)
        labels = KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(U)
        return ClusterHead(kind, E, labels.astype(np.int64))
    raise ValueError(f"head={kind!r} must be one of {', '.join(HEADS)}.")
