"""Stratified, seeded train/test splits."""

from __future__ import annotations

import numpy as np
import pytest

from spectralbench.data import PAPER_TRAIN_SIZES, sample, split


@pytest.mark.parametrize("train_size", PAPER_TRAIN_SIZES)
def test_split_is_stratified_disjoint_and_complete(kmnist_small, train_size):
    _, y = kmnist_small
    train, test = split(y, train_size, random_state=0)
    assert len(np.intersect1d(train, test)) == 0
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y)))
    assert len(train) == round(train_size * len(y))
    share = np.bincount(y[train], minlength=10) / np.bincount(y, minlength=10)
    assert np.abs(share - train_size).max() < 0.02


def test_split_is_reproducible_by_seed(kmnist_small):
    _, y = kmnist_small
    np.testing.assert_array_equal(split(y, 0.7, random_state=5)[0],
                                  split(y, 0.7, random_state=5)[0])
    assert not np.array_equal(split(y, 0.7, random_state=5)[0], split(y, 0.7, random_state=6)[0])
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    np.testing.assert_array_equal(split(y, 0.7, random_state=rng_a)[1],
                                  split(y, 0.7, random_state=rng_b)[1])


def test_groups_keep_duplicates_on_one_side(kmnist_small):
    _, y = kmnist_small
    subset = sample(y, 1.0, balance="unbalanced", random_state=0)  # has duplicates
    assert len(np.unique(subset)) < len(subset)
    train, test = split(y[subset], 0.8, groups=subset, random_state=0)
    assert len(np.intersect1d(subset[train], subset[test])) == 0
    assert len(train) + len(test) == len(subset)


def test_split_errors():
    y = np.array([0, 0, 0, 1])
    with pytest.raises(ValueError, match=r"train_size=1.0 is invalid"):
        split(y, 1.0)
    with pytest.raises(ValueError, match=r"cannot split 4 rows of 2 classes"):
        split(y, 0.5)
    with pytest.raises(ValueError, match="a group holds rows with different labels"):
        split(np.array([0, 1, 0, 1]), 0.5, groups=np.array([0, 0, 1, 1]))
