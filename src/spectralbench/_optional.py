"""Import optional dependencies with an error that names the extra to install."""

from __future__ import annotations

import importlib
from types import ModuleType

from .exceptions import MissingDependencyError

__all__ = ["import_optional"]


def import_optional(module: str, *, extra: str, feature: str, package: str | None = None
                    ) -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError`.

    Parameters
    ----------
    module : str
        Importable module name, e.g. ``"minisom"``.
    extra : str
        The spectralbench extra that installs it, e.g. ``"som"``.
    feature : str
        What the user asked for, used in the message, e.g. ``"The 'som' baseline"``.
    package : str, optional
        Name on PyPI when it differs from ``module``.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(package or module, extra, feature) from exc
