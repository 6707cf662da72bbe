"""A grading job: one staged notebook to run in a worker, with everything it needs.

Workers only run notebooks and write execution records; they never open the gradebook, and
this module loads neither nbformat nor nbgrader (whose imports cost a worker seconds).
"""

import json
import multiprocessing
import os
import resource
from dataclasses import dataclass
from pathlib import Path

from .engine import grade_notebook
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


def run_grading_job(job):
    """Worker entry point: run one staged notebook and write its execution record.

    Returns
    -------
    ExecutionRecord
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if multiprocessing.parent_process() is not None and (soft == resource.RLIM_INFINITY or soft > WORKER_MEMORY_BYTES):
        resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY_BYTES, hard))  # a worker process, not the caller's
    record = grade_notebook(load_notebook(job.staged), job.master, job.limits, launcher_for(job.limits))
    out = Path(job.record)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    partial.write_text(record.to_json(), encoding="utf-8")
    os.replace(partial, out)
    return record
