"""Every clustering method of the study by name, for code, configs and the command line."""

from __future__ import annotations

import importlib
from typing import Any

from .._validation import did_you_mean

__all__ = ["available", "make", "method_class"]

# name -> (module, class). Modules are imported on first use, so an optional
# dependency is only needed by the methods that use it.
_METHODS: dict[str, tuple[str, str]] = {
    "kmeans": ("spectralbench.baselines.kmeans", "KMeansClustering"),
    "pca_kmeans": ("spectralbench.baselines.kmeans", "PCAKMeans"),
    "spectral": ("spectralbench.baselines.spectral", "ClassicalSpectralClustering"),
    "som": ("spectralbench.baselines.som", "SOMClustering"),
    "dbscan": ("spectralbench.baselines.density", "DBSCANClustering"),
    "hdbscan": ("spectralbench.baselines.density", "HDBSCANClustering"),
    "tsne_kmeans": ("spectralbench.baselines.tsne", "TSNEKMeans"),
    "umap_gmm": ("spectralbench.baselines.umap_gmm", "UMAPGMM"),
    "n2d": ("spectralbench.baselines.umap_gmm", "N2D"),
    "reference_spectralnet": ("spectralbench.baselines.reference", "ReferenceSpectralNet"),
    "spectralnet": ("spectralbench.model.estimator", "SpectralNet"),
}


def available() -> list[str]:
    """Names accepted by :func:`make`, sorted.

    Returns
    -------
    list of str
        ``dbscan``, ``hdbscan``, ``kmeans``, ``n2d``, ``pca_kmeans``,
        ``reference_spectralnet``, ``som``, ``spectral``, ``spectralnet``,
        ``tsne_kmeans``, ``umap_gmm``.
    """
    return sorted(_METHODS)


def method_class(name: str) -> type:
    """The class registered under ``name`` (imports its module).

    Raises
    ------
    ValueError
        For an unknown name, naming the closest valid one.
    """
    if name not in _METHODS:
        hint = did_you_mean(name, _METHODS)
        raise ValueError(
            f"Unknown clustering method {name!r}.{hint} Valid names: {', '.join(available())}."
        )
    module, cls = _METHODS[name]
    return getattr(importlib.import_module(module), cls)


def make(name: str, n_clusters: int = 10, random_state: int | None = None,
         **params: Any) -> Any:
    """Build the clustering method registered under ``name``.

    Parameters
    ----------
    name : str
        One of :func:`available`.
    n_clusters : int, default=10
        Number of clusters. Methods that find their own number of clusters and
        have no such parameter (``dbscan``) do not receive it.
    random_state : int or None, default=None
        Seed; every method takes one.
    **params
        Further keyword arguments of that method's class (see its docstring).

    Returns
    -------
    estimator
        Unfitted, with ``fit_predict(X)`` and ``predict(X)``.

    Raises
    ------
    ValueError
        For an unknown name or parameter, naming the closest valid one.
    spectralbench.exceptions.MissingDependencyError
        Raised later, at ``fit``, when the method needs an optional extra that
        is not installed; the message names the extra.

    Examples
    --------
    >>> from spectralbench.baselines import make
    >>> make("pca_kmeans", n_clusters=3, random_state=0, n_components=20)
    PCAKMeans(n_clusters=3, n_components=20, random_state=0)
    """
    cls = method_class(name)
    accepted = cls._get_param_names()
    for key in params:
        if key not in accepted:
            hint = did_you_mean(key, accepted)
            raise ValueError(
                f"{name!r} ({cls.__name__}) has no parameter {key!r}.{hint} "
                f"Its parameters: {', '.join(accepted)}."
            )
    if "n_clusters" in accepted:
        params["n_clusters"] = n_clusters
    return cls(random_state=random_state, **params)
