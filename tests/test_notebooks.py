"""The source notebooks: built from their content, solution code identical to `solutions`,
nbgrader metadata complete, and every notebook runs top to bottom with all tests passing."""

import ast
import inspect
import re
import textwrap

import pytest

import solutions
from authoring import build
from grader.checker.plan import defined_names
from authoring.cells import HIDDEN_IMPORTS
from grader.notebook_cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION

from grader.notebook_cells import grade_id, has_nbgrader_metadata, is_locked, is_solution, nbgrader_meta, points
from notebook_tools import ASSIGNMENT_IDS, errors, execute, grade_cells, read, solution_cells

NOTEBOOKS = {aid: build.notebook_path(aid) for aid in ASSIGNMENT_IDS}


def test_committed_notebooks_match_their_content():
    assert build.main(["--check"]) == 0, "run: python -m authoring.build"


def reference_function(name):
    for module_name in ["activations", "costs", "hadamard", "backprop_equations", "network", "bias_folding",
                        "toy_networks", "gradcheck", "training", "plots", "autodiff", "autodiff_network",
                        "initialisation", "vanishing", "other_activations", "backprop_activation", "softmax_layer",
                        "regularisation"]:
        module = getattr(solutions, module_name)
        if hasattr(module, name) and inspect.isfunction(getattr(module, name)):
            return getattr(module, name)
    return None


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_solution_code_is_the_reference_code(aid):
    """Every function defined in a solution cell is, marker lines aside, the function in `solutions`."""
    nb = read(NOTEBOOKS[aid])
    compared = 0
    for cell in solution_cells(nb):
        source = "\n".join(line for line in cell.source.splitlines()
                           if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION))
        for node in ast.parse(source).body:
            if isinstance(node, ast.FunctionDef):
                reference = reference_function(node.name)
                if reference is None:
                    continue
                assert ast.get_source_segment(source, node) == textwrap.dedent(inspect.getsource(reference)).rstrip()
                compared += 1
    assert compared >= 1


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_grade_cells_are_complete(aid):
    nb = read(NOTEBOOKS[aid])
    ids = [grade_id(c) for c in nb.cells if has_nbgrader_metadata(c)]
    assert len(ids) == len(set(ids)), "grade_ids must be unique"
    graded = grade_cells(nb)
    assert graded
    for cell in graded:
        assert points(cell) > 0 and is_locked(cell) and not is_solution(cell)
        assert grade_id(cell).startswith("test_")
        assert cell.source.count(BEGIN_HIDDEN) == 1 and cell.source.count(END_HIDDEN) == 1
        # the failure wording tells a hidden failure by this line having been printed before it
        visible = cell.source.split(BEGIN_HIDDEN)[0].rstrip()
        assert re.search(r'print\(f?"visible [^"\n]* passed"\)$', visible), f"{grade_id(cell)}: visible part must end " \
            'with print("visible … tests passed")'
        assert nbgrader_meta(cell)["schema_version"] == 3
    test_ids = {grade_id(c) for c in graded}
    for cell in solution_cells(nb):
        assert f"test_{grade_id(cell)}" in test_ids, "each solution cell X has its test cell test_X"
    # the first code cell is the locked set-up cell importing the answer-free student kit, not the grader
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert is_locked(first_code) and "from backprop_kit import checks" in first_code.source
    assert "grader" not in first_code.source and "oracle" not in first_code.source
    for cell in nb.cells:
        assert "import solutions" not in cell.source and "from solutions" not in cell.source


def _visible(source):
    """The source without its hidden-test blocks (what the release shows)."""
    while BEGIN_HIDDEN in source:
        before, rest = source.split(BEGIN_HIDDEN, 1)
        source = before + rest.split(END_HIDDEN, 1)[-1]
    return source


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_only_hidden_tests_reach_the_grader_side(aid):
    """Hidden blocks import the trusted helpers themselves; nothing outside them names the grader or an oracle."""
    nb = read(NOTEBOOKS[aid])
    for cell in grade_cells(nb):
        hidden = cell.source.split(BEGIN_HIDDEN, 1)[1].split(END_HIDDEN, 1)[0]
        assert hidden.lstrip("\n").startswith(HIDDEN_IMPORTS + "\n"), grade_id(cell)
    for cell in nb.cells:
        shown = _visible(cell.source)
        for word in ("oracle", "grader", "expect_gradient"):
            assert word not in shown, f"{cell.get('id')}: '{word}' outside the hidden tests"


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_test_cells_do_not_rebind_answer_names(aid):
    """A test cell that bound a name an answer cell defines would shadow the student's function when graded."""
    nb = read(NOTEBOOKS[aid])
    answers = set().union(*(defined_names(c.source) for c in solution_cells(nb)))
    assert answers
    for cell in grade_cells(nb):
        clash = defined_names(cell.source) & answers
        assert not clash, f"{grade_id(cell)} binds {sorted(clash)}"


#: Points per assignment, as the README's table states them (the course total is their sum).
POINTS = {"01_sigmoid_neurons": 15, "02_cost_functions": 20, "03_hadamard_forward": 20, "04_backpropagation": 30,
          "05_training": 15, "06_deep_networks": 30}


def test_course_totals_130_points():
    assert ASSIGNMENT_IDS == list(POINTS)
    found = {aid: sum(points(c) for c in grade_cells(read(NOTEBOOKS[aid]))) for aid in ASSIGNMENT_IDS}
    assert found == POINTS
    assert sum(found.values()) == 130


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_solved_notebook_runs_with_every_test_passing(aid):
    nb = read(NOTEBOOKS[aid])
    seconds = execute(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not errors(cell), f"{cell.get('id')}: {errors(cell)}"
            stderr = [o for o in cell.get("outputs", []) if o.get("name") == "stderr"]
            assert not stderr, f"{cell.get('id')} wrote to stderr (nbgrader scores such cells 0): {stderr}"
    print(f"{aid}: executed in {seconds:.1f} s")
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code")
