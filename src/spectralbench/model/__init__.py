"""SpectralNet: affinity graph, networks, orthonorm layer, trainers and the estimator."""

from .estimator import SpectralNet
from .presets import PRESETS

__all__ = ["PRESETS", "SpectralNet"]
