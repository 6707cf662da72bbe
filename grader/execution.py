"""Running one student notebook: every cell once, in order, in a fresh kernel with limits.

This replaces the execution step of ``nbgrader autograde`` (its ``Execute`` preprocessor);
everything else stays nbgrader's. Differences that matter for grading a class:

* a cell that kills the kernel (``os._exit``, a segfault, the memory limit) or runs past the
  per-cell time limit gets an error output saying so; a new kernel then replays the cells
  before it and execution goes on after it — so only the cells that depend on it lose
  points (nbgrader alone marks the whole notebook as failed);
* a whole-notebook time limit: cells not reached in time get an error output;
* the kernel runs under ``prlimit`` with a cap on its address space (memory), with one
  BLAS thread, so parallel workers do not oversubscribe the cores.
"""

import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

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
    """

    cell_timeout: float = 30.0
    notebook_timeout: float = 300.0
    memory_mb: int = 4096
    max_restarts: int = 5


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


def kernel_spec_dir(limits, base=None):
    """Write a kernel spec that starts ipykernel under prlimit; return the JUPYTER_PATH to use.

    Parameters
    ----------
    limits : Limits
    base : path, optional
        Folder to write into (a new temporary folder by default).
    """
    root = Path(base or tempfile.mkdtemp(prefix="grading-kernel-"))
    spec = root / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True, exist_ok=True)
    argv = ["prlimit", f"--as={limits.memory_mb * 1024 * 1024}",
            sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--HistoryManager.enabled=False"]  # no history database: nothing written, nothing shared
    env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "MPLBACKEND": "Agg", "NBGRADER_EXECUTION": "autograde", "PYTHONWARNINGS": "default"}
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "Python 3 (grading)", "language": "python", "env": env}))
    return str(root)


def _error_output(ename, message):
    return nbformat.v4.new_output("error", ename=ename, evalue=message, traceback=[f"{ename}: {message}"])


def _mark(cell, ename, message):
    cell.outputs = [_error_output(ename, message)]
    cell.execution_count = cell.get("execution_count") or 0


def execute_notebook(nb, workdir, limits=Limits(), kernel_name=KERNEL_NAME):
    """Execute every code cell of ``nb`` in place, surviving crashes and hangs.

    Parameters
    ----------
    nb : NotebookNode
        The sanitized submission (locked cells already restored by nbgrader).
    workdir : path
        The kernel's working directory.
    limits : Limits
    kernel_name : str
        Kernel spec to use (see :func:`kernel_spec_dir`).

    Returns
    -------
    ExecutionResult
    """
    start = time.monotonic()
    deadline = start + limits.notebook_timeout
    result = ExecutionResult()
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    given_up = set()  # cells that killed the kernel or timed out: not replayed
    restarts = 0
    finished = False
    while not finished:
        client = NotebookClient(nb, timeout=max(1, int(limits.cell_timeout)), kernel_name=kernel_name,
                                allow_errors=True, interrupt_on_timeout=False, record_timing=False,
                                shutdown_kernel="immediate", resources={"metadata": {"path": str(workdir)}})
        crashed = None
        with client.setup_kernel():
            for index in code_cells:
                if index in given_up:
                    continue
                if time.monotonic() > deadline:
                    _give_up(nb, code_cells, index, given_up, result,
                             f"the notebook exceeded its time limit of {limits.notebook_timeout:g} s")
                    break
                try:
                    client.execute_cell(nb.cells[index], index)
                except CellTimeoutError:
                    crashed = (index, "TimeoutError",
                               f"this cell ran longer than the limit of {limits.cell_timeout:g} s and was stopped")
                except DeadKernelError:
                    crashed = (index, "DeadKernelError",
                               "the kernel died while running this cell (os._exit, a crash, or the "
                               f"memory limit of {limits.memory_mb} MiB)")
                if crashed:
                    break
            else:
                finished = True
        if crashed:
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
