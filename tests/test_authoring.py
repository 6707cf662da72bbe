"""The notebooks' sources: built into today's notebooks (apart from the intended text fixes),
lint-clean, their directives strict, and nothing of them reaches a release."""

import ast
import inspect
import json
import re
from pathlib import Path

import nbformat
import pytest
from pyflakes import checker as pyflakes

import solutions.costs

from authoring import build
from authoring.cells import HIDDEN_IMPORTS, with_solution_markers
from authoring.directives import SourceError, expand, python_of
from grader.notebook_cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN

from notebook_equivalence import fingerprint, release_view
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


#: The notebooks that existed before their sources became percent files (later ones began as sources).
CONVERTED = [aid for aid in ASSIGNMENT_IDS if aid in BEFORE]


def test_the_converted_notebooks_are_the_first_five():
    assert CONVERTED == ASSIGNMENT_IDS[:5]


@pytest.mark.parametrize("aid", CONVERTED)
@pytest.mark.parametrize("view", ["source", "release"])
def test_built_notebooks_are_todays_apart_from_the_intended_fixes(aid, view):
    nb = built(aid)
    cells = nb.cells if view == "source" else release_view(nb).cells
    assert differing_cells(aid, cells, view) == [], f"{aid} {view}: differs from before by more than the intended fixes"


def test_every_intended_fix_is_in_the_notebooks():
    """A fix that no longer matches anything would hide a change it does not describe."""
    texts = {aid: "\n".join(c.source for c in built(aid).cells) for aid in ASSIGNMENT_IDS}
    for fix in FIXES:
        where = ASSIGNMENT_IDS if fix["notebook"] == "*" else [fix["notebook"]]
        assert any(fix["new"] in texts[aid] for aid in where), f"fix not found: {fix['why']}"


def differing_cells(aid, cells, view):
    """The ids of the cells that differ from before by more than the intended fixes."""
    before = BEFORE[aid][view]
    if [c.get("id") for c in cells] != [f[0] for f in before]:
        return ["cells added, removed or reordered"]
    return [c.get("id") for c, old in zip(cells, before) if fingerprint(without_fixes(aid, c)) != old]


def test_the_equivalence_check_sees_an_unintended_change():
    aid = ASSIGNMENT_IDS[3]
    nb = built(aid)
    assert differing_cells(aid, nb.cells, "source") == []
    target = next(c for c in nb.cells if c.get("id") == "test_bp2_hidden_error")
    target.source = target.source.replace("rtol=", "rtol=10 * ", 1)
    assert differing_cells(aid, nb.cells, "source") == ["test_bp2_hidden_error"]
    nb.cells.pop(0)
    assert differing_cells(aid, nb.cells, "source") == ["cells added, removed or reordered"]


def built(aid):
    return build.build(build.SOURCES_DIR / f"{aid}.py")


def lint_problems(source, filename="<cell>"):
    """pyflakes' findings in ``source``, apart from the idioms of a notebook (:data:`NOTEBOOK_IDIOMS`)."""
    tree = ast.parse(source, filename=filename)
    return [str(m) for m in pyflakes.Checker(tree, filename=filename, builtins=IPYTHON_BUILTINS).messages
            if type(m).__name__ not in NOTEBOOK_IDIOMS]


def notebook_code(nb):
    """The built notebook's code cells as one Python file (magics made calls), and the first line of each cell."""
    code, starts = "", []
    for cell in nb.cells:
        if cell.cell_type == "code":
            starts.append((code.count("\n") + 1, cell.get("id")))
            code += python_of(cell.source).rstrip("\n") + "\n\n"
    return code, starts


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_notebook_code_is_lint_clean(aid):
    """Undefined names, shadowed imports and the like in any cell (hidden tests included), in the
    code the notebook really holds (reference code and snippets expanded), before the notebook runs."""
    code, starts = notebook_code(built(aid))
    problems = []
    for problem in lint_problems(code, aid):
        line = int(problem.split(":")[1])
        first, cell = max((s for s in starts if s[0] <= line), key=lambda s: s[0])
        problems.append(f"cell {cell}, line {line - first + 1}: {problem.split(':', 3)[-1].strip()}")
    assert not problems, "\n".join(problems)


def test_lint_finds_a_typo_in_a_hidden_test():
    source = f"def f(x):\n    return x\n\n{BEGIN_HIDDEN}\n{HIDDEN_IMPORTS}\nchecks.expect(f(1) == 1, 'f')\nchekcs.expect(True, 'x')\n"
    assert len(lint_problems(source)) == 1 and "undefined name 'chekcs'" in lint_problems(source)[0]


def test_a_reference_import_becomes_the_reference_code():
    code = expand("from solutions.costs import quadratic_cost, QUADRATIC, CROSS_ENTROPY", {}, role="locked")
    assert code.startswith(inspect.getsource(solutions.costs.quadratic_cost).rstrip() + "\n\n\n")
    assert code.endswith("\n".join(line for line in inspect.getsource(solutions.costs).splitlines()
                                   if line.startswith(("QUADRATIC =", "CROSS_ENTROPY ="))))
    marked = expand("from solutions.activations import sigmoid", {}, role="solution")
    assert BEGIN_SOLUTION in marked and '"""' in marked.split(BEGIN_SOLUTION)[0]
    assert expand("from numpy import exp\nx = 1", {}, role="locked") == "from numpy import exp\nx = 1"
    assert expand("a = 1\n# snippet: two\nb = 3", {"two": "c = 2"}) == "a = 1\nc = 2\nb = 3"


def test_solution_markers_cover_the_body_and_its_leading_comments():
    def answer(x):
        """Docstring the student keeps."""
        # a hint that gives the answer away
        return 2 * x

    marked = with_solution_markers(answer).splitlines()
    assert marked[1].strip().startswith('"""') and marked[2].strip() == BEGIN_SOLUTION
    assert marked[3].strip().startswith("# a hint") and marked[-1].strip() == "### END SOLUTION"

    def only_a_docstring():
        """Nothing to hide."""

    with pytest.raises(ValueError, match="no body"):
        with_solution_markers(only_a_docstring)


SOURCE_MISTAKES = [
    ('# %% role="tests" grade_id="t"\nx = 1\n', "points belong to tests cells"),
    ('# %% role="tests" grade_id="t" points=0\nx = 1\n', "positive number"),
    ('# %% role="tests" grade_id="t" points="5"\nx = 1\n', "positive number"),
    ('# %% role="solved" grade_id="s"\nx = 1\n', "unknown cell role"),
    ('# %% role="locked"\nx = 1\n', "needs a grade_id"),
    ('# %% role="locked" grade_id="cell-003"\nx = 1\n', "needs a grade_id"),
    ('# %% grade_id="g"\nx = 1\n', "belong to cells with a role"),
    ('# %% rol="locked" grade_id="g"\nx = 1\n', "unknown cell option"),
    ('# %% role=locked\nx = 1\n', "cannot read the cell header"),
    ('# %% [markdown] role="locked"\n# text\n', "markdown cell takes no options"),
    ('# %% [raw]\n# text\n', "raw cells"),
    ('# %% snippet="s" role="locked" grade_id="g"\nx = 1\n', "snippet cell takes no other option"),
    ('# %% snippet="s"\nx = 1\n\n# %% snippet="s"\ny = 2\n', "defined twice"),
    ('# %% role="locked" grade_id="g"\n# snippet: later\n', "used before a cell defines it"),
    ('# %% role="locked" grade_id="g"\n    # snippet: later\n', "at the start of the line"),
    ('# %% role="locked" grade_id="g"\nx = 1\n\n# %% role="solution" grade_id="g"\ny = 2\n', "already used"),
    ('# %% role="locked" grade_id="g"\nfrom solutions.costs import no_such_thing\n', "defines no no_such_thing"),
    ('# %% role="locked" grade_id="g"\nfrom solutions import QUADRATIC\n', "module that defines it"),
    ('# %% role="locked" grade_id="g"\nfrom solutions.costs import quadratic_cost as qc\n', "no `as`"),
    ('# %% role="locked" grade_id="g"\nfrom solutions.costs import (quadratic_cost,\n    QUADRATIC)\n', "one top-level line"),
    ('# %% role="locked" grade_id="g"\ndef f():\n    from solutions.costs import QUADRATIC\n', "one top-level line"),
    ('# %% role="locked" grade_id="g"\nfrom solutions.costs import QUADRATIC; x = 1\n', "nothing else on the line"),
    ('# %% role="locked" grade_id="g"\nimport solutions\n', "one top-level line"),
    ('# %%\nfrom solutions.costs import QUADRATIC\n', "only locked and solution cells"),
    ('# %% role="tests" grade_id="test_g" points=1\nfrom solutions import sigmoid\n', "only locked and solution cells"),
    ('# %% role="locked" grade_id="g"\nx = (\n', "not valid Python"),
]


@pytest.mark.parametrize("text, error", SOURCE_MISTAKES)
def test_a_source_mistake_is_refused_with_a_clear_message(tmp_path, text, error):
    path = tmp_path / "09_broken.py"
    path.write_text("# %% [markdown]\n# A title\n\n" + text, encoding="utf-8")
    with pytest.raises(SourceError, match=re.escape(error)) as raised:
        build.build(path, shared=None)
    assert str(raised.value).startswith("09_broken.py, line "), "the message says where the cell is"


def test_a_broken_source_writes_nothing(tmp_path, monkeypatch, capsys):
    broken = tmp_path / "sources"
    broken.mkdir()
    (broken / "01_fine.py").write_text('# %% role="locked" grade_id="setup"\nx = 1\n', encoding="utf-8")
    (broken / "02_broken.py").write_text('# %% role="locked"\nx = 1\n', encoding="utf-8")
    monkeypatch.setattr(build, "SOURCES_DIR", broken)
    monkeypatch.setattr(build, "SHARED", broken / "shared.py")
    monkeypatch.setattr(build, "sources", lambda folder=broken: sorted(broken.glob("[0-9][0-9]_*.py")))
    assert build.main(["--root", str(tmp_path / "out")]) == 2
    assert "02_broken.py, line 1: a locked cell needs a grade_id" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


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


def file_lines(path):
    """The stripped lines of a release file (of every cell's text, for a notebook)."""
    if path.suffix == ".ipynb":
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    else:
        text = path.read_bytes().decode("utf-8", errors="replace")
    return {line.strip() for line in text.splitlines()}


@pytest.mark.slow
def test_no_release_file_holds_solutions_or_hidden_tests(released_courses, tmp_path):
    """Every file of every built release: no solution code, no hidden tests, nothing of the sources."""
    from grader.release import solution_lines
    course = released_courses.copy(tmp_path / "course", ASSIGNMENT_IDS)
    for aid in ASSIGNMENT_IDS:
        source = nbformat.read(build.notebook_path(aid), as_version=4)
        secret_lines = set(solution_lines(source) + hidden_lines(source))
        secret_words = [BEGIN_SOLUTION, BEGIN_HIDDEN, HIDDEN_IMPORTS, "from solutions", 'role="', "# snippet:"]
        files = [p for p in course.path("release", ".", aid).rglob("*") if p.is_file()]
        assert any(p.suffix == ".ipynb" for p in files) and len(secret_lines) > 20
        for path in files:
            leaked = sorted(secret_lines & file_lines(path))
            leaked += [w for w in secret_words if w in path.read_bytes().decode("utf-8", errors="replace")]
            assert not leaked, f"{path} holds {leaked[:3]}"
