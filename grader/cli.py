"""`backprop-grader`: the instructor's command line over nbgrader.

    backprop-grader [--course DIR] [--db-url URL] COMMAND ...

Every command has ``--help``. The course folder defaults to ``./course`` (or
``$BACKPROP_COURSE``); the gradebook to SQLite inside it.
"""

import argparse
import os
import sys
from pathlib import Path

from .checker.limits import Limits


def _course(args):
    from .course import Course  # nbgrader loads slowly: only commands that need it pay for it
    return Course(Path(args.course), db_url=args.db_url)


def _limits(args):
    return Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb)


def cmd_build(args):
    from .release import LintError, build
    course = _course(args)
    course.write_config()
    failed = False
    for assignment in args.assignments or course.assignment_ids():
        try:
            report = build(course, assignment)
        except LintError as error:
            print(f"{assignment}: FAILED\n{error}", file=sys.stderr)
            failed = True
            continue
        print(f"{assignment}: released to {report.release} ({report.graded_cells} graded cells, "
              f"{report.points:g} points; lints passed)")
    return 1 if failed else 0


def cmd_collect(args):
    from .collect import collect
    report = collect(_course(args), args.assignment, Path(args.source), regexp=args.regexp, force=args.force)
    print(report.summary())
    return 0


def cmd_autograde(args):
    from .autograde import autograde, format_grade_table
    from .executors import LocalProcessExecutor, SerialExecutor
    executor = SerialExecutor() if args.workers == 1 else LocalProcessExecutor(args.workers)
    results = autograde(_course(args), args.assignment, executor, _limits(args), force=args.force,
                        students=args.student or None, progress=not args.no_progress)
    print(format_grade_table(results))
    return 0


def cmd_feedback(args):
    from .feedback import generate_feedback
    paths, problems = generate_feedback(_course(args), args.assignment, args.student)
    for path in paths:
        print(path)
    for problem in problems:
        print(f"feedback problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


def cmd_export(args):
    from .export import export_grades
    print(f"grades written to {export_grades(_course(args), Path(args.out)).resolve()}")
    return 0


def cmd_report(args):
    from .report import class_report
    print(f"class report written to {class_report(_course(args), Path(args.out)).resolve()}")
    return 0


def cmd_validate(args):
    from .validate import format_results, validate
    if args.master is None:
        print("note: without --master the notebook's own test cells run in this process: use it only on "
              "notebooks you trust", file=sys.stderr)
    results = validate(args.notebook, _limits(args), master=args.master)
    print(format_results(results, hidden=args.master is not None))
    return 0 if all(r.points == r.max_points for r in results) else 1


def _add_limits(parser):
    parser.add_argument("--cell-timeout", type=float, default=30.0, help="seconds one cell may run (default 30)")
    parser.add_argument("--notebook-timeout", type=float, default=300.0, help="seconds a notebook may run (default 300)")
    parser.add_argument("--memory-mb", type=int, default=4096, help="memory cap of student code in MiB (default 4096)")


def make_parser():
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="backprop-grader", description=__doc__.splitlines()[0])
    parser.add_argument("--course", default=os.environ.get("BACKPROP_COURSE", "course"),
                        help="course folder (default: ./course or $BACKPROP_COURSE)")
    parser.add_argument("--db-url", default=None,
                        help="gradebook database URL, e.g. postgresql://user@host/db (default: SQLite in the course)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="lint the assignments and generate the student releases")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("collect", help="bring submissions in from a folder tree or an LMS zip")
    p.add_argument("assignment")
    p.add_argument("source", help="folder (<student>/…/*.ipynb) or LMS download .zip")
    p.add_argument("--regexp", default=None, help="named regexp for LMS file names (student_id, file_id)")
    p.add_argument("--force", action="store_true", help="replace existing submissions")
    p.set_defaults(run=cmd_collect)

    p = sub.add_parser("autograde", help="grade every submission of an assignment in parallel")
    p.add_argument("assignment")
    p.add_argument("--workers", type=int, default=os.cpu_count(), help="parallel workers (default: cores)")
    p.add_argument("--force", action="store_true", help="grade again what is already graded")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_limits(p)
    p.set_defaults(run=cmd_autograde)

    p = sub.add_parser("feedback", help="generate per-student HTML feedback")
    p.add_argument("assignment")
    p.add_argument("--student", default=None, help="only this student")
    p.set_defaults(run=cmd_feedback)

    p = sub.add_parser("export", help="write the grades CSV (one row per student and assignment)")
    p.add_argument("--out", default="grades.csv", help="CSV path (default grades.csv)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("report", help="write the class report (HTML + PNG plots)")
    p.add_argument("--out", default="report", help="output folder (default ./report)")
    p.set_defaults(run=cmd_report)

    p = sub.add_parser("validate", help="check one notebook as autograde would, without a gradebook")
    p.add_argument("notebook")
    p.add_argument("--master", default=None,
                   help="the source notebook (hidden tests included) or the release whose read-only cells count; "
                        "default: the notebook's own test cells")
    _add_limits(p)
    p.set_defaults(run=cmd_validate)
    return parser


def main(argv=None):
    """Entry point of ``backprop-grader`` and ``python -m grader``."""
    args = make_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
