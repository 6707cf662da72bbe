"""A small graded class of assignment 1, made the instructor's way: a roster, the students'
notebooks collected from a download folder, graded and fed back with `backprop-grader`."""

import csv
import os
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from browser_lab_server import VENV_BIN
from sample_class.personas import PERSONAS, generate_class

AID = "01_sigmoid_neurons"


@dataclass(frozen=True)
class Student:
    """A student of the class and what grading them must give (assignment 1: perceptron 3,
    σ 6, σ' 6 points)."""

    id: str
    name: str | None        # the roster's "First Last", None for a student not on the roster
    score: float
    submitted: datetime     # the file's time in the download, which collect takes as the submission's

    @property
    def shown_name(self):
        """How nbgrader's formgrader should list the student: ``Last, First`` from the roster,
        else the id (never ``None, None``)."""
        if self.name is None:
            return f"{self.id},"
        *first, last = self.name.split()
        return f"{last}, {' '.join(first)}"


STUDENTS = [
    Student("ada-perfect", "Ada Lovelace", 15.0, datetime(2024, 3, 1, 9, 15, 0, tzinfo=timezone.utc)),
    Student("ben-blank", "Ben Okafor", 0.0, datetime(2024, 3, 1, 23, 58, 30, tzinfo=timezone.utc)),
    Student("dee-mistake", None, 9.0, datetime(2024, 3, 2, 7, 5, 45, tzinfo=timezone.utc)),  # σ' returns σ
]


def backprop_grader(course, *args):
    """Run ``backprop-grader --course <course> ARGS…``; return its output, or raise with it."""
    env = dict(os.environ, PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}", MPLBACKEND="Agg")
    done = subprocess.run([str(VENV_BIN / "backprop-grader"), "--course", str(course.root), *args], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"backprop-grader {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def write_download(course, folder):
    """The students' notebooks as a download folder ``<folder>/<student>/<AID>.ipynb``, each
    file dated its student's submission time."""
    generate_class(course, [AID], {s.id: PERSONAS[s.id] for s in STUDENTS})
    for student in STUDENTS:
        notebook = Path(folder) / student.id / f"{AID}.ipynb"
        notebook.parent.mkdir(parents=True)
        shutil.move(course.path("submitted", student.id, AID) / f"{AID}.ipynb", notebook)
        stamp = student.submitted.timestamp()
        os.utime(notebook, (stamp, stamp))
    shutil.rmtree(course.root / "submitted")


def write_roster(path):
    """The class roster CSV (the students that have a name)."""
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "name"])
        writer.writerows([s.id, s.name] for s in STUDENTS if s.name)


def graded_class(released_courses, root):
    """A course at ``root/course`` with assignment 1 released, the roster imported, the
    class collected, autograded and fed back; return the grader's Course."""
    course = released_courses.copy(Path(root) / "course", [AID])
    write_download(course, Path(root) / "download")
    write_roster(Path(root) / "roster.csv")
    backprop_grader(course, "roster", str(Path(root) / "roster.csv"))
    backprop_grader(course, "collect", AID, str(Path(root) / "download"))
    backprop_grader(course, "autograde", AID, "--no-progress", "--cell-timeout", "20")
    backprop_grader(course, "feedback", AID)
    return course
