"""The demo: build the releases, generate the sample class from the reference notebooks, grade
it on the default SQLite gradebook, and print the grade table and where the results are.

    python -m sample_class.demo --course build/demo-course [ASSIGNMENT ...] [--workers N]
"""

import argparse
import os
import sys
from pathlib import Path

from grader.autograde import autograde, format_grade_table
from grader.checker.limits import Limits
from grader.course import Course
from grader.executors import LocalProcessExecutor
from grader.export import export_grades
from grader.feedback import generate_feedback
from grader.release import build
from grader.report import class_report

from .personas import HOSTILE, PERSONAS, generate_class


DEMO_LIMITS = Limits(cell_timeout=10.0, notebook_timeout=120.0, memory_mb=4096)


def run_demo(course, assignments=None, workers=None, limits=DEMO_LIMITS):
    """Build, generate the class, autograde, export, feedback, report; print the grade table."""
    assignments = assignments or course.assignment_ids()
    course.write_config()
    for aid in assignments:
        report = build(course, aid)
        print(f"built {aid}: {report.graded_cells} graded cells, {report.points:g} points -> {report.release}")
    generate_class(course, assignments)
    print(f"sample class of {len(PERSONAS) + len(HOSTILE)} students written to {course.root / 'submitted'}")
    for student, (what, _) in {**PERSONAS, **HOSTILE}.items():
        print(f"  {student:<22} {what}")
    for aid in assignments:
        results = autograde(course, aid, LocalProcessExecutor(workers), limits, force=True)
        print(f"\n== {aid} ==\n{format_grade_table(results)}")
        for problem in generate_feedback(course, aid)[1]:
            print(f"feedback problem: {problem}")
    csv_path = export_grades(course, course.root / "grades.csv")
    report_path = class_report(course, course.root / "report")
    print(f"\ngrades CSV:   {Path(csv_path).resolve()}")
    print(f"feedback:     {course.root / 'feedback'}")
    print(f"class report: {Path(report_path).resolve()}")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m sample_class.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", default="build/demo-course", help="course folder (default build/demo-course)")
    parser.add_argument("--db-url", default=None, help="gradebook URL (default: SQLite in the course folder)")
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="parallel workers (default: cores)")
    args = parser.parse_args(argv)
    return run_demo(Course(Path(args.course), db_url=args.db_url), args.assignments or None, args.workers)


if __name__ == "__main__":
    sys.exit(main())
