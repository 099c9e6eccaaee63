"""Load the registered datasets as scikit-learn style Bunches; report their state.

Every file is verified against its registered checksum before it is read, so a
corrupted, truncated or substituted file raises a
:class:`~spectralbench.exceptions.DatasetChecksumError` and is never loaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from .._validation import Options, validate_params
from ..exceptions import DatasetError
from .locate import Located, find_split, locate_split
from .preprocess import flatten_images
from .readers import read_bundled_npz, read_idx, read_npz_array, verify_file
from .registry import SPLITS, DatasetInfo, get_dataset_info

__all__ = ["SplitStatus", "dataset_status", "load_dataset", "read_split"]

logger = logging.getLogger(__name__)

_FIX = ("Replace it with an intact copy (for the bundled files: git checkout -- datasets/) "
        "or delete it, so the next load uses another copy or downloads it again.")


def read_split(info: DatasetInfo, split: str, located: Located) -> tuple[np.ndarray, np.ndarray]:
    """Verify and read one split's files.

    Parameters
    ----------
    info : DatasetInfo
        The dataset's registry record.
    split : {"train", "test"}
        Which split.
    located : Located
        The files, from :func:`~spectralbench.data.locate.find_split`.

    Returns
    -------
    images : ndarray of shape (n_samples, 28, 28), uint8
    labels : ndarray of shape (n_samples,), int64

    Raises
    ------
    DatasetChecksumError
        When a file's checksum differs from the registered one.
    DatasetError
        When a file cannot be parsed or its contents disagree with the registry.
    """
    for spec, path in zip(located.source.files, located.paths, strict=True):
        verify_file(path, spec, hint=_FIX)
    if located.source.kind == "bundled":
        images, labels = read_bundled_npz(located.paths[0])
    elif located.source.kind == "npz":
        images, labels = (read_npz_array(path) for path in located.paths)
    else:
        images, labels = (read_idx(path) for path in located.paths)
    expected = (info.n_samples[split], *info.image_shape)
    if images.shape != expected or labels.shape != expected[:1] or images.dtype != np.uint8:
        raise DatasetError(
            f"{located.folder}: {info.name} {split} should hold uint8 images of shape "
            f"{expected} and {expected[0]} labels, got {images.dtype} {images.shape} and "
            f"{labels.shape}. {_FIX}"
        )
    if labels.size and (labels.min() < 0 or labels.max() >= info.n_classes):
        raise DatasetError(
            f"{located.folder}: {info.name} {split} labels must lie in 0..{info.n_classes - 1}, "
            f"got {labels.min()}..{labels.max()}. {_FIX}"
        )
    return images, labels.astype(np.int64)


def load_dataset(
    name: str | DatasetInfo,
    split: str = "all",
    *,
    data_dir: str | Path | None = None,
    return_X_y: bool = False,
    return_images: bool = False,
    download: bool = True,
    verbose: bool = False,
):
    """Load Fashion-MNIST or KMNIST, verified, as float32 rows in [0, 1].

    =================  ============================================
    Classes            10
    Samples            70,000 (train 60,000 + test 10,000)
    Samples per class  7,000 (train 6,000, test 1,000)
    Dimensionality     784 (28x28 grey levels / 255)
    Features           float32 in [0, 1]
    =================  ============================================

    Parameters
    ----------
    name : {"fashion_mnist", "kmnist"} or DatasetInfo
        A registered dataset (see :func:`available_datasets`), or a record.
    split : {"all", "train", "test"}, default="all"
        ``"all"`` is the official train rows followed by the official test rows.
    data_dir : str, Path or None, default=None
        Folder holding the files (bundled ``.npz``, official ``.npz``, or IDX
        ``.gz``/raw). When None: ``$SPECTRALBENCH_DATA``, else the repository's
        ``datasets/``, then the user cache; see :mod:`spectralbench.data.locate`.
    return_X_y : bool, default=False
        Return ``(data, target)`` instead of a Bunch.
    return_images : bool, default=False
        Also return the uint8 images (n_samples, 28, 28) as ``images``.
    download : bool, default=True
        When no copy exists, download the official files (checksum-verified,
        written atomically) into ``data_dir``/``$SPECTRALBENCH_DATA``/the cache.
    verbose : bool, default=False
        Show download progress bars.

    Returns
    -------
    Bunch or tuple
        ``data`` float32 (n_samples, 784) in [0, 1]; ``target`` int64
        (n_samples,); ``target_names`` list of str; ``images`` uint8
        (n_samples, 28, 28) when ``return_images``; ``DESCR`` str; ``files``
        list of str, the paths read. ``(data, target)`` when ``return_X_y``.

    Raises
    ------
    ValueError
        For an unknown name or split.
    DatasetNotFoundError
        When no copy exists and none could be downloaded (says where it looked).
    DatasetChecksumError
        When a file is corrupted, truncated or not the registered file.
    DatasetError
        When a file cannot be parsed.

    Examples
    --------
    >>> from spectralbench.data import load_dataset
    >>> X, y = load_dataset("kmnist", split="test", return_X_y=True)
    >>> X.shape, X.dtype, y[:3]
    ((10000, 784), dtype('float32'), array([2, 9, 3]))
    """
    info = get_dataset_info(name)
    validate_params({"split": split}, {"split": [Options(("all", *SPLITS))]}, "load_dataset")
    splits = SPLITS if split == "all" else (split,)
    images, labels, files = [], [], []
    for part in splits:
        located = find_split(info, part, data_dir, download=download, verbose=verbose)
        part_images, part_labels = read_split(info, part, located)
        images.append(part_images)
        labels.append(part_labels)
        files.extend(str(path) for path in located.paths)
    images_all = images[0] if len(images) == 1 else np.concatenate(images)
    target = labels[0] if len(labels) == 1 else np.concatenate(labels)
    data = flatten_images(images_all)
    if return_X_y:
        return data, target
    bunch = Bunch(data=data, target=target, target_names=list(info.class_names),
                  DESCR=info.describe(), files=files)
    if return_images:
        bunch.images = images_all
    return bunch


@dataclass(frozen=True)
class SplitStatus:
    """The state of one split of a registered dataset on this machine.

    Attributes
    ----------
    dataset, split : str
        Which dataset and split.
    n_samples, n_classes : int
        Registered sizes.
    folder : str or None
        Where its files were found, or None when no copy exists.
    files : tuple of str
        The files found.
    ok : bool
        True when the files exist, match their checksums and parse.
    message : str
        ``"verified"``, ``"found"`` (not verified), ``"not found"``, or what
        is wrong.
    """

    dataset: str
    split: str
    n_samples: int
    n_classes: int
    folder: str | None
    files: tuple[str, ...]
    ok: bool
    message: str


def dataset_status(name: str | DatasetInfo, *, data_dir: str | Path | None = None,
                   verify: bool = True) -> list[SplitStatus]:
    """Where each split of a dataset is and whether it is intact; never downloads.

    Parameters
    ----------
    name : str or DatasetInfo
        A registered dataset.
    data_dir : str, Path or None, default=None
        As in :func:`load_dataset`.
    verify : bool, default=True
        Check checksums and parse the files (about a second per dataset).

    Returns
    -------
    list of SplitStatus
        One per split, in the order train, test.
    """
    info = get_dataset_info(name)
    report = []
    for split in SPLITS:
        located = locate_split(info, split, data_dir)
        base = dict(dataset=info.name, split=split, n_samples=info.n_samples[split],
                    n_classes=info.n_classes)
        if located is None:
            report.append(SplitStatus(**base, folder=None, files=(), ok=False,
                                      message="not found"))
            continue
        files = tuple(str(path) for path in located.paths)
        ok, message = True, "verified" if verify else "found"
        if verify:
            try:
                read_split(info, split, located)
            except DatasetError as exc:
                ok, message = False, str(exc)
        report.append(SplitStatus(**base, folder=str(located.folder), files=files, ok=ok,
                                  message=message))
    return report
