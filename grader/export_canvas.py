"""The course's grades as the CSV file Canvas's gradebook imports: one row per student of the
roster (:mod:`grader.roster`), one column per assignment, scores read from nbgrader's gradebook
(:func:`grader.export.collect_grades`).

    from grader.course import Course
    from grader.export_canvas import export_canvas
    print(export_canvas(Course(root="course"), "canvas-grades.csv").summary())
"""

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook

from .course import COURSE_ID
from .export import ERROR, NEEDS_MANUAL_GRADE, collect_grades, score_text, text_cell
from .roster import stored_roster

#: The student columns of Canvas's gradebook import, in the order its importer requires
#: (``Student`` first, ``ID`` second, ``SIS User ID`` before ``SIS Login ID``, ``Section`` last).
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The first cell of the row Canvas reads each assignment's points from.
POINTS_POSSIBLE = "Points Possible"
#: Where ``export --format canvas`` writes by default.
CANVAS_DEFAULT_OUT = "canvas-grades.csv"


@dataclass
class CanvasExport:
    """What :func:`export_canvas` wrote.

    Attributes
    ----------
    path : Path
    students : list of str
        The roster's student ids, one row each, in roster order.
    assignments : list of (str, str)
        ``(assignment id, column header)`` of each assignment column.
    not_on_roster : list of str
        Gradebook students left out because the roster does not list them.
    not_collected : list of str
        Assignments left out because the gradebook holds no submission of them yet.
    attention : list of (str, str, str)
        ``(student, assignment, status)`` of exported scores that are not final: a grade a
        person still has to give, or a submission whose autograding failed.
    """

    path: Path
    students: list
    assignments: list
    not_on_roster: list = field(default_factory=list)
    not_collected: list = field(default_factory=list)
    attention: list = field(default_factory=list)

    def summary(self):
        """The export as plain text: where, what, and what was left out or needs a look.

        Returns
        -------
        str
        """
        lines = [f"Canvas gradebook written to {self.path.resolve()}: {len(self.students)} student(s), "
                 f"{len(self.assignments)} assignment(s)."]
        lines += [f"  column {header!r}" for _, header in self.assignments]
        lines.append("  A student without a submission gets 0, the score nbgrader gives a missing submission.")
        if self.not_on_roster:
            lines.append(f"Left out, not in the roster (import them with `backprop-grader roster`): "
                         f"{', '.join(self.not_on_roster)}")
        if self.not_collected:
            lines.append(f"Left out, no submission in the gradebook yet: {', '.join(self.not_collected)}")
        lines += [f"Check before importing: {student} {assignment}: {status}"
                  for student, assignment, status in self.attention]
        return "\n".join(lines)


def assignment_title(course, assignment):
    """The title of an assignment: the first ``# `` heading of its source notebook (the id if
    the notebook or the heading is missing)."""
    path = course.source / assignment / f"{assignment}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for cell in cells:
            if cell.get("cell_type") == "markdown":
                source = "".join(cell.get("source", ""))
                heading = next((line[2:].strip() for line in source.splitlines() if line.startswith("# ")), "")
                if heading:
                    return heading
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return assignment


def canvas_header(title, assignment, canvas_id=None):
    """An assignment's column header in the Canvas CSV.

    Canvas reads a header ``<title> (<number>)`` as its assignment with that number and any
    other header as an assignment's title: a header matching no assignment's title creates
    one, with the points of the Points Possible row. So with the Canvas assignment's number
    the scores go to that assignment; without, the header is ``<title> (<assignment id>)``,
    which creates a Canvas assignment of that title on the first import and updates it on the
    next ones.

    Parameters
    ----------
    title : str
    assignment : str
        The course's assignment id, e.g. ``"01_sigmoid_neurons"``.
    canvas_id : str, optional
        The Canvas assignment's number (in its URL: ``…/assignments/<number>``).
    """
    if canvas_id is not None:
        return f"{title} ({canvas_id})"
    if title == assignment:
        return assignment
    # An id of digits alone in parentheses would read as a Canvas assignment number.
    return f"{title} [{assignment}]" if assignment.isdigit() else f"{title} ({assignment})"


def parse_canvas_ids(pairs):
    """``["01_sigmoid_neurons=1234", …]`` as ``{"01_sigmoid_neurons": "1234", …}``.

    Raises
    ------
    ValueError
        For an item without ``=`` or with a number that is not digits.
    """
    ids = {}
    for pair in pairs:
        assignment, sep, number = (part.strip() for part in pair.partition("="))
        if not sep or not assignment or not number.isdigit():
            raise ValueError(f"--canvas-id {pair!r}: write ASSIGNMENT=NUMBER, e.g. 01_sigmoid_neurons=1234 "
                             "(the number is in the Canvas assignment's address)")
        ids[assignment] = number
    return ids


def export_canvas(course, out_path, canvas_ids=None):
    """Write the course's grades as a CSV that Canvas's gradebook imports.

    One row per student of the roster (:func:`grader.roster.stored_roster`), after a
    ``Points Possible`` row; columns ``Student, ID, SIS User ID, SIS Login ID, Section``, then
    one per assignment with the student's total score (:func:`canvas_header`). ``Student`` is
    ``Last, First`` and ``ID`` the roster's ``lms_user_id`` (both as the gradebook has them
    now), ``SIS Login ID`` the student's id, ``SIS User ID`` is left blank; Canvas finds each
    student by ``ID``, else by ``SIS Login ID``, else by name.

    A student without a submission of an assignment gets 0: nbgrader's score for a missing
    submission, and what the default export shows. (A blank cell is "not graded" to Canvas: it
    leaves the student out of the assignment in Canvas's current score, which would then be
    higher than the course's.) An assignment without any submission in the gradebook yet is
    left out, rather than giving the whole class 0. Students in the gradebook but not in the
    roster are left out and listed (Canvas would not know them).

    The file is UTF-8 with a byte-order mark, so spreadsheets show accented names correctly;
    Canvas's importer accepts it.

    Parameters
    ----------
    course : grader.course.Course
    out_path : str or Path
        Where to write the CSV (parent folders are created).
    canvas_ids : dict of str -> str, optional
        Canvas assignment numbers by assignment id (:func:`parse_canvas_ids`).

    Returns
    -------
    CanvasExport

    Raises
    ------
    grader.roster.NoRosterError
        If the course has no roster yet.
    ValueError
        If ``canvas_ids`` names an assignment the gradebook does not have.
    """
    roster = stored_roster(course)
    canvas_ids = dict(canvas_ids or {})
    table = collect_grades(course)
    _check_canvas_ids(canvas_ids, table.assignments)
    collected = [a for a in table.assignments if any(row.submitted for row in table.rows_of(a))]
    columns = [(a, canvas_header(assignment_title(course, a), a, canvas_ids.get(a))) for a in collected]
    listed = {entry.id for entry in roster}
    report = CanvasExport(Path(out_path), [entry.id for entry in roster], columns,
                          not_on_roster=[s for s in table.students if s not in listed],
                          not_collected=[a for a in table.assignments if a not in collected])
    _write_canvas(report, table, roster, _gradebook_people(course))
    return report


def _check_canvas_ids(canvas_ids, assignments):
    """Refuse Canvas assignment numbers given for assignments the gradebook does not have.

    Raises
    ------
    ValueError
        Naming them, and the gradebook's assignments.
    """
    unknown = sorted(set(canvas_ids) - set(assignments))
    if unknown:
        raise ValueError(f"--canvas-id names {', '.join(unknown)}, not an assignment of the gradebook "
                         f"({', '.join(assignments) or 'none yet'})")


def _write_canvas(report, table, roster, people):
    """Write the Canvas CSV at ``report.path``: the header, the Points Possible row, then a row
    per roster entry with its score in each of ``report.assignments`` (scores that are not
    final are noted in ``report.attention``).

    Parameters
    ----------
    report : CanvasExport
    table : grader.export.GradeTable
    roster : list of grader.roster_entry.RosterEntry
    people : dict of str -> dict
        The gradebook's students (:func:`_gradebook_people`).
    """
    columns = report.assignments
    rows = {(row.student_id, row.assignment): row for row in table.rows}
    report.path.parent.mkdir(parents=True, exist_ok=True)
    with report.path.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow([*CANVAS_COLUMNS, *(text_cell(header) for _, header in columns)])
        max_scores = [_max_score(table, a) for a, _ in columns]
        writer.writerow([POINTS_POSSIBLE, "", "", "", "", *(score_text(m) for m in max_scores)])
        for entry in roster:
            writer.writerow(_canvas_identity(entry, people.get(entry.id)) +
                            [_canvas_score(rows.get((entry.id, a)), entry.id, report) for a, _ in columns])


def _gradebook_people(course):
    """``{student id: nbgrader Student.to_dict()}`` of the gradebook."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gradebook:
        return {student.id: student.to_dict() for student in gradebook.students}


def _max_score(table, assignment):
    """An assignment's points (its rows all carry the gradebook's max score)."""
    return next(row.max_score for row in table.rows_of(assignment))


def _canvas_identity(entry, person):
    """The five student cells of a roster entry, names and LMS id as the gradebook has them."""
    person = person or {}
    first = person.get("first_name") if person.get("last_name") else entry.first_name
    last = person.get("last_name") or entry.last_name
    name = f"{last}, {first}" if first else last
    cells = [name, person.get("lms_user_id") or entry.lms_user_id or "", "", entry.id, entry.section or ""]
    return [text_cell(cell) for cell in cells]


def _canvas_score(row, student_id, report):
    """A student's score cell for one assignment (0 without a submission), noting scores not final."""
    if row is None or not row.submitted:
        return score_text(0.0)
    if row.status in (NEEDS_MANUAL_GRADE, ERROR):
        report.attention.append((student_id, row.assignment, row.status))
    return score_text(row.score)
