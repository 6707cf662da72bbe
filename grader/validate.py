"""Check one notebook without a gradebook: per-question results, graded exactly as
``autograde`` grades (the same engine: the student's cells in a sandboxed process, the
tests in this one).

With ``master`` (the source notebook, or a release) the read-only cells come from there,
hidden tests included when the master has them, and the notebook is repaired as
``autograde`` repairs it (deleted test cells put back, nbgrader metadata restored). Without
it, the notebook's own test cells are the master: they then run in the grader's process,
so do that only with notebooks you trust (your own, a solved source notebook).
"""

from dataclasses import dataclass
from pathlib import Path

import nbformat

from .checker.job import grade_in_worker
from .checker.limits import Limits
from .checker.plan import ANSWER, TEST, Master, plan_notebook, role_of
from .notebook_cells import error_outputs, failure_summary
from .staging import read_submitted, released_notebook, repair


@dataclass
class QuestionResult:
    """One graded cell's outcome."""

    grade_id: str
    points: float
    max_points: float
    message: str  # grader.notebook_cells.failure_summary of the cell ('' when it passed)


def validate(path, limits=Limits(), master=None):
    """Execute a notebook as the autograder does and grade each test cell.

    Parameters
    ----------
    path : path to .ipynb
    limits : Limits
    master : path to .ipynb, optional
        The master notebook (see the module docstring).

    Returns
    -------
    list of QuestionResult
    """
    nb = read_submitted(Path(path))
    if master is None:
        reference = Master.from_notebook(nb, hidden_tests=False)
    else:
        master_nb = nbformat.read(master, as_version=4)
        reference = Master.from_notebook(master_nb, hidden_tests=True)
        repair(nb, released_notebook(master_nb), Path(path).name, restore=lambda cell: role_of(cell) != ANSWER)
    record = grade_in_worker(nb, reference, limits)
    record.apply(nb)
    results = []
    for planned in plan_notebook(nb, reference):
        if planned.role != TEST:
            continue
        cell = nb.cells[planned.index]
        most = reference.get(planned.grade_id).points
        results.append(QuestionResult(planned.grade_id, 0.0 if error_outputs(cell) else most, most,
                                      failure_summary(cell, planned.grade_id)))
    return results


def format_results(results, hidden=False):
    """A plain-text table of the results with a total line."""
    lines = []
    for r in results:
        mark = "PASS" if r.points == r.max_points else "FAIL"
        lines.append(f"{mark}  {r.grade_id:<34} {r.points:g}/{r.max_points:g}" + (f"\n      {r.message}" if r.message else ""))
    total, most = sum(r.points for r in results), sum(r.max_points for r in results)
    scope = "hidden tests included" if hidden else "visible tests only: the graded version runs more"
    lines.append(f"total {total:g}/{most:g} ({scope})")
    return "\n".join(lines)
