"""CPU-bound work of one machine spread over forked processes, its results taken in order, so
that what is written from them is what a serial run writes."""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.pool import AsyncResult, Pool
from typing import Any, TypeVar

Task = TypeVar("Task")
Result = TypeVar("Result")

# Tasks handed to the pool beyond those running, per worker: enough to keep every worker busy
# while this process writes, few enough that what they hold stays small.
AHEAD = 2


@contextlib.contextmanager
def worker_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[Pool]:
    """A pool of `workers` forked processes (which have this one's modules and arguments
    without copying them through a pipe). They die by SIGTERM as plain processes do, not by
    the handler a recorded run installs, and leave Ctrl-C to this process; done, they are let
    finish and joined, and killed only when this process stops early."""
    context = multiprocessing.get_context("fork")
    pool = context.Pool(workers, _start_worker, (initializer, initargs))
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if initializer is not None:
        initializer(*initargs)


def ordered_map(
    function: Callable[[Task], Result],
    tasks: Iterable[Task],
    workers: int,
) -> Iterator[tuple[Task, Result]]:
    """Each task with `function` of it, in the tasks' order: here with one worker, else in a
    `worker_pool`. The tasks are drawn here, in this thread, as the pool needs them, so they
    may read this process's database; `function`, its tasks and its results must pickle."""
    if workers <= 1:
        for task in tasks:
            yield task, function(task)
        return
    with worker_pool(workers) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append((task, pool.apply_async(function, (task,))))
            if len(pending) > workers * AHEAD:
                yield _done(pending.popleft())
        while pending:
            yield _done(pending.popleft())


def _done(submitted: tuple[Task, AsyncResult]) -> tuple[Task, Result]:
    task, result = submitted
    return task, result.get()
