"""The sample class's roster and its Canvas gradebook file.

The roster (:mod:`sample_class.roster`) is checked as a file first: every persona once, the
names, e-mails, Canvas ids and sections a real LMS export has, read back by the course's
roster reader into the names it was generated from.

Then, for real: a few personas of the sample class hand in assignments 1 and 2 (not all of
them both), grader.autograde grades them, ``backprop-grader roster`` imports the sample
roster and ``backprop-grader export --format canvas`` writes the Canvas file, which is checked
cell by cell against the gradebook as nbgrader's Gradebook API reads it.
"""

import contextlib
import csv
import io
import unicodedata

import pytest
from nbgrader.api import Gradebook, MissingEntry

from grader.autograde import autograde
from grader.checker.limits import Limits
from grader.cli import main
from grader.course import COURSE_ID
from grader.executors import LocalProcessExecutor
from grader.roster_file import read_roster
from sample_class.personas import HOSTILE, PERSONAS, generate_class
from sample_class.roster import sample_roster, write_roster

AIDS = ["01_sigmoid_neurons", "02_cost_functions"]
#: Who hands in what: cam-partial only assignment 1, eli-sign-slip only assignment 2; the rest
#: of the roster hands in nothing.
HANDED_IN = {
    "01_sigmoid_neurons": ["ada-perfect", "ben-blank", "cam-partial", "dee-mistake"],
    "02_cost_functions": ["ada-perfect", "ben-blank", "dee-mistake", "eli-sign-slip"],
}
LIMITS = Limits(cell_timeout=10, notebook_timeout=120)
CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
SCORE_TOLERANCE = 1e-9  # scores are written with 10 significant digits


def read_csv(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as stream:
        return list(csv.reader(stream))


def roster_file_rows(path):
    """The roster file's lines as dicts of its columns, read with the csv module alone."""
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


# --- the roster as a file -------------------------------------------------------------------

@pytest.fixture(scope="module")
def roster_path(tmp_path_factory):
    return write_roster(tmp_path_factory.mktemp("roster") / "roster.csv")


def test_the_roster_lists_every_persona_once_with_what_an_lms_exports(roster_path):
    rows = roster_file_rows(roster_path)
    assert list(rows[0]) == ["id", "name", "email", "lms_user_id", "section"]
    assert [row["id"] for row in rows] == [*PERSONAS, *HOSTILE]
    lms_ids = [row["lms_user_id"] for row in rows]
    emails = [row["email"] for row in rows]
    assert len(set(lms_ids)) == len(rows) and all(i.isdigit() for i in lms_ids)
    assert len(set(emails)) == len(rows)
    assert all(e.isascii() and e.count("@") == 1 and e.split("@")[0] for e in emails)
    sections = [row["section"] for row in rows]
    assert len(set(sections)) == 2
    assert min(sections.count(s) for s in set(sections)) >= len(rows) // 2  # two sections of (nearly) equal size
    names = [row["name"] for row in rows]
    assert sum(not unicodedata.normalize("NFC", n).isascii() for n in names) >= 5  # accented names
    assert sum("," in n for n in names) >= 3  # "Last, First"
    assert any(" " in n.split(",")[0] for n in names if "," in n)  # a family name of several words
    assert any(not unicodedata.is_normalized("NFC", n) for n in names)  # written decomposed


def test_the_roster_reader_reads_the_names_it_was_generated_from(roster_path):
    read = read_roster(roster_path)
    generated = sample_roster()
    assert [e.id for e in read] == [s.id for s in generated]
    for entry, student in zip(read, generated):
        assert unicodedata.is_normalized("NFC", student.first_name + student.last_name), student.id
        assert (entry.first_name, entry.last_name) == (student.first_name, student.last_name), student.name
        assert (entry.email, entry.lms_user_id, entry.section) == (student.email, student.lms_user_id,
                                                                   student.section)


def test_a_smaller_roster_keeps_each_students_line():
    some = ["ben-blank", "ada-perfect"]
    assert [s.id for s in sample_roster(some)] == some
    assert all(s.last_name and s.email for s in sample_roster(some))


# --- graded, imported, exported ---------------------------------------------------------------

def run_cli(argv):
    """``backprop-grader ARGV``'s printed output (the command must succeed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(argv) == 0, argv
    return out.getvalue()


@pytest.fixture(scope="module")
def exported(released_courses, tmp_path_factory, roster_path):
    """``(course, Canvas file, output of the roster command, output of the export command)``:
    the class graded, then the roster imported and the Canvas file written by the CLI."""
    root = tmp_path_factory.mktemp("sample-canvas")
    course = released_courses.copy(root / "course", AIDS)
    for aid, students in HANDED_IN.items():
        generate_class(course, [aid], {student: PERSONAS[student] for student in students})
        results = list(autograde(course, aid, LocalProcessExecutor(2), LIMITS, progress=False))
        assert sorted(r.student for r in results) == sorted(students)
        assert all(r.status == "graded" for r in results), results
    canvas = root / "exports" / "canvas.csv"
    imported = run_cli(["--course", str(course.root), "roster", str(roster_path)])
    written = run_cli(["--course", str(course.root), "export", "--format", "canvas", "--out", str(canvas)])
    return course, canvas, imported, written


def gradebook_view(course, students):
    """What nbgrader's Gradebook holds: ``({aid: max score}, {(student, aid): score},
    {student: (first, last, email, lms id)})``; the score is None without a submission."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        max_scores = {aid: gb.find_assignment(aid).max_score for aid in AIDS}
        scores = {}
        for student in students:
            for aid in AIDS:
                try:
                    scores[student, aid] = gb.find_submission(aid, student).score
                except MissingEntry:
                    scores[student, aid] = None
        people = {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gb.students}
    return max_scores, scores, people


@pytest.mark.slow
def test_the_commands_report_the_import_and_the_export(exported):
    _, canvas, imported, written = exported
    graded = sorted({s for students in HANDED_IN.values() for s in students})
    total = len(PERSONAS) + len(HOSTILE)
    # the graded students were in the gradebook (named by their id), the others are new
    assert (f"Roster roster.csv: {total} student(s): {total - len(graded)} added, {len(graded)} updated, "
            f"0 unchanged.") in imported
    assert f"Canvas gradebook written to {canvas.resolve()}: {total} student(s), {len(AIDS)} assignment(s)." \
        in written
    # the course copy's gradebook may hold other assignments another test built: they are left
    # out, with no submissions; none of this class's is, and no score needs checking
    left_out = [line for line in written.splitlines() if line.startswith("Left out")]
    assert all(aid not in line for line in left_out for aid in AIDS), left_out
    assert "Check before importing" not in written


@pytest.mark.slow
def test_the_canvas_file_of_the_sample_class_matches_the_gradebook_cell_by_cell(exported, roster_path):
    course, canvas, _, _ = exported
    assert canvas.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    rows = read_csv(canvas, encoding="utf-8-sig")
    roster = roster_file_rows(roster_path)
    generated = {s.id: s for s in sample_roster()}
    max_scores, scores, _ = gradebook_view(course, [r["id"] for r in roster])

    header = rows[0]
    assert header[:5] == CANVAS_STUDENT_COLUMNS
    column = {aid: [i for i, h in enumerate(header) if h.endswith(f"({aid})")] for aid in AIDS}
    assert sorted(i for found in column.values() for i in found) == list(range(5, 5 + len(AIDS))), header
    column = {aid: found[0] for aid, found in column.items()}

    assert rows[1][:5] == ["Points Possible", "", "", "", ""]
    for aid in AIDS:
        assert max_scores[aid] > 0
        assert float(rows[1][column[aid]]) == pytest.approx(max_scores[aid], abs=SCORE_TOLERANCE), aid

    students = rows[2:]
    assert len(students) == len(roster)
    for row, line in zip(students, roster):
        student = generated[line["id"]]
        assert row[:5] == [f"{student.last_name}, {student.first_name}", line["lms_user_id"], "", line["id"],
                           line["section"]]
        for aid in AIDS:
            score = scores[line["id"], aid]
            expected = 0.0 if score is None else score  # no submission: 0
            assert float(row[column[aid]]) == pytest.approx(expected, abs=SCORE_TOLERANCE), (line["id"], aid)

    # the gradebook is not all zeros: the reference earns every point, the untouched release none
    by_id = {row[3]: row for row in students}
    for aid in AIDS:
        assert scores["ada-perfect", aid] == pytest.approx(max_scores[aid], abs=SCORE_TOLERANCE)
        assert scores["ben-blank", aid] == pytest.approx(0.0, abs=SCORE_TOLERANCE)
        assert 0 < scores["dee-mistake", aid] < max_scores[aid]
    assert scores["cam-partial", AIDS[1]] is None and scores["eli-sign-slip", AIDS[0]] is None
    assert float(by_id["eli-sign-slip"][column[AIDS[0]]]) == 0.0


@pytest.mark.slow
def test_the_formgrader_shows_every_persona_by_the_rosters_name(exported):
    course = exported[0]
    _, _, people = gradebook_view(course, [])
    generated = sample_roster()
    assert sorted(people) == sorted(s.id for s in generated)
    for student in generated:
        first, last, email, lms_user_id = people[student.id]
        assert None not in (first, last), student.id
        assert (first, last, email, lms_user_id) == (student.first_name, student.last_name, student.email,
                                                     student.lms_user_id)
