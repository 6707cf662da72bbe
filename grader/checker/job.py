"""A grading job: one submitted notebook to run in a worker, with everything it needs.

A job is self-contained: it carries the notebook's content, the master's cells (set-up,
given and test sources, hidden tests included) and the limits, and its result is the
execution record. A worker therefore needs no course folder, no gradebook and no shared
file system — only this package installed, and bubblewrap for the sandbox — and running a
job twice (a retry after a worker died) changes nothing anywhere. The coordinator writes
the records.

This module loads neither nbformat nor nbgrader (whose imports cost a worker seconds).
"""

import ctypes
import json
import multiprocessing
import os
import resource
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .code_version import check_code
from .engine import ExecutionRecord, grade_notebook
from .outputs import WORKER_DIED, error_output
from .launch import launcher_for
from .limits import Limits
from .plan import Master


#: Memory (address space) a grading worker may use for the trusted side: a test that would
#: need more fails with MemoryError instead of straining the machine.
WORKER_MEMORY_BYTES = 8 * 2**30
PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class GradingJob:
    """One notebook to run (pickled: it travels to the worker).

    Attributes
    ----------
    student, notebook : str
        Whose submission, and which notebook of the assignment (its name without ``.ipynb``).
    content : dict
        The staged notebook, as plain JSON (:func:`load_notebook`).
    master : Master
    limits : Limits
    code : str
        :func:`grader.checker.code_version.code_digest` of the coordinator: a worker that
        runs other code refuses the job rather than grade with it.
    """

    student: str
    notebook: str
    content: dict
    master: Master
    limits: Limits
    code: str = ""


def load_notebook(path):
    """A notebook file as plain JSON, with every cell's source as one string."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return nb


def _cap_worker_memory():
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if multiprocessing.parent_process() is not None and (soft == resource.RLIM_INFINITY or soft > WORKER_MEMORY_BYTES):
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, hard))  # a worker process, not the caller's


def _grade(nb, master, limits):
    """grade_notebook in a worker process, under the worker's memory cap."""
    _cap_worker_memory()
    return grade_notebook(nb, master, limits, launcher_for(limits))


def run_grading_job(job):
    """Worker entry point: run one job's notebook.

    Returns
    -------
    ExecutionRecord
    """
    check_code(job.code)
    return _grade(job.content, job.master, job.limits)


def run_grading_job_in_child(job):
    """Worker entry point for engines whose workers run jobs in threads (Dask): the job runs
    in this worker's own grading process (:func:`grade_in_worker`), in its main thread, so
    the trusted side's time limit and memory cap apply as in a local worker.

    Returns
    -------
    ExecutionRecord
        If the grading process dies, a record whose cells all say so (the notebook's own
        fault: it is not retried).
    """
    check_code(job.code)
    return grade_in_worker(job.content, job.master, job.limits)


def write_record(record, path):
    """Write an execution record where nbgrader's converter will take it."""
    write_atomically(path, record.to_json())


def write_atomically(path, text):
    """Write ``text`` to ``path`` through a ``.partial`` file renamed into place (making the
    folder if needed): a process killed half-way leaves the old file or the new, never a torn one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


_WORKER = []


def _grading_process():
    """A pool of one spawned process that dies with this one (a Dask worker's processes are
    daemonic, and multiprocessing lets a daemon have no children: the flag is lifted, and
    the death signal set instead keeps the child from outliving it)."""
    me = multiprocessing.current_process()
    if me.daemon and multiprocessing.parent_process() is not None:
        me._config["daemon"] = False
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=die_with_parent)


def peak_memory():
    """Peak resident memory, in bytes, of this process and of its grading process (0 if it
    has none yet): the trusted side of grading, not the student's sandboxed processes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child = _WORKER[0].submit(_own_peak).result() if _WORKER else 0
    return own, child


def _own_peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def die_with_parent():
    """Ask Linux to SIGKILL this process when its parent ends (``PR_SET_PDEATHSIG``)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def grade_in_worker(nb, master, limits):
    """:func:`grade_notebook` in this process's own grading worker (a child process, started
    on first use, with the worker's memory cap): the trusted side of grading never runs in
    the process that writes the gradebook or serves the formgrader.

    Parameters
    ----------
    nb : notebook (NotebookNode or plain JSON)
    master : Master
    limits : Limits

    Returns
    -------
    ExecutionRecord
        If the worker dies, a record whose cells all say so.
    """
    plain = json.loads(json.dumps(nb))  # the worker need not load nbformat to read it
    if not _WORKER:
        _WORKER.append(_grading_process())
    try:
        return _WORKER[0].submit(_grade, plain, master, limits).result()
    except BrokenProcessPool as error:
        _WORKER.pop().shutdown(wait=False)
        reason = f"the grading worker died while running this notebook ({error})"
        from .plan import plan_notebook
        return ExecutionRecord(problems=[reason], outputs={cell.index: [error_output(WORKER_DIED, reason)]
                                                           for cell in plan_notebook(plain, master)
                                                           if cell.index is not None})
