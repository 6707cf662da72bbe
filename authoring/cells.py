"""nbgrader cell metadata (schema 3) for the roles a source cell can have, and the notebook frame.

A cell of a source file says what it is with a ``role`` (see :data:`ROLES`); the builder turns
that into the metadata nbgrader reads. Every cell gets a stable id, so rebuilding a notebook
from unchanged sources gives the same file byte for byte.
"""

import ast
import inspect
import textwrap

import nbformat

SCHEMA_VERSION = 3
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"

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
    """The ``metadata.nbgrader`` of a cell with ``role`` (a key of :data:`ROLES`).

    Parameters
    ----------
    role : str
    grade_id : str
        Unique within the notebook and says what the cell holds, e.g. ``test_bp2_hidden_error``.
    points : int, optional
        Only for ``tests`` cells, where it is required.
    """
    if role not in ROLES:
        raise ValueError(f"unknown cell role {role!r}: use one of {sorted(ROLES)}")
    if (role == "tests") != (points is not None):
        raise ValueError(f"cell {grade_id!r}: points belong to tests cells, and every tests cell has them")
    flags = {"grade": False, "locked": False, "solution": False, **ROLES[role]}
    meta = {"grade": flags["grade"], "grade_id": grade_id, "locked": flags["locked"],
            "schema_version": SCHEMA_VERSION, "solution": flags["solution"], "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def with_solution_markers(function):
    """The function's source with its body (after the docstring) between solution markers.

    nbgrader replaces the marked region by a stub that raises NotImplementedError, so the
    student keeps the signature and the docstring.
    """
    source = textwrap.dedent(inspect.getsource(function)).rstrip()
    lines = source.splitlines()
    body = ast.parse(source).body[0].body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
    first = body[1] if has_doc else body[0]
    decorators = getattr(first, "decorator_list", [])
    start = (decorators[0] if decorators else first).lineno - 1
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
