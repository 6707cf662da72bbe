"""The demo: build the releases, generate a sample class from the reference notebooks,
grade it on the default SQLite gradebook, and print the grade table and the report's path.

The sample class covers what a real class throws at an autograder: a perfect, a blank and a
partial submission, typical mistakes, code that never terminates, kills its kernel, exits,
hogs memory, floods the output or emits a warning, tampered test cells, an invalid file, a
renamed notebook and a notebook from another assignment.
"""

import ast
import copy
import io
import re
import tokenize
from pathlib import Path

import nbformat

from .authoring.build import available_content
from .authoring.cells import BEGIN_SOLUTION, END_SOLUTION
from .checker.limits import Limits
from .misconceptions import mutate


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def strip_markers(source):
    """Solution code without the solution marker lines."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))


def solved_submission(source, release):
    """The release with every solution cell filled in from the source (what a perfect student hands in)."""
    nb = copy.deepcopy(release)
    answers = {_meta(c)["grade_id"]: c.source for c in source.cells if _meta(c).get("solution")}
    for cell in nb.cells:
        gid = _meta(cell).get("grade_id")
        if _meta(cell).get("solution") and gid in answers:
            cell.source = strip_markers(answers[gid])
    return nb


def other_assignment_notebook(course, assignment):
    """The next assignment's source notebook with its markers removed (for the wrong-notebook persona)."""
    ids = course.assignment_ids()
    other = ids[(ids.index(assignment) + 1) % len(ids)] if assignment in ids and len(ids) > 1 else assignment
    nb = nbformat.read(course.source / other / f"{other}.ipynb", as_version=4)
    for cell in nb.cells:
        cell.source = strip_markers(cell.source)
    return nb


def _solution_cells(nb):
    return [c for c in nb.cells if _meta(c).get("solution")]


def _append(cell, code):
    cell.source = cell.source.rstrip() + "\n\n" + code + "\n"


def _partial(ctx):
    nb = copy.deepcopy(ctx["solved"])
    release_cells = {_meta(c)["grade_id"]: c.source for c in _solution_cells(ctx["release"])}
    cells = _solution_cells(nb)
    for cell in cells[len(cells) // 2:]:
        cell.source = release_cells[_meta(cell)["grade_id"]]
    return nb


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
    return nb, _meta(cell)["grade_id"]


def _example_mistake(ctx):
    mistake = getattr(ctx["module"], "EXAMPLE_MISTAKE", None)
    return replace_function(ctx["solved"], *mistake)[0] if mistake else copy.deepcopy(ctx["solved"])


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


def _sign_slip(ctx):
    """The first subtraction in the last solution cell's code becomes an addition."""
    nb = copy.deepcopy(ctx["solved"])
    cell = _solution_cells(nb)[-1]
    cell.source = flip_first_subtraction(cell.source)
    return nb


def insert_in_body(source, code):
    """``source`` with ``code`` inserted at the start of its first function's body (after the docstring)."""
    function = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef))
    body = function.body[1:] if (isinstance(function.body[0], ast.Expr)
                                 and isinstance(function.body[0].value, ast.Constant)) else function.body
    lines = source.splitlines()
    first = body[0].lineno - 1 if body else function.end_lineno
    indent = " " * body[0].col_offset if body else " " * (function.col_offset + 4)
    return "\n".join(lines[:first] + [indent + line for line in code.splitlines()] + lines[first:])


def _inside(code, which=0, start="solved"):
    """A persona whose function number ``which`` runs ``code`` first (the rest of it unchanged)."""
    def transform(ctx):
        nb = copy.deepcopy(ctx[start])
        cell = _solution_cells(nb)[which]
        cell.source = insert_in_body(cell.source, code)
        return nb
    return transform


def _top_level(code, start="release"):
    """A persona whose first answer cell also runs ``code`` at top level."""
    def transform(ctx):
        nb = copy.deepcopy(ctx[start])
        _append(_solution_cells(nb)[0], code)
        return nb
    return transform


def _tamper(ctx):
    nb = copy.deepcopy(ctx["solved"])
    tests = [c for c in nb.cells if _meta(c).get("grade")]
    tests[0].source = "pass  # all tests removed"
    if len(tests) > 1:
        tests[1].metadata.pop("nbgrader")
        tests[1].source = "print('no tests here')"
    if len(tests) > 2:
        nb.cells.remove(tests[2])
    return nb


def _extra_cells(ctx):
    nb = copy.deepcopy(ctx["solved"])
    nb.cells.insert(1, nbformat.v4.new_markdown_cell("My notes: σ'(z) = σ(z)(1 − σ(z))."))
    nb.cells.insert(3, nbformat.v4.new_code_cell("scratch = [i ** 2 for i in range(10)]\nprint(scratch)"))
    nb.cells.append(nbformat.v4.new_code_cell("print('done')"))
    return nb


def _other_assignment(ctx):
    return copy.deepcopy(ctx["other_solved"])


#: student id -> (what it shows, how its notebook is made; a str is written as the raw file)
PERSONAS = {
    "ada-perfect": ("perfect work", lambda ctx: ctx["solved"]),
    "ben-blank": ("hands in the release untouched", lambda ctx: ctx["release"]),
    "cam-partial": ("first half of the functions done", _partial),
    "dee-mistake": ("a typical mistake in one function", _example_mistake),
    "eli-sign-slip": ("a sign slip in the last function", _sign_slip),
    "fay-warning": ("correct, but emits a warning", _inside("import warnings\nwarnings.warn('only a warning')")),
    "gus-infinite-loop": ("a function that never returns", _inside("while True:\n    pass", -1)),
    "hal-kernel-killer": ("a function that kills its kernel", _inside("import os\nos._exit(1)")),
    "ivy-tamper": ("edits, strips and deletes test cells", _tamper),
    "ian-extra-cells": ("adds cells of their own", _extra_cells),
    "jon-sys-exit": ("a function that calls sys.exit", _inside("import sys\nsys.exit(0)")),
    "kim-memory-hog": ("a function that allocates far too much memory", _inside("hog = bytearray(64 * 2**30)")),
    "lea-chatty": ("a function that prints a million lines", _inside("for i in range(1_000_000):\n    print(i)")),
    "max-invalid-json": ("a file that is not JSON", lambda ctx: '{"cells": [ {"cell_type": "code", '),
    "ned-renamed": ("the notebook renamed", lambda ctx: ("my_solution.ipynb", ctx["solved"])),
    "ola-other-assignment": ("a notebook of another assignment", _other_assignment),
}

#: Submissions that try to earn points they did not work for; each should score what its
#: honest work deserves (see the instructors' page in the README).
HOSTILE = {
    "eve-patches-numpy": ("stubs, plus np.allclose/np.isclose made always true at top level", _top_level(
        "np.allclose = lambda *a, **k: True\nnp.isclose = lambda *a, **k: True\n"
        "np.testing.assert_allclose = lambda *a, **k: None")),
    "fox-patches-checks": ("stubs, plus the check helpers replaced at top level", _top_level(
        "for _name in ['expect', 'expect_close', 'expect_shape', 'expect_gradient']:\n"
        "    setattr(checks, _name, lambda *a, **k: None)")),
    "gil-hides-errors": ("stubs, plus IPython's error display switched off", _top_level(
        "get_ipython().showtraceback = lambda *a, **k: None")),
    "hux-patches-inside": ("first function replaces the check helpers when called, returns garbage", _inside(
        "from grader import checks as _c\n_c.expect_close = lambda *a, **k: None\n"
        "_c.expect = lambda *a, **k: None\n_c.expect_shape = lambda *a, **k: None\nreturn 0")),
    "ida-imports-solutions": ("σ taken from the reference package", _inside(
        "from solutions import sigmoid as _reference\nreturn _reference(z)", 1)),
    "jay-reads-disk": ("first function rewrites the gradebook's test cells and reads the sources", _inside(
        "import sqlite3\nfor path in ['../../../gradebook.db', '../../gradebook.db', '../gradebook.db']:\n"
        "    db = sqlite3.connect(path)\n    db.execute(\"update source_cell set source='pass'\")\n    db.commit()\n"
        "print(open('../../../source/01_sigmoid_neurons/01_sigmoid_neurons.ipynb').read()[:100])")),
    "zed-leaves-traces": ("correct, but leaves IPython start-up files that would patch numpy", _inside(
        "import os\nfor folder in [os.path.expanduser('~/.ipython/profile_default/startup'), '/tmp']:\n"
        "    os.makedirs(folder, exist_ok=True)\n"
        "    open(os.path.join(folder, '00-patch.py'), 'w').write('import numpy; numpy.allclose = lambda *a, **k: True')")),
    "kai-always-true": ("σ returns an object equal to everything", _inside(
        "class _Yes:\n    def __eq__(self, other):\n        return True\n"
        "    def __array__(self, *a, **k):\n        raise TypeError('no')\nreturn _Yes()", 1)),
    "lou-hardcodes": ("σ hard-codes the visible tests' answers", _inside(
        "return {0.0: 0.5}.get(float(np.ravel(z)[0]), 0.75) if np.size(z) == 1 else np.where(np.asarray(z) > 0, 1.0, 0.0)",
        1)),
}


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


def generate_class(course, assignments, personas=None):
    """Write every persona's submission of every assignment (the releases must exist);
    by default the whole sample class, hostile submissions included."""
    personas = personas or {**PERSONAS, **HOSTILE}
    modules = {m.ASSIGNMENT: m for m in available_content()}
    solved = {}
    for aid in assignments:
        source = nbformat.read(course.source / aid / f"{aid}.ipynb", as_version=4)
        release = nbformat.read(course.path("release", ".", aid) / f"{aid}.ipynb", as_version=4)
        solved[aid] = (solved_submission(source, release), release)
    for aid in assignments:
        ctx = {"solved": solved[aid][0], "release": solved[aid][1], "module": modules.get(aid),
               "other_solved": other_assignment_notebook(course, aid)}
        for student, (_, make) in personas.items():
            write_submission(course, student, aid, make(ctx))


DEMO_LIMITS = Limits(cell_timeout=10.0, notebook_timeout=120.0, memory_mb=4096)


def run_demo(course, assignments=None, workers=None, limits=DEMO_LIMITS):
    """Build, generate the class, autograde, export, feedback, report; print the grade table."""
    from .autograde import autograde
    from .cli import format_grade_table
    from .executors import LocalProcessExecutor
    from .export import export_grades
    from .feedback import generate_feedback
    from .release import build
    from .report import class_report

    assignments = assignments or course.assignment_ids()
    course.write_config()
    for aid in assignments:
        report = build(course, aid)
        print(f"built {aid}: {report.graded_cells} graded cells, {report.points:g} points -> {report.release}")
    generate_class(course, assignments)
    print(f"sample class of {len(PERSONAS) + len(HOSTILE)} students written to {course.root / 'submitted'}")
    for student, (what, _) in {**PERSONAS, **HOSTILE}.items():
        print(f"  {student:<22} {what}")
    for aid in assignments:
        results = autograde(course, aid, LocalProcessExecutor(workers), limits, force=True)
        print(f"\n== {aid} ==\n{format_grade_table(results)}")
        for problem in generate_feedback(course, aid)[1]:
            print(f"feedback problem: {problem}")
    csv_path = export_grades(course, course.root / "grades.csv")
    report_path = class_report(course, course.root / "report")
    print(f"\ngrades CSV:   {Path(csv_path).resolve()}")
    print(f"feedback:     {course.root / 'feedback'}")
    print(f"class report: {Path(report_path).resolve()}")
    return 0
