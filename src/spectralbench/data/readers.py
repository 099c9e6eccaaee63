"""Read dataset files: checksums, the bundled npz, KMNIST's npz and IDX.

Every reader checks the structure it relies on (keys, magic numbers, sizes)
and raises :class:`~spectralbench.exceptions.DatasetError` naming the file and
the problem; nothing is asserted.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from ..exceptions import DatasetChecksumError, DatasetError
from .registry import FileSpec

__all__ = ["file_digest", "read_bundled_npz", "read_idx", "read_npz_array", "verify_file"]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20
# IDX type byte -> numpy dtype (big-endian where it matters).
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def file_digest(path: str | Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB chunks.

    Parameters
    ----------
    path : str or Path
        File to hash.
    algorithm : str, default="sha256"
        Any name ``hashlib.new`` accepts.

    Returns
    -------
    str
        Lower-case hex digest.
    """
    digest = hashlib.new(algorithm)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def verify_file(path: str | Path, spec: FileSpec, hint: str = "") -> None:
    """Check a file against its registered checksum.

    Parameters
    ----------
    path : str or Path
        The file on disk.
    spec : FileSpec
        Its registry record (algorithm and expected digest).
    hint : str, default=""
        How to fix a mismatch, appended to the message.

    Raises
    ------
    DatasetChecksumError
        When the digest differs (corrupted, truncated or a different file).
    """
    actual = file_digest(path, spec.algorithm)
    if actual == spec.digest:
        logger.debug("%s: %s verified", path, spec.algorithm)
        return
    raise DatasetChecksumError(path, spec.digest, actual, hint, algorithm=spec.algorithm)


def read_bundled_npz(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """Read a ``numpy.savez_compressed`` file with keys ``x`` and ``y``.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    images : ndarray of shape (n_samples, height, width), uint8
    labels : ndarray of shape (n_samples,), uint8

    Raises
    ------
    DatasetError
        When the file is not a readable npz, lacks a key, or the arrays disagree.
    """
    images = _npz_member(path, "x")
    labels = _npz_member(path, "y")
    _check_pair(path, images, labels)
    return images, labels


def read_npz_array(path: str | Path, key: str = "arr_0") -> np.ndarray:
    """Read one array from an npz file (KMNIST's official files use ``arr_0``).

    Raises
    ------
    DatasetError
        When the file is unreadable or has no such key.
    """
    return _npz_member(path, key)


def _npz_member(path: str | Path, key: str) -> np.ndarray:
    try:
        with np.load(path, allow_pickle=False) as archive:
            if key not in archive.files:
                raise DatasetError(
                    f"{path} has no array {key!r} (it holds {sorted(archive.files)}); "
                    "it is not a file of the expected format."
                )
            return archive[key]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
        raise DatasetError(f"{path} could not be read as an npz archive: {exc}") from exc


def read_idx(path: str | Path) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped (``.gz``) or raw.

    Parameters
    ----------
    path : str or Path
        The file; a name ending in ``.gz`` is decompressed on the fly.

    Returns
    -------
    ndarray
        Of the shape and dtype stored in the header, e.g. uint8
        (n_samples, 28, 28) for images and uint8 (n_samples,) for labels.

    Raises
    ------
    DatasetError
        When the magic number is wrong, the type code unknown, or the data is
        shorter or longer than the header says.
    """
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError, zlib.error) as exc:
        raise DatasetError(f"{path} could not be read as an IDX file: {exc}") from exc
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise DatasetError(
            f"{path} is not an IDX file: it should start with the magic bytes 00 00 "
            f"<type> <ndim>, got {data[:4].hex(' ') or 'an empty file'}."
        )
    type_code, ndim = data[2], data[3]
    if type_code not in _IDX_DTYPES or ndim == 0:
        raise DatasetError(
            f"{path} has an invalid IDX header (type 0x{type_code:02x}, {ndim} dimensions); "
            "the file is damaged or not an IDX file."
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetError(f"{path} is truncated inside its IDX header ({len(data)} bytes).")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = _IDX_DTYPES[type_code]
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise DatasetError(
            f"{path}: the IDX header announces shape {shape} ({expected:,} bytes of data) "
            f"but the file holds {len(data) - header:,}; it is truncated or damaged."
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=False)


def _check_pair(path: str | Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Raise when images and labels do not form one dataset split."""
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise DatasetError(
            f"{path}: expected images of shape (N, height, width) and labels of shape (N,), "
            f"got {images.shape} and {labels.shape}."
        )
