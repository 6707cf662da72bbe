"""A grading job: one staged notebook to run in a worker, with everything it needs.

Workers only run notebooks and write execution records; they never open the gradebook, and
this module loads neither nbformat nor nbgrader (whose imports cost a worker seconds).
"""

import json
import multiprocessing
import os
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from .engine import ExecutionRecord, grade_notebook
from .outputs import WORKER_DIED, error_output
from .launch import launcher_for
from .limits import Limits
from .plan import Master


#: Memory (address space) a grading worker may use for the trusted side: a test that would
#: need more fails with MemoryError instead of straining the machine.
WORKER_MEMORY_BYTES = 8 * 2**30


@dataclass(frozen=True)
class GradingJob:
    """One notebook to run (paths are strings: the job is pickled)."""

    student: str
    notebook: str
    staged: str
    record: str
    master: Master
    limits: Limits


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
    """Worker entry point: run one staged notebook and write its execution record.

    Returns
    -------
    ExecutionRecord
    """
    record = _grade(load_notebook(job.staged), job.master, job.limits)
    out = Path(job.record)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_text(record.to_json(), encoding="utf-8")
    os.replace(partial, out)
    return record


_WORKER = []


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
        _WORKER.append(ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")))
    try:
        return _WORKER[0].submit(_grade, plain, master, limits).result()
    except BrokenProcessPool as error:
        _WORKER.pop().shutdown(wait=False)
        reason = f"the grading worker died while running this notebook ({error})"
        from .plan import plan_notebook
        return ExecutionRecord(problems=[reason], outputs={cell.index: [error_output(WORKER_DIED, reason)]
                                                           for cell in plan_notebook(plain, master)
                                                           if cell.index is not None})
