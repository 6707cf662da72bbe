"""Where notebook executions run: the fan-out behind one small interface.

Grading logic hands an executor a function and a list of jobs and gets (job, outcome)
pairs back as they finish. Today's engines run in this machine's processes; a cluster
engine only has to provide the same ``map_unordered``.
"""

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Callable, Iterable, Iterator, Protocol


class Executor(Protocol):
    """Runs ``fn(job)`` for every job; yields ``(job, result)`` or ``(job, exception)``.

    ``jobs`` may be a generator that prepares each job just in time: an engine should
    start running the first jobs while it is still drawing the next ones.
    """

    def map_unordered(self, fn: Callable, jobs: Iterable) -> Iterator[tuple]:
        ...


class SerialExecutor:
    """Runs the jobs one after another in this process (debugging, one core)."""

    def map_unordered(self, fn, jobs):
        for job in jobs:
            try:
                yield job, fn(job)
            except Exception as error:  # reported per job, never stops the others
                yield job, error


class LocalProcessExecutor:
    """Runs the jobs in a pool of worker processes on this machine.

    Parameters
    ----------
    workers : int, optional
        Number of processes (default: the number of cores).
    """

    def __init__(self, workers=None):
        self.workers = workers or os.cpu_count() or 1

    def map_unordered(self, fn, jobs):
        context = multiprocessing.get_context("spawn")  # no forked copies of zmq/sqlite state
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            futures = {pool.submit(fn, job): job for job in jobs}  # workers start on the first job
            for future in as_completed(futures):
                try:
                    yield futures[future], future.result()
                except Exception as error:
                    yield futures[future], error
