"""Running one student notebook: every cell once, in order, in a fresh kernel with limits.

This replaces the execution step of ``nbgrader autograde`` (its ``Execute`` preprocessor);
everything else stays nbgrader's. Differences that matter for grading a class:

* a cell that kills the kernel (``os._exit``, a segfault, the memory limit) or runs past the
  per-cell time limit gets an error output saying so; a new kernel then replays the cells
  before it and execution goes on after it — so only the cells that depend on it lose
  points (nbgrader alone marks the whole notebook as failed);
* a whole-notebook time limit: cells not reached in time get an error output;
* the kernel runs under ``prlimit`` with a cap on its address space (memory), with one
  BLAS thread, so parallel workers do not oversubscribe the cores;
* where bubblewrap is installed, the kernel runs in a sandbox (see :func:`sandbox_argv`)
  and starts from an empty home, so student code cannot reach the gradebook, other
  submissions or the grader, and leaves nothing behind for the next submission.
"""

import importlib.util
import json
import shutil
import sys
import tempfile
import weakref
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .integrity import PROBE, fingerprint

KERNEL_NAME = "backprop-grading"


@dataclass(frozen=True)
class Limits:
    """Resource limits for student code.

    Attributes
    ----------
    cell_timeout : float
        Seconds one cell may run.
    notebook_timeout : float
        Seconds the whole notebook may run (replays after a crash included).
    memory_mb : int
        Address-space cap of the kernel process, in MiB.
    max_restarts : int
        Kernel deaths/timeouts tolerated before the rest of the notebook is given up.
    sandbox : bool or None
        Isolate kernels with bubblewrap: True (required), False (never), None (when
        installed).
    """

    cell_timeout: float = 30.0
    notebook_timeout: float = 300.0
    memory_mb: int = 4096
    max_restarts: int = 5
    sandbox: bool | None = None


@dataclass
class ExecutionResult:
    """What happened while running one notebook.

    Attributes
    ----------
    seconds : float
    problems : list of str
        Human-readable events (kernel died in cell 7, cell 9 timed out, …); empty when
        every cell ran normally (cells may still have raised errors, which is grading's
        business).
    """

    seconds: float = 0.0
    problems: list = field(default_factory=list)


def sandbox_available():
    """True when bubblewrap can be used to isolate student kernels on this machine."""
    return shutil.which("bwrap") is not None and shutil.which("prlimit") is not None


def _package_dir(name):
    return Path(importlib.util.find_spec(name).submodule_search_locations[0]).resolve()


def sandbox_argv(home, runtime_dir):
    """bubblewrap arguments that confine a kernel to what a student's code may touch.

    Read-only: the system, the Python installation and virtual environment, and the
    ``grader`` (minus its authoring content, which holds the hidden tests) and
    ``datasets`` packages. Read-write: a fresh empty home (the working directory) and the
    kernel's own runtime folder (its connection file and sockets). Nothing else exists
    inside: not the gradebook, the course folder, other submissions, the source
    notebooks or the ``solutions`` package. No network, its own process tree, the
    ``nobody`` user, no capabilities, a private /tmp.
    """
    argv = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", "65534", "--gid", "65534",
            # the private /tmp first: later mounts may lie below /tmp (a checkout or venv there)
            "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev"]
    for path in ["/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"]:
        if Path(path).exists():
            argv += ["--ro-bind", path, path]
    for path in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}:
        argv += ["--ro-bind", str(path), str(path)]
    for package in ["grader", "datasets"]:
        folder = _package_dir(package)
        argv += ["--ro-bind", str(folder), str(folder)]
    argv += ["--tmpfs", str(_package_dir("grader") / "authoring")]
    argv += ["--bind", str(home), str(home), "--bind", str(runtime_dir), str(runtime_dir),
             "--setenv", "HOME", str(home), "--setenv", "MPLCONFIGDIR", "/tmp/matplotlib",
             "--setenv", "PYTHONDONTWRITEBYTECODE", "1", "--chdir", str(home),
             "--setenv", "JPY_PARENT_PID", "1"]  # its real parent is outside the sandbox: do not poll it
    return argv


class KernelFactory:
    """Kernel specs for grading, one fresh kernel environment per notebook run.

    Parameters
    ----------
    limits : Limits
        Its ``sandbox`` field decides whether kernels run inside bubblewrap.
    """

    def __init__(self, limits):
        self.limits = limits
        self.sandbox = sandbox_available() if limits.sandbox is None else limits.sandbox
        if self.sandbox and not sandbox_available():
            raise RuntimeError("the sandbox needs bubblewrap (bwrap) and prlimit: apt-get install bubblewrap")
        self.root = Path(tempfile.mkdtemp(prefix="grading-kernels-"))
        weakref.finalize(self, shutil.rmtree, self.root, True)  # at the latest when the process exits
        self.runtime_dir = self.root / "runtime"
        self.runtime_dir.mkdir()
        self.count = 0

    @property
    def jupyter_path(self):
        """The JUPYTER_PATH under which the spec is found."""
        return str(self.root)

    def kernel_config(self):
        """jupyter_client settings for the kernel last made by :meth:`new_kernel`.

        A sandboxed kernel has no network: it talks over IPC sockets in its runtime folder,
        where its connection file is written too.
        """
        from traitlets.config import Config
        if not self.sandbox:
            return Config()
        return Config({"KernelManager": {"transport": "ipc", "ip": str(self.runtime_dir / f"ipc-{self.count}"),
                                         "connection_file": str(self.runtime_dir / f"kernel-{self.count}.json")}})

    def new_kernel(self):
        """Write the spec of a kernel with a fresh empty home; return (kernel name, home)."""
        self.count += 1
        home = self.root / f"home-{self.count}"
        if home.exists():
            shutil.rmtree(home)
        home.mkdir()
        argv = ["prlimit", f"--as={self.limits.memory_mb * 1024 * 1024}",
                sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                "--HistoryManager.enabled=False"]  # no history database: nothing written, nothing shared
        if self.sandbox:
            argv = sandbox_argv(home, self.runtime_dir) + argv
        env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "MPLBACKEND": "Agg", "NBGRADER_EXECUTION": "autograde", "PYTHONWARNINGS": "default",
               "JUPYTER_RUNTIME_DIR": str(self.runtime_dir)}
        spec = self.root / "kernels" / KERNEL_NAME
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps(
            {"argv": argv, "display_name": "Python 3 (grading)", "language": "python", "env": env}))
        return KERNEL_NAME, home

    def cleanup_home(self, home):
        """Remove what a kernel left in its home."""
        shutil.rmtree(home, ignore_errors=True)


def _error_output(ename, message):
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def _mark(cell, ename, message):
    cell.outputs = [_error_output(ename, message)]
    cell.execution_count = cell.get("execution_count") or 0


def _flag_hidden_errors(cell, cell_index, execute_reply):
    """A cell whose kernel reply says 'error' but that shows no error output had its error
    display tampered with: record the error, so grading sees it."""
    status = (execute_reply or {}).get("content", {}).get("status")
    if status == "error" and not any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
        content = execute_reply["content"]
        cell.outputs.append(_error_output(content.get("ename") or "HiddenError",
                                          "an error was raised but its display was suppressed: "
                                          f"{content.get('evalue', '')}"))


def _probe(client):
    """Run the integrity probe in the kernel; return its fingerprint (None if it failed)."""
    cell = nbformat.v4.new_code_cell(PROBE)
    try:
        client.execute_cell(cell, -1)
    except (CellTimeoutError, DeadKernelError):
        return None
    return fingerprint(cell)


def _setup_cell_index(nb):
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("locked") and "from grader import" in cell.source:
            return index
    return None


def execute_notebook(nb, workdir, limits=Limits(), kernel_name="python3", factory=None, plan=None,
                     check_integrity=False):
    """Execute every code cell of ``nb`` in place, surviving crashes and hangs.

    Parameters
    ----------
    nb : NotebookNode
        The sanitized submission (locked cells already restored by nbgrader).
    workdir : path
        The kernel's working directory (without a factory).
    limits : Limits
    kernel_name : str
        Kernel spec to use without a factory.
    factory : KernelFactory, optional
        Makes a fresh (sandboxed) kernel for every start, including restarts.
    plan : dict, optional
        {cell index: source to run instead, or None to skip the cell} (see
        :func:`grader.grading_view.grading_sources`); the notebook keeps its own sources.
    check_integrity : bool
        Fingerprint numpy, the check helpers and IPython after the set-up cell and after
        every test cell (:mod:`grader.integrity`); a test cell during which they changed
        gets an error output and so no points.

    Returns
    -------
    ExecutionResult
    """
    start = time.monotonic()
    deadline = start + limits.notebook_timeout
    result = ExecutionResult()
    plan = plan or {}
    setup = _setup_cell_index(nb) if check_integrity else None
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and plan.get(i, "") is not None]
    given_up = set()  # cells that killed the kernel or timed out: not replayed
    restarts = 0
    finished = False
    while not finished:
        home = None
        if factory is not None:
            kernel_name, home = factory.new_kernel()
            workdir = home
        extra = {"config": factory.kernel_config()} if factory else {}
        client = NotebookClient(nb, timeout=max(1, int(limits.cell_timeout)), kernel_name=kernel_name,
                                allow_errors=True, interrupt_on_timeout=False, record_timing=False,
                                shutdown_kernel="immediate", resources={"metadata": {"path": str(workdir)}},
                                on_cell_executed=_flag_hidden_errors, **extra)
        crashed = None
        baseline = None
        with client.setup_kernel():
            for index in code_cells:
                if index in given_up:
                    continue
                if time.monotonic() > deadline:
                    _give_up(nb, code_cells, index, given_up, result,
                             f"the notebook exceeded its time limit of {limits.notebook_timeout:g} s")
                    break
                cell = nb.cells[index]
                original = cell.source
                cell.source = plan.get(index, original)
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    crashed = (index, "TimeoutError",
                               f"this cell ran longer than the limit of {limits.cell_timeout:g} s and was stopped")
                except DeadKernelError:
                    crashed = (index, "DeadKernelError",
                               "the kernel died while running this cell (os._exit, a crash, or the "
                               f"memory limit of {limits.memory_mb} MiB)")
                finally:
                    cell.source = original
                if crashed:
                    break
                if setup is not None and index == setup:
                    baseline = _probe(client)
                elif baseline and cell.metadata.get("nbgrader", {}).get("grade") and _probe(client) != baseline:
                    crashed = (index, "IntegrityError", "numpy, the test helpers or IPython's error display "
                               "were changed while this test ran, so the test does not count")
                    break
            else:
                finished = True
        if home is not None:
            factory.cleanup_home(home)
        if crashed:  # a fresh kernel replays the cells before this one and goes on after it
            index, ename, message = crashed
            _mark(nb.cells[index], ename, message)
            given_up.add(index)
            result.problems.append(f"cell {index}: {message}")
            restarts += 1
            if restarts > limits.max_restarts:
                _give_up(nb, code_cells, index + 1, given_up, result,
                         f"given up after {limits.max_restarts} kernel restarts")
                finished = True
        else:
            finished = True
    result.seconds = time.monotonic() - start
    return result


def _give_up(nb, code_cells, first, given_up, result, message):
    remaining = [i for i in code_cells if i >= first and i not in given_up]
    for i in remaining:
        _mark(nb.cells[i], "TimeoutError" if "time" in message else "RuntimeError", f"not run: {message}")
        given_up.add(i)
    result.problems.append(message)
