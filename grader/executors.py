"""Where notebook executions run: the fan-out behind one small interface.

An executor takes jobs one at a time (``submit``) and hands back a future for each, and
says how many jobs it runs at once (``slots``). :func:`stream` drives one: it keeps every
slot busy with one more job queued behind it (:data:`AHEAD`), so that workers never wait while
the coordinator saves a grade, and draws the next job only when one comes back; a class of
any size costs the coordinator the memory of a few submissions. It yields ``(job, outcome)``
pairs as jobs finish, where ``outcome`` is the job's result or the exception it raised.

Engines: this process (:class:`SerialExecutor`), a pool of this machine's processes
(:class:`LocalProcessExecutor`) and a Dask distributed cluster, local or remote
(:class:`grader.dask_executor.DaskExecutor`).
"""

import multiprocessing
import os
import queue
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, Protocol

#: What a job source yields when it has no job yet (a watcher waiting for submissions):
#: :func:`stream` then waits a moment for finished jobs and asks again.
IDLE = None
#: Jobs handed to an executor per slot and not yet back: one running, one waiting behind it.
AHEAD = 2


class Executor(Protocol):
    """Runs jobs somewhere; ``submit(fn, job)`` returns a future of ``fn(job)``.

    The future needs ``add_done_callback`` and ``result()`` (``concurrent.futures`` and
    ``distributed`` futures both qualify).
    """

    slots: int

    def submit(self, fn: Callable, job) -> Future:
        ...

    def close(self) -> None:
        ...


class SerialExecutor:
    """Runs each job when it is submitted, in this process (debugging, one core)."""

    slots = 1

    def submit(self, fn, job):
        future = Future()
        try:
            future.set_result(fn(job))
        except Exception as error:  # reported per job, never stops the others
            future.set_exception(error)
        return future

    def close(self):
        pass


class LocalProcessExecutor:
    """Runs the jobs in a pool of worker processes on this machine, kept until closed.

    Parameters
    ----------
    workers : int, optional
        Number of processes (default: the number of cores).
    """

    def __init__(self, workers=None):
        self.slots = workers or os.cpu_count() or 1
        self._pool = None

    def submit(self, fn, job):
        if self._pool is None:  # spawn: no forked copies of zmq/sqlite state; workers die with this process
            from .checker.job import die_with_parent
            self._pool = ProcessPoolExecutor(max_workers=self.slots, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=die_with_parent)
        return self._pool.submit(fn, job)

    def close(self):
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def stream(executor, fn, jobs: Iterable, idle_wait=0.5) -> Iterator[tuple]:
    """Run ``fn`` on every job with ``executor``; yield ``(job, result or exception)`` as each ends.

    Parameters
    ----------
    executor : Executor
    fn : callable
        Picklable (a module-level function): it may run in another process or machine.
    jobs : iterable
        Drawn one job at a time, while fewer than ``AHEAD * slots`` are out. It may yield :data:`IDLE` when it has
        nothing yet; the stream then waits up to ``idle_wait`` seconds for a job to finish
        before drawing again. The stream ends when ``jobs`` is exhausted and every job has
        finished.
    idle_wait : float
        Seconds.
    """
    finished = queue.SimpleQueue()  # futures' callbacks may run in other threads
    source = iter(jobs)
    running = {}  # id -> future: a distributed future nobody holds is cancelled
    exhausted = False
    while not exhausted or running:
        while not exhausted and len(running) < AHEAD * max(1, executor.slots):
            job = next(source, StopIteration)
            if job is StopIteration:
                exhausted = True
            elif job is IDLE:
                break
            else:
                future = executor.submit(fn, job)
                running[id(future)] = future
                future.add_done_callback(lambda done, job=job: finished.put((job, done)))
        if not running:
            continue  # idle with nothing running: draw again (the source does its own waiting)
        try:
            job, future = finished.get(timeout=None if exhausted else idle_wait)
        except queue.Empty:
            continue
        del running[id(future)]
        yield job, _outcome(future)


def _outcome(future):
    try:
        return future.result()
    except Exception as error:  # a job's failure is its own
        return error
    except BaseException as error:  # asyncio's CancelledError: a lost scheduler cancels the futures
        if isinstance(error, (KeyboardInterrupt, SystemExit)):
            raise
        return error
