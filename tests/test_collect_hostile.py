"""Hostile input to collect, the roster and the CSV exports: student ids that would be markup
in nbgrader's formgrader, ids that differ only in Unicode form or case, archive bombs, and cells a
spreadsheet would run as formulas."""

import csv
import unicodedata
import zipfile

import pytest
from nbgrader.api import Gradebook

from grader.collect import collect
from grader.collect_archives import MAX_NESTING, ExtractionBudget, extract
from grader.collect_report import CollectReport
from grader.course import COURSE_ID, Course
from grader.export import export_grades, text_cell
from grader.roster_file import RosterError, read_roster
from test_collect import NB, marker_of, notebook_text, reasons, submitted, write, zip_bytes

A = "01_sigmoid_neurons"


@pytest.fixture
def course(tmp_path):
    return Course(tmp_path / "course")


def test_markup_in_a_student_id_from_a_zip_name_is_refused(course, tmp_path):
    upload = tmp_path / "upload.zip"
    evil = "<b>onmouseover=alert(1)"
    upload.write_bytes(zip_bytes({f"{evil}_{NB}": notebook_text("evil"), f"alice_{NB}": notebook_text("alice")}))

    report = collect(course, A, upload)

    assert [student for student, _ in report.placed] == ["alice"]
    assert "holds characters other than letters" in reasons(report)[f"upload.zip:{evil}_{NB}"]


def test_an_nfd_id_is_the_nfc_id(course, tmp_path):
    nfd = unicodedata.normalize("NFD", "zoë")
    root = tmp_path / "tree"
    write(root / "bp12345alice" / NB, notebook_text("alice"))
    write(root / nfd / NB, notebook_text("zoe"))

    report = collect(course, A, root)

    # Accented ids are outside the safe set either way; what matters is that the id is judged in NFC.
    assert [student for student, _ in report.placed] == ["bp12345alice"]
    assert "'zoë'" in next(reason for file, reason in report.skipped if file.startswith(nfd))


def test_ids_differing_only_in_case_are_refused(course, tmp_path):
    root = tmp_path / "tree"
    write(root / "Alice" / NB, notebook_text("upper"))
    write(root / "alice" / NB, notebook_text("lower"))
    write(root / "bob" / NB, notebook_text("bob"))

    report = collect(course, A, root)

    assert [student for student, _ in report.placed] == ["bob"]
    assert "differs only in case from 'alice'" in reasons(report)[f"Alice/{NB}"]
    assert "differs only in case from 'Alice'" in reasons(report)[f"alice/{NB}"]
    assert marker_of(submitted(course, "bob")) == "bob"


def test_roster_refuses_markup_and_control_characters(tmp_path):
    path = write(tmp_path / "roster.csv", "id,name,section\nada,Ada Love<img>,A\nbob,Bob Brown,B\x07\n"
                                          "cyd,Cyd Smith,C\n")
    with pytest.raises(RosterError) as raised:
        read_roster(path)
    problems = raised.value.problems
    assert len(problems) == 2
    assert problems[0].startswith("line 2: the last_name of 'ada'") and "'<'" in problems[0]
    assert problems[1].startswith("line 3: the section of 'bob'")


def test_roster_keeps_an_apostrophe_in_a_name(tmp_path):
    path = write(tmp_path / "roster.csv", "id,name\nada,Ada O'Brien\n")
    assert [(e.first_name, e.last_name) for e in read_roster(path)] == [("Ada", "O'Brien")]


def test_roster_refuses_an_id_outside_the_safe_set(tmp_path):
    path = write(tmp_path / "roster.csv", "id,name\nada&co,Ada Lovelace\n")
    with pytest.raises(RosterError, match="line 2: the id 'ada&co' holds characters other than letters"):
        read_roster(path)


def _nested(depth, name=NB):
    """Zip bytes of a notebook inside ``depth`` zips in all."""
    data, member = notebook_text("deep").encode(), name
    for level in range(depth):
        data, member = zip_bytes({member: data}), f"level{level}.zip"
    return data


def test_archives_nested_deeper_than_the_limit_are_not_extracted(tmp_path):
    ok, deep = tmp_path / "ok.zip", tmp_path / "deep.zip"
    ok.write_bytes(_nested(MAX_NESTING))
    deep.write_bytes(_nested(MAX_NESTING + 1))
    report = CollectReport()

    assert [rel.name for _, rel in extract(ok, tmp_path / "x", report)] == [NB]
    assert extract(deep, tmp_path / "y", report) == []
    assert any(f"nested {MAX_NESTING + 1} deep" in reason for _, reason in report.skipped)


def test_an_archive_larger_than_the_budget_is_skipped(tmp_path):
    big = tmp_path / "big.zip"
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(NB, b"\0" * 1_000_000)
    report = CollectReport()

    assert extract(big, tmp_path / "x", report, ExtractionBudget(bytes_left=999_999)) == []
    assert "would extract 1000000 bytes" in reasons(report)["big.zip"]
    assert not any((tmp_path / "x").iterdir())
    few = CollectReport()
    assert extract(big, tmp_path / "z", few, ExtractionBudget(entries_left=0)) == []
    assert "holds 1 entries" in reasons(few)["big.zip"]


@pytest.mark.parametrize("text", ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_text_is_quoted(text):
    assert text_cell(text) == "'" + text


def test_plain_text_is_kept():
    assert text_cell("alice") == "alice"


def test_grades_csv_quotes_a_formula_id_but_not_scores(tmp_path):
    course = Course(tmp_path / "course")
    course.root.mkdir()
    with Gradebook(course.gradebook_url, COURSE_ID) as gradebook:
        gradebook.add_assignment("=cmd")
        gradebook.add_student("-evil")
    out = export_grades(course, tmp_path / "grades.csv")

    with out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[1][:4] == ["'-evil", "'=cmd", "0", "0"]
