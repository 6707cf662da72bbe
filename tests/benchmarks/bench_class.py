"""Benchmark: a large class graded on a local Dask cluster, against plain serial
``nbgrader autograde`` on a sample of the same class, measured in the same run.

Prints seconds per notebook, notebooks per minute, CPU seconds per notebook, peak memory per
worker, the ratio to plain serial nbgrader (its sample's time scaled to the whole class) and
whether the sample's scores agree; then, from the measured CPU costs, the cores needed to
grade 10,000 submissions in 10 minutes and the most submissions one coordinator can take.

The class: N students (default 300) cycling through the well-behaved personas of the demo,
one notebook per submission and assignment (default ``01_sigmoid_neurons``). The serial
side is nbgrader exactly as it ships (its own ``Execute``, one Jupyter kernel per notebook)
on a copy of the course holding only the first K students (default 20, every persona).

How CPU time is counted. ``RUSAGE_CHILDREN`` counts only children that were waited for,
and a LocalCluster's worker processes, and their grading processes, live until the cluster
closes, so it misses nearly all the grading. Instead, at two quiet moments (the cluster up
and idle before grading, every job finished before it closes) the CPU time of each Dask
worker's whole process tree is read (psutil, from ``/proc``): every live process's own
user and system time plus the time of the children it has waited for, which is where the
sandboxed student processes end up (the fork server reaps each; one killed but not yet
reaped still shows its own time). The difference is the workers' CPU cost of grading. The
coordinator's is this process's own CPU time over the run: staging, nbgrader's converter,
gradebook writes (its main thread, printed apart), and the scheduler and client threads that
a LocalCluster runs here. The cluster's start-up is printed, not counted per notebook;
each worker's first job includes starting its grading process (a one-off, spread over the
class). The serial sample's figures include nbgrader's own start-up, once per run, spread
over its K notebooks. A ``getrusage`` inside each worker would miss the fork server, which
lives as long as its grading process and is never waited for while the cluster runs.

Two checks are printed beside the figures. This process is made the reaper of its orphaned
descendants (``PR_SET_CHILD_SUBREAPER``), and after the cluster closes every process it left
is reaped: that ``RUSAGE_CHILDREN`` total is the workers' start-up, grading and closing, and
should exceed the grading counted above by the start-up and a little more. The serial side
is reaped the same way before its CPU time is read. And the whole machine's busy CPU time
over the run is printed beside this benchmark's: the difference is what other processes
took (a noisy machine inflates the wall-clock figures first).

The coordinator is serial: nbgrader's converter and every gradebook write run in its one
process, so its CPU time per submission bounds a run's throughput however many workers
grade. Both costs, and that bound, are printed for 10,000 submissions in 10 minutes.

Run: ``make bench`` or ``python tests/benchmarks/bench_class.py [--students N]
[--serial-sample K] [--workers W] [aid …]``.
"""

import argparse
import ctypes
import math
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
from distributed import get_task_stream

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_autograde import make_class, measure, plain_config, plain_nbgrader, scores  # noqa: E402

from grader.autograde import autograde  # noqa: E402
from grader.course import Course  # noqa: E402
from grader.dask_executor import DaskExecutor  # noqa: E402
from grader.release import build  # noqa: E402
from grader.staging import released_notebooks  # noqa: E402

#: The target the figures are worked out for: this many submissions in this many seconds.
TARGET_SUBMISSIONS, TARGET_SECONDS = 10_000, 600
MACHINE_CORES = (2, 8, 32)
PR_SET_CHILD_SUBREAPER = 36


def tree_cpu(pid):
    """CPU seconds of a process and everything under it: each live process's own time and the
    time of the children it waited for (0 for a process that has gone)."""
    try:
        root = psutil.Process(pid)
        processes = [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            t = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system + t.children_user + t.children_system
    return total


def adopt_orphans():
    """Make this process the reaper of its orphaned descendants (Linux's child subreaper):
    a process whose parent ended without waiting for it is reparented here, so that
    :func:`reap_orphans` adds its CPU time to ``RUSAGE_CHILDREN``."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1)


def reap_orphans(timeout=10.0):
    """Wait for every child of this process (orphans included) to end and reap it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.05)


def children_cpu():
    """CPU seconds of every child this process has reaped, and of their reaped descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu():
    """CPU seconds of this process alone (every thread, no child)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def machine_cpu():
    """CPU seconds the whole machine has spent busy (every process, ours or not)."""
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + t.irq + t.softirq + t.steal


@dataclass
class ClassRun:
    """What grading the whole class on the cluster cost."""

    seconds: float
    notebooks: int
    submissions: int
    coordinator_cpu: float  # this process, every thread
    coordinator_main: float  # its main thread: staging, nbgrader's converter, gradebook writes
    startup_cpu: float  # the workers' process trees, started and idle, before grading
    worker_cpu: dict  # worker address -> CPU seconds of its process tree while grading
    machine_cpu: float  # the whole machine over the run, other people's processes included
    memory: dict  # worker address -> (worker bytes, grading process bytes)
    jobs: dict  # worker address -> notebooks it graded
    busy: dict  # worker address -> seconds it spent running jobs
    results: list


def grade_on_cluster(course, assignments, executor):
    """Grade every assignment on ``executor``; the wall time and each side's CPU time, read
    while the cluster is idle before and after."""
    pids = executor.client.run(os.getpid)
    before = {address: tree_cpu(pid) for address, pid in pids.items()}
    coordinator, main_thread, machine = own_cpu(), time.thread_time(), machine_cpu()
    results, notebooks = [], 0
    start = time.perf_counter()
    with get_task_stream(client=executor.client) as tasks:
        for aid in assignments:
            graded = autograde(course, aid, executor, force=True, progress=False)
            results += graded
            notebooks += len(graded) * len(released_notebooks(course, aid))
    seconds = time.perf_counter() - start
    coordinator, main_thread, machine = (own_cpu() - coordinator, time.thread_time() - main_thread,
                                         machine_cpu() - machine)
    worker_cpu = {address: tree_cpu(pid) - before[address] for address, pid in pids.items()}
    jobs, busy = dict.fromkeys(pids, 0), dict.fromkeys(pids, 0.0)
    for task in tasks.data:
        jobs[task["worker"]] += 1
        busy[task["worker"]] += sum(s["stop"] - s["start"] for s in task["startstops"] if s["action"] == "compute")
    return ClassRun(seconds, notebooks, len(results), coordinator, main_thread, sum(before.values()), worker_cpu,
                    machine, executor.peak_memory(), jobs, busy, results)


def sample_course(course, assignments, root, students):
    """A copy of ``course`` for plain nbgrader: its own gradebook, only ``students`` submitted."""
    plain = Course(root)
    shutil.copytree(course.root, plain.root, ignore=shutil.ignore_patterns("gradebook.db", ".grading", "autograded"))
    for folder in (plain.root / "submitted").iterdir():
        if folder.name not in students:
            shutil.rmtree(folder)
    plain.write_config()
    for aid in assignments:
        build(plain, aid)
    plain_config(plain)
    return plain


def sample_scores(course, assignment, sample):
    """{student: {grade_id: score}} of the sample's students in ``course``'s gradebook."""
    return {student: grades for student, grades in scores(course, assignment).items() if student in sample}


def cores_needed(cpu_per_notebook):
    """Cores that grade TARGET_SUBMISSIONS notebooks in TARGET_SECONDS at this CPU cost each."""
    return TARGET_SUBMISSIONS * cpu_per_notebook / TARGET_SECONDS


def print_cluster(run, startup, workers, everything):
    """The cluster's figures: time, CPU and memory per notebook and per worker; ``everything``
    is the CPU time of every process the cluster left, reaped after it closed."""
    mib = 2 ** 20
    worker_cpu = sum(run.worker_cpu.values())
    print(f"cluster start-up {startup:.1f} s ({workers} workers; not counted below)")
    print(f"backprop-grader on Dask  {run.notebooks} notebooks in {run.seconds:.1f} s   "
          f"{run.seconds / run.notebooks:.3f} s/notebook   {60 * run.notebooks / run.seconds:.1f} notebooks/min")
    graded = sum(r.status == "graded" for r in run.results)
    print(f"  {graded} submissions graded, {len(run.results) - graded} not")
    print(f"  CPU s/notebook: workers {worker_cpu / run.notebooks:.3f}, "
          f"coordinator {run.coordinator_cpu / run.notebooks:.3f} "
          f"(its main thread {run.coordinator_main / run.notebooks:.3f}), "
          f"all {(worker_cpu + run.coordinator_cpu) / run.notebooks:.3f}")
    print(f"  machine busy {run.machine_cpu:.0f} CPU s over the run, this benchmark "
          f"{worker_cpu + run.coordinator_cpu:.0f} s (the rest: other processes on the machine)")
    closing = everything - run.startup_cpu - worker_cpu
    print(f"  cross-check: every process under the cluster, reaped after it closed: {everything:.1f} CPU s = "
          f"{run.startup_cpu:.1f} start-up + {worker_cpu:.1f} grading + {closing:.1f} closing")
    for address in sorted(run.memory):
        own, grading = run.memory[address]
        print(f"  worker {address}: peak {own / mib:.0f} MiB + grading process {grading / mib:.0f} MiB; "
              f"{run.jobs[address]} notebooks, busy {run.busy[address]:.0f} s of {run.seconds:.0f}, "
              f"CPU {run.worker_cpu[address]:.1f} s")


def print_serial(run, serial, agreement):
    """Plain serial nbgrader's sample, scaled to the class, and the ratios."""
    scaled = serial.seconds * run.notebooks / serial.notebooks
    ours_cpu = (sum(run.worker_cpu.values()) + run.coordinator_cpu) / run.notebooks
    print(f"plain serial nbgrader    {serial.notebooks} notebooks in {serial.seconds:.1f} s   "
          f"{serial.seconds / serial.notebooks:.3f} s/notebook   "
          f"{60 * serial.notebooks / serial.seconds:.1f} notebooks/min   "
          f"{serial.cpu / serial.notebooks:.3f} CPU s/notebook")
    print(f"  scaled to {run.notebooks} notebooks: {scaled:.0f} s   ratio {scaled / run.seconds:.2f}x wall, "
          f"{serial.cpu / serial.notebooks / ours_cpu:.2f}x CPU   sample scores {agreement}")


def print_target(run):
    """Machines for TARGET_SUBMISSIONS in TARGET_SECONDS, from the measured CPU costs."""
    workers = cores_needed(sum(run.worker_cpu.values()) / run.notebooks)
    per_submission = run.coordinator_cpu / run.submissions
    limit = 60 / per_submission
    coordinators = math.ceil(cores_needed(per_submission))
    total = workers + coordinators
    minutes = TARGET_SECONDS / 60
    print(f"{TARGET_SUBMISSIONS} submissions in {minutes:.0f} min: {workers:.0f} worker cores "
          f"+ {coordinators} coordinator core(s) = {total:.0f} cores "
          f"({', '.join(f'{math.ceil(total / c)} x {c}-core' for c in MACHINE_CORES)} machines)")
    print(f"  one coordinator grades at most {limit:.0f} submissions/min ({per_submission:.3f} CPU s each, serial), "
          f"{limit * minutes:.0f} in {minutes:.0f} min: {TARGET_SUBMISSIONS} needs {coordinators} coordinator(s)"
          f"{'' if coordinators == 1 else ', each with its own share of the class'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--serial-sample", type=int, default=20)
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    parser.add_argument("assignments", nargs="*", default=["01_sigmoid_neurons"])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        course = Course(Path(tmp) / "class")
        course.write_config()
        for aid in args.assignments:
            build(course, aid)
        students = make_class(course, args.assignments, args.students)
        sample = students[:args.serial_sample]
        plain = sample_course(course, args.assignments, Path(tmp) / "sample", sample)
        print(f"{args.students} students x {len(args.assignments)} assignment(s) ({', '.join(args.assignments)}), "
              f"{args.workers} workers on {os.cpu_count()} cores; serial sample {len(sample)} students")
        adopt_orphans()
        serial = measure(lambda: [plain_nbgrader(plain, aid) for aid in args.assignments] + [reap_orphans()],
                         len(sample) * len(args.assignments))  # first: no cluster process is reaped during it
        everything = children_cpu()
        start = time.perf_counter()
        with DaskExecutor(workers=args.workers) as executor:
            startup = time.perf_counter() - start
            run = grade_on_cluster(course, args.assignments, executor)
        reap_orphans()
        everything = children_cpu() - everything
        same = all(sample_scores(course, aid, sample) == scores(plain, aid) != {} for aid in args.assignments)
        print_cluster(run, startup, args.workers, everything)
        print_serial(run, serial, "identical" if same else "DIFFER")
        print_target(run)


if __name__ == "__main__":
    main()
