"""The instructor's demo on one assignment, through the command line and nbgrader for real:
a generated class of well-behaved, broken and hostile submissions is built, graded in
parallel, exported, fed back and reported. Every submission gets a row, a score and a
reason; a crash costs only its own cells; re-runs neither lose nor double anything; and
well-behaved submissions score exactly what plain `nbgrader autograde` gives them."""

import contextlib
import csv
import html
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grader.autograde import STAGING, SubmissionResult, autograde, result_marker
from grader.checker.limits import Limits
from grader.course import COURSE_ID, Course
from grader.executors import LocalProcessExecutor
from grader.notebook_cells import grade_id, has_nbgrader_metadata
from sample_class.demo import main as demo_main
from sample_class.personas import HOSTILE, PERSONAS

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
LIMITS = Limits(cell_timeout=10, notebook_timeout=120, memory_mb=4096)
WELL_BEHAVED = ["ada-perfect", "ben-blank", "cam-partial", "dee-mistake", "eli-sign-slip"]


def per_question(course, student, aid=AID):
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        sub = gb.find_submission(aid, student)
        return {g.name: g.score for nb in sub.notebooks for g in nb.grades}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert demo_main(["--course", str(root), AID, "--workers", "2"]) == 0
    return Course(root), out.getvalue()


@pytest.fixture(scope="module")
def graded(demo_run):
    course, _ = demo_run
    staging = course.root / STAGING / AID
    results = {s: SubmissionResult(**json.loads(result_marker(staging, s).read_text())) for s in EVERYONE}
    return course, results


def test_demo_prints_the_table_and_writes_csv_feedback_report(demo_run):
    course, printed = demo_run
    for student in EVERYONE:
        assert student in printed
    assert "ada-perfect" in printed and "15/15" in printed
    csv_text = (course.root / "grades.csv").read_text()
    assert csv_text.count("\n") == 1 + len(EVERYONE)
    assert (course.root / "report" / "index.html").exists()
    assert str((course.root / "report" / "index.html").resolve()) in printed
    feedback = course.root / "feedback" / "hal-kernel-killer" / AID / f"{AID}.html"
    assert feedback.exists() and "test_sigmoid" in feedback.read_text()
    canvas = course.root / "canvas-grades.csv"  # the roster's students, by SIS login id, in the roster's order
    assert str(canvas.resolve()) in printed
    rows = list(csv.reader(canvas.open(encoding="utf-8-sig")))
    assert rows[1][0].strip() == "Points Possible" and [r[3] for r in rows[2:]] == list(EVERYONE)


def test_every_submission_has_a_row_and_a_reason(graded):
    course, results = graded
    assert set(results) == set(EVERYONE)
    for r in results.values():
        assert r.status == "graded" and r.max_score == 15
        if r.score < r.max_score:
            assert r.reasons, f"{r.student} lost points without a reason"


EXPECTED = {
    "ada-perfect": 15, "ben-blank": 0, "cam-partial": 3, "dee-mistake": 9, "eli-sign-slip": 9,
    "fay-warning": 15, "gus-infinite-loop": 9, "hal-kernel-killer": 12, "ivy-tamper": 15, "ian-extra-cells": 15,
    "jon-sys-exit": 12, "kim-memory-hog": 12, "max-invalid-json": 0, "ned-renamed": 0, "ola-other-assignment": 0,
    # hostile: each scores its honest work (perceptron 3, σ 6, σ' 6)
    "eve-patches-numpy": 0, "fox-patches-checks": 0, "gil-hides-errors": 0, "hux-patches-inside": 12,
    "ida-imports-solutions": 9, "jay-reads-disk": 12, "kai-always-true": 9, "lou-hardcodes": 9,
    "zed-leaves-traces": 15,
}
EVERYONE = {**PERSONAS, **HOSTILE}


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_scores(graded, student):
    _, results = graded
    assert results[student].score == EXPECTED[student], results[student].reasons


def test_a_crash_costs_only_its_own_cells(graded):
    course, results = graded
    assert per_question(course, "hal-kernel-killer") == {"test_perceptron_output": 0, "test_sigmoid": 6, "test_sigmoid_prime": 6}
    assert any("process died while running perceptron_output" in r for r in results["hal-kernel-killer"].reasons)
    assert per_question(course, "gus-infinite-loop") == {"test_perceptron_output": 3, "test_sigmoid": 6, "test_sigmoid_prime": 0}
    assert per_question(course, "hux-patches-inside") == {"test_perceptron_output": 0, "test_sigmoid": 6, "test_sigmoid_prime": 6}
    assert any("sigmoid_prime did not finish within the time limit" in r for r in results["gus-infinite-loop"].reasons)
    lea = results["lea-chatty"]  # a million lines: printed in time (full marks), or its test was stopped
    assert lea.score == 15 or (lea.score == 12 and any("limit" in r for r in lea.reasons))


def test_reasons_name_what_happened(graded):
    _, results = graded
    text = {s: " ".join(r.reasons) for s, r in results.items()}
    assert "not a valid notebook" in text["max-invalid-json"]
    assert "renamed?" in text["ned-renamed"]
    assert "restored from the master copy" in text["ivy-tamper"] and "edited" in text["ivy-tamper"]
    assert "read-only cells" in text["ola-other-assignment"] or "lost" in text["ola-other-assignment"]
    assert "lost 6: test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong" in text["dee-mistake"]


def test_a_failure_reads_the_same_in_validate_the_grade_table_the_report_and_the_feedback(demo_run, tmp_path):
    from grader.report import class_report
    from grader.validate import format_results, validate
    course, printed = demo_run
    submitted = course.path("submitted", "dee-mistake", AID) / f"{AID}.ipynb"
    checked = validate(submitted, LIMITS, master=course.source / AID / f"{AID}.ipynb")
    [failed] = [r for r in checked if r.points < r.max_points]
    wording = failed.message
    assert wording.startswith("test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong: expected 0.25")
    assert f"FAIL  {'test_sigmoid_prime':<34} 0/6\n      {wording}\n" in format_results(checked, hidden=True)
    row = printed.split("\ndee-mistake ", 1)[1].split("\n")[1:]
    reasons = row[:next(i for i, line in enumerate(row) if not line.startswith("    - "))]
    assert f"    - lost 6: {wording}" in reasons
    page = class_report(course, tmp_path, top=1000).read_text(encoding="utf-8")
    shown = [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in re.findall(r"<td><span[^>]*>(.*?)</span></td>", page)]
    assert wording in shown
    feedback = (course.root / "feedback" / "dee-mistake" / AID / f"{AID}.html").read_text(encoding="utf-8")
    assert wording in html.unescape(re.sub(r"<[^>]+>", "", feedback))
    assert "Traceback (most recent call last)" not in feedback


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
        assert len(gb.assignment_submissions(AID)) == len(EVERYONE)  # nothing doubled


def test_a_resubmission_is_graded_again_and_only_it(graded):
    course, _ = graded
    notebook = course.path("submitted", "ben-blank", AID) / f"{AID}.ipynb"
    blank = notebook.read_bytes()
    try:
        notebook.write_bytes((course.path("submitted", "ada-perfect", AID) / f"{AID}.ipynb").read_bytes())
        again = {r.student: r for r in autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)}
        assert {s for s, r in again.items() if r.status != "skipped"} == {"ben-blank"}
        assert again["ben-blank"].score == 15
    finally:
        notebook.write_bytes(blank)
    back = {r.student: r for r in autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)}
    assert back["ben-blank"].status == "graded" and back["ben-blank"].score == 0


def test_well_behaved_scores_equal_plain_serial_nbgrader(graded, tmp_path):
    course, _ = graded
    plain = tmp_path / "plain"
    shutil.copytree(course.root / "release", plain / "release")
    for student in WELL_BEHAVED:
        shutil.copytree(course.path("submitted", student, AID), plain / "submitted" / student / AID)
    shutil.copytree(course.source / AID, plain / "source" / AID)
    (plain / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'backprop'\n")
    bin_dir = str(Path(sys.executable).parent)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": str(tmp_path)}
    for step in (["generate_assignment", AID, "--force"], ["autograde", AID, "--force"]):
        subprocess.run([f"{bin_dir}/nbgrader", *step], cwd=plain, env=env, check=True, capture_output=True)
    reference = Course(plain, source=plain / "source")
    for student in WELL_BEHAVED:
        assert per_question(course, student) == per_question(reference, student), student


def test_hostile_code_reaches_neither_gradebook_nor_reference(graded):
    course, results = graded
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        sources = [cell.source for cell in gb.find_notebook(AID, AID).source_cells]
    assert sources and not any(source.strip() == "pass" for source in sources)  # the master tests are intact
    text = {s: " ".join(r.reasons) for s, r in results.items()}
    assert "No module named 'solutions'" in text["ida-imports-solutions"]
    assert "No module named 'grader'" in text["hux-patches-inside"]  # the trusted helpers are not in the sandbox
    assert "NotImplementedError" in text["eve-patches-numpy"]  # its patch changed only its own process


def test_deleted_answer_and_test_cells_cost_only_their_own_points(graded, tmp_path):
    """nbgrader alone stops on a notebook missing an answer cell and its test cell."""
    course, _ = graded
    solved = course.path("submitted", "ada-perfect", AID) / f"{AID}.ipynb"
    nb = __import__("nbformat").read(solved, as_version=4)
    nb.cells = [c for c in nb.cells if grade_id(c) not in ("sigmoid", "test_sigmoid")]
    folder = course.path("submitted", "pat-deleted-cells", AID)
    folder.mkdir(parents=True)
    __import__("nbformat").write(nb, folder / f"{AID}.ipynb")
    [result] = autograde(course, AID, LocalProcessExecutor(2), LIMITS, students=["pat-deleted-cells"], progress=False)
    # σ' is tested with a trusted σ, so only the σ cell is lost
    assert per_question(course, "pat-deleted-cells") == {"test_perceptron_output": 3, "test_sigmoid": 0, "test_sigmoid_prime": 6}
    assert any("put back as released" in r for r in result.reasons)


def test_validate_grades_every_submission_as_autograde_did(graded):
    """Same engine, same master, same repairs: the same points for every cell."""
    from grader.validate import validate
    course, _ = graded
    master = course.source / AID / f"{AID}.ipynb"
    unreadable = {"max-invalid-json", "ned-renamed"}  # no readable notebook under the assignment's name: 0 by rule
    for student in sorted(set(EVERYONE) - unreadable):
        results = validate(course.path("submitted", student, AID) / f"{AID}.ipynb", LIMITS, master=master)
        assert {r.grade_id: r.points for r in results} == per_question(course, student), student


def test_a_deleted_set_up_cell_costs_nothing_in_autograde_and_validate(graded):
    """The set-up cell runs from the master copy wherever (and whether) the submission has it."""
    import nbformat
    from grader.validate import validate
    course, _ = graded
    nb = nbformat.read(course.path("submitted", "ada-perfect", AID) / f"{AID}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if grade_id(c) != "setup"]
    folder = course.path("submitted", "sue-no-setup", AID)
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{AID}.ipynb")
    [result] = autograde(course, AID, LocalProcessExecutor(2), LIMITS, students=["sue-no-setup"], progress=False)
    assert result.score == 15, result.reasons
    checked = validate(folder / f"{AID}.ipynb", LIMITS, master=course.source / AID / f"{AID}.ipynb")
    assert {r.grade_id: r.points for r in checked} == per_question(course, "sue-no-setup")


def test_a_notebook_with_a_byte_order_mark_is_graded(graded, tmp_path):
    """Windows editors start UTF-8 files with a byte-order mark; the notebook is still read."""
    course, _ = graded
    solved = course.path("submitted", "ada-perfect", AID) / f"{AID}.ipynb"
    folder = tmp_path / "downloads" / "bo-windows"
    folder.mkdir(parents=True)
    (folder / f"{AID}.ipynb").write_bytes(b"\xef\xbb\xbf" + solved.read_bytes())
    from grader.collect import collect
    assert len(collect(course, AID, tmp_path / "downloads").placed) == 1
    [result] = autograde(course, AID, LocalProcessExecutor(2), LIMITS, students=["bo-windows"], progress=False)
    assert result.score == 15, result.reasons


def test_only_notebooks_reach_the_graded_copy_and_the_feedback(graded, tmp_path):
    """Files next to a notebook (links to the gradebook or the source notebook, say) are not
    copied anywhere; a linked notebook is not graded."""
    course, _ = graded
    folder = course.path("submitted", "sid-symlinks", AID)
    folder.mkdir(parents=True)
    shutil.copy(course.path("submitted", "ada-perfect", AID) / f"{AID}.ipynb", folder / f"{AID}.ipynb")
    (folder / "gradebook.db").symlink_to(course.root / "gradebook.db")
    (folder / "answers.ipynb.txt").symlink_to(course.source / AID / f"{AID}.ipynb")
    (folder / "notes.txt").write_text("my notes")
    linked = course.path("submitted", "tim-linked", AID)
    linked.mkdir(parents=True)
    (linked / f"{AID}.ipynb").symlink_to(course.source / AID / f"{AID}.ipynb")
    results = {r.student: r for r in autograde(course, AID, LocalProcessExecutor(2), LIMITS,
                                              students=["sid-symlinks", "tim-linked"], progress=False)}
    assert results["sid-symlinks"].score == 15 and results["tim-linked"].score == 0
    assert any("symbolic link" in reason for reason in results["tim-linked"].reasons)
    from grader.feedback import generate_feedback
    generate_feedback(course, AID, "sid-symlinks")
    for step in ("autograded", "feedback"):
        names = {p.name for p in course.path(step, "sid-symlinks", AID).iterdir()}
        assert not names & {"gradebook.db", "answers.ipynb.txt", "notes.txt"}, (step, names)


def test_missing_cells_come_back_in_release_order():
    import nbformat
    from grader.staging import restore_missing_cells
    released = nbformat.read(Path(__file__).parents[1] / "assignments" / AID / f"{AID}.ipynb", as_version=4)
    ids = lambda nb: [grade_id(c) for c in nb.cells if has_nbgrader_metadata(c)]  # noqa: E731
    submission = nbformat.from_dict(json.loads(json.dumps(released)))
    gone = {"perceptron_output", "sigmoid", "test_sigmoid"}
    submission.cells = [c for c in submission.cells if grade_id(c) not in gone]
    assert sorted(restore_missing_cells(submission, released.cells)) == sorted(gone)
    assert ids(submission) == ids(released)
