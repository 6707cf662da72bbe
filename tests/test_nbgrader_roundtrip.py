"""A real nbgrader round trip in a temporary course: generate the release, then autograde
the solved notebook (full marks), the bare release (zero), each function left as a stub
(only its own cell lost) and each notebook's example mistake (only its own cell lost)."""

import copy

import pytest

from grader.notebook_cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION
from grader.release import solution_lines

from notebook_tools import (
    ASSIGNMENT_IDS,
    Course,
    errors,
    execute,
    grade_cells,
    max_points,
    read,
    replace_function,
    solution_cells,
)
from authoring.build import notebook_path
from grader.notebook_cells import grade_id, is_grade
from sample_class.personas import example_mistake

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("course"), ASSIGNMENT_IDS)
    for aid in ASSIGNMENT_IDS:
        course.nbgrader("generate_assignment", aid, "--force")
    return course


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_release_holds_no_solutions_and_no_hidden_tests(course, aid):
    source = read(notebook_path(aid))
    release_text = course.release_path(aid).read_text(encoding="utf-8")
    for marker in (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN, "HIDDEN TESTS"):
        assert marker not in release_text
    release = read(course.release_path(aid))
    # the release imports only the student kit: nothing in it names the grader side or its oracles
    for cell in release.cells:
        for word in ("oracle", "grader", "expect_gradient"):
            assert word not in cell.source, f"{cell.get('id')}: '{word}' in the release"
    first_code = next(c for c in release.cells if c.cell_type == "code")
    assert "from backprop_kit import checks" in first_code.source
    release_lines = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    leaked = [line for line in solution_lines(source) if line in release_lines]
    assert not leaked, f"solution code in the release: {leaked[:3]}"
    def without_hidden(text):
        while BEGIN_HIDDEN in text:
            before, rest = text.split(BEGIN_HIDDEN, 1)
            text = before + rest.split(END_HIDDEN, 1)[-1]
        return text

    shown = {line.strip() for cell in source.cells for line in without_hidden(cell.source).splitlines()}
    hidden_lines = []
    for cell in grade_cells(source):
        hidden = cell.source.split(BEGIN_HIDDEN, 1)[1].split(END_HIDDEN, 1)[0]
        hidden_lines += [line.strip() for line in hidden.splitlines()
                         if len(line.strip()) > 20 and line.strip() not in shown]
    assert not [line for line in hidden_lines if line in release_lines]


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_release_runs_to_the_end_and_fails_every_graded_cell(course, aid):
    release = read(course.release_path(aid))
    execute(release, allow_errors=True)
    for cell in release.cells:
        if cell.cell_type != "code":
            continue
        assert cell.get("execution_count"), f"cell {cell.get('id')} never ran"
        if is_grade(cell):
            assert errors(cell), f"graded cell {grade_id(cell)} passes on the bare stubs"
        else:
            assert not errors(cell), f"ungraded cell {cell.get('id')} fails in the release: {errors(cell)}"


def stubbed(solved, release, gid):
    """The solved notebook with one solution cell replaced by its release stub."""
    nb = copy.deepcopy(solved)
    stub = next(c for c in release.cells if grade_id(c) == gid)
    for cell in nb.cells:
        if grade_id(cell) == gid:
            cell.source = stub.source
    return nb


@pytest.mark.parametrize("aid", ASSIGNMENT_IDS)
def test_autograde_round_trip(course, aid):
    solved = read(notebook_path(aid))
    release = read(course.release_path(aid))
    points = max_points(solved)
    course.submit("solved", aid, solved)
    course.submit("blank", aid, release)
    expected_loss = {"solved": set(), "blank": set(points)}
    for cell in solution_cells(solved):
        gid = grade_id(cell)
        student = f"stub-{gid}".replace("_", "-")
        course.submit(student, aid, stubbed(solved, release, gid))
        expected_loss[student] = {f"test_{gid}"}
    mistake = example_mistake(aid)
    if mistake:
        nb, gid = replace_function(solved, mistake.function, swap=mistake.swap)
        course.submit("mistake", aid, nb)
        expected_loss["mistake"] = {f"test_{gid}"}
    course.nbgrader("autograde", aid, "--force")
    grades = course.grades(aid)
    for student, lost in expected_loss.items():
        for test_id, full in points.items():
            expected = 0.0 if test_id in lost else full
            assert grades[student][test_id] == expected, f"{student}: {test_id} scored {grades[student][test_id]}"
    print(f"{aid}: solved {sum(grades['solved'].values())}/{sum(points.values())}, "
          f"blank {sum(grades['blank'].values())}, {len(expected_loss) - 2} single-function submissions as expected")
