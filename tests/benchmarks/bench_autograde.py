"""Benchmark: the parallel autograder against plain serial `nbgrader autograde`, same class,
same run. Prints both times, the ratio, seconds per notebook, and whether every score agrees.

The class: N students (default 40) cycling through the well-behaved personas of the demo
(perfect, blank, partial, a typical mistake, a sign slip), for every assignment. Both
sides use the same nbgrader configuration (the course's), each with its own gradebook.

Run: ``make bench`` or ``python tests/benchmarks/bench_autograde.py [--students N] [--workers W]``.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook

from grader.autograde import autograde
from grader.course import COURSE_ID, Course
from grader.demo import PERSONAS, generate_class
from grader.executors import LocalProcessExecutor
from grader.release import build

WELL_BEHAVED = ["ada-perfect", "ben-blank", "cam-partial", "dee-mistake", "eli-sign-slip"]


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


def plain_nbgrader(course, assignment):
    """`nbgrader autograde <assignment>` in the course folder; seconds taken."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), "autograde", assignment, "--force"],
                   cwd=course.root, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-autograde-") as tmp:
        ours = Course(Path(tmp) / "parallel")
        assignments = args.assignments or ours.assignment_ids()
        ours.write_config()
        for aid in assignments:
            build(ours, aid)
        make_class(ours, assignments, args.students)
        plain = Course(Path(tmp) / "serial")
        shutil.copytree(ours.root, plain.root, ignore=shutil.ignore_patterns("gradebook.db"))
        plain.write_config()
        for aid in assignments:
            build(plain, aid)
        print(f"{args.students} submissions per assignment, {len(assignments)} assignments, "
              f"{args.workers} workers on {os.cpu_count()} cores")
        total_ours = total_plain = 0.0
        agree = True
        for aid in assignments:
            t_plain = plain_nbgrader(plain, aid)
            start = time.perf_counter()
            autograde(ours, aid, LocalProcessExecutor(args.workers), force=True, progress=False)
            t_ours = time.perf_counter() - start
            same = scores(ours, aid) == scores(plain, aid)
            agree &= same
            total_ours += t_ours
            total_plain += t_plain
            print(f"{aid:<22} serial nbgrader {t_plain:7.1f} s ({t_plain / args.students:5.2f} s/notebook)   "
                  f"parallel {t_ours:7.1f} s ({t_ours / args.students:5.2f} s/notebook)   "
                  f"ratio {t_plain / t_ours:4.2f}x   scores {'identical' if same else 'DIFFER'}")
        print(f"{'total':<22} serial nbgrader {total_plain:7.1f} s   parallel {total_ours:7.1f} s   "
              f"ratio {total_plain / total_ours:4.2f}x (target >= 2x)   scores {'identical' if agree else 'DIFFER'}")


if __name__ == "__main__":
    main()
