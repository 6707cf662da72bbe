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
    """The namespaces of a notebook's trusted cells.

    The set-up and given cells run in one namespace, the test cells in another that starts
    as a copy of it. Only the test cells' namespace ever holds student proxies: a given
    function (whose globals are the given cells' namespace) never reaches the student's code
    by a name it looks up, so an expected value computed through given code is the given
    code's, not the student's.

    Parameters
    ----------
    checks : module
        What the name ``checks`` means in trusted cells (:mod:`grader.checks`), whatever the
        set-up cell imports under that name.
    student_names : set of str
        The names a test may take from the student (:meth:`Master.answer_names`).
    """

    def __init__(self, checks, student_names):
        self.checks, self.student_names = checks, frozenset(student_names)
        self.registry = Registry()
        self.given = {"__name__": "__main__", "__builtins__": builtins, "get_ipython": _NoMagics, "checks": checks}
        self.globals = dict(self.given)
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
        if wanted:
            found = session.lookup(wanted)
            self.globals.update(found)
            self.student_bound = found

    def run_given(self, source, name, deadline=None):
        """Run a set-up or given cell (from the master); return its outputs. The objects it
        defines become given objects (:class:`sandbox_runner.wire.Registry`) and are seen by
        the test cells."""
        collector = cell_outputs.Collector()
        code, filename = self._compile(source, name)
        before = {key: id(value) for key, value in self.given.items()}
        with contextlib.redirect_stdout(collector.writer("stdout")), \
                contextlib.redirect_stderr(collector.writer("stderr")):
            try:
                with time_limit(deadline, "a given cell ran past its time limit"):
                    exec(code, self.given)
            except (Exception, TrustedTimeout) as error:
                collector.add(cell_outputs.exception_output(error, filename))
        self.given["checks"] = self.checks
        for key, value in self.registry.add_defined(self.given, before):
            self.globals[key] = value
            self.student_bound.pop(key, None)
        return collector.items

    def run_test(self, source, name, session, collector, deadline=None):
        """Run a test cell against the student's process ``session``; its outputs go to ``collector``.

        Parameters
        ----------
        source : str
        name : str
            The cell's grade_id (for tracebacks).
        session : StudentSession
        collector : Collector
        deadline : float, optional
            ``time.monotonic()`` value past which the cell is interrupted (see
            :mod:`grader.checker.watchdog`); the student's process, which may be waiting
            for a call-back, is then replaced.
        """
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
                session.lose()
        for key, value in list(self.globals.items()):  # what the test assigned is the test's from now on
            if before.get(key) != id(value) and self.student_bound.get(key) is not value:
                self.student_bound.pop(key, None)
        self.globals["checks"] = self.checks
