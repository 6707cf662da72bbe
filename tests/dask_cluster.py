"""A real Dask cluster on this machine for the tests: a scheduler and single-threaded workers,
each its own command-line process in its own process group, started and stopped by a test.

The workers run without a nanny (``--no-nanny``): a nanny would restart a killed worker at
once, so a test that kills one would see the same slot come back rather than the scheduler
handing the lost job to another worker. Without it, the process killed is the worker itself,
and its death is final.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil

#: Retries of a job whose worker died (Dask's default is 3; explicit, so a test's single
#: kill stays within it whatever the machine's Dask configuration says).
ALLOWED_FAILURES = "3"


def free_port():
    """A TCP port nobody listens on now (on 127.0.0.1)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _dask_command(*args):
    return [str(Path(sys.executable).parent / "dask"), *args]


class LocalDaskCluster:
    """``dask scheduler`` and ``workers`` × ``dask worker --nthreads 1 --no-nanny`` on
    127.0.0.1, each a process group of its own.

    Parameters
    ----------
    folder : Path
        For the logs and the workers' local directories.
    workers : int
    timeout : float
        Seconds to wait for the scheduler and every worker.
    """

    def __init__(self, folder, workers=2, timeout=60):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self.env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": ALLOWED_FAILURES}
        self.processes = []
        self.scheduler = self._start("scheduler", "scheduler", "--host", "127.0.0.1",
                                     "--port", self.address.rsplit(":", 1)[1], "--no-dashboard")
        self.workers = [self._start(f"worker-{n}", "worker", self.address, "--nthreads", "1", "--no-nanny",
                                    "--no-dashboard", "--host", "127.0.0.1", "--name", f"worker-{n}",
                                    "--local-directory", str(self.folder / f"worker-{n}"))
                        for n in range(workers)]
        self._wait_for_workers(workers, timeout)

    def _start(self, name, *args):
        log = (self.folder / f"{name}.log").open("wb")
        process = subprocess.Popen(_dask_command(*args), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=self.env, start_new_session=True)
        log.close()
        self.processes.append(process)
        return process

    def _wait_for_workers(self, count, timeout):
        from distributed import Client
        deadline = time.monotonic() + timeout
        with Client(self.address, timeout=timeout) as client:
            while len(client.scheduler_info()["workers"]) < count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{count} Dask workers did not start: see {self.folder}/*.log")
                time.sleep(0.1)

    def worker_pids(self, client):
        """{worker address: pid} as the scheduler knows them."""
        return client.run(os.getpid)

    def log(self, name):
        """What the process ``name`` (scheduler, worker-0, …) printed."""
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self, timeout=10):
        """End every process of the cluster (SIGTERM to each group, SIGKILL after ``timeout``
        seconds); return those of them and their descendants still alive 5 s later (psutil)."""
        tree = family(p.pid for p in self.processes)
        for process in reversed(self.processes):  # the workers first: without a scheduler they would wait for it
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        return still_alive(tree, timeout=5)


def _signal_group(process, sig):
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def family(pids):
    """psutil Processes of ``pids`` and all their descendants now."""
    found = []
    for pid in pids:
        try:
            parent = psutil.Process(pid)
            found += [parent, *parent.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    return found


def still_alive(processes, timeout=5.0):
    """Those of ``processes`` (psutil) still running, not zombies, after up to ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        alive = [p for p in processes if _running(p)]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def _running(process):
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
