"""DBSCAN and HDBSCAN: automatic settings, noise bookkeeping and the out-of-sample rules."""

from __future__ import annotations

import numpy as np

from spectralbench.baselines import DBSCANClustering, HDBSCANClustering
from spectralbench.baselines._extension import KNNVote


def test_dbscan_eps_is_the_k_distance_quantile(fmnist_small):
    X = fmnist_small[0][:1000]
    low = DBSCANClustering(eps_quantile=0.2, random_state=0).fit(X)
    high = DBSCANClustering(eps_quantile=0.8, random_state=0).fit(X)
    assert 0 < low.eps_ < high.eps_
    assert low.noise_fraction_ > high.noise_fraction_
    assert low.params_["eps"] == low.eps_
    assert low.noise_fraction_ == np.mean(low.labels_ == -1)


def test_dbscan_predict_follows_core_points(fmnist_small):
    X = fmnist_small[0][:1000]
    model = DBSCANClustering(random_state=0).fit(X)
    assert model.n_clusters_ >= 2
    predicted = model.predict(X)
    core = model.core_sample_indices_
    np.testing.assert_array_equal(predicted[core], model.labels_[core])
    # Border points lie within eps of a core point, so they are not noise out of sample either.
    assert np.all(predicted[model.labels_ != -1] != -1)


def test_hdbscan_min_cluster_size_rule(fmnist_small):
    X = fmnist_small[0][:1000]
    model = HDBSCANClustering(n_clusters=10, random_state=0).fit(X)
    assert model.min_cluster_size_ == 5  # max(5, 1000 // 200)
    sizes = np.bincount(model.labels_[model.labels_ >= 0])
    assert sizes.min() >= model.min_cluster_size_
    assert model.params_["noise_fraction"] == model.noise_fraction_


def test_knn_vote_keeps_noise_as_noise():
    X = np.array([[0.0], [0.1], [0.2], [10.0], [10.1], [10.2]])
    vote = KNNVote(X, np.array([-1, -1, -1, 4, 4, 4]), k=3)
    np.testing.assert_array_equal(vote(np.array([[0.05], [10.05]])), [-1, 4])
