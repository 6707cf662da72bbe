"""The parallel autograder on a generated class of well-behaved, broken and hostile
submissions, through nbgrader for real: every submission gets a row, a score and a
reason; a crash costs only its own cells; re-runs neither lose nor double anything; and
well-behaved submissions score exactly what plain `nbgrader autograde` gives them."""

import shutil
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader.autograde import autograde, result_marker, STAGING
from grader.course import COURSE_ID, Course
from grader.demo import PERSONAS, generate_class
from grader.execution import Limits
from grader.executors import LocalProcessExecutor
from grader.release import build

AID = "01_sigmoid_neurons"
OTHER = "02_cost_functions"
LIMITS = Limits(cell_timeout=8, notebook_timeout=90, memory_mb=4096)
WELL_BEHAVED = ["ada-perfect", "ben-blank", "cam-partial", "dee-mistake", "eli-sign-slip"]


def per_question(course, student, aid=AID):
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        sub = gb.find_submission(aid, student)
        return {g.name: g.score for nb in sub.notebooks for g in nb.grades}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("class"))
    course.write_config()
    build(course, AID)
    generate_class(course, [AID])
    other = course.source / OTHER / f"{OTHER}.ipynb"
    if other.exists():  # a real notebook of another assignment, under this assignment's name
        shutil.copy(other, course.path("submitted", "ola-other-assignment", AID) / f"{AID}.ipynb")
    results = {r.student: r for r in autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)}
    return course, results


def test_every_submission_has_a_row_and_a_reason(graded):
    course, results = graded
    assert set(results) == set(PERSONAS)
    for r in results.values():
        assert r.status == "graded" and r.max_score == 15
        if r.score < r.max_score:
            assert r.reasons, f"{r.student} lost points without a reason"


EXPECTED = {
    "ada-perfect": 15, "ben-blank": 0, "cam-partial": 3, "dee-mistake": 9, "eli-sign-slip": 9,
    "fay-warning": 15, "gus-infinite-loop": 9, "hal-kernel-killer": 12, "ivy-tamper": 15, "jon-sys-exit": 15,
    "kim-memory-hog": 15, "max-invalid-json": 0, "ned-renamed": 0, "ola-other-assignment": 0,
}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_scores(graded, student):
    _, results = graded
    assert results[student].score == EXPECTED[student], results[student].reasons


def test_a_crash_costs_only_its_own_cells(graded):
    course, results = graded
    assert per_question(course, "hal-kernel-killer") == {"test_perceptron_output": 0, "test_sigmoid": 6, "test_sigmoid_prime": 6}
    assert any("kernel died" in r for r in results["hal-kernel-killer"].reasons)
    assert per_question(course, "gus-infinite-loop") == {"test_perceptron_output": 3, "test_sigmoid": 6, "test_sigmoid_prime": 0}
    assert any("longer than the limit" in r for r in results["gus-infinite-loop"].reasons)
    lea = results["lea-chatty"]  # a million lines: either printed in time (full marks) or its cell was stopped
    assert lea.score == 15 or (lea.score == 12 and any("limit" in r for r in lea.reasons))


def test_reasons_name_what_happened(graded):
    _, results = graded
    text = {s: " ".join(r.reasons) for s, r in results.items()}
    assert "not a valid notebook" in text["max-invalid-json"]
    assert "renamed?" in text["ned-renamed"]
    assert "restored from the master copy" in text["ivy-tamper"] and "edited" in text["ivy-tamper"]
    assert "read-only cells" in text["ola-other-assignment"] or "lost" in text["ola-other-assignment"]
    assert "lost 6 on test_sigmoid_prime" in text["dee-mistake"]


def test_rerun_skips_and_a_killed_run_redoes_only_the_unfinished(graded):
    course, results = graded
    again = autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)
    assert {r.status for r in again} == {"skipped"}
    assert {r.student: r.score for r in again} == {s: r.score for s, r in results.items()}
    # a run killed before finishing two students: their results were never recorded
    staging = course.root / STAGING / AID
    for student in ["ada-perfect", "dee-mistake"]:
        result_marker(staging, student).unlink()
    redo = {r.student: r for r in autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)}
    assert {s for s, r in redo.items() if r.status == "graded"} == {"ada-perfect", "dee-mistake"}
    assert redo["ada-perfect"].score == 15 and redo["dee-mistake"].score == 9
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        assert len(gb.assignment_submissions(AID)) == len(PERSONAS)  # nothing doubled


def test_well_behaved_scores_equal_plain_serial_nbgrader(graded, tmp_path):
    course, _ = graded
    plain = tmp_path / "plain"
    shutil.copytree(course.root / "release", plain / "release")
    for student in WELL_BEHAVED:
        shutil.copytree(course.path("submitted", student, AID), plain / "submitted" / student / AID)
    shutil.copytree(course.source / AID, plain / "source" / AID)
    (plain / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'backprop'\n")
    bin_dir = str(__import__("pathlib").Path(sys.executable).parent)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": str(tmp_path)}
    for step in (["generate_assignment", AID, "--force"], ["autograde", AID, "--force"]):
        subprocess.run([f"{bin_dir}/nbgrader", *step], cwd=plain, env=env, check=True, capture_output=True)
    reference = Course(plain, source=plain / "source")
    for student in WELL_BEHAVED:
        assert per_question(course, student) == per_question(reference, student), student
