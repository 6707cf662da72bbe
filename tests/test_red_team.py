"""The red-team suite through the real pipeline: built releases, ``collect`` from a folder
of submissions, parallel ``autograde``, ``export``. Every attack of ``tests/red_team.py``
scores exactly what its honest work deserves, correct submissions graded among the
attackers keep full marks and clean outputs, and no output shows the hidden tests."""

import csv
import json
import re
import time

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.checker.limits import Limits
from grader.collect import collect
from grader.course import COURSE_ID
from sample_class.submissions import solved_submission, write_submission
from grader.executors import LocalProcessExecutor, SerialExecutor
from grader.export import export_grades
from grader.feedback import generate_feedback

from red_team import A4_SLOW_CALL_BACK, ATTACKS, CANARIES, HIDDEN_MARKERS, PAIR, POISON

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
LIMITS = Limits(cell_timeout=10, notebook_timeout=120)


def context(course, aid):
    source = nbformat.read(course.source / aid / f"{aid}.ipynb", as_version=4)
    release = nbformat.read(course.path("release", ".", aid) / f"{aid}.ipynb", as_version=4)
    return {"solved": solved_submission(source, release), "release": release}


def per_question(course, aid):
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        return {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                for s in gb.assignment_submissions(aid)}


@pytest.fixture(scope="module")
def graded(released_courses, tmp_path_factory):
    root = tmp_path_factory.mktemp("red-team")
    course = released_courses.copy(root / "course", [AID])
    ctx = context(course, AID)
    downloads = root / "downloads"
    for student, nb in [(a.student, a.make(ctx)) for a in ATTACKS] + [(c, ctx["solved"]) for c in CANARIES]:
        (downloads / student).mkdir(parents=True)
        nbformat.write(nb, downloads / student / f"{AID}.ipynb")
    report = collect(course, AID, downloads)
    assert len(report.placed) == len(ATTACKS) + len(CANARIES), report.summary()
    results = {r.student: r for r in autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)}
    scores = per_question(course, AID)
    feedback, problems = generate_feedback(course, AID, "r18-script-in-markdown")
    assert feedback and not problems
    outputs = {"feedback r18": feedback[0].read_text(encoding="utf-8")}
    for student in results:
        graded_copy = course.path("autograded", student, AID) / f"{AID}.ipynb"
        if not graded_copy.exists():  # graded as missing (r20: too many cells)
            continue
        nb = nbformat.read(graded_copy, as_version=4)
        outputs[student] = json.dumps([cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"])
        if student == "r18-script-in-markdown":
            outputs["autograded r18"] = json.dumps([cell.source for cell in nb.cells if cell.cell_type == "markdown"])
    rows = list(csv.DictReader(export_grades(course, root / "grades.csv").open(encoding="utf-8")))
    return results, scores, outputs, rows


@pytest.fixture(scope="module")
def pair(released_courses, tmp_path_factory):
    """The colluding pair, graded one after the other by one worker (one fork server)."""
    course = released_courses.copy(tmp_path_factory.mktemp("pair") / "course", [AID])
    ctx = context(course, AID)
    for attack in PAIR:
        write_submission(course, attack.student, AID, attack.make(ctx))
    results = {r.student: r for r in autograde(course, AID, SerialExecutor(), LIMITS, progress=False)}
    return results, per_question(course, AID)


@pytest.fixture(scope="module")
def slow_call_back(released_courses, tmp_path_factory):
    aid = "04_backpropagation"
    course = released_courses.copy(tmp_path_factory.mktemp("slow") / "course", [aid])
    write_submission(course, A4_SLOW_CALL_BACK.student, aid, A4_SLOW_CALL_BACK.make(context(course, aid)))
    limits = Limits(cell_timeout=5, notebook_timeout=60)
    started = time.monotonic()
    [result] = autograde(course, aid, LocalProcessExecutor(1), limits, progress=False)
    return result, per_question(course, aid)[A4_SLOW_CALL_BACK.student], time.monotonic() - started


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.student for a in ATTACKS])
def test_each_attack_scores_what_its_honest_work_deserves(graded, attack):
    results, scores, _, rows = graded
    assert scores[attack.student] == attack.honest, results[attack.student].reasons
    row = next(r for r in rows if r["student_id"] == attack.student)
    assert float(row["score"]) == sum(attack.honest.values()) and float(row["max_score"]) == 15


def test_correct_work_graded_among_attackers_is_untouched(graded):
    results, scores, outputs, _ = graded
    for canary in CANARIES:
        assert sum(scores[canary].values()) == 15, results[canary].reasons
        assert POISON not in outputs[canary]
    assert POISON not in outputs["r13-leaves-a-daemon"]  # not even a later cell of its own notebook


def test_no_output_shows_the_hidden_tests(graded):
    _, _, outputs, _ = graded
    assert "SEEN:" in outputs["r04-reads-frames"]  # it did look, and printed what it found
    for student, text in outputs.items():
        for marker in HIDDEN_MARKERS:
            assert marker not in text, f"{student}'s outputs show {marker!r}"


def test_students_graded_one_after_another_share_nothing(pair):
    results, scores = pair
    for attack in PAIR:
        assert scores[attack.student] == attack.honest, results[attack.student].reasons


def test_the_graders_own_work_is_bounded_by_the_cell_time_limit(slow_call_back):
    result, scores, seconds = slow_call_back
    assert scores == A4_SLOW_CALL_BACK.honest, result.reasons
    assert any("time limit" in reason for reason in result.reasons)
    assert seconds < 60  # the trusted triple loop alone would take minutes


ACTIVE = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"<script>alert",                          # a script element of the submission's
    r"<[a-z][^<>]*\son\w+\s*=",                # a tag with an event handler (onerror=, onload=, …)
    r"(href|src)\s*=\s*[\\\"']?\s*(javascript|vbscript|&#)")]  # a script URL in a link or an image


def test_no_script_from_a_submission_reaches_the_instructors_browser(graded):
    _, _, outputs, _ = graded
    for text in (outputs["feedback r18"], outputs["autograded r18"]):
        for pattern in ACTIVE:
            assert not pattern.search(text), pattern.pattern
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in outputs["feedback r18"]  # shown as text: the attempt stays visible


def test_the_reasons_name_what_was_refused(graded):
    results, _, _, _ = graded
    text = {student: " ".join(r.reasons) for student, r in results.items()}
    assert "No module named 'grader'" in text["r08-imports-helpers"]
    assert "object of type" in text["r05-runs-code-on-conversion"]
    assert "larger than the 67,108,864 bytes" in text["r14-huge-result"]
    assert "changed its argument number 1 in place" in text["r15-bends-the-inputs"]
    assert "repeated references" in text["r17-dag-result"]
    assert "more than the 2000 allowed" in text["r20-many-cells"]
    assert "metadata of cells" in text["r09-flips-metadata"] and "test_bonus" in text["r09-flips-metadata"]
    assert "appear more than once" in text["r10-duplicates-tests"]
