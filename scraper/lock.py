"""One crawl per database: an exclusive lock on a file beside it."""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from .errors import CrawlLocked


@contextlib.contextmanager
def crawl_lock(database: str | Path, wait: bool = False) -> Iterator[None]:
    """Hold `DATABASE.lock` for the crawl; raise `CrawlLocked` if another crawl has it.

    The lock is the kernel's (flock), so a crawl that is killed releases it.
    """
    path = Path(f"{database}.lock")
    handle = path.open("a+")
    try:
        flags = fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB
        try:
            fcntl.flock(handle, flags)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise CrawlLocked(
                f"another crawl is running on {database} ({holder}); try again later or use --wait"
            ) from None
        handle.seek(0)
        handle.truncate()
        started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        handle.write(f"pid {os.getpid()}, started {started}")
        handle.flush()
        yield
    finally:
        handle.close()
