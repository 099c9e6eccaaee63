"""Find a dataset's files on disk, or download them: one place, one order.

Resolution order (the first that applies decides where to look):

1. ``data_dir`` passed by the caller, else
2. the folder named by the ``SPECTRALBENCH_DATA`` environment variable;
   either of these is the *only* folder searched, and downloads go there;
3. otherwise the repository's ``datasets/`` folder, then the user cache
   (``SPECTRALBENCH_CACHE``, else ``$XDG_CACHE_HOME/spectralbench``, else
   ``~/.cache/spectralbench``), and downloads go to the cache.

In each folder the files may sit directly, in a sub-folder named after the
dataset (``fashion_mnist/``) or in torchvision's layout (``FashionMNIST/raw/``).
Per split, the bundled ``.npz`` is preferred, then the official formats.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..exceptions import DatasetNotFoundError
from .download import download_file
from .registry import DatasetInfo, SplitSource

__all__ = ["ENV_CACHE", "ENV_DATA", "Located", "cache_dir", "find_split", "locate_split",
           "repository_datasets_dir", "search_dirs"]

logger = logging.getLogger(__name__)

ENV_DATA = "SPECTRALBENCH_DATA"
ENV_CACHE = "SPECTRALBENCH_CACHE"


@dataclass(frozen=True)
class Located:
    """Where one split of a dataset was found.

    Attributes
    ----------
    source : SplitSource
        The file layout found (bundled npz, official npz or IDX).
    paths : tuple of Path
        The files, in the order of ``source.files``.
    """

    source: SplitSource
    paths: tuple[Path, ...]

    @property
    def folder(self) -> Path:
        """The folder holding the files."""
        return self.paths[0].parent


def repository_datasets_dir() -> Path | None:
    """The ``datasets/`` folder of a source checkout, or None when not present."""
    folder = Path(__file__).resolve().parents[3] / "datasets"
    return folder if folder.is_dir() else None


def cache_dir() -> Path:
    """The user cache folder for downloaded datasets (it may not exist yet).

    ``SPECTRALBENCH_CACHE`` if set, else ``$XDG_CACHE_HOME/spectralbench``,
    else ``~/.cache/spectralbench``.
    """
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "spectralbench"


def search_dirs(data_dir: str | Path | None = None) -> list[Path]:
    """The folders searched, in order, given an optional explicit ``data_dir``.

    Parameters
    ----------
    data_dir : str, Path or None, default=None
        Explicit folder; when given it is the only one searched.

    Returns
    -------
    list of Path
        ``[data_dir]``, else ``[$SPECTRALBENCH_DATA]``, else the repository's
        ``datasets/`` (when present) followed by :func:`cache_dir`.
    """
    if data_dir is not None:
        return [Path(data_dir).expanduser()]
    if os.environ.get(ENV_DATA):
        return [Path(os.environ[ENV_DATA]).expanduser()]
    repository = repository_datasets_dir()
    return ([repository] if repository is not None else []) + [cache_dir()]


def _folders(root: Path, info: DatasetInfo) -> list[Path]:
    folders = [root, root / info.name]
    if info.torchvision_folder:
        folders.append(root / info.torchvision_folder / "raw")
    return folders


def locate_split(info: DatasetInfo, split: str, data_dir: str | Path | None = None
                 ) -> Located | None:
    """Find the files of one split without reading or downloading them.

    Parameters
    ----------
    info : DatasetInfo
        The dataset's registry record.
    split : {"train", "test"}
        Which split.
    data_dir : str, Path or None, default=None
        See :func:`search_dirs`.

    Returns
    -------
    Located or None
        The first complete layout found, or None.
    """
    for root in search_dirs(data_dir):
        for folder in _folders(root, info):
            for source in info.sources[split]:
                paths = tuple(folder / spec.filename for spec in source.files)
                if all(path.is_file() for path in paths):
                    return Located(source, paths)
    return None


def find_split(info: DatasetInfo, split: str, data_dir: str | Path | None = None, *,
               download: bool = True, verbose: bool = False) -> Located:
    """Find the files of one split, downloading them when no copy exists.

    Parameters
    ----------
    info : DatasetInfo
        The dataset's registry record.
    split : {"train", "test"}
        Which split.
    data_dir : str, Path or None, default=None
        See :func:`search_dirs`; downloads go to ``data_dir``, else
        ``$SPECTRALBENCH_DATA``, else :func:`cache_dir`, in a sub-folder named
        after the dataset.
    download : bool, default=True
        Fetch the official files when no copy is found.
    verbose : bool, default=False
        Show download progress bars.

    Returns
    -------
    Located

    Raises
    ------
    DatasetNotFoundError
        When no copy is found and downloading is off or fails; the message
        lists the folders searched and what to do.
    """
    located = locate_split(info, split, data_dir)
    if located is not None:
        logger.info("%s/%s: using %s", info.name, split, located.folder)
        return located
    roots = search_dirs(data_dir)
    looked = ", ".join(str(folder) for root in roots for folder in _folders(root, info))
    wanted = " or ".join(
        "+".join(spec.filename for spec in source.files) for source in info.sources[split]
    )
    advice = (
        f"Put {wanted} in one of them, point data_dir (or {ENV_DATA}) at a folder that "
        f"has them, or get them from {info.homepage}"
    )
    if not download:
        raise DatasetNotFoundError(
            f"{info.name} ({split}) was not found; looked in {looked}. {advice}."
        )
    source = next((s for s in info.sources[split] if s.downloadable), None)
    if source is None:
        raise DatasetNotFoundError(
            f"{info.name} ({split}) was not found and has no download address; looked in "
            f"{looked}. {advice}."
        )
    target = roots[-1] / info.name
    try:
        paths = tuple(download_file(spec, target, verbose=verbose) for spec in source.files)
    except OSError as exc:  # URLError, timeouts, refused connections, unwritable folder
        raise DatasetNotFoundError(
            f"{info.name} ({split}) was not found (looked in {looked}) and the download "
            f"from {source.files[0].url} failed ({exc}). Connect to the internet and try "
            f"again, or: {advice}."
        ) from exc
    return Located(source, paths)
