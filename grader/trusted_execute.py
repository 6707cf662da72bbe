"""nbgrader's execution step, done the course's way: :class:`TrustedExecute` replaces
nbgrader's ``Execute`` preprocessor in ``Autograde.autograde_preprocessors``.

Set in the course's ``nbgrader_config.py`` (``backprop-grader build`` writes it), it is what
``nbgrader autograde`` and the formgrader's Autograde button run, as well as
``backprop-grader autograde``: the student's cells in a sandboxed process, the set-up,
given and test cells (from the gradebook's master copy) in the grader's process, with the
time and memory limits below. ``backprop-grader autograde`` runs the notebooks in parallel
workers first and points :attr:`TrustedExecute.precomputed_dir` at their records; a record
is used only if it was made from exactly the cells this notebook has now.
"""

from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute
from traitlets import Enum, Float, Integer, Unicode

from .checker.engine import ExecutionRecord
from .checker.job import grade_in_worker
from .checker.outputs import NOT_EXECUTED, error_output
from .checker.limits import Limits
from .checker.plan import Master, plan_hash, plan_notebook


def autograde_preprocessors():
    """nbgrader's autograde pipeline with ``Execute`` replaced by :class:`TrustedExecute` and
    :class:`~grader.student_markdown.SafeMarkdown` (as import paths, so that it can be
    written into ``nbgrader_config.py``)."""
    from nbgrader.converters import Autograde
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    names = []
    for pp in default:
        if pp is Execute:  # the execution step, then the students' markdown made safe to show
            names += [f"{__name__}.TrustedExecute", "grader.student_markdown.SafeMarkdown"]
        else:
            names.append(f"{pp.__module__}.{pp.__name__}")
    return names


def settings(limits):
    """The nbgrader configuration {section: {key: value}} of ``limits``."""
    return {"Execute": {"timeout": max(1, int(round(limits.cell_timeout)))},
            "TrustedExecute": {"notebook_timeout": float(limits.notebook_timeout), "memory_mb": limits.memory_mb,
                               "max_restarts": limits.max_restarts, "payload_mb": limits.payload_mb,
                               "sandbox": {None: "auto", True: "on", False: "off"}[limits.sandbox]}}


class TrustedExecute(Execute):
    """Execute a submission with the student's code in a sandbox and the tests outside it.

    ``timeout`` (nbgrader's per-cell limit) is the limit of each cell, a test cell's calls
    of the student's functions included.
    """

    notebook_timeout = Float(300.0, help="Seconds a whole notebook may run, replays after a crash included."
                             ).tag(config=True)
    memory_mb = Integer(4096, help="Memory (address space) cap of the student's process, in MiB.").tag(config=True)
    max_restarts = Integer(5, help="Deaths or hangs of the student's process tolerated per notebook.").tag(config=True)
    payload_mb = Integer(64, help="Largest message (a result, say) the student's process may send, in MiB."
                         ).tag(config=True)
    sandbox = Enum(["auto", "on", "off"], "auto", help="Isolate the student's process with bubblewrap: 'auto' "
                   "when installed, 'on' required, 'off' never.").tag(config=True)
    precomputed_dir = Unicode("", help="Folder of execution records <student>/<notebook>.json made by "
                              "backprop-grader's workers; empty: always execute here.").tag(config=True)

    #: Notebooks this process executed itself (no matching precomputed record), for reports and tests.
    executed_here = 0

    def limits(self):
        """The Limits these settings describe."""
        cell_timeout = float(self.timeout) if self.timeout and self.timeout > 0 else self.notebook_timeout  # -1: none
        return Limits(cell_timeout=cell_timeout, notebook_timeout=self.notebook_timeout,
                      memory_mb=self.memory_mb, max_restarts=self.max_restarts, payload_mb=self.payload_mb,
                      sandbox={"auto": None, "on": True, "off": False}[self.sandbox])

    def preprocess(self, nb, resources=None, km=None):
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            master = Master.from_gradebook(gb, info["assignment"], info["notebook"])
        planned = plan_notebook(nb, master)
        record = self._precomputed(info, plan_hash(planned), planned)
        if record is None:
            TrustedExecute.executed_here += 1
            record = grade_in_worker(nb, master, self.limits())
        for problem in record.problems:
            self.log.warning("%s/%s: %s", info.get("student"), info["notebook"], problem)
        record.apply(nb)
        return nb, resources

    def _precomputed(self, info, digest, planned):
        """The workers' record of this notebook; None to execute here.

        A record made from other cells is not used (the notebook is executed here). A missing
        or unreadable record means the worker failed on this notebook: it is not retried in
        this process, which also writes the gradebook; its cells get an error saying so.
        """
        if not self.precomputed_dir:
            return None
        path = Path(self.precomputed_dir) / str(info.get("student")) / f"{info['notebook']}.json"
        try:
            record = ExecutionRecord.from_json(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError, TypeError):
            reason = "the grading worker produced no record for this notebook (see the autograde report)"
            return ExecutionRecord(plan_hash=digest, problems=[reason],
                                   outputs={cell.index: [error_output(NOT_EXECUTED, reason)] for cell in planned
                                            if cell.index is not None})
        if record.plan_hash != digest:
            self.log.warning("%s: the precomputed record is for other cells; executing again", path)
            return None
        return record
