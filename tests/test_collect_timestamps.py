"""grader.collect: the timestamp every placed submission gets, for nbgrader's gradebook and
the formgrader: the source's own (file name, timestamp.txt) or, when it gives none, the
entry's date in its archive or the file's modification time, reported as inferred."""

import io
import struct
import tarfile
import time
import zipfile
from datetime import datetime, timezone

import pytest
from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.checker.limits import Limits
from grader.collect import collect
from grader.course import COURSE_ID, Course
from grader.executors import SerialExecutor
from test_collect import A, NB, notebook_text, set_mtime, timestamp_of, write, zip_bytes


def utc(text):
    """A naive UTC datetime from "YYYY-MM-DD HH:MM:SS", as nbgrader keeps them."""
    return datetime.fromisoformat(text)


def dated_entry(name, utc_text, date_time=(1999, 12, 31, 23, 58, 0)):
    """A zip entry whose extended-timestamp field (0x5455: flags 1 = mtime, then the UTC POSIX
    time) says ``utc_text``; its zone-less date_time says something else."""
    info = zipfile.ZipInfo(name, date_time=date_time)
    seconds = int(utc(utc_text).replace(tzinfo=timezone.utc).timestamp())
    info.extra = struct.pack("<HHBI", 0x5455, 5, 1, seconds)
    return info


def tar_gz_bytes(members):
    """A .tar.gz archive in memory from {name: (str, "YYYY-MM-DD HH:MM:SS" UTC)}."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, (text, when) in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), utc(when).replace(tzinfo=timezone.utc).timestamp()
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def course(tmp_path):
    return Course(tmp_path / "course")


@pytest.fixture
def five_hours_west(monkeypatch):
    """This machine's local time is UTC−5 for the test."""
    monkeypatch.setenv("TZ", "EST+5")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_zip_entry_extended_timestamp_is_utc_whatever_the_local_zone(course, tmp_path, five_hours_west):
    download = tmp_path / "download.zip"
    download.write_bytes(zip_bytes({dated_entry(f"alice_1_{NB}", "2024-03-01 09:30:00"): notebook_text("a")}))

    report = collect(course, A, download)

    assert timestamp_of(course, "alice") == "2024-03-01 09:30:00"
    assert report.inferred == [("alice", A, utc("2024-03-01 09:30:00"),
                                f"the date of download.zip:alice_1_{NB} in its archive")]
    assert (f"  alice/{A}: 2024-03-01 09:30:00 UTC, the date of download.zip:alice_1_{NB} in its archive"
            in report.summary().splitlines())


def test_zip_entry_date_without_a_zone_is_read_in_local_time(course, tmp_path, five_hours_west):
    download = tmp_path / "download.zip"
    entry = zipfile.ZipInfo(f"alice_1_{NB}", date_time=(2024, 3, 1, 9, 0, 0))  # 09:00 at UTC−5
    download.write_bytes(zip_bytes({entry: notebook_text("a")}))

    collect(course, A, download)

    assert timestamp_of(course, "alice") == "2024-03-01 14:00:00"


def test_nested_archive_entry_keeps_its_own_date(course, tmp_path):
    inner = zip_bytes({dated_entry(f"bob_2_{NB}", "2024-02-02 08:15:00"): notebook_text("b")})
    download = tmp_path / "download.zip"
    download.write_bytes(zip_bytes({dated_entry("late/bob.zip", "2024-01-01 00:00:00"): inner}))

    report = collect(course, A, download)

    assert timestamp_of(course, "bob") == "2024-02-02 08:15:00"  # the notebook's, not its archive's
    [(_, _, _, origin)] = report.inferred
    assert origin == f"the date of download.zip:late/bob/bob_2_{NB} in its archive"


def test_tar_member_keeps_its_time(course, tmp_path):
    download = tmp_path / "download.tar.gz"
    download.write_bytes(tar_gz_bytes({f"carol_3_{NB}": (notebook_text("c"), "2023-12-24 18:00:00")}))

    report = collect(course, A, download)

    assert [s for s, _ in report.placed] == ["carol"]
    assert timestamp_of(course, "carol") == "2023-12-24 18:00:00"


def test_loose_download_uses_the_file_modification_time(course, tmp_path):
    root = tmp_path / "downloads"
    set_mtime(write(root / f"dan_4_{NB}", notebook_text("d")), "2024-04-04 04:04:04")

    report = collect(course, A, root)

    assert timestamp_of(course, "dan") == "2024-04-04 04:04:04"
    assert report.inferred == [("dan", A, utc("2024-04-04 04:04:04"), f"the modification time of dan_4_{NB}")]


def test_timestamps_the_source_gives_are_kept_and_not_reported_as_inferred(course, tmp_path):
    root = tmp_path / "downloads"
    write(root / "erin" / NB, notebook_text("e"))
    write(root / "erin" / "timestamp.txt", "2024-01-05 10:00:00.123456 UTC")
    download = root / "batch.zip"
    download.write_bytes(zip_bytes({dated_entry(f"{A}_finn_attempt_2024-01-06-11-00-00_{NB}",
                                                 "2030-01-01 00:00:00"): notebook_text("f")}))

    report = collect(course, A, root)

    assert timestamp_of(course, "erin") == "2024-01-05 10:00:00.123456 UTC"  # kept as nbgrader wrote it
    assert timestamp_of(course, "finn") == "2024-01-06 11:00:00"  # the file name's, not the entry's date
    assert report.inferred == [] and "Timestamps inferred" not in report.summary()


def test_inferring_can_be_turned_off(course, tmp_path):
    download = tmp_path / "download.zip"
    download.write_bytes(zip_bytes({dated_entry(f"alice_1_{NB}", "2024-03-01 09:30:00"): notebook_text("a")}))

    report = collect(course, A, download, infer_timestamps=False)

    assert [s for s, _ in report.placed] == ["alice"]
    assert timestamp_of(course, "alice") is None and report.inferred == []


@pytest.mark.slow
def test_autograde_puts_collected_and_inferred_timestamps_in_the_gradebook(released_courses, tmp_path):
    """What the formgrader shows: nbgrader's gradebook holds each submission's time after
    collect and autograde (one notebook stamped by its file name, one inferred)."""
    course = released_courses.copy(tmp_path / "course", [A])
    released = next((course.root / "release").rglob(NB)).read_text(encoding="utf-8")
    download = tmp_path / "download.zip"
    download.write_bytes(zip_bytes({dated_entry(f"alice_1_{NB}", "2024-03-01 09:30:00"): released,
                                    f"{A}_bob_attempt_2024-03-02-18-45-00_{NB}": released}))
    assert [s for s, *_ in collect(course, A, download).inferred] == ["alice"]

    results = autograde(course, A, SerialExecutor(), Limits(cell_timeout=10, notebook_timeout=120), progress=False)

    assert {r.student: r.status for r in results} == {"alice": "graded", "bob": "graded"}
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        stamps = {student: gb.find_submission(A, student).timestamp for student in ("alice", "bob")}
    assert stamps == {"alice": utc("2024-03-01 09:30:00"), "bob": utc("2024-03-02 18:45:00")}
