"""The course's grades as tables, read from nbgrader's gradebook.

:func:`export_grades` writes one row per student and assignment, with the points of every
question: every student in the gradebook gets a row for every assignment of the course,
whether they submitted it or not. :func:`collect_grades` reads the table it is written from;
:mod:`grader.export_canvas` writes it as the file Canvas's gradebook imports.

    from grader.course import Course
    from grader.export import export_grades
    export_grades(Course(root="course"), "grades.csv")
"""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from .course import COURSE_ID
from .notebook_cells import grade_id

#: Status of a submission that autograding scored and that needs nothing more.
GRADED = "graded"
#: Status of a student who has no submission of the assignment in the gradebook (scored 0).
MISSING = "missing"
#: Status of a submission with a grade that a person still has to give.
NEEDS_MANUAL_GRADE = "needs manual grade"
#: Status of a submission in the gradebook without an autograded notebook on disk: autograding
#: failed (nbgrader deletes its output then) or the notebook was never submitted.
ERROR = "error"

#: The fixed leading columns of the CSV; one column per question follows.
BASE_COLUMNS = ("student_id", "assignment", "score", "max_score", "status")


@dataclass(frozen=True)
class Question:
    """One graded cell of an assignment.

    Attributes
    ----------
    assignment : str
    notebook : str
        The notebook (file name without ``.ipynb``) holding the cell.
    grade_id : str
        The cell's ``metadata.nbgrader.grade_id``, e.g. ``"test_sigmoid"``.
    max_score : float
    column : str
        Its column in the CSV: the grade id, prefixed with ``<notebook>/`` only in an
        assignment of several notebooks.
    """

    assignment: str
    notebook: str
    grade_id: str
    max_score: float
    column: str


@dataclass
class GradeRow:
    """One student's result on one assignment.

    Attributes
    ----------
    student_id, assignment : str
    score, max_score : float
    status : str
        One of :data:`GRADED`, :data:`MISSING`, :data:`NEEDS_MANUAL_GRADE`, :data:`ERROR`.
    points : dict of Question -> float
        Points earned on each question of the assignment (0 for a missing submission).
    """

    student_id: str
    assignment: str
    score: float
    max_score: float
    status: str
    points: dict = field(default_factory=dict)

    @property
    def submitted(self):
        """Whether the gradebook holds a submission for this row."""
        return self.status != MISSING


@dataclass
class GradeTable:
    """All questions and rows of a course, ordered by assignment, then student.

    Attributes
    ----------
    assignments : list of str
        The course's assignments in the gradebook, sorted.
    students : list of str
        Every student in the gradebook, sorted.
    questions : list of Question
        By assignment, then in notebook order.
    rows : list of GradeRow
        One per assignment and student, by assignment, then student.
    """

    assignments: list
    students: list
    questions: list
    rows: list

    def questions_of(self, assignment):
        """The questions of one assignment, in notebook order."""
        return [q for q in self.questions if q.assignment == assignment]

    def rows_of(self, assignment):
        """The rows of one assignment, by student."""
        return [r for r in self.rows if r.assignment == assignment]


def autograded_notebook(course, student_id, assignment, notebook=None):
    """``<root>/autograded/<student>/<assignment>/<notebook>.ipynb`` (notebook defaults to the assignment)."""
    return course.path("autograded", student_id, assignment) / f"{notebook or assignment}.ipynb"


def collect_grades(course):
    """Read every student's result on every assignment of the course from its gradebook.

    Parameters
    ----------
    course : grader.course.Course

    Returns
    -------
    GradeTable
        Empty when the course has no gradebook yet (none is created).
    """
    if course.db_url is None and not (course.root / "gradebook.db").is_file():
        return GradeTable([], [], [], [])
    with Gradebook(course.gradebook_url, COURSE_ID) as gradebook:
        assignments = sorted((a for a in gradebook.assignments if a.course_id == COURSE_ID), key=lambda a: a.name)
        students = sorted(student.id for student in gradebook.students)
        questions, rows = [], []
        for assignment in assignments:
            asked = _questions(course, assignment)
            submissions = {s.student_id: s for s in assignment.submissions}
            max_score = float(assignment.max_score or 0.0)
            rows += [_row(course, assignment.name, max_score, asked, student, submissions.get(student))
                     for student in students]
            questions += asked
    return GradeTable([a.name for a in assignments], students, questions, rows)


def _questions(course, assignment):
    """The graded cells of a gradebook assignment as Questions, in notebook order."""
    notebooks = sorted(assignment.notebooks, key=lambda nb: nb.name)
    prefix = len(notebooks) > 1
    questions = []
    for notebook in notebooks:
        cells = {cell.name: cell for cell in notebook.grade_cells + notebook.task_cells}
        for name in _cell_order(course, assignment.name, notebook.name, cells):
            column = f"{notebook.name}/{name}" if prefix else name
            questions.append(Question(assignment.name, notebook.name, name, float(cells[name].max_score), column))
    return questions


def _cell_order(course, assignment, notebook, names):
    """The grade ids in ``names`` in the order of the source notebook (by name if it cannot be read)."""
    path = course.source / assignment / f"{notebook}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        in_notebook = [grade_id(cell) for cell in cells if grade_id(cell) in names]
    except (OSError, ValueError, KeyError, TypeError):
        in_notebook = []
    seen = list(dict.fromkeys(in_notebook))
    return seen + sorted(set(names) - set(seen))


def _row(course, assignment, max_score, questions, student_id, submission):
    """A student's GradeRow for one assignment (``submission`` None when nothing was submitted)."""
    if submission is None:
        return GradeRow(student_id, assignment, 0.0, max_score, MISSING, {q: 0.0 for q in questions})
    earned = {(nb.name, grade.name): float(grade.score or 0.0) for nb in submission.notebooks for grade in nb.grades}
    points = {q: earned.get((q.notebook, q.grade_id), 0.0) for q in questions}
    status = _status(course, submission, student_id, assignment)
    return GradeRow(student_id, assignment, float(submission.score or 0.0), max_score, status, points)


def _status(course, submission, student_id, assignment):
    """GRADED, NEEDS_MANUAL_GRADE or ERROR for a submission in the gradebook."""
    on_disk = all(autograded_notebook(course, student_id, assignment, nb.name).is_file()
                  for nb in submission.notebooks)
    if not on_disk:
        return ERROR
    if submission.needs_manual_grade:
        return NEEDS_MANUAL_GRADE
    return GRADED


def export_grades(course, out_path):
    """Write the course's grades as CSV, one row per student and assignment.

    Columns: ``student_id, assignment, score, max_score, status``, then one column per
    question (its grade id) with the points earned; a question's column is blank in the rows
    of other assignments. A student without a submission has score 0 and status ``missing``.
    Rows are sorted by assignment, then student.

    Parameters
    ----------
    course : grader.course.Course
    out_path : str or Path
        Where to write the CSV (parent folders are created).

    Returns
    -------
    Path
        ``out_path``.
    """
    table = collect_grades(course)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(q.column for q in table.questions))
    with out_path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow([*BASE_COLUMNS, *(text_cell(c) for c in columns)])
        for row in table.rows:
            writer.writerow(_csv_row(row, columns))
    return out_path


def _csv_row(row, columns):
    """The CSV cells of one GradeRow."""
    by_column = {q.column: score_text(points) for q, points in row.points.items()}
    base = [text_cell(row.student_id), text_cell(row.assignment), score_text(row.score),
            score_text(row.max_score), row.status]
    return base + [by_column.get(column, "") for column in columns]


def score_text(value):
    """A score as short text: ``15`` rather than ``15.0``, ``1.5`` as it is."""
    return f"{value:.10g}"



#: First characters that make a spreadsheet read a cell as a formula (or a command, for
#: tab and carriage return in some importers).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text):
    """A text cell for a CSV opened in a spreadsheet: text starting with one of
    :data:`FORMULA_STARTS` is prefixed with ``'``, so it is shown as text rather than run as
    a formula (CSV injection). Numeric cells (:func:`score_text`) are written without it."""
    text = str(text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
