"""Prediction on dask arrays: lazy, chunked, and identical to in-memory predict."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")


def test_predict_on_a_dask_array_is_lazy_and_matches_numpy(fitted_fmnist, fmnist_split):
    X_test = fmnist_split[2]
    dX = da.from_array(X_test, chunks=(150, 784))
    labels = fitted_fmnist.predict(dX)
    assert isinstance(labels, da.Array)
    assert labels.chunks == ((150, 150, 100),)
    np.testing.assert_array_equal(labels.compute(), fitted_fmnist.predict(X_test))


def test_transform_on_a_dask_array_rechunks_columns(fitted_fmnist, fmnist_split):
    X_test = fmnist_split[2]
    dX = da.from_array(X_test, chunks=(100, 200))  # columns split across blocks
    embedding = fitted_fmnist.transform(dX)
    assert embedding.shape == (len(X_test), fitted_fmnist.params_["embedding_dim"])
    np.testing.assert_allclose(embedding.compute(), fitted_fmnist.transform(X_test), atol=1e-6)


def test_dask_input_with_wrong_columns_is_rejected_before_any_work(fitted_fmnist, fmnist_split):
    dX = da.from_array(fmnist_split[2][:, :700], chunks=(100, 700))
    with pytest.raises(ValueError, match=r"700.*784 features"):
        fitted_fmnist.predict(dX)


def test_predict_on_a_local_cluster_matches_numpy(fitted_fmnist, fmnist_split):
    distributed = pytest.importorskip("distributed")
    X_test = fmnist_split[2]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        dX = da.from_array(X_test, chunks=(100, 784))
        with distributed.get_task_stream(client) as stream:
            labels = client.compute(fitted_fmnist.predict(dX)).result()
        cluster_workers = set(client.scheduler_info()["workers"])
    np.testing.assert_array_equal(labels, fitted_fmnist.predict(X_test))
    ran_on = {task["worker"] for task in stream.data}
    assert ran_on and ran_on <= cluster_workers  # the fitted model was shipped to workers
