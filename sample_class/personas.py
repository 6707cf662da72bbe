"""The sample class: who its students are and how each one's notebook is made.

It covers what a real class throws at an autograder: a perfect, a blank and a partial
submission, typical mistakes, code that never terminates, kills its kernel, exits, hogs
memory, floods the output or emits a warning, tampered test cells, an invalid file, a renamed
notebook and a notebook from another assignment (:data:`PERSONAS`); and submissions that try to
earn points they did not work for (:data:`HOSTILE`).
"""

import copy

import nbformat

from grader.notebook_cells import grade_id, is_grade

from .catalogue import CATALOGUE
from .submissions import (_append, _solution_cells, flip_first_subtraction, insert_in_body, other_assignment_notebook,
                          replace_function, solved_submission, write_submission)

#: assignment -> the catalogue entry the "typical mistake" student makes in it.
EXAMPLE_MISTAKES = {"01_sigmoid_neurons": "sigma_prime_is_sigma", "02_cost_functions": "quadratic_gradient_sign",
                    "03_hadamard_forward": "feedforward_forgets_bias", "04_backpropagation": "bp4_no_average",
                    "05_training": "sgd_eta_not_divided", "06_deep_networks": "backward_overwrites"}


def example_mistake(assignment):
    """The catalogue entry of the assignment's typical mistake (None if it has none)."""
    key = EXAMPLE_MISTAKES.get(assignment)
    return next((m for m in CATALOGUE if m.key == key), None)


def _partial(ctx):
    nb = copy.deepcopy(ctx["solved"])
    release_cells = {grade_id(c): c.source for c in _solution_cells(ctx["release"])}
    cells = _solution_cells(nb)
    for cell in cells[len(cells) // 2:]:
        cell.source = release_cells[grade_id(cell)]
    return nb


def _example_mistake(ctx):
    mistake = example_mistake(ctx["assignment"])
    return replace_function(ctx["solved"], mistake.function, swap=mistake.swap)[0] if mistake else copy.deepcopy(ctx["solved"])


def _sign_slip(ctx):
    """The first subtraction in the last solution cell's code becomes an addition."""
    nb = copy.deepcopy(ctx["solved"])
    cell = _solution_cells(nb)[-1]
    cell.source = flip_first_subtraction(cell.source)
    return nb


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
    tests = [c for c in nb.cells if is_grade(c)]
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


def generate_class(course, assignments, personas=None):
    """Write every persona's submission of every assignment (the releases must exist);
    by default the whole sample class, hostile submissions included."""
    personas = personas or {**PERSONAS, **HOSTILE}
    solved = {}
    for aid in assignments:
        source = nbformat.read(course.source / aid / f"{aid}.ipynb", as_version=4)
        release = nbformat.read(course.path("release", ".", aid) / f"{aid}.ipynb", as_version=4)
        solved[aid] = (solved_submission(source, release), release)
    for aid in assignments:
        ctx = {"solved": solved[aid][0], "release": solved[aid][1], "assignment": aid,
               "other_solved": other_assignment_notebook(course, aid)}
        for student, (_, make) in personas.items():
            write_submission(course, student, aid, make(ctx))
