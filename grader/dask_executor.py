"""Grading on a Dask distributed cluster: a local one sized to this machine, or an existing one.

A grading job carries everything it needs (:class:`grader.checker.job.GradingJob`): the
notebook, the master's cells, the limits. What every worker must have is listed in
:data:`WORKER_REQUIREMENTS`; the gradebook and the course folder stay with the coordinator,
which writes every record and grade.

Each Dask worker runs one job at a time in a grading process of its own (the trusted side
needs a main thread for its time limit), and the student's code in the sandbox, as a local
worker does. When a worker dies, the scheduler gives its in-flight jobs to another worker;
a job has no side effect, so running it again changes nothing, and the coordinator takes
exactly one result per job.
"""

import logging
import os
import time
import uuid

from .checker.job import peak_memory, run_grading_job_in_child

#: What must be on every worker machine, the same as on the coordinator.
WORKER_REQUIREMENTS = (
    "the same version of this course package (checked: a worker that differs refuses every job), "
    "with dask.distributed; bubblewrap and util-linux's prlimit (the sandbox); "
    "one thread per worker process (dask worker --nthreads 1)")

#: Scheduler-side retries of a job whose worker died (Dask's ``allowed-failures``): a job
#: that kills this many workers in a row is given up and its submission reported.
ALLOWED_FAILURES = 3


def _dask():
    try:
        import dask
        import distributed
    except ImportError:  # pragma: no cover - a dependency
        raise RuntimeError("the Dask executor needs dask.distributed: pip install distributed") from None
    return dask, distributed


class DaskExecutor:
    """Runs grading jobs on a Dask cluster.

    Parameters
    ----------
    scheduler : str, optional
        Address of an existing scheduler (``tcp://host:8786``). Default: start a local
        cluster of ``workers`` single-threaded worker processes, closed with this executor.
    workers : int, optional
        Size of the local cluster (default: the number of cores).
    timeout : float
        Seconds to wait for the scheduler.
    """

    job_function = staticmethod(run_grading_job_in_child)

    def __init__(self, scheduler=None, workers=None, timeout=30):
        dask, distributed = _dask()
        self.cluster = None
        if scheduler is None:
            with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
                self.cluster = distributed.LocalCluster(
                    n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                    dashboard_address=None, silence_logs=logging.ERROR)
            scheduler = self.cluster
        try:
            self.client = distributed.Client(scheduler, timeout=timeout)
        except OSError as error:
            self.close()
            raise RuntimeError(f"no Dask scheduler answers at {scheduler}: {error}") from None
        self._counted = (0.0, 0)
        self._check_threads()

    @property
    def slots(self):
        """Jobs the cluster runs at once: its worker threads (workers may come and go: asked
        of the scheduler at most once a second)."""
        now = time.monotonic()
        if now - self._counted[0] > 1.0:
            self._counted = (now, sum(self.client.nthreads().values()))
        return self._counted[1]

    def _check_threads(self):
        crowded = [address for address, threads in self.client.nthreads().items() if threads > 1]
        if crowded:
            logging.getLogger(__name__).warning(
                "Dask workers with more than one thread (%s): each job still runs alone in its worker's grading "
                "process, so the extra threads only wait", ", ".join(crowded))

    def submit(self, fn, job):
        """Submit ``fn(job)`` under a key of its own (a job is never merged with another)."""
        key = f"grade-{job.student}-{job.notebook}-{uuid.uuid4().hex}"
        return self.client.submit(fn, job, key=key, pure=False)

    def peak_memory(self):
        """{worker address: (peak bytes of the Dask worker process, of its grading process)}."""
        return self.client.run(peak_memory)

    def close(self):
        client, cluster = getattr(self, "client", None), self.cluster
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        self.client = self.cluster = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
