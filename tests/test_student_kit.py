"""The student kit: a release runs where only numpy, matplotlib and JupyterLab are
installed (the environment `make test` creates in .venv-student), and nothing a student
receives defines or imports an answer."""

import ast
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sample_class.submissions import replace_function, solved_submission
from grader.notebook_cells import is_grade
from grader.release import KIT_PACKAGES

from notebook_tools import ASSIGNMENT_IDS, errors, grade_cells, grade_id, solution_cells

pytestmark = pytest.mark.slow

STUDENT_PYTHON = Path(os.environ.get("BACKPROP_STUDENT_PYTHON", Path(__file__).parents[1] / ".venv-student/bin/python"))
KIT = Path(__file__).parents[1] / "backprop_kit"
#: The terminal colours IPython puts into a traceback.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture(scope="module")
def student_kernel(tmp_path_factory):
    """A Jupyter kernel spec running the student environment's Python."""
    if not STUDENT_PYTHON.exists():
        pytest.fail(f"no student environment at {STUDENT_PYTHON}: `make test` creates it "
                    "(numpy, matplotlib and jupyterlab only)")
    root = tmp_path_factory.mktemp("student-kernel")
    spec = root / "kernels" / "student-env"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(STUDENT_PYTHON), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student", "language": "python", "env": {"PYTHONPATH": ""}}))
    return str(root)


@pytest.fixture(scope="module")
def course(released_courses, tmp_path_factory):
    return released_courses.copy(tmp_path_factory.mktemp("kit") / "course", ASSIGNMENT_IDS)


def run_as_student(nb, folder, jupyter_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", jupyter_path)
    NotebookClient(nb, kernel_name="student-env", timeout=180, allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


def test_the_student_environment_holds_only_what_students_install(tmp_path):
    if not STUDENT_PYTHON.exists():
        pytest.fail(f"no student environment at {STUDENT_PYTHON}: `make test` creates it")
    probe = ("import importlib.util as u, json; print(json.dumps({m: u.find_spec(m) is not None for m in "
             "['numpy', 'matplotlib', 'jupyterlab', 'ipykernel', 'nbgrader', 'grader', 'solutions', 'backprop_kit', "
             "'datasets', 'sandbox_runner']}))")
    found = json.loads(subprocess.run([str(STUDENT_PYTHON), "-c", probe], capture_output=True, text=True,
                                      check=True, env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path).stdout)
    assert all(found[m] for m in ["numpy", "matplotlib", "jupyterlab", "ipykernel"])
    assert not any(found[m] for m in ["nbgrader", "grader", "solutions", "backprop_kit", "datasets", "sandbox_runner"])


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_a_release_runs_with_numpy_matplotlib_and_jupyterlab_alone(course, student_kernel, tmp_path, monkeypatch, aid):
    folder = tmp_path / aid
    shutil.copytree(course.path("release", ".", aid), folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{aid}.ipynb", *KIT_PACKAGES])
    release = nbformat.read(folder / f"{aid}.ipynb", as_version=4)
    ran = run_as_student(nbformat.from_dict(json.loads(json.dumps(release))), folder, student_kernel, monkeypatch)
    for cell in ran.cells:
        if cell.cell_type != "code":
            continue
        names = [e["ename"] for e in errors(cell)]
        assert not {"ModuleNotFoundError", "ImportError"} & set(names), (cell.source[:200], errors(cell))
        if is_grade(cell):
            assert names, f"{grade_id(cell)} passes on the bare stubs"
        else:
            assert not names, (cell.source[:200], errors(cell))
    source = nbformat.read(course.source / aid / f"{aid}.ipynb", as_version=4)
    solved = run_as_student(solved_submission(source, release), folder, student_kernel, monkeypatch)
    failing = {grade_id(c) or c.source[:60]: errors(c) for c in solved.cells
               if c.cell_type == "code" and errors(c)}
    assert not failing
    assert all("passed" in "".join(o.get("text", "") for o in c.outputs) for c in grade_cells(solved))


def test_nothing_students_receive_defines_an_answer(course):
    answers = set()
    for aid in ASSIGNMENT_IDS:
        source = nbformat.read(course.source / aid / f"{aid}.ipynb", as_version=4)
        for cell in solution_cells(source):
            answers |= {node.name for node in ast.walk(ast.parse(cell.source)) if isinstance(node, ast.FunctionDef)}
    assert {"sigmoid", "softmax", "bp2_hidden_error", "central_difference", "sgd"} <= answers
    for path in sorted(course.root.joinpath("release").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defined = {node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
        imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in node.names} | {node.module.split(".")[0] for node in ast.walk(tree)
                                                if isinstance(node, ast.ImportFrom) and node.module}
        assert not defined & answers, f"{path} defines {defined & answers}"
        assert not imported & {"grader", "solutions", "sandbox_runner"}, f"{path} imports {imported}"


def shown(cell):
    """What the student sees of a cell's failure: its traceback lines, colours removed."""
    return "\n".join(ANSI.sub("", part) for output in errors(cell) for part in output["traceback"]).splitlines()


def kit_source_lines():
    """The lines of the kit's source long enough to recognise in a traceback."""
    lines = {line.strip() for path in KIT.glob("*.py") for line in path.read_text(encoding="utf-8").splitlines()}
    return {line for line in lines if len(line) >= 12 and not line.startswith("#")}


def test_a_failing_check_shows_the_test_line_and_the_message_not_the_helpers(student_kernel, tmp_path, monkeypatch):
    """IPython shows a frame's source for every frame of a traceback that does not hide itself;
    a CheckFailed shows the notebook's lines and the message, none of the helpers' source (their
    frames and the ``with`` plumbing that leads into them are left out)."""
    shutil.copytree(KIT, tmp_path / "backprop_kit")
    stand_in = (
        "def forward_stand_in(x):\n"
        "    checks.expect_shape(x, (2, 'm'), 'the x passed to feedforward', hint='inputs are columns')\n"
        "    return x\n"
        "with checks.trusted(globals(), feedforward=forward_stand_in):\n"
        "    backprop(np.zeros(2))")
    cells = {
        "setup": "import numpy as np\nfrom backprop_kit import checks",
        "answers": ("def sigmoid_prime(z):\n    return 0.5 + 0 * z\n\n"
                    "def backprop(x):\n    return feedforward(x.ravel())\n\n"
                    "def stub(z):\n    raise NotImplementedError()"),
        "close": "checks.expect_close(sigmoid_prime(0.0), 0.25, \"σ'(0)\", hint=\"σ'(z) = σ(z)(1 − σ(z))\")",
        "shape": "x = np.zeros(3)\nchecks.expect_shape(x, (2, 1), 'δ²')",
        "trusted": "with checks.trusted(globals(), 'sigmoid'):\n    checks.expect(False, 'δᴸ is missing the ⊙σ′(zᴸ) factor (BP1)')",
        "warnings": "with checks.no_warnings('e^z at z = 1000'):\n    np.exp(np.array(1000.0))",
        "in_place": "checks.expect_inputs_unchanged(lambda a: a.__iadd__(1), np.zeros(2), name='f')",
        "stand_in": stand_in,
        "stub": "checks.expect_inputs_unchanged(stub, np.zeros(2), name='stub')",
    }
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source, id=key) for key, source in cells.items()])
    ran = {cell.id: cell for cell in run_as_student(nb, tmp_path, student_kernel, monkeypatch).cells}
    assert not errors(ran["setup"]) and not errors(ran["answers"])
    expected = {
        "close": ("----> 1 checks.expect_close(sigmoid_prime(0.0), 0.25",
                  "CheckFailed: σ'(0) is wrong: expected 0.25, got 0.5. σ'(z) = σ(z)(1 − σ(z))"),
        "shape": ("----> 2 checks.expect_shape(x, (2, 1), 'δ²')", "CheckFailed: δ² has shape (3,), expected (2, 1)"),
        "trusted": ("----> 2     checks.expect(False,",
                    "CheckFailed: δᴸ is missing the ⊙σ′(zᴸ) factor (BP1) (this check used your own sigmoid; the "
                    "graded version uses known-good ones)"),
        "warnings": ("----> 1 with checks.no_warnings('e^z at z = 1000'):",
                     "CheckFailed: e^z at z = 1000 is not numerically stable: overflow encountered in exp"),
        "in_place": ("----> 1 checks.expect_inputs_unchanged(lambda a: a.__iadd__(1)",
                     "CheckFailed: f changed its argument number 1 in place; work on a copy instead"),
        "stand_in": ("----> 5     backprop(np.zeros(2))",
                     "CheckFailed: the x passed to feedforward has shape (2,), expected (2, m). inputs are columns"),
    }
    helpers = kit_source_lines()
    for key, (line, message) in expected.items():
        text = shown(ran[key])
        assert [e["ename"] for e in errors(ran[key])] == ["CheckFailed"], (key, text)
        assert any(shown_line.startswith(line) for shown_line in text), (key, text)
        assert text[-1] == message, (key, text)
        assert not [shown_line for shown_line in text if re.sub(r"^(---->|\s)*\d+ ", "", shown_line).strip() in helpers
                    or "backprop_kit" in shown_line], (key, text)
        if key != "stand_in":   # the header, the cell's lines and the message (12 to 22 lines before)
            assert len(text) <= 7, (key, text)
    # the stand-in's failure shows the way there: the test's line, the answer's line, the stand-in's line
    text = shown(ran["stand_in"])
    assert any(line.startswith("----> 5     return feedforward(x.ravel())") for line in text), text
    assert any(line.startswith("----> 2     checks.expect_shape(x, (2, 'm')") for line in text), text
    # an error of the student's own code inside a helper: IPython leaves out the helper's frame itself
    text = shown(ran["stub"])
    assert [e["ename"] for e in errors(ran["stub"])] == ["NotImplementedError"]
    assert any(line.startswith("----> 1 checks.expect_inputs_unchanged(stub") for line in text), text
    assert any("raise NotImplementedError()" in line for line in text), text
    assert not [line for line in text if re.sub(r"^(---->|\s)*\d+ ", "", line).strip() in helpers
                or "backprop_kit" in line], text


@pytest.mark.parametrize("aid, function, swap, cell, message", [
    ("04_backpropagation", "backprop", ("feedforward(weights, biases, x, ", "feedforward(weights, biases, x.ravel(), "),
     "test_backprop", "CheckFailed: the x that backprop passed to feedforward has shape (1,), expected (n₁, m). inputs "
                      "are columns, one per sample: pass feedforward the x that backprop was given"),
    ("05_training", "sgd", ("sgd_step(weights, biases, x_batch, y_batch, ", "sgd_step(weights, biases, x_batch.ravel(), y_batch, "),
     "test_sgd", "CheckFailed: an x_batch that sgd passed to sgd_step has shape (30,), expected (3, m). a mini-batch is a "
                 "block of columns of x_train, x_train[:, batch]"),
])
def test_a_wrongly_shaped_argument_gets_the_course_s_hint_not_a_crash_of_the_test(
        course, student_kernel, tmp_path, monkeypatch, aid, function, swap, cell, message):
    """A test's own arithmetic on what the student's code passed (a stand-in's w @ a + b, a batch's
    shape[1]) is preceded by a shape check with the course's words."""
    folder = tmp_path / aid
    shutil.copytree(course.path("release", ".", aid), folder)
    release = nbformat.read(folder / f"{aid}.ipynb", as_version=4)
    source = nbformat.read(course.source / aid / f"{aid}.ipynb", as_version=4)
    wrong, changed = replace_function(solved_submission(source, release), function, swap=swap)
    assert changed == function
    ran = run_as_student(wrong, folder, student_kernel, monkeypatch)
    test = next(c for c in ran.cells if grade_id(c) == cell)
    text = shown(test)
    assert [e["ename"] for e in errors(test)] == ["CheckFailed"], text
    assert text[-1].startswith(message), text    # (test_backprop's trusted block adds which functions were yours)
    assert not [line for line in text if "backprop_kit" in line], text
