"""nbgrader's cell metadata, read, and a failed test cell, worded: the one place for both.

Every part of the grader reads a cell's nbgrader metadata through this module (the release
lints, staging, the grading plan in the workers, autograde's reasons, ``validate``, the
class report, the feedback), and every place that shows a failed test words it with
:func:`failure_summary`, so the CLI grade table, ``backprop-grader validate``, the class
report and the students' feedback say the same thing about the same failure.

The predicates mean what nbgrader's own do (:func:`nbgrader.utils.is_grade`,
``is_solution``, ``is_locked``, ``is_task``), and ``tests/test_notebook_cells.py``
checks that they agree on every cell of the course's notebooks and on odd hand-made cells.
They are written out here rather than imported because grading workers use them and must
start fast (``import nbgrader.utils`` alone takes seconds; this module imports neither
nbgrader nor nbformat), because they read notebooks as nbformat's nodes or as plain JSON,
and because a submission's metadata may be anything: where nbgrader's predicates raise on
``"nbgrader": null`` or a string, these treat the cell as having no nbgrader metadata.

A test cell fails when it has an error output: nbgrader would also fail it for output on
stderr, but the course's configuration drops every stderr stream before grading
(:meth:`grader.course.Course.config`), so a warning costs nothing. A failed test cell is
worded in one of three ways, by what its outputs show::

    test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong: expected 0.25, got 0.5. …
    test_sigmoid passed its visible tests but failed a hidden test: CheckFailed: …
    test_sigmoid failed: NotRun: not run: the notebook exceeded its time limit of 120 s

Every test cell of the course ends its visible part with ``print("visible … tests passed")``;
an error after that line was raised by the hidden tests. A cell the grader never ran
(:data:`NOT_RUN_ERRORS`) failed in neither part. The student's own functions print into the
test cell too, so a submission can print that line itself: it changes the wording, never
the points.
"""

import re
from collections.abc import Mapping

from .checker.outputs import NOT_EXECUTED, NOT_RUN, WORKER_DIED

#: nbgrader's markers (its default delimiters, as the course's configuration leaves them): the
#: solution region a release replaces by a stub, and the hidden tests a release leaves out.
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

#: Error names of test cells the grader did not run: the notebook's time or restarts were
#: spent, the grading worker died, or it left no record.
NOT_RUN_ERRORS = (NOT_RUN, WORKER_DIED, NOT_EXECUTED)
#: The message of a ``NotImplementedError`` without one: nbgrader's stubs raise it bare.
STUB_MESSAGE = "a function this test needs is still a stub"
#: Longest message kept (the rest is cut, with "…").
MAX_MESSAGE = 800
#: Why a grade cell that lost points has no failure to word.
NO_NOTEBOOK = "no autograded notebook"
NO_CELL = "grade cell not in the autograded notebook"
NO_ERROR = "no error output"
#: Which part of a test cell failed (:func:`failed_part`).
VISIBLE, HIDDEN = "visible", "hidden"

_VISIBLE_PASSED = re.compile(r"^\s*visible\b.*\bpassed\s*$", re.MULTILINE)


# ----------------------------------------------------------------------------- metadata


def nbgrader_meta(cell):
    """The cell's nbgrader metadata.

    Parameters
    ----------
    cell : dict or NotebookNode
        A notebook cell, as nbformat reads it or as plain JSON.

    Returns
    -------
    dict
        The cell's own ``metadata["nbgrader"]`` (changes made to it go into the cell), or a
        new empty dict when the cell has none or it is not a dict.
    """
    metadata = cell.get("metadata") if isinstance(cell, Mapping) else None
    meta = metadata.get("nbgrader") if isinstance(metadata, Mapping) else None
    return meta if isinstance(meta, Mapping) else {}


def has_nbgrader_metadata(cell):
    """Whether the cell's metadata has an ``nbgrader`` entry at all, whatever its value
    (nbgrader stops on some that :func:`nbgrader_meta` reads as none)."""
    metadata = cell.get("metadata") if isinstance(cell, Mapping) else None
    return isinstance(metadata, Mapping) and "nbgrader" in metadata


def grade_id(cell):
    """The cell's ``grade_id``, or None when it has none (or one that is not a non-empty string)."""
    value = nbgrader_meta(cell).get("grade_id")
    return value if isinstance(value, str) and value else None


def is_grade(cell):
    """Whether nbgrader grades the cell (``nbgrader.utils.is_grade``)."""
    return bool(nbgrader_meta(cell).get("grade", False))


def is_solution(cell):
    """Whether the cell holds a student's answer (``nbgrader.utils.is_solution``)."""
    return bool(nbgrader_meta(cell).get("solution", False))


def is_locked(cell):
    """Whether nbgrader restores the cell's source as released (``nbgrader.utils.is_locked``):
    grade cells are, answer cells never, other cells when marked locked."""
    if is_solution(cell):
        return False
    return is_grade(cell) or bool(nbgrader_meta(cell).get("locked", False))


def is_task(cell):
    """Whether the cell is a manually graded task (``nbgrader.utils.is_task``)."""
    return bool(nbgrader_meta(cell).get("task", False))


def is_nbgrader_cell(cell):
    """Whether nbgrader tracks the cell by its grade_id: a grade, answer or locked cell."""
    return is_grade(cell) or is_solution(cell) or is_locked(cell)


def points(cell):
    """The points of a grade cell (0.0 for any other cell, or points that are not a number).

    Returns
    -------
    float
    """
    if not is_grade(cell):
        return 0.0
    try:
        return float(nbgrader_meta(cell).get("points") or 0)
    except (TypeError, ValueError):
        return 0.0


def _cells(nb):
    return nb.get("cells", []) if isinstance(nb, Mapping) else nb


def graded_cells(nb):
    """The grade cells of a notebook (or of a list of cells), in order."""
    return [cell for cell in _cells(nb) if is_grade(cell)]


def solution_cells(nb):
    """The answer cells of a notebook (or of a list of cells), in order."""
    return [cell for cell in _cells(nb) if is_solution(cell)]


def cells_by_grade_id(nb):
    """{grade_id: cell} of a notebook (or of a list of cells); of an id that occurs twice,
    the last cell, as nbgrader counts it."""
    return {grade_id(cell): cell for cell in _cells(nb) if grade_id(cell)}


# ----------------------------------------------------------------------------- outputs


def _outputs(cell):
    outputs = cell.get("outputs") if isinstance(cell, Mapping) else None
    return [o for o in outputs if isinstance(o, Mapping)] if isinstance(outputs, list) else []


def error_outputs(cell):
    """The cell's error outputs, in order (none for a cell without outputs): a test cell
    with one has failed (see the module docstring)."""
    return [o for o in _outputs(cell) if o.get("output_type") == "error"]


def _first_error(cell):
    """(index, output) of the cell's first error output, or None."""
    return next(((i, o) for i, o in enumerate(_outputs(cell)) if o.get("output_type") == "error"), None)


def _text(value):
    return "".join(str(v) for v in value) if isinstance(value, list) else str(value or "")


def _one_line(text):
    text = " ".join(text.split())
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


# ----------------------------------------------------------------------------- failures


def failure_message(cell):
    """The course's message of a failed cell, on one line: ``<Error>: <message>`` of its
    first error output (a bare ``NotImplementedError``, a stub, says :data:`STUB_MESSAGE`).

    Parameters
    ----------
    cell : dict or NotebookNode
        An executed cell.

    Returns
    -------
    str
        At most :data:`MAX_MESSAGE` characters; '' when the cell did not fail.
    """
    found = _first_error(cell)
    if found is None:
        return ""
    _, output = found
    ename = _text(output.get("ename")).strip() or "Error"
    evalue = _text(output.get("evalue")).strip()
    if not evalue and ename == "NotImplementedError":
        evalue = STUB_MESSAGE
    return _one_line(f"{ename}: {evalue}" if evalue else ename)


def failed_part(cell):
    """Which part of a test cell failed, as far as its outputs show.

    Returns
    -------
    str or None
        :data:`HIDDEN` when a "visible … passed" line came before the failure,
        :data:`VISIBLE` when none did, None when the cell did not fail or was not run.
    """
    found = _first_error(cell)
    if found is None:
        return None
    index, output = found
    if _text(output.get("ename")) in NOT_RUN_ERRORS:
        return None
    printed = "".join(_text(o.get("text")) for o in _outputs(cell)[:index]
                      if o.get("output_type") == "stream" and o.get("name") == "stdout")
    return HIDDEN if _VISIBLE_PASSED.search(printed) else VISIBLE


def failure_summary(cell, name=None):
    """The one wording of a failed test cell: the test, the part that failed, the message.

    Parameters
    ----------
    cell : dict or NotebookNode
        An executed test cell.
    name : str, optional
        The test's name (default: the cell's grade_id).

    Returns
    -------
    str
        E.g. ``"test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong: …"``
        (see the module docstring); '' when the cell did not fail.
    """
    message = failure_message(cell)
    if not message:
        return ""
    name = name or grade_id(cell) or "the test"
    part = failed_part(cell)
    if part == VISIBLE:
        return f"{name} failed a visible test: {message}"
    if part == HIDDEN:
        return f"{name} passed its visible tests but failed a hidden test: {message}"
    return f"{name} failed: {message}"


def lost_points_failure(cells, name):
    """Why test cell ``name`` of an autograded notebook lost points: its :func:`failure_summary`,
    or, where there is none to word, the note saying why.

    Parameters
    ----------
    cells : dict or None
        The notebook's {grade_id: cell} (:func:`cells_by_grade_id`); None when there is no
        autograded notebook.
    name : str
        The test cell's grade_id.

    Returns
    -------
    failure : str
    is_note : bool
        True when ``failure`` is :data:`NO_NOTEBOOK`, :data:`NO_CELL` or :data:`NO_ERROR`.
    """
    if cells is None:
        return NO_NOTEBOOK, True
    if name not in cells:
        return NO_CELL, True
    summary = failure_summary(cells[name], name)
    return (summary, False) if summary else (NO_ERROR, True)
