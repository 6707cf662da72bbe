"""The demo: build the releases, generate the sample class from the reference notebooks, import
its roster, grade it on the default SQLite gradebook, and print the grade table and where the
results are (the grades CSV, Canvas's gradebook CSV, the feedback, the class report).

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
from grader.export_canvas import CANVAS_DEFAULT_OUT, export_canvas
from grader.feedback import generate_feedback
from grader.release import build
from grader.report import class_report
from grader.roster import import_roster

from .personas import HOSTILE, PERSONAS, generate_class
from .roster import write_roster


DEMO_LIMITS = Limits(cell_timeout=10.0, notebook_timeout=120.0, memory_mb=4096)
#: The sample class's roster, as the LMS would export it, in the demo course.
ROSTER_CSV = "sample-roster.csv"


def import_sample_roster(course):
    """Write the sample class's roster (:data:`ROSTER_CSV`) into the course and import it into
    the gradebook; print how many students it added or updated."""
    report = import_roster(course, write_roster(course.root / ROSTER_CSV))
    print(report.summary().splitlines()[0])


def run_demo(course, assignments=None, workers=None, limits=DEMO_LIMITS):
    """Build, generate the class, import its roster, autograde, feedback, export (grades CSV and
    Canvas CSV), report; print the grade table and where each result is."""
    assignments = assignments or course.buildable_ids()
    course.write_config()
    for aid in assignments:
        report = build(course, aid)
        print(f"built {aid}: {report.graded_cells} graded cells, {report.points:g} points -> {report.release}")
    generate_class(course, assignments)
    print(f"sample class of {len(PERSONAS) + len(HOSTILE)} students written to {course.root / 'submitted'}")
    for student, (what, _) in {**PERSONAS, **HOSTILE}.items():
        print(f"  {student:<22} {what}")
    import_sample_roster(course)
    for aid in assignments:
        results = autograde(course, aid, LocalProcessExecutor(workers), limits, force=True)
        print(f"\n== {aid} ==\n{format_grade_table(results)}")
        for problem in generate_feedback(course, aid)[1]:
            print(f"feedback problem: {problem}")
    csv_path = export_grades(course, course.root / "grades.csv")
    canvas = export_canvas(course, course.root / CANVAS_DEFAULT_OUT)
    report_path = class_report(course, course.root / "report")
    print(f"\ngrades CSV:   {Path(csv_path).resolve()}")
    print(f"Canvas CSV:   {canvas.path.resolve()} (roster: {(course.root / ROSTER_CSV).resolve()})")
    for student, aid, status in canvas.attention:
        print(f"  check before importing: {student} {aid}: {status}")
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
