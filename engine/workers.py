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


def in_order(work: Callable, jobs: Iterable[tuple[Any, tuple]], workers: int) -> Iterator[tuple[Any, Any]]:
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
