"""The trusted namespace of one notebook: the set-up, given and test cells run here, in the
grader's process, from the master copy.

A test cell reaches the student's code only by name, and only the names the master's
answer cells define (the exercise functions): before it runs, those it uses that no
trusted cell has defined are looked up in the student's process and bound here as
:class:`~grader.checker.session.StudentFunction` proxies or as decoded data. Names a
trusted cell defined (``checks``, ``np``, the given functions and objects, the test's own
helpers), builtins, and anything else the student defines are never taken from the student.
"""

import ast
import builtins
import contextlib
import linecache

from IPython.core.inputtransformer2 import TransformerManager

from sandbox_runner.wire import Registry

from . import outputs as cell_outputs
from .context import talking_to
from .session import StudentProcessLost
from .watchdog import TrustedTimeout, time_limit

_BUILTINS = frozenset(dir(builtins))
_TRANSFORMER = TransformerManager()


class _NoMagics:
    """``get_ipython()`` for trusted cells: ``%matplotlib`` is accepted and ignored."""

    def run_line_magic(self, name, line, *args, **kwargs):
        if name != "matplotlib":
            raise RuntimeError(f"%{name} is not available in the grader's trusted cells")

    def run_cell_magic(self, name, line, cell):
        raise RuntimeError(f"%%{name} is not available in the grader's trusted cells")


def free_names(source):
    """Names ``source`` reads anywhere (nested functions included)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


class TrustedNamespace:
    """The globals of a notebook's trusted cells.

    Parameters
    ----------
    checks : module
        What the name ``checks`` means in test cells (:mod:`grader.checks`), whatever the
        set-up cell imports under that name.
    student_names : set of str
        The names a test may take from the student (:meth:`Master.answer_names`).
    """

    def __init__(self, checks, student_names):
        self.checks, self.student_names = checks, frozenset(student_names)
        self.registry = Registry()
        self.globals = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": _NoMagics}
        self.student_bound = {}
        self.cells = 0

    def trusted_names(self):
        return {name for name, value in self.globals.items() if self.student_bound.get(name) is not value}

    def _compile(self, source, name):
        self.cells += 1
        filename = f"<{name or 'cell'}-{self.cells}>"
        text = _TRANSFORMER.transform_cell(source)
        linecache.cache[filename] = (len(text), None, text.splitlines(keepends=True), filename)
        return compile(text, filename, "exec"), filename

    def _bind_student_names(self, source, session):
        for name, value in list(self.student_bound.items()):  # bound for an earlier cell: look again
            if self.globals.get(name) is value:
                del self.globals[name]
        self.student_bound = {}
        wanted = (free_names(source) & self.student_names) - self.trusted_names() - _BUILTINS
        if wanted and session is not None:
            found = session.lookup(wanted)
            self.globals.update(found)
            self.student_bound = found

    def run(self, source, name, session=None, collector=None, given=False, deadline=None):
        """Run one trusted cell; return its outputs (an error output if it raised).

        Parameters
        ----------
        source : str
        name : str
            The cell's grade_id (for tracebacks).
        session : StudentSession, optional
            The student's process the cell may call (test cells, given cells that use
            student functions).
        collector : Collector, optional
        given : bool
            Register the objects the cell defines as given objects.
        deadline : float, optional
            ``time.monotonic()`` value past which the cell is interrupted (see
            :mod:`grader.checker.watchdog`); the student's process, which may be waiting
            for a call-back, is then replaced.
        """
        collector = collector or cell_outputs.Collector()
        code, filename = self._compile(source, name)
        before = {key: id(value) for key, value in self.globals.items()}
        limit = "this test ran past its time limit (the grader's own work included) and was stopped"
        with contextlib.redirect_stdout(collector.writer("stdout")), \
                contextlib.redirect_stderr(collector.writer("stderr")), talking_to(session):
            try:
                with time_limit(deadline, limit):
                    self._bind_student_names(source, session)
                    exec(code, self.globals)
            except (Exception, StudentProcessLost) as error:
                collector.add(cell_outputs.exception_output(error, filename))
            except TrustedTimeout as error:
                collector.add(cell_outputs.exception_output(error, filename))
                if session is not None:
                    session.lose()
        for key, value in list(self.globals.items()):
            changed = before.get(key) != id(value)
            if changed and self.student_bound.get(key) is not value:
                self.student_bound.pop(key, None)
                if given and not key.startswith("__"):
                    self.registry.add(key, value)
        self.globals["checks"] = self.checks
        return collector.items
