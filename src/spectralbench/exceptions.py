"""Exceptions a user of spectralbench can meet.

Bad arguments raise the built-in ``ValueError``/``TypeError`` (as scikit-learn's
estimator checks expect). Problems with data files, configs and optional
dependencies raise a :class:`SpectralBenchError`, which the command line catches
and prints as one line.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError

__all__ = [
    "ConfigError",
    "DatasetChecksumError",
    "DatasetError",
    "DatasetNotFoundError",
    "MissingDependencyError",
    "NotFittedError",
    "SpectralBenchError",
]


class SpectralBenchError(Exception):
    """Base class of every error spectralbench raises on purpose."""


class DatasetError(SpectralBenchError):
    """A dataset file is unreadable, malformed or inconsistent."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """No copy of a dataset was found in any of the places searched."""


class DatasetChecksumError(DatasetError):
    """A dataset file's SHA-256 differs from the registered one.

    Parameters
    ----------
    path : str
        The file that failed the check.
    expected, actual : str
        Hex digests.
    hint : str, default=""
        How to fix it, appended to the message.
    algorithm : str, default="sha256"
        The hash the digests are of (official files publish md5).
    """

    def __init__(self, path, expected: str, actual: str, hint: str = "",
                 algorithm: str = "sha256"):
        self.path, self.expected, self.actual = str(path), expected, actual
        self.algorithm = algorithm
        source = "" if algorithm == "sha256" else f" (the published {algorithm})"
        message = (
            f"{path} is corrupted or not the expected file: {algorithm} {actual}, "
            f"expected {expected}{source}."
        )
        super().__init__(f"{message} {hint}".strip())


class ConfigError(SpectralBenchError, ValueError):
    """A study configuration is invalid (unknown key, bad value, ...)."""


class MissingDependencyError(SpectralBenchError, ImportError):
    """An optional dependency needed by the requested feature is not installed."""

    def __init__(self, package: str, extra: str, feature: str):
        self.package, self.extra = package, extra
        super().__init__(
            f"{feature} needs the optional package '{package}'. Install it with "
            f"pip install 'spectralbench[{extra}]'."
        )
