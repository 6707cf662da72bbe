"""The students' feedback page names each test and says which part of it failed: graded for
real (assignment 1, released, autograded in the sandbox, fed back through nbgrader's
GenerateFeedback) for a σ that hard-codes the visible tests' answers (a hidden failure) and
a typical mistake in σ' (a visible failure)."""

import html
import re

import nbformat
import pytest
from nbgrader.apps import NbGraderAPI

from grader.autograde import autograde
from grader.checker.limits import Limits
from grader.feedback import generate_feedback
from grader.notebook_cells import (BEGIN_HIDDEN, END_HIDDEN, cells_by_grade_id, failure_summary, is_grade,
                                   is_solution)
from sample_class.personas import HOSTILE, PERSONAS, generate_class

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
LIMITS = Limits(cell_timeout=10, notebook_timeout=120)
STUDENTS = {"lou-hardcodes": HOSTILE["lou-hardcodes"], "dee-mistake": PERSONAS["dee-mistake"]}


def text_of(page):
    """The page's text, tags stripped and entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def feedback(released_courses, tmp_path_factory):
    course = released_courses.copy(tmp_path_factory.mktemp("feedback") / "course", [AID])
    generate_class(course, [AID], STUDENTS)
    results = list(autograde(course, AID, None, LIMITS, progress=False))
    assert len(results) == len(STUDENTS)
    # nbgrader's own page first (its template; the course's preprocessors and exporter), then the course's
    nbgraders = course.config()
    nbgraders.GenerateFeedback.HTMLExporter.pop("template_file")
    assert NbGraderAPI(coursedir=course.coursedir(), config=nbgraders).generate_feedback(AID, force=True)["success"]
    plain = {path.parts[-3]: path.read_text(encoding="utf-8") for path in (course.root / "feedback").glob(f"*/{AID}/*.html")}
    paths, problems = generate_feedback(course, AID)
    assert not problems
    pages = {path.parts[-3]: path.read_text(encoding="utf-8") for path in paths}
    assert sorted(pages) == sorted(plain) == sorted(STUDENTS)
    graded = {student: cells_by_grade_id(nbformat.read(course.path("autograded", student, AID) / f"{AID}.ipynb",
                                                       as_version=4)) for student in STUDENTS}
    master = cells_by_grade_id(nbformat.read(course.source / AID / f"{AID}.ipynb", as_version=4))
    return pages, plain, graded, master


TOC = re.compile(r'<div id="toc">.*?</div>', re.S)


def summary_items(page):
    """The items of the summary at the top of the page, as text."""
    return [" ".join(text_of(item).split()) for item in re.findall(r"<li>(.*?)</li>", TOC.search(page).group(0), re.S)]


def sections(page, master):
    """{grade_id: the page's text from the cell's anchor to the next test cell's} of the test cells."""
    tests = [gid for gid, cell in master.items() if is_grade(cell) and not is_solution(cell)]
    anchors = sorted((page.index(f'<a name="{gid}"></a>'), gid) for gid in tests)
    ends = [start for start, _ in anchors[1:]] + [len(page)]
    return {gid: text_of(page[start:end]) for (start, gid), end in zip(anchors, ends)}


def test_the_summary_names_each_test_with_its_score(feedback):
    pages, plain, _, _ = feedback
    assert summary_items(plain["lou-hardcodes"]) == ["Test cell (Score: 3.0 / 3.0)", "Test cell (Score: 0.0 / 6.0)",
                                                     "Test cell (Score: 6.0 / 6.0)"]  # nbgrader's own wording
    assert summary_items(pages["lou-hardcodes"]) == ["test_perceptron_output (Score: 3.0 / 3.0)",
                                                     "test_sigmoid (Score: 0.0 / 6.0)",
                                                     "test_sigmoid_prime (Score: 6.0 / 6.0)"]
    assert summary_items(pages["dee-mistake"]) == ["test_perceptron_output (Score: 3.0 / 3.0)",
                                                   "test_sigmoid (Score: 6.0 / 6.0)",
                                                   "test_sigmoid_prime (Score: 0.0 / 6.0)"]
    assert '<a href="#test_sigmoid_prime">test_sigmoid_prime</a>' in pages["dee-mistake"]  # still a link to the cell


def test_only_the_summary_differs_from_nbgraders_page(feedback):
    pages, plain, _, _ = feedback
    for student in STUDENTS:
        assert TOC.sub("", pages[student]) == TOC.sub("", plain[student])


@pytest.mark.parametrize("student, failed, part", [
    ("lou-hardcodes", "test_sigmoid", "test_sigmoid passed its visible tests but failed a hidden test: CheckFailed: "),
    ("dee-mistake", "test_sigmoid_prime", "test_sigmoid_prime failed a visible test: CheckFailed: σ'(0) is wrong"),
])
def test_a_failed_test_says_which_part_failed_beside_its_cell(feedback, student, failed, part):
    pages, _, graded, master = feedback
    shown = sections(pages[student], master)
    wording = failure_summary(graded[student][failed])
    assert wording.startswith(part)
    assert wording in shown[failed]
    if "hidden" in part:  # below the visible tests' "passed" line
        assert shown[failed].index("visible σ tests passed") < shown[failed].index(wording)
    for other, text in shown.items():
        if other != failed:
            assert "failed a" not in text and "CheckFailed" not in text, other
    assert "Traceback (most recent call last)" not in pages[student]


def test_no_hidden_test_source_is_shown(feedback):
    pages, _, graded, master = feedback
    visible, hidden = set(), set()
    for cell in master.values():
        before, _, rest = cell.source.partition(BEGIN_HIDDEN)
        inside, _, after = rest.partition(END_HIDDEN)
        visible.update(line.strip() for line in (before + "\n" + after).splitlines())
        hidden.update(line.strip() for line in inside.splitlines())
    hidden = {line for line in hidden if line and not any(line in shown for shown in visible)}  # only theirs
    assert len(hidden) > 5
    for student, page in pages.items():
        assert any(line in graded[student]["test_sigmoid"].source for line in hidden)  # the graded copy has them
        text = text_of(page)
        assert BEGIN_HIDDEN not in text and END_HIDDEN not in text
        assert sorted(line for line in hidden if line in text) == [], student


def test_the_written_configuration_is_the_graders(tmp_path):
    """nbgrader's own commands (and the formgrader) read nbgrader_config.py: loaded back, it is
    exactly the configuration the grader uses, nested sections such as the feedback template included."""
    from traitlets.config.loader import PyFileConfigLoader

    from grader.course import Course
    from grader.feedback import FEEDBACK_TEMPLATE
    course = Course(tmp_path / "course")
    course.write_config()
    loaded = PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()
    assert loaded == course.config()
    assert loaded.GenerateFeedback.HTMLExporter.template_file == str(FEEDBACK_TEMPLATE)
