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
from .grading_lock import CannotGrade


def _course(args):
    from .course import Course, saved_exchange  # nbgrader loads slowly: only commands that need it pay for it
    exchange = args.exchange if args.exchange is not None else saved_exchange(Path(args.course))
    return Course(Path(args.course), db_url=args.db_url, source=args.source_dir, exchange=exchange)


def _limits(args):
    return Limits(cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout, memory_mb=args.memory_mb)


def cmd_build(args):
    from .release import LintError, build
    course = _course(args)
    course.write_config()
    failed = False
    for assignment in args.assignments or course.buildable_ids():
        try:
            report = build(course, assignment)
        except LintError as error:
            print(f"{assignment}: FAILED\n{error}", file=sys.stderr)
            failed = True
            continue
        if report.source_note == "copied":
            print(f"{assignment}: master notebook copied from the package to {course.source / assignment}")
        elif report.source_note == "edited":
            print(f"{assignment}: note: {course.source / assignment} differs from the packaged notebook "
                  "(edited in the course, or the package is newer); built as it is")
        print(f"{assignment}: released to {report.release} ({report.graded_cells} graded cells, "
              f"{report.points:g} points; lints passed)")
    return 1 if failed else 0


def cmd_collect(args):
    from .collect import collect, collect_all
    if args.all == (args.assignment is not None):
        problem = "--all takes no ASSIGNMENT" if args.all else "name the ASSIGNMENT, or give --all"
        print(f"backprop-grader collect: error: {problem}", file=sys.stderr)
        return 2
    options = dict(regexp=args.regexp, force=args.force, infer_timestamps=not args.no_inferred_timestamps)
    if not Path(args.source).exists():
        print(f"backprop-grader collect: error: {args.source} does not exist", file=sys.stderr)
        return 1
    try:
        if args.all:
            report = collect_all(_course(args), Path(args.source), **options)
        else:
            report = collect(_course(args), args.assignment, Path(args.source), **options)
    except ValueError as error:  # e.g. no assignment built yet, a bad --regexp
        print(f"backprop-grader collect: error: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _executor(args):
    """The engine the options choose: a local process pool (or this process, with one
    worker), or a Dask cluster, local or at ``--scheduler``."""
    from .executors import LocalProcessExecutor, SerialExecutor
    if args.scheduler or args.executor == "dask":
        from .dask_executor import DaskExecutor
        return DaskExecutor(args.scheduler, args.workers)
    return SerialExecutor() if args.workers == 1 else LocalProcessExecutor(args.workers)


def cmd_autograde(args):
    from .autograde import autograde, format_grade_table
    try:
        executor = _executor(args)
    except RuntimeError as error:  # no scheduler there, dask missing
        print(f"backprop-grader autograde: error: {error}", file=sys.stderr)
        return 1
    try:
        results = autograde(_course(args), args.assignment, executor, _limits(args), force=args.force,
                            students=args.student or None, progress=not args.no_progress)
    except CannotGrade as error:  # not built, another process grading it
        print(f"backprop-grader autograde: error: {error}", file=sys.stderr)
        return 1
    finally:
        executor.close()
    print(format_grade_table(results))
    return 0


def cmd_watch(args):
    import signal
    from .watch import watch
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops it as Ctrl-C does
    try:
        executor = _executor(args)
    except RuntimeError as error:
        print(f"backprop-grader watch: error: {error}", file=sys.stderr)
        return 1
    try:
        watch(_course(args), args.assignments, executor, _limits(args), exit_when_idle=args.exit_when_idle,
              feedback=args.feedback, release=args.release_feedback, from_exchange=args.from_exchange,
              interval=args.interval, settle=args.settle, say=lambda line: print(line, flush=True))
    except CannotGrade as error:  # not built, no exchange, another process grading it
        print(f"backprop-grader watch: error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # the engine failed for good (its scheduler gone, say): grades saved so far stand
        first_line = (str(error).splitlines() or [""])[0]
        print(f"backprop-grader watch: stopped by its grading engine: {type(error).__name__}: {first_line}\n"
              "Grades saved so far stand; the next start grades what was in flight.", file=sys.stderr)
        return 1
    finally:
        executor.close()
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
    from .export_canvas import CANVAS_DEFAULT_OUT, export_canvas, parse_canvas_ids
    from .roster import NoRosterError
    from .roster_file import RosterError
    if args.format == "csv":
        if args.canvas_id:
            print("export: --canvas-id is for --format canvas", file=sys.stderr)
            return 2
        print(f"grades written to {export_grades(_course(args), Path(args.out or 'grades.csv')).resolve()}")
        return 0
    try:
        report = export_canvas(_course(args), Path(args.out or CANVAS_DEFAULT_OUT), parse_canvas_ids(args.canvas_id))
    except (NoRosterError, RosterError, ValueError) as error:
        print(f"export: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def cmd_roster(args):
    from .roster import import_roster
    from .roster_file import RosterError
    try:
        report = import_roster(_course(args), Path(args.file))
    except (RosterError, OSError) as error:  # a bad file; none, a folder, unreadable
        print(f"roster: {error}", file=sys.stderr)
        return 1
    print(report.summary())
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


def cmd_exchange(args):
    from . import exchange
    steps = {"release": lambda course: exchange.release_assignment(course, args.assignment, force=args.force),
             "collect": lambda course: exchange.collect_submissions(course, args.assignment),
             "release-feedback": lambda course: exchange.release_feedback(course, args.assignment, args.student)}
    course = _course(args)
    if course.exchange is not None:
        course.write_config()  # the course keeps its exchange: nbgrader's commands and the formgrader use it too
    try:
        report = steps[args.step](course)
    except exchange.ExchangeFailed as error:
        print(f"backprop-grader exchange {args.step}: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    for line in report.refused:
        print(f"refused: {line}", file=sys.stderr)
    return 0


def cmd_student_setup(args):
    from .student_view import SetupFailed, set_up_students
    try:
        done = set_up_students(args.config_dir, exchange=args.exchange)
    except SetupFailed as error:
        print(f"backprop-grader student-setup: {error}", file=sys.stderr)
        return 1
    print("\n".join(done))
    return 0


def _add_engine(p):
    p.add_argument("--workers", type=int, default=os.cpu_count(),
                   help="parallel workers on this machine (default: cores); 1 grades in this process")
    p.add_argument("--executor", choices=["processes", "dask"], default="processes",
                   help="processes: a pool on this machine (default); dask: a local Dask cluster of --workers "
                        "workers, or the one at --scheduler")
    p.add_argument("--scheduler", default=os.environ.get("BACKPROP_SCHEDULER"), metavar="tcp://HOST:PORT",
                   help="grade on this existing Dask cluster (implies --executor dask; default $BACKPROP_SCHEDULER)")


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
    parser.add_argument("--source", dest="source_dir", default=os.environ.get("BACKPROP_SOURCE"),
                        help="folder of the master notebooks, <id>/<id>.ipynb (default: the course's source/, "
                             "which build fills from the package; or $BACKPROP_SOURCE)")
    parser.add_argument("--exchange", default=os.environ.get("BACKPROP_EXCHANGE"),
                        help="nbgrader's exchange folder, for the JupyterHub flow (default: $BACKPROP_EXCHANGE, or the "
                             "one the course's nbgrader_config.py names; none)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="lint the assignments and generate the student releases")
    p.add_argument("assignments", nargs="*", help="assignment ids (default: all)")
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("collect", help="bring submissions in from a folder tree or an LMS zip",
                       usage="%(prog)s [options] (ASSIGNMENT | --all) SOURCE")
    p.add_argument("assignment", nargs="?", metavar="ASSIGNMENT", help="the assignment (omitted with --all)")
    p.add_argument("source", metavar="SOURCE", help="folder (<student>/…/*.ipynb) or LMS download .zip")
    p.add_argument("--all", action="store_true",
                   help="place every notebook in its own assignment (by its name, or by its cells when renamed)")
    p.add_argument("--regexp", default=None, help="named regexp for LMS file names (student_id, file_id)")
    p.add_argument("--force", action="store_true", help="replace existing submissions")
    p.add_argument("--no-inferred-timestamps", action="store_true",
                   help="write no timestamp.txt where the source gives none (default: the archive entry's "
                        "date or the file's modification time, reported)")
    p.set_defaults(run=cmd_collect)

    p = sub.add_parser("autograde", help="grade every submission of an assignment in parallel")
    p.add_argument("assignment")
    _add_engine(p)
    p.add_argument("--force", action="store_true", help="grade again what is already graded")
    p.add_argument("--student", action="append", help="only this student (repeatable)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_limits(p)
    p.set_defaults(run=cmd_autograde)

    p = sub.add_parser("watch", help="grade each submission as it arrives (and optionally feed it back)")
    p.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    p.add_argument("--from-exchange", action="store_true",
                   help="collect the exchange's inbound folder into submitted/ at every look (default: watch "
                        "submitted/ only)")
    p.add_argument("--feedback", action="store_true", help="generate each graded student's feedback page")
    p.add_argument("--release-feedback", action="store_true",
                   help="also release it to the exchange for the student to fetch (implies --feedback)")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between looks (default 2)")
    p.add_argument("--settle", type=float, default=2.0,
                   help="seconds a submission's files must stay unchanged before it is graded (default 2)")
    p.add_argument("--exit-when-idle", type=float, default=None, metavar="SECONDS",
                   help="stop once nothing has waited or run for this long (default: run until Ctrl-C)")
    _add_engine(p)
    _add_limits(p)
    p.set_defaults(run=cmd_watch)

    p = sub.add_parser("feedback", help="generate per-student HTML feedback")
    p.add_argument("assignment")
    p.add_argument("--student", default=None, help="only this student")
    p.set_defaults(run=cmd_feedback)

    p = sub.add_parser("export", help="write the grades CSV (one row per student and assignment), or Canvas's")
    p.add_argument("--format", choices=["csv", "canvas"], default="csv",
                   help="csv: per-question points (default); canvas: Canvas's gradebook import, one row per "
                        "roster student")
    p.add_argument("--out", default=None, help="CSV path (default grades.csv, or canvas-grades.csv)")
    p.add_argument("--canvas-id", action="append", default=[], metavar="ASSIGNMENT=NUMBER",
                   help="with --format canvas: send this assignment's scores to the Canvas assignment of this "
                        "number (in its address); repeatable (default: a column Canvas creates, then updates)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("roster", help="import the class roster (CSV: id, name, email, lms_user_id, section)")
    p.add_argument("file", help="roster CSV (UTF-8): id, name or first_name and last_name; optional email, "
                                "lms_user_id, section")
    p.set_defaults(run=cmd_roster)

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

    p = sub.add_parser("exchange", help="nbgrader's exchange (JupyterHub): release, collect, release feedback",
                       description="Each step runs nbgrader's own exchange app on the folder --exchange names. "
                                   "collect refuses a submission owned by another account than the student it names.")
    p.add_argument("step", choices=["release", "collect", "release-feedback"])
    p.add_argument("assignment")
    p.add_argument("--student", default=None, help="release-feedback: only this student")
    p.add_argument("--force", action="store_true", help="release: replace the assignment's release in the exchange")
    p.set_defaults(run=cmd_exchange)

    p = sub.add_parser("student-setup", help="the students' JupyterLab: no instructor pages; the course's exchange",
                       description="Switch off nbgrader's Formgrader, Create Assignment and Course List (and the "
                                   "Assignment List when there is no --exchange) and write the students' "
                                   "nbgrader_config.py. Run it in the students' environment.")
    p.add_argument("--config-dir", type=Path, default=None,
                   help="Jupyter configuration folder the students' servers read (default: <sys.prefix>/etc/jupyter)")
    p.set_defaults(run=cmd_student_setup)
    return parser


def main(argv=None):
    """Entry point of ``backprop-grader`` and ``python -m grader``."""
    args = make_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
