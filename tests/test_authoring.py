"""The notebooks' sources: built into today's notebooks (apart from the intended text fixes),
lint-clean, their directives strict, and nothing of them reaches a release."""

import ast
import inspect
import json
from pathlib import Path

import nbformat
import pytest
from pyflakes import checker as pyflakes

import solutions.costs

from authoring import build
from authoring.cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, HIDDEN_IMPORTS
from authoring.directives import expand, reference_import

from notebook_equivalence import fingerprint, fingerprints, release_view
from notebook_tools import ASSIGNMENT_IDS

FIXTURES = Path(__file__).parent / "fixtures"
#: Fingerprints of every cell of the notebooks as they were before their sources became percent files.
BEFORE = json.loads((FIXTURES / "notebooks_before_sources.json").read_text(encoding="utf-8"))
#: The text changed on purpose since then: {notebook, cell ("*" = any), old, new, why}.
FIXES = json.loads((FIXTURES / "intended_text_fixes.json").read_text(encoding="utf-8"))
#: Names IPython gives every notebook.
IPYTHON_BUILTINS = {"display", "get_ipython"}
#: Given cells define names for the student to use, and hidden blocks re-import the trusted checks.
NOTEBOOK_IDIOMS = {"UnusedImport", "RedefinedWhileUnused"}


def without_fixes(aid, cell):
    """The cell with every intended fix of its notebook undone (its text as it was before)."""
    cell = nbformat.from_dict(json.loads(json.dumps(cell)))
    for fix in FIXES:
        if fix["notebook"] in (aid, "*") and fix.get("cell", "*") in (cell.get("id"), "*"):
            cell.source = cell.source.replace(fix["new"], fix["old"])
    return cell


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
@pytest.mark.parametrize("view", ["source", "release"])
def test_built_notebooks_are_todays_apart_from_the_intended_fixes(aid, view):
    nb = build.build(build.SOURCES_DIR / f"{aid}.py")
    cells = nb.cells if view == "source" else release_view(nb).cells
    before = BEFORE[aid][view]
    assert [c.get("id") for c in cells] == [f[0] for f in before], "cells added, removed or reordered"
    for cell, old in zip(cells, before):
        assert fingerprint(without_fixes(aid, cell)) == old, (
            f"{aid} {view} cell {cell.get('id')} differs from before by more than the intended fixes")


def test_every_intended_fix_is_in_the_notebooks():
    """A fix that no longer matches anything would hide a change it does not describe."""
    texts = {aid: "\n".join(c.source for c in build.build(build.SOURCES_DIR / f"{aid}.py").cells)
             for aid in ASSIGNMENT_IDS}
    for fix in FIXES:
        where = ASSIGNMENT_IDS if fix["notebook"] == "*" else [fix["notebook"]]
        assert any(fix["new"] in texts[aid] for aid in where), f"fix not found: {fix['why']}"


def test_fingerprints_change_with_the_text():
    """The equivalence test can fail: one changed character gives another fingerprint."""
    nb = build.build(build.SOURCES_DIR / f"{ASSIGNMENT_IDS[0]}.py")
    before = fingerprints(nb)["source"][1]
    nb.cells[1].source += " "
    assert fingerprint(nb.cells[1]) != before


def lint_problems(source, filename="<cell>"):
    """pyflakes' findings in ``source``, apart from the idioms of a notebook (:data:`NOTEBOOK_IDIOMS`)."""
    tree = ast.parse(source, filename=filename)
    return [str(m) for m in pyflakes.Checker(tree, filename=filename, builtins=IPYTHON_BUILTINS).messages
            if type(m).__name__ not in NOTEBOOK_IDIOMS]


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_sources_are_lint_clean(aid):
    """Undefined names, shadowed imports and the like in any cell (test cells included) are caught
    by pyflakes before the notebook runs; line numbers point into the source file."""
    path = build.SOURCES_DIR / f"{aid}.py"
    problems = lint_problems(path.read_text(encoding="utf-8"), str(path))
    assert not problems, "\n".join(problems)


def test_lint_finds_a_typo_in_a_hidden_test():
    source = f"def f(x):\n    return x\n\n{BEGIN_HIDDEN}\n{HIDDEN_IMPORTS}\nchecks.expect(f(1) == 1, 'f')\nchekcs.expect(True, 'x')\n"
    assert len(lint_problems(source)) == 1 and "undefined name 'chekcs'" in lint_problems(source)[0]


def test_a_reference_import_becomes_the_reference_code():
    code = expand("from solutions.costs import quadratic_cost, QUADRATIC, CROSS_ENTROPY", {}, references=True)
    assert code.startswith(inspect.getsource(solutions.costs.quadratic_cost).rstrip() + "\n\n\n")
    assert code.endswith("\n".join(line for line in inspect.getsource(solutions.costs).splitlines()
                                   if line.startswith(("QUADRATIC =", "CROSS_ENTROPY ="))))
    marked = expand("from solutions.activations import sigmoid", {}, references=True, with_markers=True)
    assert BEGIN_SOLUTION in marked and '"""' in marked.split(BEGIN_SOLUTION)[0]
    assert reference_import("import solutions") is None and reference_import("from numpy import exp") is None


@pytest.mark.parametrize("text, error", [
    ('# %% role="tests" grade_id="t"\nx = 1\n', "points belong to tests cells"),
    ('# %% role="solved" grade_id="s"\nx = 1\n', "unknown cell role"),
    ('# %% role="locked"\nx = 1\n', "needs a grade_id"),
    ('# %% grade_id="g"\nx = 1\n', "belong to cells with a role"),
    ('# %% rol="locked" grade_id="g"\nx = 1\n', "unknown cell option"),
    ('# %% role="locked" grade_id="g"\n# snippet: later\n', "used before a cell defines it"),
    ('# %% role="locked" grade_id="g"\nfrom solutions.costs import no_such_thing\n', "defines no no_such_thing"),
])
def test_a_source_mistake_is_refused_with_a_clear_message(tmp_path, text, error):
    path = tmp_path / "09_broken.py"
    path.write_text(text, encoding="utf-8")
    with pytest.raises((ValueError, LookupError), match=error):
        build.build(path)


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_assignment_source_folders_hold_only_their_notebook(aid):
    """nbgrader copies every file of an assignment's source folder into the release: the
    folder holds the notebook and nothing else (the percent sources live in authoring/)."""
    files = [p.relative_to(build.ASSIGNMENTS_DIR / aid) for p in (build.ASSIGNMENTS_DIR / aid).rglob("*")
             if p.is_file() and ".ipynb_checkpoints" not in p.parts]
    assert files == [Path(f"{aid}.ipynb")]
    assert not build.SOURCES_DIR.is_relative_to(build.ASSIGNMENTS_DIR)


def hidden_lines(nb):
    """Lines of the hidden blocks (longer than a trivial line) that appear nowhere outside them."""
    inside, outside = [], set()
    for cell in nb.cells:
        visible, _, rest = cell.source.partition(BEGIN_HIDDEN)
        hidden, _, after = rest.partition(END_HIDDEN)
        outside.update(line.strip() for line in (visible + after).splitlines())
        inside += [line.strip() for line in hidden.splitlines() if len(line.strip()) > 30]
    return [line for line in inside if line not in outside]


@pytest.mark.slow
def test_no_release_file_holds_solutions_or_hidden_tests(released_courses, tmp_path):
    """Every file of every built release: no solution code, no hidden tests, nothing of the sources."""
    course = released_courses.copy(tmp_path / "course", ASSIGNMENT_IDS)
    from grader.release import solution_lines
    for aid in ASSIGNMENT_IDS:
        source = nbformat.read(build.notebook_path(aid), as_version=4)
        secrets = solution_lines(source) + [BEGIN_SOLUTION, BEGIN_HIDDEN, HIDDEN_IMPORTS, "from solutions", "role="]
        hidden = hidden_lines(source)
        files = [p for p in course.path("release", ".", aid).rglob("*") if p.is_file()]
        assert any(p.suffix == ".ipynb" for p in files)
        for path in files:
            text = path.read_bytes().decode("utf-8", errors="replace")
            leaked = [s for s in secrets + hidden if s in text]
            assert not leaked, f"{path} holds {leaked[:3]}"
