"""Properties of the cluster-to-class mapping and the scores built on it."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from spectralbench.evaluation import (
    NOISE,
    Metrics,
    cluster_accuracy,
    evaluate,
    match_clusters,
)


def test_permuted_labelling_scores_perfectly(fmnist_small):
    _, y = fmnist_small
    permutation = np.random.default_rng(0).permutation(10)
    clusters = permutation[y] + 100
    metrics = evaluate(y, clusters)
    assert metrics.accuracy == 1.0
    assert metrics.f1_macro == metrics.f1_weighted == 1.0
    assert metrics.nmi == pytest.approx(1.0) and metrics.ari == pytest.approx(1.0)
    assert metrics.mapping == {int(permutation[c]) + 100: c for c in range(10)}
    np.testing.assert_array_equal(metrics.confusion_matrix, np.diag(np.bincount(y)))
    assert metrics.n_clusters_found == 10 and metrics.noise_fraction == 0.0


def test_hand_checked_case_matches_sklearn():
    y_true = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    y_pred = np.array([7, 7, 8, 8, 8, 8, 9, 9, 9, 7])
    metrics = evaluate(y_true, y_pred)
    # Contingency: 7 -> {0: 2, 2: 1}, 8 -> {0: 1, 1: 3}, 9 -> {2: 3}.
    assert metrics.mapping == {7: 0, 8: 1, 9: 2}
    assert metrics.accuracy == pytest.approx(0.8)
    np.testing.assert_array_equal(metrics.confusion_matrix, [[2, 1, 0], [0, 3, 0], [1, 0, 3]])
    mapped = np.array([0, 0, 1, 1, 1, 1, 2, 2, 2, 0])
    for average in ("macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(y_true, mapped, average=average)
        assert getattr(metrics, f"precision_{average}") == pytest.approx(p)
        assert getattr(metrics, f"recall_{average}") == pytest.approx(r)
        assert getattr(metrics, f"f1_{average}") == pytest.approx(f)
    np.testing.assert_array_equal(metrics.confusion_matrix, confusion_matrix(y_true, mapped))


def test_hungarian_mapping_is_the_best_one_to_one_mapping():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.integers(0, 5, 60), rng.integers(0, 5, 60)
    best = max(np.sum(np.array(perm)[y_pred] == y_true)
               for perm in itertools.permutations(range(5)))
    assert evaluate(y_true, y_pred).accuracy == pytest.approx(best / 60)


def test_real_clustering_agrees_with_cluster_accuracy(fmnist_small):
    X, y = fmnist_small
    labels = KMeans(n_clusters=10, n_init=1, random_state=0).fit_predict(X[:1000])
    metrics = evaluate(y[:1000], labels)
    assert metrics.accuracy == pytest.approx(cluster_accuracy(y[:1000], labels))
    assert 0.1 < metrics.accuracy < 1.0  # better than chance, not perfect
    assert 0.0 < metrics.nmi < 1.0
    assert metrics.confusion_matrix.sum() == 1000


def test_mapping_from_training_part_is_reused_on_test_part(kmnist_small):
    _, y = kmnist_small
    y_train, y_test = y[:1000], y[1000:]
    train = evaluate(y_train, (y_train + 3) % 10)
    # The test clusters are shifted differently: a fresh mapping would undo the
    # shift (accuracy 1), the training mapping must not.
    fresh = evaluate(y_test, (y_test + 4) % 10)
    reused = evaluate(y_test, (y_test + 4) % 10, mapping=train.mapping)
    assert fresh.accuracy == 1.0
    assert reused.accuracy == 0.0
    assert reused.mapping == train.mapping
    assert evaluate(y_test, (y_test + 3) % 10, mapping=train.mapping).accuracy == 1.0


def test_cluster_unseen_at_mapping_time_counts_as_wrong():
    train = evaluate([0, 0, 1, 1], [5, 5, 6, 6])
    metrics = evaluate([0, 0, 1, 1, 1], [5, 5, 6, 42, 42], mapping=train.mapping)
    assert metrics.accuracy == pytest.approx(3 / 5)
    assert metrics.unassigned_fraction == pytest.approx(2 / 5)
    assert metrics.noise_fraction == 0.0
    # Unassigned samples appear in no column: row sums fall short by them.
    np.testing.assert_array_equal(metrics.confusion_matrix, [[2, 0], [0, 1]])


def test_noise_maps_to_no_class_and_counts_as_wrong():
    y_true = [0, 0, 1, 1, 1, 1]
    y_pred = [3, 3, 4, NOISE, NOISE, NOISE]
    metrics = evaluate(y_true, y_pred)
    assert NOISE not in metrics.mapping  # noise is the majority of class 1, still unmapped
    assert metrics.accuracy == pytest.approx(3 / 6)
    assert metrics.noise_fraction == pytest.approx(0.5)
    assert metrics.n_clusters_found == 2
    reused = evaluate(y_true, y_pred, mapping={3: 0, 4: 1, NOISE: 1})
    assert reused.accuracy == pytest.approx(3 / 6)


def test_all_noise_scores_zero():
    metrics = evaluate([0, 1, 2], [NOISE] * 3)
    assert metrics.accuracy == 0.0 and metrics.mapping == {}
    assert metrics.n_clusters_found == 0 and metrics.unassigned_fraction == 1.0


def test_string_labels_and_class_order():
    y_true = ["shirt", "bag", "bag", "coat"]
    metrics = evaluate(y_true, [1, 2, 2, 3], labels=["shirt", "coat", "bag"])
    assert metrics.accuracy == 1.0
    assert metrics.classes == ("shirt", "coat", "bag")
    np.testing.assert_array_equal(metrics.confusion_matrix, np.diag([1, 1, 2]))
    assert metrics.mapping == {1: "shirt", 2: "bag", 3: "coat"}


def test_test_part_keeps_every_training_class():
    train = evaluate([0, 1, 2], [7, 8, 9])
    test = evaluate([0, 0, 1], [7, 7, 8], mapping=train.mapping)
    assert test.classes == (0, 1, 2)
    assert test.confusion_matrix.shape == (3, 3)
    assert test.f1_macro == 1.0  # a class absent from the test part is not averaged in


def test_more_clusters_than_classes_map_extras_to_their_majority():
    mapping = match_clusters([0, 0, 0, 1, 1], [1, 1, 2, 3, 3])
    assert mapping == {1: 0, 2: 0, 3: 1}
    assert evaluate([0, 0, 0, 1, 1], [1, 1, 2, 3, 3]).accuracy == 1.0


def test_as_dict_is_json_safe_and_complete():
    metrics = evaluate(["a", "b", "b", "c"], [1, 2, 2, NOISE])
    row = metrics.as_dict()
    assert json.loads(json.dumps(row)) == row
    assert all(type(v) in (int, float) for v in row.values())
    assert row["n_samples"] == 4 and row["noise_fraction"] == 0.25
    assert json.loads(json.dumps(metrics.confusion_matrix_as_list())) == [
        [1, 0, 0], [0, 2, 0], [0, 0, 0]]
    json.dumps(metrics.mapping)
    assert "accuracy=0.75" in repr(metrics)


def test_metrics_is_frozen():
    metrics = evaluate([0, 1], [0, 1])
    assert isinstance(metrics, Metrics)
    with pytest.raises(AttributeError):
        metrics.accuracy = 0.0
    with pytest.raises(ValueError, match="read-only"):
        metrics.confusion_matrix[0, 0] = 5


@pytest.mark.parametrize(
    ("y_true", "y_pred", "kwargs", "error", "message"),
    [
        ([0, 1, 1], [0, 1], {}, ValueError, "different lengths: 3 and 2"),
        ([], [], {}, ValueError, "at least one sample"),
        ([[0, 1]], [[0, 1]], {}, ValueError, "must be 1-D"),
        ([0, 1, 2], [0, 1, 2], {"labels": [0, 1]}, ValueError, r"not in labels: \[2\]"),
        ([0, 1], [0, 1], {"labels": [0, 1, 1]}, ValueError, "must not repeat"),
        ([0, 1], [0, 1], {"mapping": [(0, 0)]}, TypeError, "mapping must be a dict"),
        ([0, 1], [0, 1], {"mapping": {"0": 0, "1": 1}}, TypeError, "string keys"),
    ],
)
def test_bad_input_is_explained(y_true, y_pred, kwargs, error, message):
    with pytest.raises(error, match=message):
        evaluate(y_true, y_pred, **kwargs)
