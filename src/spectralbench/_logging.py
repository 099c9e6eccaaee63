"""Small logging helpers: a stage timer. The library never configures handlers."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

__all__ = ["timed"]


@contextmanager
def timed(logger: logging.Logger, message: str, level: int = logging.INFO):
    """Log ``message`` with its duration when the block ends.

    Yields a dict whose ``"seconds"`` key is filled in on exit, so callers can
    also record the duration.
    """
    record: dict[str, float] = {}
    start = time.perf_counter()
    try:
        yield record
    finally:
        record["seconds"] = time.perf_counter() - start
        logger.log(level, "%s took %.2f s", message, record["seconds"])
