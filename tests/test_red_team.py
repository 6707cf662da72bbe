"""The red-team suite through the real pipeline: built releases, ``collect`` from a folder
of submissions, parallel ``autograde``, ``export``. Every attack of ``tests/red_team.py``
scores exactly what its honest work deserves, correct submissions graded among the
attackers keep full marks and clean outputs, and no output shows the hidden tests."""

import csv
import json

import nbformat
import pytest
from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.checker.limits import Limits
from grader.collect import collect
from grader.course import COURSE_ID
from grader.demo import solved_submission
from grader.executors import LocalProcessExecutor
from grader.export import export_grades

from red_team import ATTACKS, CANARIES, HIDDEN_MARKERS, POISON

AID = "01_sigmoid_neurons"
LIMITS = Limits(cell_timeout=10, notebook_timeout=120)


@pytest.fixture(scope="module")
def graded(released_courses, tmp_path_factory):
    root = tmp_path_factory.mktemp("red-team")
    course = released_courses.copy(root / "course", [AID])
    source = nbformat.read(course.source / AID / f"{AID}.ipynb", as_version=4)
    release = nbformat.read(course.path("release", ".", AID) / f"{AID}.ipynb", as_version=4)
    ctx = {"solved": solved_submission(source, release), "release": release}
    downloads = root / "downloads"
    for student, nb in [(a.student, a.make(ctx)) for a in ATTACKS] + [(c, ctx["solved"]) for c in CANARIES]:
        (downloads / student).mkdir(parents=True)
        nbformat.write(nb, downloads / student / f"{AID}.ipynb")
    report = collect(course, AID, downloads)
    assert len(report.placed) == len(ATTACKS) + len(CANARIES), report.summary()
    results = {r.student: r for r in autograde(course, AID, LocalProcessExecutor(2), LIMITS, progress=False)}
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        scores = {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                  for s in gb.assignment_submissions(AID)}
    outputs = {}
    for student in results:
        nb = nbformat.read(course.path("autograded", student, AID) / f"{AID}.ipynb", as_version=4)
        outputs[student] = json.dumps([cell.get("outputs", []) for cell in nb.cells if cell.cell_type == "code"])
    rows = list(csv.DictReader(export_grades(course, root / "grades.csv").open(encoding="utf-8")))
    return results, scores, outputs, rows


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


def test_the_reasons_name_what_was_refused(graded):
    results, _, _, _ = graded
    text = {student: " ".join(r.reasons) for student, r in results.items()}
    assert "No module named 'grader'" in text["r08-imports-helpers"]
    assert "object of type" in text["r05-runs-code-on-conversion"]
    assert "exceeds the limit" in text["r14-huge-result"]
    assert "changed its argument number 1 in place" in text["r15-bends-the-inputs"]
    assert "metadata of cells" in text["r09-flips-metadata"] and "test_bonus" in text["r09-flips-metadata"]
    assert "appear more than once" in text["r10-duplicates-tests"]
