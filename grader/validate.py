"""Check one notebook without a gradebook: per-question results, graded exactly as
``autograde`` grades (the same engine: the student's cells in a sandboxed process, the
tests in this one).

With ``master`` (the source notebook, or a release) the read-only cells come from there,
hidden tests included when the master has them, and the notebook is repaired as
``autograde`` repairs it (deleted test cells put back, nbgrader metadata restored). Without
it, the notebook's own test cells are the master: they then run in the grader's process,
so do that only with notebooks you trust (your own, a solved source notebook).

A failed test is shown with its one-line wording (:func:`grader.notebook_cells.failure_summary`)
and the line of the test cell it failed at, read from the traceback of the cell's error::

    FAIL  test_sigmoid_prime                 0/6
          test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong: expected 0.25, got 0.5. …
          at line 2 of the test cell: checks.expect_close(sigmoid_prime(0.0), 0.25, "σ'(0)", …)

A line of the hidden part (only with a ``master`` that has hidden tests: an instructor's
check) says so: ``at line 14 of the test cell (hidden part): …``.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .checker.job import grade_in_worker
from .checker.limits import Limits
from .checker.plan import ANSWER, TEST, Master, plan_notebook, role_of
from .notebook_cells import HIDDEN, error_outputs, failed_part, failure_summary
from .staging import read_submitted, released_notebook, repair


#: The header and a frame of a trusted test cell's traceback (grader.checker.outputs.exception_output:
#: the cell is compiled as ``<grade_id-n>``, and only its own frames are kept).
_TRACEBACK = "Traceback (most recent call last):"
_FRAME = re.compile(r'  File "<(?P<cell>.+)-\d+>", line (?P<line>\d+), in ')
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_CARETS = re.compile(r"^\s*[\^~]+\s*$")
NO_LINE = "failing line: not found (the traceback names no line of the test cell)"


@dataclass(frozen=True)
class FailingLine:
    """Where in its test cell a failed test stopped."""

    number: int | None  # 1-based line of the test cell; None: the traceback names none
    code: str = ""  # the line as the traceback shows it ('' when it shows none)
    hidden: bool = False  # the failure came from the hidden part of the test


@dataclass
class QuestionResult:
    """One graded cell's outcome."""

    grade_id: str
    points: float
    max_points: float
    message: str  # grader.notebook_cells.failure_summary of the cell ('' when it passed)
    failing: FailingLine | None = None  # None when the test passed or was never run


def failing_line(cell, name):
    """The line of test cell ``name`` at which the cell's first error was raised.

    Read from the error's traceback (ANSI colours removed): of the frames that follow its
    ``Traceback (most recent call last):`` line, the last one in the cell's own code (file
    ``<name-n>``) and the code line below it. Only that leading run of frames is read, never
    the message or notes after it: those carry text of the student's process.

    Returns
    -------
    FailingLine or None
        None when the cell did not fail or was never run (time or restarts spent);
        ``FailingLine(None)`` when the traceback names no line of the cell.
    """
    errors = error_outputs(cell)
    part = failed_part(cell)
    if not errors or part is None:
        return None
    traceback = errors[0].get("traceback")
    entries = [_ANSI.sub("", str(entry)) for entry in traceback] if isinstance(traceback, list) else []
    found = FailingLine(None)
    if entries and entries[0].strip() == _TRACEBACK:
        for entry in entries[1:]:
            lines = entry.splitlines()
            frame = _FRAME.match(lines[0]) if lines else None
            if frame is None:
                break
            if frame["cell"] == name:
                code = lines[1].strip() if len(lines) > 1 and not _CARETS.match(lines[1]) else ""
                found = FailingLine(int(frame["line"]), code, part == HIDDEN)
    return found


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
                                      failure_summary(cell, planned.grade_id), failing_line(cell, planned.grade_id)))
    return results


def _where(failing):
    if failing.number is None:
        return NO_LINE
    where = f"at line {failing.number} of the test cell" + (" (hidden part)" if failing.hidden else "")
    return f"{where}: {failing.code}" if failing.code else where


def format_results(results, hidden=False):
    """A plain-text table of the results with a total line: under a failed test, its wording
    and the line it failed at (see the module docstring)."""
    lines = []
    for r in results:
        mark = "PASS" if r.points == r.max_points else "FAIL"
        lines.append(f"{mark}  {r.grade_id:<34} {r.points:g}/{r.max_points:g}")
        if r.message:
            lines.append(f"      {r.message}")
        if r.failing:
            lines.append(f"      {_where(r.failing)}")
    total, most = sum(r.points for r in results), sum(r.max_points for r in results)
    scope = "hidden tests included" if hidden else "visible tests only: the graded version runs more"
    lines.append(f"total {total:g}/{most:g} ({scope})")
    return "\n".join(lines)
