"""grader.collect: one assignment's submissions from folder trees and LMS zip downloads into
submitted/ (every assignment's at once: test_collect_all.py; timestamps: test_collect_timestamps.py)."""

import io
import os
import zipfile
from datetime import datetime, timezone

import nbformat
import pytest

from grader.collect import NBGRADER_DOCS_REGEXP, collect, parse_timestamp
from grader.course import Course

A = "01_sigmoid_neurons"
NB = f"{A}.ipynb"


def notebook_text(marker):
    """A tiny notebook whose metadata says which copy it is."""
    nb = nbformat.v4.new_notebook(metadata={"marker": marker})
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    return nbformat.writes(nb)


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def zip_bytes(members):
    """A zip archive in memory from {name or zipfile.ZipInfo: str or bytes}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def set_mtime(path, text):
    """Give ``path`` the modification time ``text`` ("YYYY-MM-DD HH:MM:SS", UTC)."""
    moment = datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()
    os.utime(path, (moment, moment))
    return path


def timestamp_of(course, student, assignment=A):
    """The text of a placed submission's timestamp.txt, or None if it has none."""
    path = course.root / "submitted" / student / assignment / "timestamp.txt"
    return path.read_text() if path.exists() else None


def marker_of(path):
    return nbformat.read(path, as_version=4).metadata["marker"]


def submitted(course, student):
    return course.root / "submitted" / student / A / NB


def reasons(report):
    """{file: reason} of the skipped files."""
    return dict(report.skipped)


@pytest.fixture
def course(tmp_path):
    return Course(tmp_path / "course")


# --- folder trees --------------------------------------------------------------------------


@pytest.fixture
def tree(tmp_path):
    """alice renamed her notebook; bob has two copies and a scratch notebook; carol added notes."""
    root = tmp_path / "tree"
    write(root / "alice" / "work" / "my_copy.ipynb", notebook_text("alice"))
    write(root / "alice" / "work" / "timestamp.txt", "2024-03-01 09:00:00")
    write(root / "bob" / "attempt1" / NB, notebook_text("bob-newer"))
    write(root / "bob" / "attempt1" / "timestamp.txt", "2024-03-02 12:00:00")
    write(root / "bob" / "attempt2" / NB, notebook_text("bob-older"))
    write(root / "bob" / "attempt2" / "timestamp.txt", "2024-03-01 12:00:00")
    write(root / "bob" / "scratch.ipynb", notebook_text("bob-scratch"))
    set_mtime(write(root / "carol" / NB, notebook_text("carol")), "2024-03-03 10:00:00")
    write(root / "carol" / "notes.txt", "my notes")
    return root


def test_folder_tree_places_one_notebook_per_student(course, tree):
    report = collect(course, A, tree)

    assert sorted(s for s, _ in report.placed) == ["alice", "bob", "carol"]
    assert {s: p for s, p in report.placed}["carol"] == submitted(course, "carol")
    assert marker_of(submitted(course, "alice")) == "alice"
    assert marker_of(submitted(course, "carol")) == "carol"
    # alice's timestamp.txt travels with her notebook; carol had none: her file's time is recorded
    assert timestamp_of(course, "alice") == "2024-03-01 09:00:00"
    assert timestamp_of(course, "carol") == "2024-03-03 10:00:00"
    assert [(s, a) for s, a, _, _ in report.inferred] == [("carol", A)]


def test_renamed_only_notebook_is_placed_with_a_note(course, tree):
    report = collect(course, A, tree)

    [note] = [n for n in report.notes if n.startswith("alice:")]
    assert "my_copy.ipynb" in note and NB in note


def test_two_copies_keep_the_newest_timestamp_and_report_the_other(course, tree):
    report = collect(course, A, tree)

    # attempt1 is newer by its timestamp although attempt2 comes later by name
    assert marker_of(submitted(course, "bob")) == "bob-newer"
    assert (submitted(course, "bob").parent / "timestamp.txt").read_text() == "2024-03-02 12:00:00"
    skipped = reasons(report)
    assert "newest by timestamp" in skipped[f"bob/attempt2/{NB}"]
    assert f"bob/attempt1/{NB}" in skipped[f"bob/attempt2/{NB}"]
    assert f"expected {NB}" in skipped["bob/scratch.ipynb"]


def test_two_copies_without_timestamps_keep_the_last_by_name(course, tmp_path):
    root = tmp_path / "tree"
    write(root / "bob" / "a" / NB, notebook_text("first"))
    write(root / "bob" / "b" / NB, notebook_text("second"))

    report = collect(course, A, root)

    assert marker_of(submitted(course, "bob")) == "second"
    assert "last in name order" in reasons(report)[f"bob/a/{NB}"]


def test_non_notebook_file_is_reported(course, tree):
    report = collect(course, A, tree)

    assert "not a notebook" in reasons(report)["carol/notes.txt"]
    assert not (submitted(course, "carol").parent / "notes.txt").exists()


def test_several_renamed_notebooks_are_not_guessed(course, tmp_path):
    root = tmp_path / "tree"
    write(root / "dan" / "one.ipynb", notebook_text("one"))
    write(root / "dan" / "two.ipynb", notebook_text("two"))

    report = collect(course, A, root)

    assert report.placed == []
    assert set(reasons(report)) == {"dan/one.ipynb", "dan/two.ipynb"}
    assert all(f"expected {NB}" in r for r in reasons(report).values())
    assert not (course.root / "submitted" / "dan").exists()


def test_unreadable_timestamp_file_is_not_kept(course, tmp_path):
    root = tmp_path / "tree"
    set_mtime(write(root / "erin" / NB, notebook_text("erin")), "2024-05-06 07:08:09")
    write(root / "erin" / "timestamp.txt", "yesterday-ish")

    report = collect(course, A, root)

    assert submitted(course, "erin").is_file()
    assert timestamp_of(course, "erin") == "2024-05-06 07:08:09"  # the file's time, not the unreadable text
    assert any("timestamp.txt unreadable" in n for n in report.notes)
    assert [(s, a) for s, a, _, _ in report.inferred] == [("erin", A)]


# --- LMS downloads ---------------------------------------------------------------------------


@pytest.fixture
def lms_zip(tmp_path):
    """A download as an LMS makes it: flat names, a nested zip, junk and a broken archive."""
    inner = zip_bytes({f"bob_222_{NB}": notebook_text("bob")})
    members = {
        f"alice_111_{NB}": notebook_text("alice"),
        "late/bob_submissions.zip": inner,
        f"{A}_dave_attempt_2016-01-30-20-30-10_{NB}": notebook_text("dave-old"),
        f"{A}_dave_attempt_2016-02-01-08-00-00_{NB}": notebook_text("dave-new"),
        "erin_333_feedback.txt": "not a notebook",
        "submission.ipynb": notebook_text("nobody"),
        f"__MACOSX/._alice_111_{NB}": b"\x00\x05\x16\x07",
        "broken.zip": b"this is not a zip archive",
    }
    path = tmp_path / "download.zip"
    path.write_bytes(zip_bytes(members))
    return path


def test_lms_zip_places_students_from_file_names(course, lms_zip):
    report = collect(course, A, lms_zip)

    assert sorted(s for s, _ in report.placed) == ["alice", "bob", "dave"]
    assert marker_of(submitted(course, "alice")) == "alice"
    assert marker_of(submitted(course, "bob")) == "bob"  # from the nested zip
    # no timestamp in alice's or bob's file names: theirs are inferred (and said to be), dave's is not
    assert sorted(s for s, _, _, _ in report.inferred) == ["alice", "bob"]


def test_lms_zip_keeps_the_newest_attempt_and_writes_its_timestamp(course, lms_zip):
    report = collect(course, A, lms_zip)

    assert marker_of(submitted(course, "dave")) == "dave-new"
    stamp = (submitted(course, "dave").parent / "timestamp.txt").read_text()
    assert stamp == "2016-02-01 08:00:00"
    old = f"download.zip:{A}_dave_attempt_2016-01-30-20-30-10_{NB}"
    assert "newest by timestamp" in reasons(report)[old]


def test_lms_zip_reports_every_file_it_cannot_place(course, lms_zip):
    skipped = reasons(collect(course, A, lms_zip))

    assert "not a notebook" in skipped["download.zip:erin_333_feedback.txt"]
    no_match = skipped["download.zip:submission.ipynb"]
    assert "does not match the pattern" in no_match and NBGRADER_DOCS_REGEXP in no_match
    assert "corrupt" in skipped["download.zip:broken.zip"]
    assert "system file" in skipped[f"download.zip:__MACOSX/._alice_111_{NB}"]


def test_corrupt_zip_is_reported_not_raised(course, tmp_path):
    bad = tmp_path / "download.zip"
    good = zip_bytes({f"alice_1_{NB}": notebook_text("alice")})
    bad.write_bytes(good[: len(good) // 2])  # truncated download

    report = collect(course, A, bad)

    assert report.placed == []
    assert "unreadable or corrupt archive" in reasons(report)["download.zip"]


def test_custom_regexp_and_its_timestamp(course, tmp_path):
    source = tmp_path / "download.zip"
    source.write_bytes(zip_bytes({f"{A}--kim--20240105T101500--{NB}": notebook_text("kim")}))
    regexp = r".*/[^/]*--(?P<student_id>\w+)--(?P<timestamp>\w+)--(?P<file_id>[^/]+)$"

    report = collect(course, A, source, regexp=regexp)

    assert [s for s, _ in report.placed] == ["kim"]
    assert (submitted(course, "kim").parent / "timestamp.txt").read_text() == "2024-01-05 10:15:00"


def test_folder_with_top_level_downloads_mixes_both_conventions(course, tmp_path):
    root = tmp_path / "archive"
    write(root / "carol" / NB, notebook_text("carol"))
    (root / "batch.zip").write_bytes(zip_bytes({f"alice_9_{NB}": notebook_text("alice")}))
    write(root / f"bob_7_{NB}", notebook_text("bob"))

    report = collect(course, A, root)

    assert sorted(s for s, _ in report.placed) == ["alice", "bob", "carol"]
    assert marker_of(submitted(course, "alice")) == "alice"


def test_dashed_lms_timestamp_is_read_as_date_and_time():
    # nbgrader's parse_utc alone reads this as 2016-01-31 06:00
    assert str(parse_timestamp("2016-01-30-20-30-10")) == "2016-01-30 20:30:10"
    with pytest.raises(ValueError):
        parse_timestamp("not a time")


# --- force ---------------------------------------------------------------------------------


def alice_submitted_v1(course, tmp_path):
    """alice's first submission ("v1", submitted 2024-01-01), collected."""
    first = tmp_path / "first"
    write(first / "alice" / NB, notebook_text("v1"))
    write(first / "alice" / "timestamp.txt", "2024-01-01 00:00:00")
    collect(course, A, first)


def test_existing_submission_is_kept_without_force(course, tmp_path):
    alice_submitted_v1(course, tmp_path)
    second = tmp_path / "second"
    write(second / "alice" / "renamed.ipynb", notebook_text("v2"))

    report = collect(course, A, second)

    assert report.placed == []
    reason = reasons(report)["alice/renamed.ipynb"]
    assert "already has a submission" in reason and "force=True" in reason
    assert report.notes == []  # no "placed as ..." note for a notebook that was not placed
    assert marker_of(submitted(course, "alice")) == "v1"
    assert (submitted(course, "alice").parent / "timestamp.txt").read_text() == "2024-01-01 00:00:00"


def test_force_replaces_the_submission_and_its_stale_timestamp(course, tmp_path):
    alice_submitted_v1(course, tmp_path)
    second = tmp_path / "second"
    set_mtime(write(second / "alice" / NB, notebook_text("v2")), "2024-02-02 02:02:02")

    report = collect(course, A, second, force=True)

    assert report.placed == [("alice", submitted(course, "alice"))]
    assert marker_of(submitted(course, "alice")) == "v2"
    assert timestamp_of(course, "alice") == "2024-02-02 02:02:02"  # v2's own, not v1's stale one
    assert any("replaced" in n and "force=True" in n for n in report.notes)


def test_force_without_inferred_timestamps_leaves_none(course, tmp_path):
    alice_submitted_v1(course, tmp_path)
    second = tmp_path / "second"
    write(second / "alice" / NB, notebook_text("v2"))

    report = collect(course, A, second, force=True, infer_timestamps=False)

    assert marker_of(submitted(course, "alice")) == "v2"
    assert timestamp_of(course, "alice") is None
    assert report.inferred == []


# --- unsafe ids, invalid notebooks, arguments ------------------------------------------------


def test_unsafe_student_ids_are_refused(course, tmp_path):
    root = tmp_path / "tree"
    write(root / ".sneaky" / NB, notebook_text("hidden"))
    dotted = tmp_path / "dotted.zip"
    dotted.write_bytes(zip_bytes({f"student-.._{NB}": notebook_text("up")}))
    slashed = tmp_path / "slashed.zip"
    slashed.write_bytes(zip_bytes({f"x/y__{NB}": notebook_text("slash")}))

    report = collect(course, A, root)
    up = collect(course, A, dotted, regexp=r".*/student-(?P<student_id>[^_/]+)_(?P<file_id>[^/]+)$")
    down = collect(course, A, slashed, regexp=r".*/(?P<student_id>[^/]+/[^/]+)__(?P<file_id>.+)$")

    assert report.placed == up.placed == down.placed == []
    assert "unsafe student id '.sneaky'" in reasons(report)[".sneaky/"]
    assert "unsafe student id '..'" in reasons(up)[f"dotted.zip:student-.._{NB}"]
    assert "path separator" in reasons(down)[f"slashed.zip:x/y__{NB}"]
    assert not (course.root / "submitted").exists()
    assert not (course.root / A).exists()


def test_invalid_json_notebook_is_placed_and_noted(course, tmp_path):
    root = tmp_path / "tree"
    write(root / "frank" / NB, '{"cells": [ this is not json')

    report = collect(course, A, root)

    assert report.placed == [("frank", submitted(course, "frank"))]
    assert submitted(course, "frank").read_text() == '{"cells": [ this is not json'
    [note] = report.notes
    assert note.startswith("frank:") and "not a valid notebook" in note


def test_bad_arguments_raise(course, tmp_path):
    write(tmp_path / "tree" / "alice" / NB, notebook_text("a"))
    with pytest.raises(ValueError, match="assignment id"):
        collect(course, "../escape", tmp_path / "tree")
    with pytest.raises(ValueError, match="file_id"):
        collect(course, A, tmp_path / "tree", regexp=r"(?P<student_id>\w+)")
    with pytest.raises(FileNotFoundError):
        collect(course, A, tmp_path / "missing.zip")


def test_summary_lists_placed_skipped_and_notes(course, tree):
    text = collect(course, A, tree).summary()

    assert text.startswith("Placed 3 submission(s).")
    assert f"carol: {submitted(course, 'carol')}" in text
    assert "Skipped 3 file(s):" in text
    assert "carol/notes.txt: not a notebook" in text
    assert "Notes:\n  - alice:" in text
    assert text.endswith("Timestamps inferred for 1 submission(s) (the source gave none: no timestamp in the "
                         f"file name, no timestamp.txt):\n  carol/{A}: 2024-03-03 10:00:00 UTC, "
                         f"the modification time of carol/{NB}")


def test_links_are_refused_wherever_they_point(course, tmp_path):
    """A link could make the instructor's source notebook, or another student's, someone's submission."""
    secret = write(tmp_path / "instructor" / "source" / NB, notebook_text("solutions and hidden tests"))
    root = tmp_path / "tree"
    write(root / "bob" / NB, notebook_text("bob"))
    (root / "mallory").mkdir(parents=True)
    (root / "mallory" / NB).symlink_to(secret)
    (root / "eve").mkdir()
    (root / "eve" / NB).symlink_to(root / "bob" / NB)
    (root / "zoe").mkdir()
    (root / "zoe" / "work").symlink_to(secret.parent, target_is_directory=True)
    report = collect(course, A, root)
    assert [student for student, _ in report.placed] == ["bob"]
    refused = reasons(report)
    assert "symbolic link" in refused[f"mallory/{NB}"] and "symbolic link" in refused[f"eve/{NB}"]
    assert not (course.root / "submitted" / "mallory").exists() and not (course.root / "submitted" / "eve").exists()
