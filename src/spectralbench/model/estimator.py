"""``SpectralNet``: the scikit-learn style estimator that wires the model pieces together."""

from __future__ import annotations

import json
import logging
import math
import numbers
import pickle
import warnings
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClusterMixin, TransformerMixin
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_is_fitted

from .._logging import timed
from .._validation import (
    Interval,
    Options,
    check_array,
    check_n_features,
    validate_params,
)
from ._batching import apply_in_batches, take_rows
from .affinity import kernel_graph, knn_search, symmetrize_graph
from .autoencoder import fit_autoencoder
from .devices import resolve_device, torch_threads
from .distributed import broadcast_ints, same_on_all_ranks, world
from .heads import HEADS, ClusterHead, fit_head
from .networks import FixedProjection, SpectralNetwork
from .orthonorm import RankDeficiencyWarning
from .siamese import fit_siamese
from .trainer import EdgeSampler, fit_orthonorm, train_spectral_network

__all__ = ["SpectralNet"]

logger = logging.getLogger(__name__)

#: Gradient steps the automatic epoch count aims for (``epochs=None``).
AUTO_STEPS = 5000
#: Rows used to fit the input PCA; more adds cost, not accuracy.
PCA_FIT_ROWS = 20_000
_FORMAT_VERSION = 1


class SpectralNet(ClusterMixin, TransformerMixin, BaseEstimator):
    """Spectral clustering with a deep network that embeds and labels unseen points.

    A network F: R^d -> R^H is trained so that its outputs approximate the
    leading eigenvectors of the graph Laplacian of a Gaussian k-nearest-neighbour
    affinity; its last layer keeps the outputs orthonormal. Clusters are then
    found in the embedding by a head (k-means by default). Unlike classical
    spectral clustering, no N x N matrix or eigendecomposition is needed, and
    ``predict`` labels new points with the trained network and the fitted head.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.
    embedding_dim : int, default=None
        Output dimension H of the network. None uses ``n_clusters`` (the paper's
        choice: one eigenvector per cluster). Larger H keeps more eigenvectors.
    hidden : tuple of int, default=(512, 256)
        Hidden layer widths of the fully connected network. Cost per step grows
        with the products of neighbouring widths.
    epochs : int, default=None
        Passes over the training set. None picks enough epochs for about 5,000
        gradient steps (at least 10), which suits both 2,000 and 70,000 rows;
        training also ends early once the loss has stopped improving (the
        learning rate was halved five times).
    batch_size : int, default=512
        Rows per step. With ``graph="global"`` each batch holds batch_size/2
        sampled graph edges; memory grows linearly with it (quadratically with
        ``graph="batch"``). Should exceed ``embedding_dim`` (a
        ``RankDeficiencyWarning`` says when it does not).
    lr : float, default=1e-3
        Adam learning rate, halved when the epoch loss stops improving.
    k : int, default=30
        Number of nearest neighbours in the affinity graph (the paper uses 10
        and 20). Small k keeps local detail; large k merges nearby clusters.
    scale : float or {"median", "local"}, default="local"
        Gaussian kernel width σ: a number (the paper uses 1.0, in the units of
        the data), ``"median"`` (median distance to the k-th neighbour) or
        ``"local"`` (self-tuning σ_i per point).
    symmetrize : {"mean", "max", "mutual"}, default="mutual"
        How the kNN graph is made symmetric; ``"mutual"`` keeps only edges
        found from both ends. The defaults k=30, "local", "mutual" measured best
        on 70,000 Fashion-MNIST and KMNIST images (benchmarks/).
    affinity_space : {"input", "autoencoder", "siamese"}, default="input"
        Where neighbours are searched: the (PCA-reduced) input, the codes of an
        autoencoder pretrained for ``pretrain_epochs``, or the outputs of a
        Siamese network trained on nearest-neighbour pairs (the paper's options).
    pca_components : int or None, default=50
        When the data has more features, a PCA to this many components is fitted
        and used both for the neighbour search and as the network's fixed first
        layer (it stays part of the saved model). None disables it.
    graph : {"global", "batch"}, default="global"
        ``"global"`` builds one kNN graph of the training set and trains on
        batches of its edges; ``"batch"`` recomputes a kNN graph inside each
        random batch, as the original implementation does.
    orthonorm : {"whiten", "alternate"}, default="whiten"
        ``"alternate"`` is the paper's scheme (orthonormalisation step, then a
        gradient step with the last layer fixed); ``"whiten"`` differentiates
        through the batch's Cholesky factor instead, which converges to the
        eigenvectors far more reliably (see Notes).
    dropout : float, default=0.0
        Dropout probability after each hidden layer (the paper's Table 2 uses 0.5).
    head : {"kmeans", "som", "laplacian"}, default="kmeans"
        Clustering of the embedding (see ``spectralbench.model.heads``);
        ``"som"`` needs the ``som`` extra.
    pretrain_epochs : int, default=10
        Epochs of the autoencoder or Siamese network (``affinity_space``).
    device : {"cpu", "cuda", "auto"} or str, default="cpu"
        Torch device for training and inference; "auto" takes CUDA if visible.
    n_jobs : int or None, default=None
        CPU threads torch may use during ``fit``/``predict`` (set for the call,
        then restored). None means 1, -1 all cores. The network's matrices are
        small, and on 2 busy cores two threads trained 70,000 images about 20x
        slower than one (oversubscribed threads spin-wait).
    random_state : int, numpy Generator or None, default=None
        Seeds every random step. Same seed on the same machine gives the same labels.
    verbose : int, default=0
        0 silent, 1 a progress bar per stage, 2 also a log line per epoch.

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, embedding_dim)
        Network outputs on the training data.
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training row.
    cluster_centers_ : ndarray of shape (n_clusters, embedding_dim)
        Cluster centres in the row-normalised embedding.
    history_ : dict
        ``"spectralnet"``: per-epoch dicts (epoch, loss, lr, seconds);
        ``"pretrain"``: the same for the autoencoder/Siamese stage (may be
        empty); ``"stop_reason"``; ``"seconds"``: time of each stage;
        ``"world_size"``: processes that trained together (1 unless distributed).
    network_ : SpectralNetwork
        The trained torch module (CPU or ``device``).
    n_features_in_ : int
    params_ : dict
        Resolved parameter values the fit ran with (JSON-safe).

    See Also
    --------
    sklearn.cluster.SpectralClustering : exact spectral clustering (no predict).
    spectralbench.model.affinity.knn_affinity : the graph being embedded.

    Notes
    -----
    With ``graph="global"`` the loss is ½ mean ‖y_i − y_j‖² over edges drawn
    ∝ W_ij, and the orthonormalisation uses the same batch rows (distributed ∝
    degree), so the network learns the leading eigenvectors of the
    random-walk Laplacian; rows are normalised before the head (Ng, Jordan &
    Weiss, 2001). The loss then estimates the sum of the H smallest
    eigenvalues of the normalised Laplacian. Cost: one kNN search (exact up to
    200,000 rows, NN-descent above), then O(epochs · N · network size).
    Memory: O(N·k) for the graph plus O(batch_size · width) for training.

    Distributed training: when a torch.distributed process group is initialised
    (e.g. a script started by ``torchrun`` that calls
    ``spectralbench.model.distributed.init_from_env()``), ``fit`` trains
    data-parallel on all its processes, which must all call ``fit`` with the
    same X (e.g. one memmap on shared storage) and parameters; ``fit`` checks
    X's shape and a sample of its rows across ranks and raises if they differ.
    ``batch_size`` stays the global batch, split evenly between the ranks
    (see ``spectralbench.model.trainer``). Rank 0's seeds are used everywhere,
    and every rank computes the projection, the affinity space, the kNN graph
    and the head itself, deterministically, so only the gradient steps and the
    final orthonormalisation pass are shared out; all ranks end with identical
    models and ``history_["world_size"]`` records the number of ranks.

    References
    ----------
    U. Shaham, K. Stanton, H. Li, B. Nadler, R. Basri, Y. Kluger. SpectralNet:
    Spectral Clustering using Deep Neural Networks. ICLR 2018.
    https://openreview.net/forum?id=HJ_aoCyRZ

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from spectralbench import SpectralNet
    >>> X, y = make_blobs(300, centers=3, random_state=0)
    >>> model = SpectralNet(n_clusters=3, epochs=20, random_state=0).fit(X)
    >>> model.predict(X[:5]).shape
    (5,)
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_clusters": [Interval(numbers.Integral, 1, None)],
        "embedding_dim": [None, Interval(numbers.Integral, 1, None)],
        "hidden": [tuple, list],
        "epochs": [None, Interval(numbers.Integral, 1, None)],
        "batch_size": [Interval(numbers.Integral, 2, None)],
        "lr": [Interval(numbers.Real, 0, None, closed="neither")],
        "k": [Interval(numbers.Integral, 1, None)],
        "scale": [Interval(numbers.Real, 0, None, closed="neither"), Options({"median", "local"})],
        "symmetrize": [Options({"mean", "max", "mutual"})],
        "affinity_space": [Options({"input", "autoencoder", "siamese"})],
        "pca_components": [None, Interval(numbers.Integral, 1, None)],
        "graph": [Options({"global", "batch"})],
        "orthonorm": [Options({"whiten", "alternate"})],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "head": [Options(set(HEADS))],
        "pretrain_epochs": [Interval(numbers.Integral, 1, None)],
        "device": [str, torch.device],
        "n_jobs": [None, Interval(numbers.Integral, None, None)],
        "random_state": [None, Interval(numbers.Integral, 0, None), np.random.Generator],
        "verbose": [Interval(numbers.Integral, 0, None), bool],
    }

    def __init__(
        self,
        n_clusters: int = 10,
        *,
        embedding_dim: int | None = None,
        hidden: Sequence[int] = (512, 256),
        epochs: int | None = None,
        batch_size: int = 512,
        lr: float = 1e-3,
        k: int = 30,
        scale: float | str = "local",
        symmetrize: str = "mutual",
        affinity_space: str = "input",
        pca_components: int | None = 50,
        graph: str = "global",
        orthonorm: str = "whiten",
        dropout: float = 0.0,
        head: str = "kmeans",
        pretrain_epochs: int = 10,
        device: str = "cpu",
        n_jobs: int | None = None,
        random_state: int | None = None,
        verbose: int = 0,
    ):
        self.n_clusters = n_clusters
        self.embedding_dim = embedding_dim
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.k = k
        self.scale = scale
        self.symmetrize = symmetrize
        self.affinity_space = affinity_space
        self.pca_components = pca_components
        self.graph = graph
        self.orthonorm = orthonorm
        self.dropout = dropout
        self.head = head
        self.pretrain_epochs = pretrain_epochs
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    def fit(self, X, y=None, *, callbacks: Sequence[Callable] | None = None) -> SpectralNet:
        """Train the network and the clustering head on X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            numpy array or memmap, torch tensor, pandas DataFrame or list.
        y : ignored
            Present for scikit-learn API compatibility.
        callbacks : sequence of callables, optional
            Each is called as ``callback(stage, epoch, logs)`` after every
            epoch of every stage ("pretrain" stages are not interruptible;
            "spectralnet" is). Returning True stops training early; the model
            is still fitted and ``history_["stop_reason"]`` says why.

        Returns
        -------
        self : SpectralNet
        """
        self._validate_params()
        X = _check_input(X, min_samples=2)
        self._check_params_vs_input(X)
        device = resolve_device(self.device)
        with torch_threads(self.n_jobs):
            self._fit(X, device, callbacks or ())
        return self

    def _fit(self, X: np.ndarray, device: torch.device, callbacks: Sequence[Callable]) -> None:
        rng = np.random.default_rng(self.random_state)
        seeds = [int(s) for s in rng.integers(0, 2**31 - 1, size=6)]
        seeds = broadcast_ints(seeds)  # distributed: rank 0's, also for random_state=None
        world_size = world()[1]
        if world_size > 1 and not same_on_all_ranks([*X.shape, *_row_checksums(X)]):
            raise ValueError(
                f"SpectralNet: X differs between the {world_size} distributed ranks (shape or "
                "rows); every rank must call fit with the same rows in the same order, e.g. "
                "one memmap on shared storage."
            )
        seconds: dict[str, float] = {}

        with timed(logger, "input projection") as t:
            projection, Z, spread = self._fit_projection(X, seeds[0])
        seconds["projection"] = t["seconds"]
        with timed(logger, f"affinity space '{self.affinity_space}'") as t:
            A, pretrain_history = self._affinity_space(X, Z, seeds[1], device)
        seconds["pretrain"] = t["seconds"]

        sampler = degrees = None
        if self.graph == "global":
            with timed(logger, "kNN graph") as t:
                indices, distances = knn_search(A, self._k, random_state=seeds[2])
                W = kernel_graph(indices, distances, scale=self.scale)
                del indices, distances  # O(N k) each: free them before the next copy
                W = symmetrize_graph(W, self.symmetrize, copy=False)
                sampler = EdgeSampler(W)
                if not same_on_all_ranks([W.nnz, W.sum()]):
                    warnings.warn(
                        "The kNN graph differs between distributed ranks (approximate "
                        "search or different hardware); each rank trains on its own graph.",
                        RuntimeWarning, stacklevel=3,
                    )
                degrees = sampler.degree.numpy()
                del W  # the sampler keeps what training needs
            seconds["graph"] = t["seconds"]

        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seeds[3])
            net = SpectralNetwork(
                projection.components.shape[0], tuple(self.hidden), self._embedding_dim,
                dropout=self.dropout, projection=projection,
            ).to(device)
        generator = torch.Generator().manual_seed(seeds[4])
        # The network's inputs are net.projection(X) = Z / spread, computed once.
        # Z is needed again only as the per-batch affinity space; otherwise scale
        # it in place (at a million rows a copy would be another 200 MB).
        if self.graph == "batch" and A is Z:
            inputs = Z / spread
        else:
            inputs = Z
            inputs /= spread
        with timed(logger, "SpectralNet training") as t:
            history, stop_reason = train_spectral_network(
                net, inputs, graph=self.graph, sampler=sampler, Z=A, k=self._k, scale=self.scale,
                epochs=self._epochs, batch_size=self._batch_size, lr=self.lr,
                orthonorm=self.orthonorm, generator=generator, device=device,
                callbacks=callbacks, verbose=int(self.verbose),
            )
            fit_orthonorm(net, inputs, weights=degrees, device=device)
        seconds["spectralnet"] = t["seconds"]

        self.network_ = net
        self._device = device
        self.n_features_in_ = X.shape[1]
        with timed(logger, f"{self.head} head") as t:
            self.embedding_ = self._transform(X)
            self._head = fit_head(self.head, self.embedding_, self.n_clusters, seeds[5])
            self.labels_ = self._head.predict(self.embedding_)
        seconds["head"] = t["seconds"]
        self.cluster_centers_ = self._head.centers(self.n_clusters)
        self.history_ = {
            "spectralnet": history,
            "pretrain": pretrain_history,
            "stop_reason": stop_reason,
            "seconds": seconds,
            "world_size": world_size,
        }
        self.params_ = self._resolved_params()

    def _validate_params(self) -> None:
        validate_params(self.get_params(deep=False), self._parameter_constraints, "SpectralNet")
        if not all(isinstance(h, numbers.Integral) and h > 0 for h in self.hidden):
            raise ValueError(
                f"SpectralNet: hidden={self.hidden!r} must be a tuple of positive ints, "
                "e.g. (512, 256)."
            )

    def _check_params_vs_input(self, X: np.ndarray) -> None:
        n = X.shape[0]
        if self.n_clusters > n:
            raise ValueError(
                f"n_clusters={self.n_clusters} needs at least {self.n_clusters} samples, got {n}; "
                "lower n_clusters or pass more rows."
            )
        self._embedding_dim = self.embedding_dim or self.n_clusters
        self._k = min(self.k, n - 1)
        if self._k < self.k:
            logger.warning("k=%d is too large for %d rows; using k=%d", self.k, n, self._k)
        self._batch_size = min(self.batch_size, n)
        if self._batch_size <= self._embedding_dim:
            warnings.warn(
                f"batch_size={self._batch_size} (capped at n_samples={n}) does not exceed "
                f"embedding_dim={self._embedding_dim}: outputs cannot be orthonormal on such "
                "batches and training is unreliable. Raise batch_size or lower embedding_dim.",
                RankDeficiencyWarning, stacklevel=3,
            )
        steps = math.ceil(n / self._batch_size)
        self._epochs = self.epochs or max(10, math.ceil(AUTO_STEPS / steps))

    def _fit_projection(self, X: np.ndarray, seed: int
                        ) -> tuple[FixedProjection, np.ndarray, float]:
        """Fit the fixed first layer: PCA (or centring), scaled to unit spread.

        Returns the layer, the unscaled projected rows Z (n, p) — the "input"
        affinity space, in the data's own distance units — and the spread the
        layer divides by.
        """
        n, d = X.shape
        if self.pca_components is not None and d > self.pca_components:
            rows = np.sort(np.random.default_rng(seed).permutation(n)[:PCA_FIT_ROWS])
            pca = PCA(self.pca_components, svd_solver="randomized", random_state=seed)
            pca.fit(take_rows(X, rows))
            mean, components = pca.mean_, pca.components_
        else:
            mean, components = np.asarray(X.mean(axis=0), np.float64), np.eye(d)
        layer = FixedProjection(torch.as_tensor(mean), torch.as_tensor(components))
        Z = apply_in_batches(layer, X)
        spread = _overall_std(Z) or 1.0
        layer.components.div_(spread)  # the network sees unit-scale inputs
        return layer, Z, spread

    def _affinity_space(self, X, Z, seed, device) -> tuple[np.ndarray, list[dict]]:
        if self.affinity_space == "autoencoder":
            ae = fit_autoencoder(X, code_dim=self._embedding_dim, hidden=(500, 500, 2000),
                                 epochs=self.pretrain_epochs, random_state=seed, device=device,
                                 verbose=int(self.verbose))
            return ae.encode(X), ae.history_
        if self.affinity_space == "siamese":
            neighbors, _ = knn_search(Z, min(self._k, 2), random_state=seed)
            siamese = fit_siamese(Z, neighbors, out_dim=self._embedding_dim,
                                  hidden=tuple(self.hidden), epochs=self.pretrain_epochs,
                                  random_state=seed, device=device, verbose=int(self.verbose))
            return siamese.embed(Z), siamese.history_
        return Z, []

    def _resolved_params(self) -> dict:
        params = self.get_params(deep=False)
        params.update(embedding_dim=self._embedding_dim, k=self._k, epochs=self._epochs,
                      batch_size=self._batch_size, hidden=list(self.hidden),
                      device=str(self._device))
        if isinstance(params["random_state"], np.random.Generator):
            params["random_state"] = None
        return params

    def transform(self, X) -> np.ndarray:
        """Embed X with the trained network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, embedding_dim), float32
            Computed in batches under ``torch.inference_mode``; memory does not
            grow with n_samples beyond the output itself. For a dask array, a
            lazy dask array with the same row chunks (see :meth:`predict`).
        """
        check_is_fitted(self, "network_")
        if _is_dask_array(X):
            X = _one_column_chunk(X, self.n_features_in_)
            width = (self.params_["embedding_dim"],)
            return X.map_blocks(self.transform, chunks=(X.chunks[0], width), dtype=np.float32,
                                meta=np.empty((0, 0), np.float32))
        X = _check_input(X)
        check_n_features(X, self.n_features_in_, "SpectralNet")
        return self._transform(X)

    def _transform(self, X: np.ndarray) -> np.ndarray:
        with torch_threads(self.n_jobs):
            return apply_in_batches(self.network_, X, batch_size=4096, device=self._device)

    def predict(self, X) -> np.ndarray:
        """Cluster of each row of X: the fitted head applied to the network's embedding.

        The clusters are those found on the training data (no refitting), so
        ids are comparable between ``labels_`` and predictions on new rows.

        Parameters
        ----------
        X : array-like or dask array of shape (n_samples, n_features)
            A ``dask.array.Array`` gives a lazy result: each block of rows is
            labelled where it lives (e.g. on the workers of a
            ``dask.distributed`` cluster, which receive a copy of this fitted
            model), so data larger than one machine can be labelled.

        Returns
        -------
        ndarray of shape (n_samples,), int64
            Or a dask array of the same row chunks for dask input.
        """
        check_is_fitted(self, "network_")
        if _is_dask_array(X):
            X = _one_column_chunk(X, self.n_features_in_)
            return X.map_blocks(self.predict, drop_axis=1, dtype=np.int64,
                                meta=np.empty((0,), np.int64))
        return self._head.predict(self.transform(X))

    def fit_predict(self, X, y=None, **fit_params) -> np.ndarray:
        """Fit on X and return ``labels_``."""
        return self.fit(X, **fit_params).labels_

    def fit_transform(self, X, y=None, **fit_params) -> np.ndarray:
        """Fit on X and return ``embedding_``."""
        return self.fit(X, **fit_params).embedding_

    def save(self, path: str | Path) -> Path:
        """Write the fitted model to one file: weights, head and a JSON config (no pickle).

        Load it with :meth:`SpectralNet.load`. The file holds only tensors and
        strings, so ``torch.load(weights_only=True)`` reads it safely.
        """
        check_is_fitted(self, "network_")
        path = Path(path)
        state = {
            "format_version": torch.tensor(_FORMAT_VERSION),
            "config": json.dumps({
                "params": self.params_,
                "init_params": _json_safe(self.get_params(deep=False)),
                "n_features_in": self.n_features_in_,
                "projection_dim": int(self.network_.projection.components.shape[0]),
                "head": self._head.kind,
                "history": self.history_,
            }),
            "network": {k: v.detach().cpu() for k, v in self.network_.state_dict().items()},
            "head_prototypes": torch.from_numpy(self._head.prototypes),
            "head_labels": torch.from_numpy(self._head.prototype_labels),
        }
        tmp = path.with_name(path.name + ".tmp")
        torch.save(state, tmp)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: str | Path, *, device: str = "cpu") -> SpectralNet:
        """Read a model written by :meth:`save`; predictions are identical."""
        try:
            state = torch.load(Path(path), map_location="cpu", weights_only=True)
            if not isinstance(state, dict) or "config" not in state:
                raise ValueError("it has no 'config' entry")
            config = json.loads(state["config"])
        except (OSError, RuntimeError, KeyError, ValueError, EOFError,
                pickle.UnpicklingError) as exc:
            raise ValueError(
                f"{path} is not a SpectralNet model file written by SpectralNet.save ({exc})."
            ) from exc
        params = config["params"]
        init_params = config["init_params"]
        model = cls(**{**init_params, "hidden": tuple(init_params["hidden"]), "device": device})
        net = SpectralNetwork(
            config["projection_dim"], tuple(params["hidden"]), params["embedding_dim"],
            dropout=params["dropout"],
            projection=FixedProjection(
                torch.zeros(config["n_features_in"]),
                torch.zeros(config["projection_dim"], config["n_features_in"]),
            ),
        )
        net.load_state_dict(state["network"])
        model._device = resolve_device(device)
        model.network_ = net.to(model._device).eval()
        model.n_features_in_ = config["n_features_in"]
        model._head = ClusterHead(config["head"], state["head_prototypes"].numpy(),
                                  state["head_labels"].numpy())
        model.cluster_centers_ = model._head.centers(params["n_clusters"])
        model.params_ = params
        model.history_ = config["history"]
        return model

    @classmethod
    def from_preset(cls, name: str, **overrides) -> SpectralNet:
        """Build an estimator from a named preset (see ``spectralbench.model.presets``)."""
        from .presets import preset_params

        return cls(**{**preset_params(name), **overrides})


def _check_input(X, min_samples: int = 1) -> np.ndarray:
    """Validate X; integer data (e.g. a uint8 memmap of images) is kept as it is.

    Every step reads rows in batches and converts each batch to float32, so an
    integer array is never copied whole into memory; float data becomes float32.
    """
    X = check_array(X, owner="SpectralNet", min_samples=min_samples, dtype=None)
    if X.dtype.kind not in "biu" and X.dtype != np.float32:
        X = X.astype(np.float32)
    return X


def _row_checksums(X: np.ndarray, n_rows: int = 16) -> list[int]:
    """CRC-32 of ``n_rows`` evenly spaced rows of X: tells differing data apart cheaply."""
    rows = np.unique(np.linspace(0, X.shape[0] - 1, n_rows).astype(np.int64))
    return [zlib.crc32(np.ascontiguousarray(X[r]).tobytes()) for r in rows]


def _overall_std(Z: np.ndarray, block_rows: int = 65_536) -> float:
    """Standard deviation of all entries of Z, in row blocks (``Z.std()`` copies Z)."""
    total = squares = 0.0
    for start in range(0, Z.shape[0], block_rows):
        block = Z[start:start + block_rows].astype(np.float64)
        total += float(block.sum())
        squares += float(np.square(block, out=block).sum())
    mean = total / Z.size
    return math.sqrt(max(squares / Z.size - mean * mean, 0.0))


def _is_dask_array(X) -> bool:
    return type(X).__module__.startswith("dask.array") and hasattr(X, "map_blocks")


def _one_column_chunk(X, n_features: int):
    """A 2-D dask array rechunked so each block holds whole rows (all columns)."""
    if X.ndim != 2 or X.shape[1] != n_features:
        raise ValueError(
            f"X has shape {X.shape}, but SpectralNet was fitted with {n_features} features; "
            "pass a 2-D dask array with the same columns as in fit."
        )
    return X if len(X.chunks[1]) == 1 else X.rechunk({1: -1})


def _json_safe(params: dict) -> dict:
    safe = dict(params)
    if isinstance(safe.get("random_state"), np.random.Generator):
        safe["random_state"] = None
    safe["hidden"] = list(safe["hidden"])
    safe["device"] = str(safe["device"])
    return safe
