"""A progress bar on stderr for long runs: shown when stderr is a terminal (or when asked for),
and only once a run has lasted a couple of seconds. Never written to stdout.

    with progress_bar("impact", total=n, force=flag) as advance:
        advance(chunk_size)

`total` may be a function: it is called only when the bar appears (a run that shows no bar never counts).
"""
from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from typing import Callable, Iterator

DELAY = 2.0  # seconds before a bar appears


@contextmanager
def progress_bar(label: str, total: int | Callable[[], int | None] | None = None, force: bool = False,
                 delay: float | None = None) -> Iterator[Callable[[int], None]]:
    """An `advance(n)` callable; the bar (if any) is closed on exit."""
    show = force or sys.stderr.isatty()
    delay = DELAY if delay is None else delay
    start, state = time.monotonic(), {"done": 0, "bar": None, "task": None}

    def advance(n: int) -> None:
        state["done"] += n
        if not show:
            return
        if state["bar"] is None and time.monotonic() - start >= delay:
            state["bar"], state["task"] = _open(label, total, state["done"])
        elif state["bar"] is not None:
            state["bar"].update(state["task"], completed=state["done"])
    try:
        yield advance
    finally:
        if state["bar"] is not None:
            state["bar"].update(state["task"], completed=state["done"])
            state["bar"].stop()


def _open(label: str, total, done: int):
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    console = Console(file=sys.stderr, force_terminal=sys.stderr.isatty() or None)
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TimeRemainingColumn(), console=console, transient=False)
    task = bar.add_task(label, total=total() if callable(total) else total, completed=done)
    bar.start()
    return bar, task
