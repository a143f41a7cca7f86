"""Work on chunks in forked worker processes, the results in order, memory flat.

`in_order(work, jobs, workers)` gives (tag, work(*args)) for each (tag, args) of `jobs`, in the order of
`jobs`, with at most two jobs per worker in flight: a reader can hand out a file's chunks as it reads them
and keep (or write) the results in that order, whatever the number of workers. What `work` needs beside its
arguments is set in module state before the call: the workers are forked then and inherit it.
"""
from __future__ import annotations

import multiprocessing
from collections import deque
from typing import Any, Callable, Iterable, Iterator


_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc's mallopt parameters


def keep_heap() -> None:
    """Ask glibc's malloc to keep what a worker frees: buffers of up to 64 MB from the heap (not a map of their
    own, given back at each free), up to 256 MB of free heap kept, the heap grown 64 MB at a time. A worker
    frees each chunk's bytes and lines (tens of MB) and takes as much again for the next; by default that
    memory goes back to the system and is faulted in again, page by page, every chunk (measured on an impact
    of 100,000: a fifth of the workers' system time, 4% of the run). Nothing is done where there is no glibc."""
    import ctypes
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - not glibc
        return
    for option, value in ((_M_MMAP_THRESHOLD, 64 << 20), (_M_TRIM_THRESHOLD, 256 << 20), (_M_TOP_PAD, 64 << 20)):
        mallopt(option, value)


def in_order(work: Callable, jobs: Iterable[tuple[Any, tuple]], workers: int) -> Iterator[tuple[Any, Any]]:
    keep_heap()  # before the fork: the workers inherit it
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque = deque()
        for tag, args in jobs:
            pending.append((tag, pool.apply_async(work, args)))
            if len(pending) >= 2 * workers:
                tag, result = pending.popleft()
                yield tag, result.get()
        while pending:
            tag, result = pending.popleft()
            yield tag, result.get()
