"""Download dataset files from their official addresses, safely.

A file is streamed into a temporary file next to its destination, its
published checksum is verified, and only then is it renamed into place
(``os.replace`` is atomic on one file system). An interrupted or corrupted
download therefore never leaves a file under the final name.
"""

from __future__ import annotations

import logging
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from ..exceptions import DatasetError
from .readers import verify_file
from .registry import FileSpec

__all__ = ["download_file"]

logger = logging.getLogger(__name__)

_CHUNK = 1 << 16


def download_file(
    spec: FileSpec,
    folder: str | Path,
    *,
    url: str | None = None,
    timeout: float = 60.0,
    verbose: bool = False,
) -> Path:
    """Fetch one registered file into ``folder`` and verify it.

    Parameters
    ----------
    spec : FileSpec
        What to fetch: file name, checksum and official address.
    folder : str or Path
        Destination folder, created if missing.
    url : str or None, default=None
        Address to use instead of ``spec.url`` (a mirror, or a ``file://`` URL).
    timeout : float, default=60.0
        Seconds to wait for the server before giving up.
    verbose : bool, default=False
        Show a tqdm progress bar.

    Returns
    -------
    Path
        ``folder / spec.filename``, verified.

    Raises
    ------
    ValueError
        When neither ``url`` nor ``spec.url`` is set.
    OSError
        (``urllib.error.URLError`` included) when the address cannot be reached.
    DatasetChecksumError
        When the downloaded bytes do not match the published checksum; nothing
        is left under the final name.
    """
    source = url or spec.url
    if source is None:
        raise ValueError(f"{spec.filename} has no download address; pass url=...")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / spec.filename
    handle, temp_name = tempfile.mkstemp(prefix=f".{spec.filename}.", suffix=".part", dir=folder)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            _stream(source, out, timeout, verbose, spec.filename)
        verify_file(temp, spec, hint=f"The download from {source} is damaged; try again later.")
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    logger.info("downloaded %s from %s", target, source)
    return target


def _stream(source: str, out, timeout: float, verbose: bool, label: str) -> None:
    """Copy ``source`` into the open binary file ``out``."""
    request = urllib.request.Request(source, headers={"User-Agent": "spectralbench"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        total = response.headers.get("Content-Length")
        expected = int(total) if total and total.isdigit() else None
        written = 0
        with tqdm(total=expected, unit="B", unit_scale=True, desc=label,
                  disable=not verbose) as bar:
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                written += len(chunk)
                bar.update(len(chunk))
    if expected is not None and written != expected:
        raise DatasetError(
            f"download of {source} stopped after {written:,} of {expected:,} bytes; try again."
        )
