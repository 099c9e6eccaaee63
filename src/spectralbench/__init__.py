"""spectralbench: SpectralNet as a scikit-learn estimator, and a benchmark study.

``from spectralbench import SpectralNet`` gives the estimator; the import of torch
is deferred until it is first used, so the command line starts quickly.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["SpectralNet", "__version__"]


def __getattr__(name: str):
    if name == "SpectralNet":
        from .model.estimator import SpectralNet

        return SpectralNet
    raise AttributeError(f"module 'spectralbench' has no attribute {name!r}")
