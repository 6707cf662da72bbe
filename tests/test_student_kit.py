"""The student kit: a release runs where only numpy, matplotlib and JupyterLab are
installed (the environment `make test` creates in .venv-student), and nothing a student
receives defines or imports an answer."""

import ast
import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sample_class.submissions import solved_submission
from grader.notebook_cells import is_grade
from grader.release import KIT_PACKAGES

from notebook_tools import ASSIGNMENT_IDS, errors, grade_cells, grade_id, solution_cells

pytestmark = pytest.mark.slow

STUDENT_PYTHON = Path(os.environ.get("BACKPROP_STUDENT_PYTHON", Path(__file__).parents[1] / ".venv-student/bin/python"))


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
