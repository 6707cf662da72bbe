"""The class roster and the Canvas export.

The roster file's checks run on files written here (no gradebook is needed to refuse one).
The import and the Canvas CSV run on the graded course of ``test_export_report`` (assignment
1 autograded by nbgrader for ada 15/15, bob 0, cyd 9, and dan without a submission): the
sample roster ``tests/fixtures/sample_roster.csv`` adds eve, names everyone, and the Canvas
file is then checked cell by cell against the scores read from nbgrader's Gradebook.
"""

import csv
from pathlib import Path

import pytest
from nbgrader.api import Gradebook, MissingEntry

from grader.cli import main
from grader.course import COURSE_ID
from grader.course import Course as GraderCourse
from grader.export import export_grades
from grader.export_canvas import export_canvas
from grader.roster import ROSTER_FILE, NoRosterError, import_roster
from grader.roster_entry import split_name
from grader.roster_file import RosterError, read_roster

from test_export_report import AID, EXPECTED, course, course_copy  # noqa: F401  (the graded course's fixtures)

SAMPLE = Path(__file__).parent / "fixtures" / "sample_roster.csv"
TITLE = "Assignment 1 — Sigmoid neurons"  # the first heading of the assignment's notebook
#: What the sample roster says, written out by hand: id -> (first, last, email, lms id, section).
SAMPLE_STUDENTS = {
    "ada": ("Ada King", "Lovelace", "ada.lovelace@example.edu", "40101", "Section A"),
    "bob": ("Émily Jane", "Brontë", "emily.bronte@example.edu", "40102", "Section B"),
    "cyd": ("Zoë", "Ångström", "zoe.angstrom@example.edu", None, "Section A"),
    "dan": ("José", "Núñez", "jose.nunez@example.edu", "40104", "Section B"),
    "eve": ("Ève", "Curie", "eve.curie@example.edu", "40105", "Section A"),
}
#: The Canvas file's student cells for them: Student, ID, SIS User ID, SIS Login ID, Section.
CANVAS_IDENTITIES = [
    ["Lovelace, Ada King", "40101", "", "ada", "Section A"],
    ["Brontë, Émily Jane", "40102", "", "bob", "Section B"],
    ["Ångström, Zoë", "", "", "cyd", "Section A"],
    ["Núñez, José", "40104", "", "dan", "Section B"],
    ["Curie, Ève", "40105", "", "eve", "Section A"],
]
SCORE_TOLERANCE = 1e-9  # scores are written with 10 significant digits


def write(tmp_path, content, name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def students(graded):
    """{id: (first, last, email, lms id)} of the gradebook, through nbgrader's API."""
    with Gradebook(graded.gradebook_url, COURSE_ID) as gb:
        return {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gb.students}


def gradebook_score(graded, student):
    """The student's score on the assignment as nbgrader's Gradebook has it (None: no submission)."""
    with Gradebook(graded.gradebook_url, COURSE_ID) as gb:
        try:
            return gb.find_submission(AID, student).score
        except MissingEntry:
            return None


def read_canvas(path):
    with open(path, newline="", encoding="utf-8-sig") as stream:
        return list(csv.reader(stream))


# --- names ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, first, last", [
    ("Lovelace, Ada", "Ada", "Lovelace"),
    ("García Márquez, Gabriel José", "Gabriel José", "García Márquez"),
    ("Ada King Lovelace", "Ada King", "Lovelace"),
    ("  Ada   Lovelace ", "Ada", "Lovelace"),
    ("Plato", "", "Plato"),
    ("Lovelace,", "", "Lovelace"),
    ("King, Martin Luther, Jr.", "Martin Luther, Jr.", "King"),
    ("Zoe\u0308 A\u030angstro\u0308m", "Zoë", "Ångström"),  # decomposed accents become composed ones
])
def test_split_name(name, first, last):
    assert split_name(name) == (first, last)


@pytest.mark.parametrize("name", ["", "   ", ", Ada"])
def test_split_name_refuses_a_name_without_a_last_name(name):
    with pytest.raises(ValueError):
        split_name(name)


# --- reading a roster -----------------------------------------------------------------------

def test_the_sample_roster_reads_as_written_by_hand():
    entries = read_roster(SAMPLE)
    got = {e.id: (e.first_name, e.last_name, e.email, e.lms_user_id, e.section) for e in entries}
    assert got == SAMPLE_STUDENTS
    assert [e.line for e in entries] == [2, 3, 4, 5, 6]


def test_a_byte_order_mark_and_other_column_spellings_are_read(tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbfID,First Name,Last-Name,E-mail\r\n"
                           b"ada,Ada,Lovelace,ada@example.edu\r\nplato,,Plato,\r\n\r\n")
    with pytest.raises(RosterError, match="unknown column.*'E-mail'"):
        read_roster(path)  # e_mail is not email: refused, not guessed
    path = write(tmp_path, b"\xef\xbb\xbfID,First Name,Last-Name,Email\r\nada,Ada,Lovelace,ada@example.edu\r\n"
                           b"plato,,Plato,\r\n\r\n")
    entries = read_roster(path)
    assert [(e.id, e.first_name, e.last_name, e.email) for e in entries] == [
        ("ada", "Ada", "Lovelace", "ada@example.edu"), ("plato", "", "Plato", None)]


BAD_ROSTERS = {
    "missing id column": ("name,email\nAda Lovelace,ada@example.edu\n", ["line 1: there is no 'id' column"]),
    "duplicate ids": ("id,name\nada,Ada Lovelace\nbob,Bob Brown\nada,Ada King\n",
                      ["line 4: the id 'ada' already on line 2"]),
    "ids differing in case": ("id,name\nada,Ada Lovelace\nAda,Ada King\n",
                              ["line 3: the id 'Ada' differs only in case from 'ada' already on line 2"]),
    "empty id": ("id,name\nada,Ada Lovelace\n  ,Bob Brown\n", ["line 3: the id is empty"]),
    "id with a path": ("id,name\nab/ada,Ada Lovelace\n", ["line 2: the id 'ab/ada' contains a path separator"]),
    "id with a space": ("id,name\nada l,Ada Lovelace\n", ["line 2: the id 'ada l' contains white space"]),
    "latin-1 file": ("id,name\nada,Ada Lovelace\ncyd,Zoë Ångström\n".encode("latin-1"),
                     ["line 3: byte 0xeb at character 7 is not UTF-8", "CSV UTF-8"]),
    "utf-16 file": ("id,name\nada,Ada Lovelace\n".encode("utf-16"), ["line 1: the file is UTF-16 text"]),
    "extra column": ("id,name,notes\nada,Ada Lovelace,keen\n", ["line 1: unknown column(s) 'notes'"]),
    "unnamed extra column": ("id,name,\nada,Ada Lovelace,\n", ["line 1: unknown column(s) '(column 3 has no name)'"]),
    "extra cell (unquoted comma)": ("id,name\nada,Ada Lovelace\nbob,Brontë, Emily\n",
                                    ["line 3: 3 cells, but the header names 2 columns",
                                     'must be quoted: "Lovelace, Ada"']),
    "missing cell": ("id,name,email\nada,Ada Lovelace\n", ["line 2: 2 cells, but the header names 3 columns"]),
    "name and first_name": ("id,name,first_name,last_name\nada,Ada Lovelace,Ada,Lovelace\n", ["not both"]),
    "no name column": ("id,email\nada,ada@example.edu\n", ["line 1: there is no 'name' column"]),
    "column twice": ("id,name,Name\nada,Ada,Ada\n", ["line 1: the column 'Name' appears twice (columns 2 and 3)"]),
    "empty name": ("id,name\nada,\n", ["line 2: the name of 'ada' is empty"]),
    "empty last name": ("id,first_name,last_name\nada,Ada,\n", ["line 2: the name of 'ada' has no last name"]),
    "bad email": ("id,name,email\nada,Ada Lovelace,ada.example.edu\n",
                  ["line 2: the email of 'ada' 'ada.example.edu' is not an e-mail address"]),
    "lms id twice": ("id,name,lms_user_id\nada,Ada Lovelace,7\nbob,Bob Brown,7\n",
                     ["line 3: the lms_user_id '7' of 'bob' is already 'ada''s on line 2"]),
    "too long": (f"id,name\nada,Ada {'L' * 129}\n", ["line 2: the last_name of 'ada' is 129 characters long"]),
    "broken quotes": ('id,name\nada,"Ada "Lovelace\n', ["line 2: not valid CSV"]),
    "header only": ("id,name,email\n", ["lists no student"]),
    "empty file": ("", ["line 1: the file is empty"]),
    # a quoted name over two lines: the next record's line is still the file's line
    "line numbers after a two-line cell": ('id,name\nada,"Ada\nLovelace"\n,Bob Brown\n', ["line 4: the id is empty"]),
}


@pytest.mark.parametrize("case", sorted(BAD_ROSTERS))
def test_a_bad_roster_is_refused_naming_the_line_and_nothing_is_written(case, tmp_path):
    content, messages = BAD_ROSTERS[case]
    path = write(tmp_path, content)
    empty = GraderCourse(tmp_path / "course")
    with pytest.raises(RosterError) as refused:
        import_roster(empty, path)
    text = str(refused.value)
    assert "not imported, nothing was changed" in text
    for message in messages:
        assert message in text, text
    assert not empty.root.exists()  # no folder, no gradebook, no stored roster


def test_every_problem_of_a_file_is_listed(tmp_path):
    path = write(tmp_path, "id,name,email\nada,Ada Lovelace,ada@example.edu\n,Bob Brown,bob@example.edu\n"
                           "cyd,,cyd@example.edu\nada,Ada King,nope\n")
    with pytest.raises(RosterError) as refused:
        read_roster(path)
    assert refused.value.problems == [
        "line 3: the id is empty",
        "line 4: the name of 'cyd' is empty",
        "line 5: the email of 'ada' 'nope' is not an e-mail address",
        "line 5: the id 'ada' already on line 2",
    ]


def test_cli_roster_refuses_a_bad_file(tmp_path, capsys):
    path = write(tmp_path, "id,name\nada,Ada Lovelace\nada,Ada King\n")
    assert main(["--course", str(tmp_path / "course"), "roster", str(path)]) == 1
    assert "line 3: the id 'ada' already on line 2" in capsys.readouterr().err
    assert main(["--course", str(tmp_path / "course"), "roster", str(tmp_path / "none.csv")]) == 1
    assert "none.csv" in capsys.readouterr().err


# --- importing into a graded course ---------------------------------------------------------

@pytest.mark.slow
def test_the_roster_names_every_student_and_keeps_their_submissions(course_copy):
    before = students(course_copy)
    assert before == {s: (None, None, None, None) for s in EXPECTED}  # nbgrader created them nameless
    report = import_roster(course_copy, SAMPLE)
    assert [e.id for e in report.added] == ["eve"]
    every_field = ["first_name", "last_name", "email", "lms_user_id"]
    assert {e.id: changed for e, changed in report.updated} == {
        "ada": every_field, "bob": every_field, "cyd": every_field[:3], "dan": every_field}  # cyd has no LMS id
    assert (report.unchanged, report.not_in_roster, report.named) == ([], [], [])
    assert students(course_copy) == {s: fields[:4] for s, fields in SAMPLE_STUDENTS.items()}
    for student, (score, status, _) in EXPECTED.items():
        assert gradebook_score(course_copy, student) == (None if status == "missing" else score), student
    assert (course_copy.root / ROSTER_FILE).is_file()
    again = import_roster(course_copy, SAMPLE)
    assert ([e.id for e in again.unchanged], again.added, again.updated) == (list(SAMPLE_STUDENTS), [], [])


@pytest.mark.slow
def test_an_empty_cell_keeps_what_the_gradebook_has_and_a_changed_one_updates_it(course_copy, tmp_path):
    import_roster(course_copy, SAMPLE)
    path = write(tmp_path, "id,first_name,last_name,email,lms_user_id\n"
                           "ada,Ada,Lovelace,,\nbob,Émily Jane,Brontë,emily@example.org,40102\n")
    report = import_roster(course_copy, path)
    assert {e.id: changed for e, changed in report.updated} == {"ada": ["first_name"], "bob": ["email"]}
    now = students(course_copy)
    assert now["ada"] == ("Ada", "Lovelace", "ada.lovelace@example.edu", "40101")
    assert now["bob"] == ("Émily Jane", "Brontë", "emily@example.org", "40102")
    assert report.not_in_roster == ["cyd", "dan", "eve"]


@pytest.mark.slow
def test_a_bad_roster_changes_nothing_in_a_graded_course(course_copy, tmp_path):
    import_roster(course_copy, SAMPLE)
    stored = (course_copy.root / ROSTER_FILE).read_bytes()
    before = students(course_copy)
    bad = SAMPLE.read_text(encoding="utf-8").replace("eve,Ève Curie", "ada,Ève Curie") + "zed,Zed Zed\n"
    with pytest.raises(RosterError, match="line 6: the id 'ada' already on line 2"):
        import_roster(course_copy, write(tmp_path, bad))
    assert students(course_copy) == before
    assert (course_copy.root / ROSTER_FILE).read_bytes() == stored


@pytest.mark.slow
def test_a_student_without_a_roster_entry_is_shown_by_id_and_left_out_of_canvas(course_copy, tmp_path):
    without_cyd = "".join(line for line in SAMPLE.read_text(encoding="utf-8").splitlines(True)
                          if not line.startswith("cyd,"))
    report = import_roster(course_copy, write(tmp_path, without_cyd))
    assert (report.not_in_roster, report.named) == (["cyd"], ["cyd"])
    assert students(course_copy)["cyd"] == ("", "cyd", None, None)  # the formgrader shows "cyd, "
    assert gradebook_score(course_copy, "cyd") == EXPECTED["cyd"][0]
    export = export_canvas(course_copy, tmp_path / "canvas.csv")
    assert export.not_on_roster == ["cyd"]
    assert [row[3] for row in read_canvas(export.path)[2:]] == ["ada", "bob", "dan", "eve"]
    assert "Left out, not in the roster (import them with `backprop-grader roster`): cyd" in export.summary()


# --- the Canvas file ------------------------------------------------------------------------

@pytest.mark.slow
def test_the_canvas_file_matches_the_gradebook_cell_by_cell(course_copy, tmp_path):
    import_roster(course_copy, SAMPLE)
    export = export_canvas(course_copy, tmp_path / "out" / "canvas.csv")
    raw = export.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfStudent,ID,SIS User ID,SIS Login ID,Section,")
    rows = read_canvas(export.path)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{TITLE} ({AID})"]
    with Gradebook(course_copy.gradebook_url, COURSE_ID) as gb:
        max_score = gb.find_assignment(AID).max_score
    assert max_score == 15
    assert rows[1][:5] == ["Points Possible", "", "", "", ""]
    assert float(rows[1][5]) == pytest.approx(max_score, abs=SCORE_TOLERANCE)
    assert len(rows) == 2 + len(SAMPLE_STUDENTS)
    for row, identity in zip(rows[2:], CANVAS_IDENTITIES):
        assert row[:5] == identity
        student = identity[3]
        score = gradebook_score(course_copy, student)
        expected = 0.0 if score is None else score  # no submission: 0
        assert float(row[5]) == pytest.approx(expected, abs=SCORE_TOLERANCE), student
    assert [float(r[5]) for r in rows[2:6]] == [EXPECTED[s][0] for s in ("ada", "bob", "cyd", "dan")]
    assert (export.not_on_roster, export.not_collected, export.attention) == ([], [], [])


@pytest.mark.slow
def test_canvas_assignment_numbers_leaving_out_and_flagging(course_copy, tmp_path):
    import_roster(course_copy, SAMPLE)
    with pytest.raises(ValueError, match="02_nope"):
        export_canvas(course_copy, tmp_path / "c.csv", {"02_nope": "5"})
    (course_copy.root / "autograded" / "cyd" / AID / f"{AID}.ipynb").unlink()  # its autograding "failed"
    with Gradebook(course_copy.gradebook_url, COURSE_ID) as gb:
        gb.add_assignment("02_extra", course_id=COURSE_ID)  # released, nothing submitted yet
    export = export_canvas(course_copy, tmp_path / "c.csv", {AID: "98765"})
    rows = read_canvas(export.path)
    assert rows[0][5:] == [f"{TITLE} (98765)"]
    assert (export.not_collected, export.attention) == (["02_extra"], [("cyd", AID, "error")])
    assert "Check before importing: cyd 01_sigmoid_neurons: error" in export.summary()


@pytest.mark.slow
def test_the_canvas_export_needs_a_roster(course_copy, tmp_path):
    with pytest.raises(NoRosterError, match="backprop-grader roster FILE.csv"):
        export_canvas(course_copy, tmp_path / "c.csv")
    assert not (tmp_path / "c.csv").exists()


@pytest.mark.slow
def test_the_commands(course_copy, tmp_path, capsys):
    root = str(course_copy.root)
    args = ["--course", root]
    assert main(args + ["roster", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "Roster sample_roster.csv: 5 student(s): 1 added, 4 updated, 0 unchanged." in out
    assert "  added    eve: Curie, Ève  <eve.curie@example.edu>, LMS id 40105, section Section A" in out
    assert main(args + ["export", "--format", "canvas", "--out", str(tmp_path / "c.csv")]) == 0
    out = capsys.readouterr().out
    assert f"Canvas gradebook written to {tmp_path / 'c.csv'}: 5 student(s), 1 assignment(s)." in out
    assert read_canvas(tmp_path / "c.csv")[2][:4] == CANVAS_IDENTITIES[0][:4]
    assert main(args + ["export", "--format", "canvas", "--canvas-id", "1234", "--out", str(tmp_path / "d.csv")]) == 1
    assert "write ASSIGNMENT=NUMBER" in capsys.readouterr().err
    # the default export is still the per-question CSV
    assert main(args + ["export", "--out", str(tmp_path / "grades.csv")]) == 0
    assert (tmp_path / "grades.csv").read_bytes() == export_grades(course_copy, tmp_path / "again.csv").read_bytes()
