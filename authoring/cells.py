"""nbgrader cell metadata (schema 3) for the roles a source cell can have, and the notebook frame.

A cell of a source file says what it is with a ``role`` (see :data:`ROLES`); the builder turns
that into the metadata nbgrader reads. Every cell gets a stable id, so rebuilding a notebook
from unchanged sources gives the same file byte for byte.
"""

import ast
import inspect
import textwrap

import nbformat

from grader.notebook_cells import BEGIN_SOLUTION, END_SOLUTION

SCHEMA_VERSION = 3

#: First line of every hidden block: the trusted helpers and oracles, which exist on the
#: grader's side only (the release's set-up cell imports the answer-free student kit).
HIDDEN_IMPORTS = "from grader import checks, oracle"

#: role -> the nbgrader flags of such a cell.
#: ``locked``: read-only code (set-up, given functions); nbgrader restores it when grading.
#: ``solution``: the student's answer; nbgrader replaces what lies between the solution markers.
#: ``tests``: a graded, read-only test cell (a visible part, then the hidden block).
ROLES = {
    "locked": dict(locked=True),
    "solution": dict(solution=True),
    "tests": dict(grade=True, locked=True),
}


def nbgrader_metadata(role, grade_id, points=None):
    """The ``metadata.nbgrader`` of a cell with ``role``.

    Parameters
    ----------
    role : str
        A key of :data:`ROLES`.
    grade_id : str
        Unique within the notebook and says what the cell holds, e.g. ``test_bp2_hidden_error``.
    points : int or float, optional
        Only for ``tests`` cells, where it is required and positive.

    Returns
    -------
    dict
        nbgrader's schema-3 metadata.

    Raises
    ------
    ValueError
        For an unknown role, or points where they do not belong or missing where they do.
    """
    if role not in ROLES:
        raise ValueError(f"unknown cell role {role!r}: use one of {sorted(ROLES)}")
    if (role == "tests") != (points is not None):
        raise ValueError(f"cell {grade_id!r}: points belong to tests cells, and every tests cell has them")
    if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float)) or points <= 0):
        raise ValueError(f"cell {grade_id!r}: points must be a positive number, not {points!r}")
    flags = {"grade": False, "locked": False, "solution": False, **ROLES[role]}
    meta = {"grade": flags["grade"], "grade_id": grade_id, "locked": flags["locked"],
            "schema_version": SCHEMA_VERSION, "solution": flags["solution"], "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def with_solution_markers(function):
    """The function's source with its body (after the docstring) between solution markers.

    nbgrader replaces the marked region by a stub that raises NotImplementedError, so the
    student keeps the signature and the docstring; comments between the docstring and the
    first statement belong to the body (they may tell the answer).

    Raises
    ------
    ValueError
        For a function whose body is only a docstring, or that is written on one line.
    """
    source = textwrap.dedent(inspect.getsource(function)).rstrip()
    lines = source.splitlines()
    node = ast.parse(source).body[0]
    body = node.body
    has_doc = (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
               and isinstance(body[0].value.value, str))
    statements = body[1:] if has_doc else body
    if not statements or statements[0].lineno == node.lineno:
        raise ValueError(f"{function.__name__} has no body on lines of its own to put between solution markers")
    first = statements[0]
    start = (first.decorator_list[0] if getattr(first, "decorator_list", None) else first).lineno - 1
    after_doc = body[0].end_lineno if has_doc else start
    while start > after_doc and lines[start - 1].strip().startswith("#"):
        start -= 1
    indent = " " * (len(lines[start]) - len(lines[start].lstrip()))
    return "\n".join(lines[:start] + [indent + BEGIN_SOLUTION] + lines[start:] + [indent + END_SOLUTION])


def cell_id(grade_id, index):
    """A cell's stable id: its grade_id, or ``cell-NNN`` (its position) for cells nbgrader does not track."""
    return grade_id or f"cell-{index:03d}"


def notebook(cells):
    """A notebook of the given cells (their ids set) with a Python 3 kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.cells = list(cells)
    return nb
