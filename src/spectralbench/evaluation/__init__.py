"""Scoring clusterings: matched accuracy and friends, resources, statistics.

Pure functions on labels, timings and tables; nothing here knows of models,
datasets or studies.
"""

from .metrics import NOISE, Metrics, apply_mapping, cluster_accuracy, evaluate, match_clusters
from .resources import Measurement, machine_info, measure
from .statistics import LogLogFit, compare_methods, loglog_slope, summarize, two_way_anova

__all__ = [
    "NOISE",
    "LogLogFit",
    "Measurement",
    "Metrics",
    "apply_mapping",
    "cluster_accuracy",
    "compare_methods",
    "evaluate",
    "loglog_slope",
    "machine_info",
    "match_clusters",
    "measure",
    "summarize",
    "two_way_anova",
]
