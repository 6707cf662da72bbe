"""Builders for the cells of an nbgrader source notebook (metadata schema 3).

Every cell gets a stable id, so rebuilding a notebook from unchanged content gives the
same file byte for byte.
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


def _nbgrader(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _clean(text):
    return textwrap.dedent(text).strip("\n")


def markdown(text):
    """A plain markdown cell (explanations, derivations, exercises in words)."""
    return nbformat.v4.new_markdown_cell(_clean(text))


def code(source):
    """A plain code cell the student may run and change (demonstrations, plots)."""
    return nbformat.v4.new_code_cell(_clean(source))


def locked(source, grade_id):
    """A read-only code cell: nbgrader restores it from the master copy when grading."""
    cell = nbformat.v4.new_code_cell(_clean(source))
    cell.metadata["nbgrader"] = _nbgrader(grade_id, locked=True)
    return cell


def given(*functions, grade_id, intro=""):
    """A read-only cell defining reference functions the student uses but does not write."""
    parts = [_clean(intro)] if intro else []
    parts += [inspect.getsource(f).rstrip() for f in functions]
    return locked("\n\n\n".join(parts), grade_id)


def solution_source(source, grade_id):
    """A solution cell from literal source that already holds the solution markers."""
    cell = nbformat.v4.new_code_cell(_clean(source))
    cell.metadata["nbgrader"] = _nbgrader(grade_id, solution=True)
    return cell


def with_solution_markers(function):
    """The function's source with its body (after the docstring) between solution markers.

    nbgrader replaces the marked region by a stub that raises NotImplementedError, so the
    student keeps the signature and the docstring.
    """
    source = textwrap.dedent(inspect.getsource(function)).rstrip()
    lines = source.splitlines()
    tree = ast.parse(source).body[0]
    body = tree.body
    has_doc = isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant)
    first = body[1] if has_doc else body[0]
    decorators = getattr(first, "decorator_list", [])
    start = (decorators[0] if decorators else first).lineno - 1
    indent = " " * (len(lines[start]) - len(lines[start].lstrip()))
    return "\n".join(lines[:start] + [indent + BEGIN_SOLUTION] + lines[start:] + [indent + END_SOLUTION])


def solution(*functions, grade_id):
    """A solution cell: each function's reference code with its body marked as the solution."""
    return solution_source("\n\n\n".join(with_solution_markers(f) for f in functions), grade_id)


def tests(grade_id, points, visible, hidden):
    """A graded, read-only test cell: a visible part, then hidden tests.

    Parameters
    ----------
    grade_id : str
        Unique id saying what is graded, e.g. ``test_bp2_hidden_error``.
    points : int
    visible : str
        Checks the student sees and can run (with messages that say what is wrong). They
        use only the student kit (``checks``), hand-worked values and the notebook's given
        code: no oracle, nothing that answers an exercise.
    hidden : str
        Checks on inputs the student never sees; stripped from the release. They start
        with :data:`HIDDEN_IMPORTS`, so they may use the trusted ``checks`` and ``oracle``.
    """
    source = (_clean(visible) + "\n\n" + BEGIN_HIDDEN + "\n" + HIDDEN_IMPORTS + "\n" + _clean(hidden) + "\n"
              + END_HIDDEN)
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = _nbgrader(grade_id, grade=True, locked=True, points=points)
    return cell


def notebook(cells):
    """A notebook of the given cells with stable cell ids and a Python 3 kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    for index, cell in enumerate(cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell["id"] = grade_id or f"cell-{index:03d}"
    nb.cells = list(cells)
    return nb
