"""The gradebook on PostgreSQL: a throwaway server, the same parallel grading, the same scores.

All gradebook writes happen in the grading process, so the parallel design is the same on
either database; this runs it for real against a PostgreSQL server started for the test.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.course import COURSE_ID, Course
from sample_class.personas import PERSONAS, generate_class
from grader.checker.limits import Limits
from grader.executors import LocalProcessExecutor
from grader.export import export_grades
from grader.release import build

pytestmark = pytest.mark.slow

AID = "01_sigmoid_neurons"
CLASS = {name: PERSONAS[name] for name in ["ada-perfect", "ben-blank", "dee-mistake", "hal-kernel-killer"]}


def _server_binaries():
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail("PostgreSQL server binaries are needed (Debian: apt-get install postgresql); make test installs them")
    return found[-1].parent


def _as_server_user(argv):
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="module")
def postgres_url():
    bin_dir = _server_binaries()
    root = Path(tempfile.mkdtemp(prefix="gradebook-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    data = root / "data"
    subprocess.run(_as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]),
                   check=True, capture_output=True)
    subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"),
                                    "-o", f"-k {root} -c listen_addresses=''", "start"]), check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg2://postgres@/postgres?host={root}"
    finally:
        subprocess.run(_as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_parallel_grading_on_postgresql(postgres_url, tmp_path):
    course = Course(tmp_path / "course", db_url=postgres_url)
    build(course, AID)
    generate_class(course, [AID], CLASS)
    limits = Limits(cell_timeout=10, notebook_timeout=120)
    results = {r.student: r.score for r in autograde(course, AID, LocalProcessExecutor(2), limits, progress=False)}
    assert results == {"ada-perfect": 15, "ben-blank": 0, "dee-mistake": 9, "hal-kernel-killer": 12}
    again = autograde(course, AID, LocalProcessExecutor(2), limits, progress=False, force=True)
    assert {r.student: r.score for r in again} == results
    with Gradebook(postgres_url, COURSE_ID) as gb:
        assert len(gb.assignment_submissions(AID)) == len(CLASS)  # regrading doubled nothing
        assert {s.student.id: s.score for s in gb.assignment_submissions(AID)} == results
    assert not (course.root / "gradebook.db").exists()  # everything went to PostgreSQL
    rows = export_grades(course, tmp_path / "grades.csv").read_text().splitlines()
    assert len(rows) == 1 + len(CLASS)
