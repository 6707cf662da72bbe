"""grader.collect.collect_all and `backprop-grader collect --all`: one LMS download holding
several assignments, each notebook placed in its own assignment (by its name, or by its cells
when the student renamed it); what matches no assignment, or several, is reported."""

import functools
import shutil

import nbformat
import pytest

from grader.cli import main
from grader.collect import collect, collect_all
from grader.course import ASSIGNMENTS_DIR, Course
from test_collect import marker_of, notebook_text, reasons, timestamp_of, write, zip_bytes

A1, A2, A3, A4, A5, A6 = ("01_sigmoid_neurons", "02_cost_functions", "03_hadamard_forward", "04_backpropagation",
                          "05_training", "06_deep_networks")


def nb(aid):
    return f"{aid}.ipynb"


@functools.cache
def master_text(aid):
    return (ASSIGNMENTS_DIR / aid / nb(aid)).read_text(encoding="utf-8")


def notebook_of(marker, *aids):
    """A copy of the master notebook of ``aids[0]`` (with the cells of the others appended,
    under new cell ids), whose metadata says which copy it is."""
    first, *others = [nbformat.reads(master_text(aid), as_version=4) for aid in aids]
    for aid, other in zip(aids[1:], others):
        for index, cell in enumerate(other.cells):
            cell.id = f"{aid[:2]}-{index}"
            first.cells.append(cell)
    first.metadata["marker"] = marker
    return nbformat.writes(first)


def placed(course, student, aid):
    return course.root / "submitted" / student / aid / nb(aid)


@pytest.fixture
def course(tmp_path):
    return Course(tmp_path / "course", source=ASSIGNMENTS_DIR)


@pytest.fixture
def download(tmp_path):
    """Three students, six assignments: alice renamed her third notebook; bob handed in a
    renamed copy of one next to the named one, and a notebook of no assignment; carol's (in a
    nested zip) holds two attempts of one assignment, a notebook made of two and a renamed sixth."""
    carol = zip_bytes({
        f"{A2}_carol_attempt_2024-03-01-10-00-00_{nb(A2)}": notebook_of("carol-2-old", A2),
        f"{A2}_carol_attempt_2024-03-02-10-00-00_{nb(A2)}": notebook_of("carol-2-new", A2),
        f"carol_333_{nb(A5)}": notebook_of("carol-5", A5),
        "carol_333_both.ipynb": notebook_of("carol-1-and-2", A1, A2),
        "carol_333_week6.ipynb": notebook_of("carol-6", A6),
    })
    members = {
        f"alice_111_{nb(A1)}": notebook_of("alice-1", A1),
        f"alice_111_{nb(A2)}": notebook_of("alice-2", A2),
        "alice_111_homework3.ipynb": notebook_of("alice-3", A3),
        f"bob_222_{nb(A1)}": notebook_of("bob-1", A1),
        "bob_222_copy_of_01.ipynb": notebook_of("bob-1-copy", A1),
        f"bob_222_{nb(A4)}": notebook_of("bob-4", A4),
        "bob_222_scratch.ipynb": notebook_text("bob-scratch"),
        "late/carol.zip": carol,
    }
    path = tmp_path / "download.zip"
    path.write_bytes(zip_bytes(members))
    return path


def test_every_notebook_goes_to_its_own_assignment(course, download):
    report = collect_all(course, download)

    expected = {("alice", A1): "alice-1", ("alice", A2): "alice-2", ("alice", A3): "alice-3",
                ("bob", A1): "bob-1", ("bob", A4): "bob-4", ("carol", A2): "carol-2-new", ("carol", A5): "carol-5",
                ("carol", A6): "carol-6"}
    assert sorted(report.placed) == sorted((s, placed(course, s, a)) for s, a in expected)
    assert {key: marker_of(placed(course, *key)) for key in expected} == expected
    on_disk = {(p.parent.parent.name, p.parent.name) for p in (course.root / "submitted").glob("*/*/*.ipynb")}
    assert on_disk == set(expected)


def test_a_renamed_notebook_is_placed_by_its_cells_with_a_note(course, download):
    report = collect_all(course, download)

    assert marker_of(placed(course, "alice", A3)) == "alice-3"
    [note] = [n for n in report.notes if n.startswith("alice:")]
    assert f"homework3.ipynb placed as {nb(A3)}" in note and f"cells are those of {A3}" in note
    assert "download.zip:alice_111_homework3.ipynb" in note


def test_a_notebook_of_no_assignment_or_of_several_is_reported_not_guessed(course, download):
    skipped = reasons(collect_all(course, download))

    assert "matches no assignment" in skipped["download.zip:bob_222_scratch.ipynb"]
    several = skipped["download.zip:late/carol/carol_333_both.ipynb"]
    assert "matches several assignments" in several and A1 in several and A2 in several
    assert not (course.root / "submitted" / "carol" / A1).exists()


def test_duplicates_keep_the_named_then_the_newest_copy(course, download):
    report = collect_all(course, download)

    skipped = reasons(report)
    assert f"also handed in a notebook named {nb(A1)}" in skipped["download.zip:bob_222_copy_of_01.ipynb"]
    old = f"download.zip:late/carol/{A2}_carol_attempt_2024-03-01-10-00-00_{nb(A2)}"
    assert "newest by timestamp" in skipped[old]
    assert timestamp_of(course, "carol", A2) == "2024-03-02 10:00:00"
    assert set(skipped) == {"download.zip:bob_222_scratch.ipynb", "download.zip:bob_222_copy_of_01.ipynb",
                            "download.zip:late/carol/carol_333_both.ipynb", old}
    assert report.summary().startswith("Placed 8 submission(s).")


def test_a_notebook_named_for_one_assignment_is_placed_there_whatever_its_cells(course, tmp_path):
    download = tmp_path / "download.zip"
    download.write_bytes(zip_bytes({f"dave_444_{nb(A2)}": notebook_of("dave", A1)}))

    report = collect_all(course, download)

    assert report.placed == [("dave", placed(course, "dave", A2))]
    [note] = report.notes
    assert note.startswith("dave:") and f"placed by its name, although its cells are those of {A1}" in note


def test_the_single_assignment_form_is_unchanged_on_the_same_download(course, download):
    report = collect(course, A1, download)

    assert sorted(s for s, _ in report.placed) == ["alice", "bob"]
    assert marker_of(placed(course, "bob", A1)) == "bob-1"
    skipped = reasons(report)
    assert f"does not belong to this assignment (expected {nb(A1)})" in skipped[f"download.zip:alice_111_{nb(A2)}"]
    assert "none can be told to be the submission" in skipped["download.zip:late/carol/carol_333_both.ipynb"]
    assert not (course.root / "submitted" / "alice" / A2).exists()


def test_a_copy_of_submitted_keeps_each_assignment_its_own_timestamp(course, tmp_path):
    root = tmp_path / "submitted-copy"
    for aid, stamp in ((A1, "2024-01-01 10:00:00"), (A2, "2024-02-01 10:00:00")):
        write(root / "erin" / aid / nb(aid), notebook_of(f"erin-{aid}", aid))
        write(root / "erin" / aid / "timestamp.txt", stamp)

    report = collect_all(course, root)

    assert len(report.placed) == 2 and report.inferred == []
    assert timestamp_of(course, "erin", A1) == "2024-01-01 10:00:00"
    assert timestamp_of(course, "erin", A2) == "2024-02-01 10:00:00"


def test_existing_submissions_are_kept_unless_forced(course, download):
    collect_all(course, download)

    again = collect_all(course, download)
    forced = collect_all(course, download, force=True)

    assert again.placed == [] and len(forced.placed) == 8
    assert "already has a submission" in reasons(again)[f"download.zip:alice_111_{nb(A1)}"]


def test_a_course_without_assignments_is_refused(tmp_path, download):
    empty = tmp_path / "no-sources"
    empty.mkdir()
    with pytest.raises(ValueError, match="no assignments"):
        collect_all(Course(tmp_path / "course", source=empty), download)


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def course_root(tmp_path):
    """A course folder whose own source/ holds two of the assignments."""
    root = tmp_path / "cli-course"
    for aid in (A1, A2):
        shutil.copytree(ASSIGNMENTS_DIR / aid, root / "source" / aid)
    return root


def test_cli_collect_all_and_the_single_form(course_root, download, capsys):
    assert main(["--course", str(course_root), "collect", "--all", str(download)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Placed 4 submission(s).")  # alice 01, 02; bob 01; carol 02
    assert (course_root / "submitted" / "alice" / A2 / nb(A2)).is_file()
    # 03 is not an assignment of this course
    assert "alice_111_homework3.ipynb: notebook homework3.ipynb matches no assignment" in out
    assert "carol_333_week6.ipynb: notebook week6.ipynb matches no assignment" in out

    assert main(["--course", str(course_root), "collect", A1, str(download), "--force"]) == 0
    assert capsys.readouterr().out.startswith("Placed 2 submission(s).")


@pytest.mark.parametrize("arguments, message", [(["collect"], "name the ASSIGNMENT, or give --all"),
                                                (["collect", "--all", A1], "--all takes no ASSIGNMENT")])
def test_cli_collect_needs_exactly_one_of_assignment_and_all(course_root, download, capsys, arguments, message):
    assert main(["--course", str(course_root), *arguments, str(download)]) == 2
    assert message in capsys.readouterr().err
    assert not (course_root / "submitted").exists()
