"""Benchmark: ``backprop-grader autograde`` against plain serial ``nbgrader autograde``, the
same class in the same run. Prints, for both: seconds per notebook, notebooks per minute and
CPU seconds per notebook (every process they start included), the ratio, and whether every
score agrees.

The class: N students (default 40) cycling through the well-behaved personas of the demo
(perfect, blank, partial, a typical mistake, a sign slip), for every assignment. The serial
side is nbgrader exactly as it ships (its own ``Execute`` preprocessor, one Jupyter kernel per
notebook), each side with its own gradebook.

Run: ``make bench`` or ``python tests/benchmarks/bench_autograde.py [--students N] [--workers W] [aid …]``.
"""

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.course import COURSE_ID, Course
from sample_class.personas import PERSONAS, generate_class
from grader.executors import LocalProcessExecutor
from grader.release import build

WELL_BEHAVED = ["ada-perfect", "ben-blank", "cam-partial", "dee-mistake", "eli-sign-slip"]


@dataclass
class Measured:
    """Wall-clock and CPU seconds of one grading run of ``notebooks`` notebooks."""

    seconds: float
    cpu: float
    notebooks: int

    def line(self):
        return (f"{self.seconds:7.1f} s  {self.seconds / self.notebooks:5.2f} s/notebook  "
                f"{60 * self.notebooks / self.seconds:6.1f} notebooks/min  {self.cpu / self.notebooks:5.2f} CPU s/notebook")


def measure(action, notebooks):
    """Run ``action()``; its wall time and the CPU time of this process and every child it waited for."""
    before = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    after = (resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN))
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
    return Measured(seconds, cpu, notebooks)


def make_class(course, assignments, n_students):
    """Generate the class: student k is persona k mod 5, named s000-<persona>."""
    personas = {f"s{k:03d}-{WELL_BEHAVED[k % 5]}": PERSONAS[WELL_BEHAVED[k % 5]] for k in range(n_students)}
    generate_class(course, assignments, personas)
    return sorted(personas)


def scores(course, assignment):
    """{student: {grade_id: score}} from a course's gradebook."""
    with Gradebook(course.gradebook_url, COURSE_ID) as gb:
        return {s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
                for s in gb.assignment_submissions(assignment)}


def plain_config(course):
    """nbgrader_config.py as nbgrader ships: nbgrader's own Execute, a kernel per notebook."""
    lines = (course.root / "nbgrader_config.py").read_text().splitlines()
    kept = [line for line in lines if "TrustedExecute" not in line and "autograde_preprocessors" not in line]
    (course.root / "nbgrader_config.py").write_text("\n".join(kept) + "\n")


def plain_nbgrader(course, assignment):
    """`nbgrader autograde <assignment>` in the course folder."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", assignment, "--force"],
                   cwd=course.root, env=env, check=True, capture_output=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        ours = Course(Path(tmp) / "parallel")
        assignments = args.assignments or ours.buildable_ids()
        ours.write_config()
        for aid in assignments:
            build(ours, aid)
        make_class(ours, assignments, args.students)
        plain = Course(Path(tmp) / "serial")
        shutil.copytree(ours.root, plain.root, ignore=shutil.ignore_patterns("gradebook.db"))
        plain.write_config()
        for aid in assignments:
            build(plain, aid)
        plain_config(plain)
        print(f"{args.students} submissions per assignment, {len(assignments)} assignments, "
              f"{args.workers} workers on {os.cpu_count()} cores")
        totals = {"serial": [], "ours": []}
        agree = True
        for aid in assignments:
            serial = measure(lambda: plain_nbgrader(plain, aid), args.students)
            parallel = measure(lambda: autograde(ours, aid, LocalProcessExecutor(args.workers), force=True,
                                                 progress=False), args.students)
            same = scores(ours, aid) == scores(plain, aid)
            agree &= same
            totals["serial"].append(serial)
            totals["ours"].append(parallel)
            print(f"{aid}\n  plain serial nbgrader {serial.line()}\n  backprop-grader       {parallel.line()}\n"
                  f"  ratio {serial.seconds / parallel.seconds:4.2f}x   scores {'identical' if same else 'DIFFER'}")
        serial = Measured(*(sum(getattr(m, f) for m in totals["serial"]) for f in ("seconds", "cpu", "notebooks")))
        parallel = Measured(*(sum(getattr(m, f) for m in totals["ours"]) for f in ("seconds", "cpu", "notebooks")))
        print(f"all\n  plain serial nbgrader {serial.line()}\n  backprop-grader       {parallel.line()}\n"
              f"  ratio {serial.seconds / parallel.seconds:4.2f}x (floor 2.5x, goal 8x)   "
              f"CPU ratio {serial.cpu / parallel.cpu:4.2f}x   scores {'identical' if agree else 'DIFFER'}")


if __name__ == "__main__":
    main()
