"""The reference ``spectralnet`` package (PyPI, shaham-lab) wrapped as a baseline.

It lets every comparison in the study run our SpectralNet and the published
PyTorch implementation side by side, with the package's own defaults.
"""

from __future__ import annotations

import contextlib
import io
import logging
import numbers
import os
import warnings
from typing import ClassVar

import numpy as np
from sklearn.cluster import KMeans

from .._logging import timed
from .._optional import import_optional
from .._validation import Interval
from .base import Clusterer, derive_seed

__all__ = ["ReferenceSpectralNet"]

logger = logging.getLogger(__name__)

_FEATURE = "The 'reference_spectralnet' baseline"


@contextlib.contextmanager
def _seeded_globals(torch, torch_seed: int, numpy_seed: int):
    """Seed torch's and numpy's global generators for the block, then restore both.

    The package draws from the global generators (``random_split``, shuffling
    data loaders, ``np.random.choice``); this is the only way to make it
    reproducible without leaving the caller's generators changed.
    """
    numpy_state = np.random.get_state()  # noqa: NPY002
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(torch_seed)
        np.random.seed(numpy_seed)  # noqa: NPY002 - the package reads the legacy global state
        try:
            yield
        finally:
            np.random.set_state(numpy_state)  # noqa: NPY002


class ReferenceSpectralNet(Clusterer):
    """The reference PyTorch SpectralNet (``pip install 'spectralbench[reference]'``).

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters (and the output width of its network).
    should_use_ae : bool, default=False
        Train the package's autoencoder first and build the graph on its codes.
    should_use_siamese : bool, default=False
        Learn the affinity with the package's Siamese network.
    spectral_epochs : int, default=30
        SpectralNet training epochs (the package's default).
    spectral_batch_size : int, default=1024
        SpectralNet batch size; the affinity is computed densely per batch.
    spectral_n_nbg : int, default=30
        Number of nearest neighbours in each batch's affinity.
    spectral_scale_k : int, default=15
        Neighbour whose distance sets the local kernel scale.
    device : str, default="cpu"
        Torch device (the package would pick CUDA on its own when visible).
    verbose : int, default=0
        0 hides the package's prints and progress bars (they are logged at DEBUG
        level instead); 1 lets them through.
    random_state : int or None, default=None
        Seeds torch's and numpy's global generators during ``fit`` (restored
        afterwards) and the k-means fitted on the training embedding.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,), dtype int64
    model_ : spectralnet.SpectralNet
        The fitted reference model.
    embedding_ : ndarray of shape (n_samples, n_clusters)
        Its spectral embedding of the training data.
    kmeans_ : sklearn.cluster.KMeans
        Seeded k-means fitted on ``embedding_``.
    n_features_in_ : int
    params_ : dict

    Notes
    -----
    Known problems of the package, and what this wrapper does about them:

    * ``SpectralNet.predict`` fits a new, unseeded k-means on whatever data it
      gets, so cluster ids on test data are not the training clusters and change
      from run to run. Here ``fit`` fits one seeded k-means on the training
      embedding and ``predict`` sends new points through the package's network
      and that k-means, so test points get training cluster ids.
    * It uses the global torch and numpy generators; see ``random_state``.
    * It accepts only torch tensors; this wrapper converts any array-like.
    * It prints banners and progress bars; see ``verbose``.
    * With ``should_use_ae`` or ``should_use_siamese`` it silently loads weights
      saved by an earlier run (in the package's own ``weights/`` folder), even
      from another dataset, and skips training. This wrapper warns when such
      a file exists; delete it to retrain.
    * Its orthonormalisation inverts a batch QR factor without a rank guard.

    The package works on whole tensors in memory; its cost per epoch is
    O(n_samples * spectral_batch_size).

    References
    ----------
    Shaham, Stanton, Li, Nadler, Basri and Kluger, "SpectralNet: Spectral
    clustering using deep neural networks", ICLR 2018. arXiv:1801.01587
    """

    _parameter_constraints: ClassVar[dict[str, list]] = {
        **Clusterer._parameter_constraints,
        "n_clusters": [Interval(numbers.Integral, 1, None)],
        "should_use_ae": [bool],
        "should_use_siamese": [bool],
        "spectral_epochs": [Interval(numbers.Integral, 1, None)],
        "spectral_batch_size": [Interval(numbers.Integral, 2, None)],
        "spectral_n_nbg": [Interval(numbers.Integral, 1, None)],
        "spectral_scale_k": [Interval(numbers.Integral, 1, None)],
        "device": [str],
        "verbose": [Interval(numbers.Integral, 0, None)],
    }

    def __init__(self, n_clusters: int = 10, *, should_use_ae: bool = False,
                 should_use_siamese: bool = False, spectral_epochs: int = 30,
                 spectral_batch_size: int = 1024, spectral_n_nbg: int = 30,
                 spectral_scale_k: int = 15, device: str = "cpu", verbose: int = 0,
                 random_state: int | None = None):
        self.n_clusters = n_clusters
        self.should_use_ae = should_use_ae
        self.should_use_siamese = should_use_siamese
        self.spectral_epochs = spectral_epochs
        self.spectral_batch_size = spectral_batch_size
        self.spectral_n_nbg = spectral_n_nbg
        self.spectral_scale_k = spectral_scale_k
        self.device = device
        self.verbose = verbose
        self.random_state = random_state

    def _check_params_vs_input(self, X: np.ndarray) -> None:
        super()._check_params_vs_input(X)
        if self.spectral_n_nbg >= min(self.spectral_batch_size, X.shape[0]):
            raise ValueError(
                f"ReferenceSpectralNet: spectral_n_nbg={self.spectral_n_nbg} must be below "
                f"both spectral_batch_size={self.spectral_batch_size} and n_samples="
                f"{X.shape[0]}; lower spectral_n_nbg."
            )

    @contextlib.contextmanager
    def _quiet(self):
        if self.verbose:
            yield
            return
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
                yield
        finally:
            if buffer.getvalue():
                logger.debug("spectralnet output:\n%s", buffer.getvalue())

    def _warn_stale_weights(self, package_dir: str) -> None:
        stages = [("ae", self.should_use_ae), ("siamese", self.should_use_siamese)]
        for stage, used in stages:
            path = os.path.join(package_dir, "_trainers", "weights", f"{stage}_weights.pth")
            if used and os.path.exists(path):
                warnings.warn(
                    f"The spectralnet package will load {path} from an earlier run instead "
                    f"of training its {stage} network; delete that file to retrain.",
                    UserWarning, stacklevel=4,
                )

    def _fit(self, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        spectralnet = import_optional("spectralnet", extra="reference", feature=_FEATURE)
        torch = import_optional("torch", extra="reference", feature=_FEATURE)
        self._warn_stale_weights(os.path.dirname(spectralnet.__file__))
        hidden = [1024, 1024, 512, self.n_clusters]
        self.model_ = spectralnet.SpectralNet(
            n_clusters=self.n_clusters, should_use_ae=self.should_use_ae,
            should_use_siamese=self.should_use_siamese, spectral_hiddens=hidden,
            spectral_epochs=self.spectral_epochs, spectral_batch_size=self.spectral_batch_size,
            spectral_n_nbg=self.spectral_n_nbg, spectral_scale_k=self.spectral_scale_k,
        )
        self.model_.device = torch.device(self.device)
        torch_seed, numpy_seed = derive_seed(rng), derive_seed(rng)
        with timed(logger, f"reference SpectralNet on {X.shape[0]} x {X.shape[1]}"):
            with _seeded_globals(torch, torch_seed, numpy_seed), self._quiet():
                self.model_.fit(torch.from_numpy(X))
        self.embedding_ = self._embed(X)
        self.kmeans_ = KMeans(self.n_clusters, n_init=10, random_state=derive_seed(rng))
        return self.kmeans_.fit_predict(self.embedding_)

    def _embed(self, X: np.ndarray) -> np.ndarray:
        """The package's network output for X, batch by batch, without its k-means."""
        torch = import_optional("torch", extra="reference", feature=_FEATURE)
        model = self.model_
        model.spec_net.eval()
        parts = []
        with torch.inference_mode():
            for start in range(0, len(X), self.spectral_batch_size):
                batch = torch.from_numpy(X[start:start + self.spectral_batch_size])
                batch = batch.to(model.device)
                if self.should_use_ae:
                    batch = model.ae_net.encode(batch)
                parts.append(model.spec_net(batch, should_update_orth_weights=False).cpu())
        return torch.cat(parts).numpy()

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return self.kmeans_.predict(self._embed(X))
