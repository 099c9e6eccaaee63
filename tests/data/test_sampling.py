"""Balanced and unbalanced subsets: exact profile, same size, seeded."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from spectralbench.data import PAPER_FRACTIONS, class_counts_for, sample


@pytest.fixture(scope="module")
def y_train():
    """The real Fashion-MNIST training labels: 6,000 per class."""
    from spectralbench.data import load_dataset

    return load_dataset("fashion_mnist", "train", return_X_y=True)[1]


@pytest.mark.parametrize("fraction", PAPER_FRACTIONS)
def test_balanced_and_unbalanced_have_the_same_size(y_train, fraction):
    balanced = sample(y_train, fraction, random_state=1)
    unbalanced = sample(y_train, fraction, balance="unbalanced", random_state=1)
    assert len(balanced) == len(unbalanced) == round(fraction * 60000)
    np.testing.assert_array_equal(np.bincount(y_train[balanced]),
                                  np.full(10, round(fraction * 6000)))
    assert len(np.unique(balanced)) == len(balanced)


def test_unbalanced_full_set_is_the_papers_table_1(y_train):
    counts = class_counts_for(y_train, 1.0, balance="unbalanced", random_state=3)
    expected = [10000, 9111, 8222, 7333, 6444, 5556, 4667, 3778, 2889, 2000]
    np.testing.assert_array_equal(np.sort(counts)[::-1], expected)
    assert counts.max() / counts.min() == 5.0


def test_sampled_counts_follow_the_plan_and_report_duplicates(y_train, caplog):
    plan = class_counts_for(y_train, 1.0, balance="unbalanced", random_state=7)
    with caplog.at_level(logging.WARNING, logger="spectralbench.data.sampling"):
        idx = sample(y_train, 1.0, balance="unbalanced", random_state=7)
    np.testing.assert_array_equal(np.bincount(y_train[idx]), plan)
    n_duplicates = len(idx) - len(np.unique(idx))
    assert n_duplicates == np.maximum(plan - 6000, 0).sum() == 11110
    assert "11110 row(s) drawn twice" in caplog.text


@pytest.mark.parametrize("ratio", [1.0, 2.0, 5.0, 10.0])
@pytest.mark.parametrize("per_class", [1, 7, 250, 1750])
def test_profile_is_linear_with_exact_total(ratio, per_class):
    y = np.repeat(np.arange(10), 20000)
    counts = np.sort(class_counts_for(y, per_class * 10 / len(y), balance="unbalanced",
                                      imbalance_ratio=ratio, random_state=0))
    assert counts.sum() == 10 * per_class
    smallest = 2 * per_class / (1 + ratio)
    ideal = np.linspace(smallest, ratio * smallest, 10)
    assert np.abs(counts - ideal).max() < 1  # largest-remainder rounding


def test_same_seed_same_indices_other_seed_other_order(y_train):
    a = sample(y_train, 0.25, balance="unbalanced", random_state=11)
    b = sample(y_train, 0.25, balance="unbalanced", random_state=11)
    c = sample(y_train, 0.25, balance="unbalanced", random_state=12)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(np.bincount(y_train[a]), np.bincount(y_train[c]))


def test_replace_false_shrinks_total_and_says_so(y_train, caplog):
    with caplog.at_level(logging.WARNING, logger="spectralbench.data.sampling"):
        idx = sample(y_train, 1.0, balance="unbalanced", replace=False, random_state=0)
    assert len(np.unique(idx)) == len(idx) < 60000
    assert np.bincount(y_train[idx]).max() == 6000
    assert f"has {len(idx)} rows instead of 60000" in caplog.text


def test_arbitrary_labels_and_bad_arguments():
    y = np.array(["cat", "dog", "cat", "dog", "cat", "dog"])
    assert sorted(y[sample(y, 1.0, random_state=0)]) == sorted(y)
    with pytest.raises(ValueError, match=r"fraction=0 is invalid.*\(0, 1\]"):
        sample(y, 0)
    with pytest.raises(ValueError, match=r"balance='skewed' is invalid"):
        sample(y, 0.5, balance="skewed")
    with pytest.raises(ValueError, match=r"imbalance_ratio=0.5 is invalid"):
        sample(y, 0.5, imbalance_ratio=0.5)
    with pytest.raises(ValueError, match="less than one row per class"):
        sample(y, 0.1)
