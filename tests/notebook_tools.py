"""Helpers for the notebook tests: the assignments on disk, executing notebooks, and a
temporary nbgrader course directory driven through nbgrader's own command line."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from authoring.build import ASSIGNMENTS_DIR, assignment_id, sources
from sample_class.submissions import replace_function  # noqa: F401  (shared with the tests)
from grader.notebook_cells import error_outputs as errors  # noqa: F401  (shared with the tests)
from grader.notebook_cells import graded_cells as grade_cells, grade_id, nbgrader_meta, points  # noqa: F401
from grader.notebook_cells import solution_cells  # noqa: F401

VENV_BIN = Path(sys.executable).parent
ASSIGNMENT_IDS = [assignment_id(path) for path in sources()]


def read(path):
    return nbformat.read(path, as_version=4)


def execute(nb, allow_errors=False, timeout=120):
    """Run every cell of nb in a fresh kernel (in place); return the seconds it took."""
    start = time.perf_counter()
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors).execute()
    return time.perf_counter() - start


class Course:
    """A temporary nbgrader course: source/ holds the assignments, students submit into submitted/."""

    def __init__(self, root, assignment_ids):
        self.root = Path(root)
        (self.root / "source").mkdir(parents=True, exist_ok=True)
        for aid in assignment_ids:
            shutil.copytree(ASSIGNMENTS_DIR / aid, self.root / "source" / aid)
        self.students = {aid: [] for aid in assignment_ids}
        self.assignment_ids = list(assignment_ids)
        self._write_config()

    def _write_config(self):
        # nbgrader creates students as it grades them and assignments as it releases them.
        (self.root / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.course_id = 'backprop'\n")

    def nbgrader(self, *args):
        env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", MPLBACKEND="Agg")
        done = subprocess.run([str(VENV_BIN / "nbgrader"), *args], cwd=self.root, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done

    def release_path(self, aid):
        return self.root / "release" / aid / f"{aid}.ipynb"

    def submit(self, student, aid, nb):
        if student not in self.students[aid]:
            self.students[aid].append(student)
        folder = self.root / "submitted" / student / aid
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{aid}.ipynb")

    def grades(self, aid):
        """{student: {grade_id: score}} from the gradebook, via nbgrader's Gradebook API."""
        from nbgrader.api import Gradebook
        out = {}
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            for student in self.students[aid]:
                submission = gb.find_submission(aid, student)
                out[student] = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
        return out


def max_points(nb):
    return {grade_id(c): points(c) for c in grade_cells(nb)}


def as_json(nb):
    return json.dumps(nb, sort_keys=True)
