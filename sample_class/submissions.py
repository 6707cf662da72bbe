"""Notebook surgery for the sample submissions: the solved notebook, one function replaced,
code slipped into a function's body, and writing a submission where nbgrader looks for it.
"""

import ast
import copy
import io
import re
import tokenize

import nbformat

from grader.course import packaged_notebooks
from grader.notebook_cells import BEGIN_SOLUTION, END_SOLUTION, grade_id, is_solution

from .catalogue import mutate


def strip_markers(source):
    """Solution code without the solution marker lines."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def solved_submission(source, release):
    """The release with every solution cell filled in from the source (what a perfect student hands in)."""
    nb = copy.deepcopy(release)
    answers = {grade_id(c): c.source for c in source.cells if is_solution(c)}
    for cell in nb.cells:
        if is_solution(cell) and grade_id(cell) in answers:
            cell.source = strip_markers(answers[grade_id(cell)])
    return nb


def other_assignment_notebook(course, assignment):
    """The next assignment's source notebook with its markers removed (for the wrong-notebook
    persona): the course's copy, or the packaged one where the course has not built it."""
    masters = {**packaged_notebooks(), **{aid: course.source / aid / f"{aid}.ipynb" for aid in course.assignment_ids()}}
    ids = sorted(masters)
    other = ids[(ids.index(assignment) + 1) % len(ids)] if assignment in ids and len(ids) > 1 else assignment
    nb = nbformat.read(masters[other], as_version=4)
    for cell in nb.cells:
        cell.source = strip_markers(cell.source)
    return nb


def _solution_cells(nb):
    return [c for c in nb.cells if is_solution(c)]


def _append(cell, code):
    cell.source = cell.source.rstrip() + "\n\n" + code + "\n"


def replace_function(nb, name, new_source=None, swap=None):
    """A copy of ``nb`` whose answer cell defining ``name`` gets ``new_source`` appended (the
    redefinition wins) or the text ``swap = (old, new)`` replaced.

    Returns
    -------
    nb : NotebookNode
    grade_id : str
        The changed cell's grade_id.
    """
    nb = copy.deepcopy(nb)
    cell = next(c for c in _solution_cells(nb) if re.search(rf"^def {re.escape(name)}\(", c.source, re.M))
    if swap:
        cell.source = mutate(cell.source, swap)
    else:
        _append(cell, new_source.strip())
    return nb, grade_id(cell)


def flip_first_subtraction(source):
    """``source`` with its first binary minus (in code, not in text) turned into a plus."""
    lines = source.splitlines(keepends=True)
    previous = None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.OP and token.string == "-" and previous is not None and (
                previous.type in (tokenize.NAME, tokenize.NUMBER) or previous.string in (")", "]")):
            row, col = token.start
            lines[row - 1] = lines[row - 1][:col] + "+" + lines[row - 1][col + 1:]
            return "".join(lines)
        if token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
            previous = token
    return source


def insert_in_body(source, code):
    """``source`` with ``code`` inserted at the start of its first function's body (after the docstring)."""
    function = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef))
    body = function.body[1:] if (isinstance(function.body[0], ast.Expr)
                                 and isinstance(function.body[0].value, ast.Constant)) else function.body
    lines = source.splitlines()
    first = body[0].lineno - 1 if body else function.end_lineno
    indent = " " * body[0].col_offset if body else " " * (function.col_offset + 4)
    return "\n".join(lines[:first] + [indent + line for line in code.splitlines()] + lines[first:])


def write_submission(course, student, assignment, made):
    """Write one generated submission into submitted/<student>/<assignment>/."""
    folder = course.path("submitted", student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{assignment}.ipynb"
    if isinstance(made, tuple):
        name, made = made
    path = folder / name
    if isinstance(made, str):
        path.write_text(made, encoding="utf-8")
    else:
        nbformat.write(made, path)
