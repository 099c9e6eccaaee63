"""Scoring clusterings: matched accuracy and friends, resources, statistics."""

from .metrics import apply_mapping, cluster_accuracy, match_clusters

__all__ = ["apply_mapping", "cluster_accuracy", "match_clusters"]
