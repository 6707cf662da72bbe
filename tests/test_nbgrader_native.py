"""nbgrader's own commands on a course made by backprop-grader run the trusted path too:
`nbgrader autograde` and the formgrader's Autograde button (NbGraderAPI.autograde) take
TrustedExecute from the course's nbgrader_config.py. A submission that plain nbgrader
gives full marks — it patches the check helpers in the kernel the tests share — scores
what its work deserves: nothing."""

import copy
import html
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

from grader.course import COURSE_ID, Course
from grader.notebook_cells import solution_cells
from sample_class.personas import HOSTILE
from sample_class.submissions import replace_function, solved_submission, write_submission
from grader.trusted_execute import TrustedExecute

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
PATCH = """
import backprop_kit.checks as _kit
import grader.checks as _trusted
for _module in (_kit, _trusted):
    for _name in ("expect", "expect_close", "expect_shape", "expect_gradient"):
        setattr(_module, _name, lambda *a, **k: None)
"""


def patcher(ctx):
    """Every function returns 0; the first answer cell patches both check modules."""
    nb = copy.deepcopy(ctx["release"])
    answers = solution_cells(nb)
    for cell in answers:
        header = next(line for line in cell.source.splitlines() if line.startswith("def "))
        cell.source = header + "\n    return 0\n"
    answers[0].source += PATCH
    return nb


def scores(course):
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        return {s.student.id: s.score for s in gb.assignment_submissions(AID)}


def nbgrader(root, *args):
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=root, env=env,
                          capture_output=True, text=True, check=True)


@pytest.fixture(scope="module")
def course(released_courses, tmp_path_factory):
    course = released_courses.copy(tmp_path_factory.mktemp("native") / "course", [AID])
    source = nbformat.read(course.source / AID / f"{AID}.ipynb", as_version=4)
    release = nbformat.read(course.path("release", ".", AID) / f"{AID}.ipynb", as_version=4)
    ctx = {"solved": solved_submission(source, release), "release": release}
    write_submission(course, "ada-perfect", AID, ctx["solved"])
    write_submission(course, "dee-mistake", AID, replace_function(ctx["solved"], "sigmoid_prime",
                                                                  "def sigmoid_prime(z):\n    return sigmoid(z)")[0])
    write_submission(course, "kai-always-true", AID, HOSTILE["kai-always-true"][1](ctx))
    write_submission(course, "pat-patches-checks", AID, patcher(ctx))
    return course


def test_plain_nbgrader_would_give_the_patcher_full_marks(course, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(course.root, plain)
    config = (plain / "nbgrader_config.py").read_text().splitlines()
    (plain / "nbgrader_config.py").write_text("\n".join(
        line.replace(str(course.root), str(plain)) for line in config
        if "TrustedExecute" not in line and "autograde_preprocessors" not in line) + "\n")
    nbgrader(plain, "autograde", AID, "--force")
    assert scores(Course(plain))["pat-patches-checks"] == 15  # the hole the trusted path closes


def test_nbgrader_autograde_runs_the_trusted_path(course):
    nbgrader(course.root, "autograde", AID, "--force")
    assert scores(course) == {"ada-perfect": 15, "dee-mistake": 9, "kai-always-true": 9, "pat-patches-checks": 0}


def test_the_formgraders_autograde_button_runs_the_trusted_path(course):
    """The formgrader builds its API from the course's nbgrader_config.py, as done here."""
    before = TrustedExecute.executed_here
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    outcome = api.autograde(AID, "pat-patches-checks", force=True)
    assert outcome["success"], outcome.get("log")
    assert TrustedExecute.executed_here == before + 1
    assert scores(course)["pat-patches-checks"] == 0


def test_the_formgraders_generate_feedback_button_writes_the_courses_feedback(course):
    """Generate Feedback (NbGraderAPI.generate_feedback, built as the formgrader builds it) writes
    the course's page: tests named in the summary, failures in one line, math as MathML, no
    hidden test and no script."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    assert api.autograde(AID, "dee-mistake", force=True)["success"]
    outcome = api.generate_feedback(AID, "dee-mistake", force=True)
    assert outcome["success"], outcome.get("log")
    page = (course.root / "feedback" / "dee-mistake" / AID / f"{AID}.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "test_sigmoid_prime (Score: 0.0 / 6.0)" in text
    assert "test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong" in text
    assert "<math" in page and "<script" not in page
    assert "BEGIN HIDDEN TESTS" not in page and "Traceback (most recent call last)" not in page
