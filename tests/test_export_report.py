"""The grades CSV and the class report on a real nbgrader course: assignment 1 released and
autograded for a solved submission (15/15), the bare release (0), a wrong σ' (9) and a student
who submitted nothing (0, missing)."""

import copy
import csv
import html
import re
import shutil

import pytest
from nbgrader.api import Gradebook

from grader.course import COURSE_ID
from grader.course import Course as GraderCourse
from grader.export import BASE_COLUMNS, GradeRow, GradeTable, Question, export_grades
from grader.notebook_cells import cells_by_grade_id, grade_id
from grader.report import (NO_NOTEBOOK, PASS_RATES_PNG, SCORES_PNG, UNREADABLE_NOTEBOOK, Failure, class_report,
                           render_page, summarize)

from notebook_tools import Course, read, solution_cells

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
QUESTIONS = ["test_perceptron_output", "test_sigmoid", "test_sigmoid_prime"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
WRONG_SIGMA_PRIME = "def sigmoid_prime(z):\n    return sigmoid(z)\n"
EXPECTED = {  # student: (score, status, points per question)
    "ada": (15, "graded", [3, 6, 6]),
    "bob": (0, "graded", [0, 0, 0]),
    "cyd": (9, "graded", [3, 6, 0]),
    "dan": (0, "missing", [0, 0, 0]),
}


def with_wrong_sigmoid_prime(solved):
    """The solved notebook with σ' redefined as σ at the end of its solution cell."""
    nb = copy.deepcopy(solved)
    cell = next(c for c in solution_cells(nb) if grade_id(c) == "sigmoid_prime")
    cell.source += "\n\n\n" + WRONG_SIGMA_PRIME
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A graded course folder, read through grader.course.Course."""
    root = tmp_path_factory.mktemp("course")
    nbgrader_course = Course(root, [AID])
    nbgrader_course.nbgrader("generate_assignment", AID, "--force")
    solved = read(root / "source" / AID / f"{AID}.ipynb")
    nbgrader_course.submit("ada", AID, solved)
    nbgrader_course.submit("bob", AID, read(nbgrader_course.release_path(AID)))
    nbgrader_course.submit("cyd", AID, with_wrong_sigmoid_prime(solved))
    # nbgrader 0.9 ignores CourseDirectory.db_students: a student without a submission enters
    # the gradebook through its API (as `nbgrader db student add` does, without another start-up).
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", COURSE_ID) as gb:
        gb.add_student("dan")
    nbgrader_course.nbgrader("autograde", AID, "--force")
    return GraderCourse(root=root, source=root / "source")


@pytest.fixture
def course_copy(course, tmp_path):
    """A copy of the graded course that a test may damage."""
    root = tmp_path / "copy"
    shutil.copytree(course.root, root)
    return GraderCourse(root=root, source=root / "source")


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def table_rows(page):
    """Every <tr> of the page as a list of its <td> texts (tags inside cells removed)."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c) for c in cells])
    return [r for r in rows if r]


def visible_failure(course, student, test):
    """How the report words a test that failed in its visible part: the test, the part, and
    ``ename: evalue`` of its error in the autograded notebook (a bare stub's error says so)."""
    cell = cells_by_grade_id(read(course.root / "autograded" / student / AID / f"{AID}.ipynb"))[test]
    error = next(o for o in cell.outputs if o.output_type == "error")
    evalue = error.evalue.strip() or "a function this test needs is still a stub"
    return f"{test} failed a visible test: {error.ename}: {evalue}"


def test_csv_has_one_row_per_student_and_assignment(course, tmp_path):
    path = export_grades(course, tmp_path / "out" / "grades.csv")
    with open(path, newline="", encoding="utf-8") as stream:
        header = next(csv.reader(stream))
    assert header == [*BASE_COLUMNS, *QUESTIONS]
    rows = read_csv(path)
    assert [(r["assignment"], r["student_id"]) for r in rows] == [(AID, s) for s in sorted(EXPECTED)]
    for row in rows:
        score, status, points = EXPECTED[row["student_id"]]
        assert (float(row["score"]), float(row["max_score"]), row["status"]) == (score, 15, status), row
        assert [float(row[q]) for q in QUESTIONS] == points, row


def test_csv_marks_failed_autograding_and_leaves_other_assignments_blank(course_copy, tmp_path):
    (course_copy.root / "autograded" / "cyd" / AID / f"{AID}.ipynb").unlink()
    with Gradebook(course_copy.gradebook_url, COURSE_ID) as gb:
        gb.add_assignment("02_extra", course_id=COURSE_ID)
        gb.add_notebook("02_extra", "02_extra")
        gb.add_grade_cell("test_cost", "02_extra", "02_extra", max_score=4, cell_type="code")
    rows = read_csv(export_grades(course_copy, tmp_path / "grades.csv"))
    assert len(rows) == 8
    by_key = {(r["assignment"], r["student_id"]): r for r in rows}
    assert by_key[(AID, "cyd")]["status"] == "error"
    assert by_key[(AID, "ada")]["test_cost"] == ""
    extra = by_key[("02_extra", "ada")]
    assert (extra["status"], extra["score"], extra["max_score"], extra["test_cost"]) == ("missing", "0", "4", "0")
    assert all(extra[q] == "" for q in QUESTIONS)


def test_report_writes_html_and_figures(course, tmp_path):
    index = class_report(course, tmp_path / "report")
    assert index == tmp_path / "report" / "index.html"
    for png in (SCORES_PNG, PASS_RATES_PNG):
        assert (index.parent / png).read_bytes()[:8] == PNG_MAGIC
    page = index.read_text(encoding="utf-8")
    assert AID in page
    assert f'src="{SCORES_PNG}"' in page and f'src="{PASS_RATES_PNG}"' in page
    rows = table_rows(page)
    # summary: submissions, missing, need attention, mean, median, min, max
    assert [AID, "15", "3", "1", "0", "8", "9", "0", "15"] in rows
    pass_rows = {r[1]: r[3:] for r in rows if len(r) == 5 and r[0] == AID}
    assert pass_rows == {"test_perceptron_output": ["2 / 3", "67%"], "test_sigmoid": ["2 / 3", "67%"],
                         "test_sigmoid_prime": ["1 / 3", "33%"]}


def test_report_lists_the_failure_message_of_the_wrong_sigma_prime(course, tmp_path):
    message = visible_failure(course, "cyd", "test_sigmoid_prime")
    assert message.startswith("test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong")
    page = class_report(course, tmp_path).read_text(encoding="utf-8")
    assert message in html.unescape(page)
    failures = {(r[1], html.unescape(r[3])): r[2] for r in table_rows(page) if len(r) == 4}
    assert failures[("test_sigmoid_prime", message)] == "1"
    stub = visible_failure(course, "bob", "test_sigmoid")
    assert stub == "test_sigmoid failed a visible test: NotImplementedError: a function this test needs is still a stub"
    assert failures[("test_sigmoid", stub)] == "1"


def test_the_report_page_escapes_what_it_shows():
    question = Question("a<1>", "a<1>", "test_<b>", 2.0, "test_<b>")
    table = GradeTable(["a<1>"], ["s<1>"], [question], [GradeRow("s<1>", "a<1>", 0.0, 2.0, "graded", {question: 0.0})])
    attack = "test_<b> failed a visible test: CheckFailed: <script>alert('x')</script> & \"q\""
    page = render_page(table, [summarize(table, "a<1>")], [Failure("a<1>", "test_<b>", attack, 1)], top=5)
    assert "<script>" not in page and "<b>" not in page and "<1>" not in page
    assert [html.unescape(cell) for cell in table_rows(page)[-1]] == ["a<1>", "test_<b>", "1", attack]
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")


def test_report_counts_missing_and_unreadable_autograded_notebooks(course_copy, tmp_path):
    autograded = course_copy.root / "autograded"
    (autograded / "bob" / AID / f"{AID}.ipynb").unlink()
    (autograded / "cyd" / AID / f"{AID}.ipynb").write_text("{not json", encoding="utf-8")
    page = class_report(course_copy, tmp_path).read_text(encoding="utf-8")
    failures = {(r[1], r[3]): r[2] for r in table_rows(page) if len(r) == 4}
    assert {q: failures[(q, NO_NOTEBOOK)] for q in QUESTIONS} == {q: "1" for q in QUESTIONS}
    assert failures[("test_sigmoid_prime", UNREADABLE_NOTEBOOK)] == "1"


def test_report_without_submissions_says_so(course_copy, tmp_path):
    with Gradebook(course_copy.gradebook_url, COURSE_ID) as gb:
        for student in ("ada", "bob", "cyd"):
            gb.remove_submission(AID, student)
    page = class_report(course_copy, tmp_path).read_text(encoding="utf-8")
    assert "No submissions yet" in page
    assert [AID, "15", "0", "4", "0", "—", "—", "—", "—"] in table_rows(page)
    assert not (tmp_path / SCORES_PNG).exists()
    rows = read_csv(export_grades(course_copy, tmp_path / "grades.csv"))
    assert [(r["student_id"], r["status"], r["score"]) for r in rows] == [(s, "missing", "0") for s in sorted(EXPECTED)]


def test_course_without_a_gradebook(tmp_path):
    course = GraderCourse(root=tmp_path / "new", source=tmp_path / "new" / "source")
    page = class_report(course, tmp_path / "report").read_text(encoding="utf-8")
    assert "no assignments" in page
    path = export_grades(course, tmp_path / "grades.csv")
    assert path.read_text(encoding="utf-8").splitlines() == [",".join(BASE_COLUMNS)]
    assert not (tmp_path / "new" / "gradebook.db").exists()
