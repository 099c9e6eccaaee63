"""Clustering quality: Hungarian cluster-to-class matching and the scores built on it.

The mapping from cluster ids to classes is found once (on the training part) with
the Hungarian algorithm and then reused unchanged (on the test part), so test
accuracy measures the out-of-sample extension honestly.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ["apply_mapping", "cluster_accuracy", "match_clusters"]


def _as_labels(y, name: str) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {y.shape}.")
    return y


def match_clusters(y_true, y_pred) -> dict:
    """Map each predicted cluster id to the class it overlaps most, one-to-one.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels (any hashable values).
    y_pred : array-like of shape (n_samples,)
        Cluster ids.

    Returns
    -------
    dict
        ``{cluster_id: class_label}`` maximising the number of matched samples
        (Hungarian algorithm on the contingency table). When there are more
        clusters than classes, the unmatched clusters map to the class they
        overlap most (they can never count twice as "the" class's cluster in
        the assignment, but their points are not thrown away).
    """
    y_true = _as_labels(y_true, "y_true")
    y_pred = _as_labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different lengths: {len(y_true)} and {len(y_pred)}."
        )
    classes, true_idx = np.unique(y_true, return_inverse=True)
    clusters, pred_idx = np.unique(y_pred, return_inverse=True)
    counts = np.zeros((len(clusters), len(classes)), dtype=np.int64)
    np.add.at(counts, (pred_idx, true_idx), 1)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    mapping = {clusters[r].item(): classes[c].item() for r, c in zip(rows, cols, strict=True)}
    for r in set(range(len(clusters))) - set(rows.tolist()):
        mapping[clusters[r].item()] = classes[int(np.argmax(counts[r]))].item()
    return mapping


def apply_mapping(y_pred, mapping: dict, unknown=-1) -> np.ndarray:
    """Translate cluster ids to class labels; ids absent from ``mapping`` become ``unknown``."""
    y_pred = _as_labels(y_pred, "y_pred")
    return np.array([mapping.get(v.item(), unknown) for v in y_pred])


def cluster_accuracy(y_true, y_pred, mapping: dict | None = None) -> float:
    """Fraction of samples whose cluster maps to their class.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
    mapping : dict, optional
        A mapping found earlier (e.g. on the training part). When None, the best
        one-to-one mapping for these labels is used (the usual clustering ACC).

    Returns
    -------
    float in [0, 1]
    """
    if mapping is None:
        mapping = match_clusters(y_true, y_pred)
    y_true = _as_labels(y_true, "y_true")
    return float(np.mean(apply_mapping(y_pred, mapping) == y_true))
