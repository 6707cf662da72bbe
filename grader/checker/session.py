"""The student's process of one notebook, as the checker sees it: cells to run there,
functions to call there, and what to do when it dies or hangs.

A lost process (it died, overran its time, or broke the protocol) costs only what was
running: the next request starts a new process and first replays, in order, every cell
that had run there before (the setup, given and student cells, except those that were
lost), so the student's functions exist again.
"""

import contextlib
import time

from backprop_kit.checks import CheckFailed
from sandbox_runner.peer import Peer
from sandbox_runner.wire import (MAX_DEPTH, MAX_NODES, TOO_DEEP, Decoder, Encoder, PeerClosed, PeerTimeout,
                                  Unsupported, WireError)

from . import outputs as cell_outputs


class StudentProcessLost(BaseException):
    """The student's process died, overran its time limit or broke the protocol.

    A BaseException: a test that catches ``Exception`` around a call cannot swallow it.
    """


class TrustedPeer(Peer):
    """The checker's end of the channel.

    A student function must leave its arguments as they were (the course's contract: "do
    not modify z"), unless the running test allows it (``checks.may_update_in_place``:
    ``sgd_step`` updates the weights it is given). So a function cannot change a test's
    inputs to bend the expected values computed from them afterwards.
    """

    def __init__(self, sock, registry, max_bytes, session):
        super().__init__(sock, registry, max_bytes)
        self.session = session
        self.depth = 0
        self.refused = None

    def call(self, target, args, kwargs, **flags):
        what = target.get("name") or "a function the student passed"
        self.depth += 1
        try:
            result = self.session.guard(what, lambda: super(TrustedPeer, self).call(
                target, args, kwargs, strict=self.session.strict > 0))
            if self.changed_arguments and what not in self.session.in_place_allowed:
                raise CheckFailed(f"{what} changed its argument number {self.changed_arguments[0]} in place; work on a "
                                  "copy instead")
            return result
        except Unsupported as problem:
            if problem.path.startswith("argument"):
                raise TypeError(f"the test passed {problem} to {what}, which is not data") from None
            if problem.detail == TOO_DEEP:  # data, but more deeply nested or larger than the grader takes
                raise CheckFailed(f"{what} returned {problem}: the grader takes values nested at most {MAX_DEPTH} "
                                  f"levels deep (a graph of nodes: two levels per edge) and at most {MAX_NODES:,} "
                                  "objects") from None
            raise CheckFailed(f"{what} returned {problem}: return a number, an array, or lists, tuples and dicts "
                              "of them") from None
        finally:
            self.depth -= 1
            if self.depth == 0 and self.refused is not None:
                refused, self.refused = self.refused, None
                raise refused

    def on_reply(self, reply):
        if self.session.collector is not None:
            self.session.collector.extend(cell_outputs.clean(reply.get("out", [])))

    def invoke(self, function, args, kwargs, message):
        try:
            return function(*args, **kwargs), None
        except CheckFailed as failure:  # a stand-in of the test refused: the test fails, whatever the caller does
            self.refused = self.refused or failure
            return None, RuntimeError("the test's stand-in refused this call")
        except Exception as error:
            return None, error

    def describe_error(self, error):
        return {"ename": type(error).__name__, "evalue": str(error), "traceback": []}


class StudentSession:
    """Cells and calls in the student's process, with restarts and replays.

    Parameters
    ----------
    launcher : a launcher of :mod:`grader.checker.launch`
    limits : Limits
    registry : sandbox_runner.wire.Registry
        The trusted side's given objects (shared with the trusted namespace).
    """

    def __init__(self, launcher, limits, registry):
        self.launcher, self.limits, self.registry = launcher, limits, registry
        self.process = self.peer = None
        self.history = []
        self.starts = self.losses = 0
        self.notebook_deadline = float("inf")
        self.strict = 0
        self.deadline = None
        self.collector = None
        self.in_place_allowed = set()

    @property
    def restarts(self):
        """How many times a process had to be started again."""
        return max(0, self.starts - 1)

    # --- the process -------------------------------------------------------------------

    def _ensure(self):
        """Start the student's process if there is none, replaying its cells; the time this
        takes moves the running cell's deadline back (a restart is the grader's time, not the
        student's), within the notebook's."""
        if self.peer is not None:
            return
        started = time.monotonic()
        try:
            process = self.launcher.spawn()
        except (OSError, RuntimeError) as error:
            self.losses += 1
            raise StudentProcessLost(f"the student's process could not be started: {error}") from None
        self.starts += 1
        self.process = process
        self.peer = TrustedPeer(process.sock, self.registry, self.limits.payload_bytes, self)
        for source, given in self.history:
            self.peer.deadline = min(time.monotonic() + self.limits.cell_timeout, self.notebook_deadline)
            self.guard("a replayed cell", lambda: self.peer.request({"op": "exec", "source": source, "given": given}))
        if self.deadline is not None:
            self.deadline = min(self.deadline + (time.monotonic() - started), self.notebook_deadline)

    def lose(self):
        """Stop the process after a failure; the next request starts a new one."""
        self.losses += 1
        self._stop()

    def _stop(self):
        if self.process is not None:
            self.process.kill()
        self.process = self.peer = None

    def close(self):
        """Stop the process at the end of the notebook."""
        self._stop()

    def guard(self, what, action):
        """Run ``action`` (a request to the process); turn a lost process into StudentProcessLost."""
        try:
            return action()
        except PeerTimeout:
            self.lose()
            raise StudentProcessLost(f"{what} did not finish within the time limit of {self.limits.cell_timeout:g} s "
                                     "(an endless loop?) and was stopped") from None
        except PeerClosed:
            self.lose()
            raise StudentProcessLost(f"the student's process died while running {what} (os._exit, a crash, or the "
                                     f"memory limit of {self.limits.memory_mb} MiB)") from None
        except WireError as error:
            self.lose()
            raise StudentProcessLost(f"while running {what} the student's process sent {error}") from None
        except OSError as error:
            self.lose()
            raise StudentProcessLost(f"the student's process could not be reached while running {what}: {error}") \
                from None

    def _request(self, what, header, buffers=()):
        self._ensure()
        self.peer.deadline = self.deadline
        return self.guard(what, lambda: self.peer.request(header, buffers))

    # --- cells -------------------------------------------------------------------------

    def run_cell(self, source, given, deadline):
        """Run a cell in the student's process; return its (checked) outputs.

        Raises StudentProcessLost if the process is lost meanwhile (the cell is then not
        replayed after a restart).
        """
        self.deadline = deadline
        reply, _ = self._request("this cell", {"op": "exec", "source": source, "given": given})
        self.history.append((source, given))
        return cell_outputs.clean(reply.get("outputs", []))

    # --- tests -------------------------------------------------------------------------

    @contextlib.contextmanager
    def test(self, collector, deadline):
        """While a test cell runs: its outputs collect here, its calls share its deadline;
        afterwards every rebinding is undone and every call-back token revoked."""
        self.collector, self.deadline = collector, deadline
        try:
            yield self
        finally:
            self.collector = None
            self.in_place_allowed = set()
            if self.peer is not None:
                self.peer.revoke()
                self.peer.deadline = time.monotonic() + 5
                try:
                    self.guard("the end of the test", lambda: self.peer.request({"op": "end_test"}))
                except StudentProcessLost:
                    pass

    def call(self, name, args, kwargs):
        """Call the student's function ``name`` with data arguments; return its result."""
        self._ensure()
        self.peer.deadline = self.deadline
        return self.peer.call({"name": name}, args, kwargs)

    def lookup(self, names):
        """{name: value} of the student's functions (as proxies) and data among ``names``."""
        reply, buffers = self._request("a lookup of names", {"op": "lookup", "names": sorted(names)})
        kinds, values = reply.get("kinds"), reply.get("values")
        if not isinstance(kinds, dict) or not isinstance(values, dict):
            self.lose()
            raise StudentProcessLost("the student's process answered a lookup with nonsense")
        decoder = Decoder(buffers, self.registry, self.peer.proxy)
        found = {}
        for name in names:
            if kinds.get(name) == "function":
                found[name] = StudentFunction(self, name)
            elif kinds.get(name) == "value" and name in values:
                try:
                    found[name] = decoder.decode(values[name])
                except WireError:
                    pass
        return found

    @contextlib.contextmanager
    def rebound(self, blocks):
        """Put the known-good ``blocks`` {name: function or value} into the student's
        namespace (functions as call-backs into this process) while the block runs."""
        self._ensure()
        encoder = Encoder(self.registry, export=self.peer.export)
        names = {name: encoder.encode(value, name) for name, value in blocks.items()}
        self._request("a rebinding", {"op": "rebind", "names": names}, encoder.buffers)
        peer = self.peer
        try:
            yield
        finally:
            if self.peer is peer:  # a replaced process starts without the rebinding anyway
                self._request("a rebinding", {"op": "restore"})

    @contextlib.contextmanager
    def strict_numerics(self):
        """Calls made while the block runs turn numerical warnings into errors."""
        self.strict += 1
        try:
            yield
        finally:
            self.strict -= 1


class StudentFunction:
    """A function of the student's notebook, called by name through the data-only interface."""

    def __init__(self, session, name):
        self.session, self.__name__ = session, name

    def __call__(self, *args, **kwargs):
        return self.session.call(self.__name__, args, kwargs)

    def __repr__(self):
        return f"<the student's function {self.__name__}>"
