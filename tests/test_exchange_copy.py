"""The collect's snapshot of a submission (``grader.exchange.snapshot_submission``): walked by
file descriptor, it copies plain files and folders only and refuses the whole submission for a
link, a FIFO, too deep folders, too many entries or bytes, or another account's file. Also the
check of a submission's bookkeeping files."""

import os
from pathlib import Path

import pytest

from grader.exchange import MAX_DEPTH, SubmissionRefused, snapshot_submission
from grader.staging import _bookkeeping_problem


@pytest.fixture
def submission(tmp_path):
    folder = tmp_path / "alice+01+2026-01-01 00:00:00.000000 UTC"
    (folder / "data").mkdir(parents=True)
    (folder / "nb.ipynb").write_text("{}")
    (folder / "data" / "x.csv").write_text("1,2\n")
    return folder


def test_plain_files_and_folders_are_copied(submission, tmp_path):
    target = tmp_path / "copy"
    info = snapshot_submission(str(submission), str(target), uid=os.getuid())
    assert (target / "nb.ipynb").read_text() == "{}" and (target / "data" / "x.csv").read_text() == "1,2\n"
    assert info.st_ino == submission.stat().st_ino


@pytest.mark.parametrize("make, reason", [
    (lambda f, other: (f / "link.ipynb").symlink_to(other / "secret.ipynb"), "link"),
    (lambda f, other: (f / "sub").symlink_to(other, target_is_directory=True), "link"),
    (lambda f, other: os.mkfifo(f / "pipe"), "not a plain file"),
])
def test_a_link_or_fifo_anywhere_refuses_all(submission, tmp_path, make, reason):
    other = tmp_path / "other"
    other.mkdir()
    (other / "secret.ipynb").write_text("secret")
    make(submission, other)
    with pytest.raises(SubmissionRefused, match=reason):
        snapshot_submission(str(submission), str(tmp_path / "copy"))


def test_the_submission_itself_swapped_for_a_link_is_refused(submission, tmp_path):
    swapped = tmp_path / "swapped"
    swapped.symlink_to(submission, target_is_directory=True)
    with pytest.raises(SubmissionRefused, match="not a folder"):
        snapshot_submission(str(swapped), str(tmp_path / "copy"))
    assert not (tmp_path / "copy").exists()


def test_deep_trees_many_entries_and_size_are_refused_without_recursion(submission, tmp_path):
    deep = submission / "data"
    for _ in range(MAX_DEPTH + 1):
        deep = deep / "d"
    deep.mkdir(parents=True)
    with pytest.raises(SubmissionRefused, match=f"deeper than {MAX_DEPTH}"):
        snapshot_submission(str(submission))
    much = tmp_path / "much"
    much.mkdir()
    (much / "big").write_bytes(b"0" * 3000)
    with pytest.raises(SubmissionRefused, match="larger than 2 kB"):
        snapshot_submission(str(much), max_kb=2)
    assert snapshot_submission(str(much), max_kb=4).st_ino == much.stat().st_ino


def test_another_accounts_folder_is_refused(submission):
    with pytest.raises(SubmissionRefused, match="owned by"):
        snapshot_submission(str(submission), uid=os.getuid() + 1)


def test_a_file_that_vanishes_is_a_refusal(submission, tmp_path, monkeypatch):
    real_listdir = os.listdir

    def listdir_then_delete(fd):
        names = real_listdir(fd)
        Path(submission, "nb.ipynb").unlink(missing_ok=True)
        return names

    monkeypatch.setattr(os, "listdir", listdir_then_delete)
    with pytest.raises(SubmissionRefused, match="changed|gone"):
        snapshot_submission(str(submission), str(tmp_path / "copy"))


@pytest.mark.parametrize("text, kept", [("", False), ("not hex!", False), ("ab" * 64, True)])
def test_a_secret_must_be_hexadecimal(tmp_path, text, kept):
    secret = tmp_path / "submission_secret.txt"
    secret.write_text(text)
    assert (_bookkeeping_problem(secret) == "") is kept


def test_a_claimed_time_earlier_than_the_arrival_is_replaced(submission, caplog):
    import datetime
    import logging

    from nbgrader.utils import parse_utc

    from grader.exchange import _note_claimed_time
    (submission / "timestamp.txt").write_text("2000-01-01 00:00:00.000000 UTC")
    info = os.stat(submission)
    log = logging.getLogger("test-claimed-time")
    _note_claimed_time(log, submission.name, parse_utc("2000-01-01 00:00:00.000000 UTC"), info, str(submission))
    assert "claims 2000-01-01" in caplog.text
    dated = parse_utc((submission / "timestamp.txt").read_text())
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    assert abs((now - dated).total_seconds()) < 60  # the folder was made by this test, just now
    _note_claimed_time(log, submission.name, dated, info, str(submission))  # an honest claim: left as it is
    assert parse_utc((submission / "timestamp.txt").read_text()) == dated
