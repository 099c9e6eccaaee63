"""Out-of-sample rule shared by baselines with no native ``predict``: a kNN vote."""

from __future__ import annotations

import numpy as np
from sklearn.neighbors import NearestNeighbors

__all__ = ["KNNVote"]


class KNNVote:
    """Label new points by a majority vote of their nearest training points.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training points (in whatever space the method clusters).
    labels : ndarray of shape (n_samples,)
        Their cluster labels; ``-1`` (noise) is a label like any other, so a
        new point whose neighbours are mostly noise stays noise.
    k : int
        Number of neighbours that vote (clipped to ``n_samples``). Ties go to
        the smallest label.
    """

    def __init__(self, X: np.ndarray, labels: np.ndarray, k: int):
        self.labels = np.asarray(labels, dtype=np.int64)
        self.k = min(k, len(self.labels))
        self.index = NearestNeighbors(n_neighbors=self.k).fit(X)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """Labels of shape (n_new,) for new points ``X`` of shape (n_new, n_features)."""
        neighbours = self.index.kneighbors(X, return_distance=False)
        votes = self.labels[neighbours] + 1  # shift so noise (-1) becomes bin 0
        n_bins = int(self.labels.max()) + 2
        counts = np.zeros((len(X), n_bins), dtype=np.int64)
        np.add.at(counts, (np.repeat(np.arange(len(X)), self.k), votes.ravel()), 1)
        return np.argmax(counts, axis=1) - 1
