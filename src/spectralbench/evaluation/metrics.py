"""Clustering quality: Hungarian cluster-to-class matching and the scores built on it.

The mapping from cluster ids to classes is found once (on the training part) with
the Hungarian algorithm and then reused unchanged (on the test part), so test
accuracy measures the out-of-sample extension honestly. :func:`evaluate` bundles
every score a study stores for one labelling into a :class:`Metrics` record.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (
    accuracy_score,
    adjusted_rand_score,
    confusion_matrix,
    normalized_mutual_info_score,
    precision_recall_fscore_support,
)

__all__ = ["NOISE", "Metrics", "apply_mapping", "cluster_accuracy", "evaluate", "match_clusters"]

logger = logging.getLogger(__name__)

NOISE = -1
"""Cluster id that density-based methods (DBSCAN, HDBSCAN) give to noise points."""


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
    """Translate cluster ids to class labels; ids absent from ``mapping`` become ``unknown``.

    Parameters
    ----------
    y_pred : array-like of shape (n_samples,)
        Cluster ids.
    mapping : dict
        ``{cluster_id: class_label}``, e.g. from :func:`match_clusters`.
    unknown : object, default=-1
        Label given to samples whose cluster is not in ``mapping``.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
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

    See Also
    --------
    evaluate : all scores at once; unlike this function it treats cluster id -1
        as noise that maps to no class, where here -1 is a cluster like any other.
    """
    if mapping is None:
        mapping = match_clusters(y_true, y_pred)
    y_true = _as_labels(y_true, "y_true")
    return float(np.mean(apply_mapping(y_pred, mapping) == y_true))


_SCALAR_FIELDS = (
    "accuracy",
    "precision_macro",
    "recall_macro",
    "f1_macro",
    "precision_weighted",
    "recall_weighted",
    "f1_weighted",
    "nmi",
    "ari",
    "n_samples",
    "n_clusters_found",
    "noise_fraction",
    "unassigned_fraction",
)


@dataclass(frozen=True, eq=False)
class Metrics:
    """Scores of one clustering against the true classes (see :func:`evaluate`).

    Attributes
    ----------
    accuracy : float
        Fraction of samples whose cluster maps to their class.
    precision_macro, recall_macro, f1_macro : float
        Unweighted means over the classes present in the true or mapped labels
        (scikit-learn, ``zero_division=0``).
    precision_weighted, recall_weighted, f1_weighted : float
        The same, weighted by each class's number of true samples.
    nmi, ari : float
        Normalised mutual information and adjusted Rand index between the true
        classes and the raw cluster ids; they need no mapping (noise, id -1, is
        one more cluster for them).
    n_samples : int
        Number of labelled samples scored.
    n_clusters_found : int
        Distinct cluster ids in ``y_pred``, noise not counted.
    noise_fraction : float
        Fraction of samples labelled noise (cluster id -1).
    unassigned_fraction : float
        Fraction of samples whose cluster maps to no class: noise plus clusters
        absent from the mapping. All of them count as wrong.
    classes : tuple
        Class labels in the order of the confusion matrix rows and columns.
    confusion_matrix : ndarray of shape (n_classes, n_classes)
        Read-only; entry ``[i, j]`` counts samples of true class ``classes[i]``
        whose cluster maps to class ``classes[j]`` (rows true, columns predicted,
        as in scikit-learn). Unassigned samples appear in no column, so a row
        sums to its class size minus its unassigned samples.
    mapping : dict
        ``{cluster_id: class_label}`` used for the scores; pass it to
        :func:`evaluate` again to score the test part with the same mapping.
    """

    accuracy: float
    precision_macro: float
    recall_macro: float
    f1_macro: float
    precision_weighted: float
    recall_weighted: float
    f1_weighted: float
    nmi: float
    ari: float
    n_samples: int
    n_clusters_found: int
    noise_fraction: float
    unassigned_fraction: float
    classes: tuple
    confusion_matrix: np.ndarray
    mapping: dict

    def as_dict(self) -> dict[str, float | int]:
        """The scalar scores as plain Python numbers, ready for JSON or a database row.

        Returns
        -------
        dict
            One entry per scalar attribute (``accuracy`` ... ``unassigned_fraction``);
            the confusion matrix, classes and mapping are left out (see
            :meth:`confusion_matrix_as_list`).
        """
        return {name: getattr(self, name) for name in _SCALAR_FIELDS}

    def confusion_matrix_as_list(self) -> list[list[int]]:
        """The confusion matrix as nested lists of ints (rows true, columns predicted)."""
        return self.confusion_matrix.tolist()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in _SCALAR_FIELDS)
        return f"Metrics({shown})"


def _noise_mask(y_pred: np.ndarray) -> np.ndarray:
    """True where the cluster id is :data:`NOISE`; only numeric ids can be noise."""
    if y_pred.dtype.kind in "iuf":
        return y_pred == NOISE
    return np.zeros(y_pred.shape, dtype=bool)


def _resolve_classes(y_true: np.ndarray, mapping: Mapping, labels: Any) -> list:
    """Class order for the confusion matrix: ``labels``, or all classes seen."""
    if labels is None:
        return sorted(set(y_true.tolist()) | set(mapping.values()))
    classes = _as_labels(labels, "labels").tolist()
    if len(set(classes)) != len(classes):
        raise ValueError(f"labels must not repeat a class, got {classes}.")
    known = set(classes)
    for name, values in (("y_true", y_true.tolist()), ("mapping", list(mapping.values()))):
        missing = sorted({v for v in values if v not in known}, key=str)
        if missing:
            raise ValueError(
                f"{name} holds classes that are not in labels: {missing[:5]}. "
                "Add them to labels, or pass labels=None to use every class seen."
            )
    return classes


def evaluate(y_true, y_pred, mapping: Mapping | None = None, *, labels=None) -> Metrics:
    """Score a clustering against true classes, after mapping clusters to classes.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True class labels (ints, strings or any sortable values).
    y_pred : array-like of shape (n_samples,)
        Cluster ids. The id -1 (:data:`NOISE`, as DBSCAN and HDBSCAN return)
        marks noise: it maps to no class and counts as wrong.
    mapping : mapping, default=None
        ``{cluster_id: class_label}``. When None, the best one-to-one mapping for
        these labels is found with the Hungarian algorithm (:func:`match_clusters`,
        noise left out); do this on the training part. Pass the training part's
        ``Metrics.mapping`` to score the test part with the same mapping: clusters
        it does not know count as wrong.
    labels : array-like of shape (n_classes,), default=None
        Every class, in the order wanted for the confusion matrix. When None,
        the sorted union of the classes in ``y_true`` and in the mapping.

    Returns
    -------
    Metrics
        Accuracy, macro and weighted precision/recall/F1, confusion matrix, NMI,
        ARI, cluster and noise counts, and the mapping used.

    Raises
    ------
    ValueError
        When the inputs are not 1-D, differ in length or are empty, or when
        ``labels`` misses a class that ``y_true`` or the mapping holds.

    Examples
    --------
    >>> train = evaluate([0, 0, 1, 1], [5, 5, 7, 7])
    >>> train.accuracy, train.mapping
    (1.0, {5: 0, 7: 1})
    >>> evaluate([0, 1, 1], [5, 7, 9], mapping=train.mapping).accuracy  # 9 is unknown
    0.6666666666666666
    """
    y_true = _as_labels(y_true, "y_true")
    y_pred = _as_labels(y_pred, "y_pred")
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have different lengths: {len(y_true)} and {len(y_pred)}."
        )
    if len(y_true) == 0:
        raise ValueError("evaluate needs at least one sample, got empty y_true and y_pred.")
    noise = _noise_mask(y_pred)
    if mapping is None:
        mapping = match_clusters(y_true[~noise], y_pred[~noise]) if (~noise).any() else {}
    elif not isinstance(mapping, Mapping):
        raise TypeError(
            f"mapping must be a dict {{cluster_id: class_label}}, got {type(mapping).__name__}. "
            "Pass the .mapping of the Metrics computed on the training part."
        )
    elif mapping and y_pred.dtype.kind in "iuf" and all(isinstance(k, str) for k in mapping):
        raise TypeError(
            f"mapping has string keys ({list(mapping)[:3]}) but the cluster ids are numbers; "
            "a mapping read back from JSON has string keys. Convert them first, e.g. "
            "{int(k): v for k, v in mapping.items()}."
        )
    mapping = {k: v for k, v in mapping.items() if k != NOISE}
    classes = _resolve_classes(y_true, mapping, labels)
    index = {c: i for i, c in enumerate(classes)}
    true_idx = np.array([index[v] for v in y_true.tolist()], dtype=np.int64)
    cluster_to_idx = {k: index[v] for k, v in mapping.items()}
    pred_idx = np.array([cluster_to_idx.get(v, -1) for v in y_pred.tolist()], dtype=np.int64)
    pred_idx[noise] = -1
    assigned = pred_idx >= 0
    present = np.union1d(true_idx, pred_idx[assigned])
    scores = {}
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(
            true_idx, pred_idx, labels=present, average=average, zero_division=0
        )
        scores.update({f"precision_{average}": float(p), f"recall_{average}": float(r),
                       f"f1_{average}": float(f)})
    matrix = confusion_matrix(true_idx, pred_idx, labels=np.arange(len(classes)))
    matrix.setflags(write=False)
    n_unassigned = int(np.count_nonzero(~assigned))
    if n_unassigned:
        logger.debug("%d of %d samples map to no class (noise or unknown clusters)",
                     n_unassigned, len(y_true))
    return Metrics(
        accuracy=float(accuracy_score(true_idx, pred_idx)),
        **scores,
        nmi=float(normalized_mutual_info_score(y_true, y_pred)),
        ari=float(adjusted_rand_score(y_true, y_pred)),
        n_samples=len(y_true),
        n_clusters_found=len(np.unique(y_pred[~noise])),
        noise_fraction=float(np.mean(noise)),
        unassigned_fraction=n_unassigned / len(y_true),
        classes=tuple(classes),
        confusion_matrix=matrix,
        mapping=mapping,
    )
