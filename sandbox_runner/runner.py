"""The student's side of grading: runs cells and answers calls, until told to stop.

Requests the checker sends (each answered with one reply)::

    exec     {"source", "given"}         run a cell; reply with its outputs (given cells also
                                         register the objects they define, see wire.Registry)
    call     {"name" | "t", "args", "kwargs", "strict"}
                                         call a function of the notebook (or a call-back the
                                         checker received from here) on decoded arguments
    lookup   {"names"}                   which of these names are functions or data values here
    rebind   {"names": {name: value}}    replace names for the running test (known-good blocks)
    restore  {}                          undo the last rebind
    end_test {}                          undo every rebind, forget call-back tokens, close figures
    shutdown {}                          exit

    python -m sandbox_runner --fd N [--max-bytes B]
"""

import argparse
import os
import socket
import warnings

import numpy as np

from .peer import Peer
from .shell import GradingShell, Outputs
from .wire import Decoder, Encoder, PeerClosed, Registry, Unsupported, WireError, recv_frame

_MISSING = object()


class StudentPeer(Peer):
    """The student's end of the channel: a notebook namespace behind the data-only interface."""

    def __init__(self, sock, max_bytes, shell=None):
        super().__init__(sock, Registry(), max_bytes)
        self.shell = shell or GradingShell.instance()
        self.namespace = self.shell.user_ns
        self.rebinds = []
        self.running = True
        self._call_outputs = []

    # --- cells -------------------------------------------------------------------------

    def op_exec(self, message, buffers):
        source = message.get("source")
        if not isinstance(source, str):
            raise ValueError("exec needs a source")
        before = {name: id(value) for name, value in self.namespace.items()}
        outputs, ok = self.shell.run(source)
        if message.get("given"):
            self.registry.add_defined(self.namespace, before)
        return {"ok": True, "outputs": outputs, "status": "ok" if ok else "error"}, []

    # --- calls -------------------------------------------------------------------------

    def resolve(self, message):
        name = message.get("name")
        if name is None:
            return super().resolve(message)
        if not isinstance(name, str) or name not in self.namespace:
            raise NameError(f"name {name!r} is not defined")
        function = self.namespace[name]
        if not callable(function):
            raise TypeError(f"{name} is not a function, it is a {type(function).__name__}")
        return function

    def op_call(self, message, buffers):
        outputs = Outputs()
        self._call_outputs.append(outputs)
        try:
            reply, reply_buffers = super().op_call(message, buffers)
        finally:
            self._call_outputs.pop()
        reply["out"] = outputs.items
        return reply, reply_buffers

    def invoke(self, function, args, kwargs, message):
        with self.shell.capture(self._call_outputs[-1]), warnings.catch_warnings():
            if message.get("strict"):
                warnings.simplefilter("error")
                with np.errstate(over="raise", divide="raise", invalid="raise"):
                    return super().invoke(function, args, kwargs, message)
            return super().invoke(function, args, kwargs, message)

    def describe_error(self, error):
        description = super().describe_error(error)
        description["traceback"] = _student_frames(description["traceback"])
        return description

    # --- names -------------------------------------------------------------------------

    def op_lookup(self, message, buffers):
        names = message.get("names")
        if type(names) is not list:
            raise ValueError("lookup needs names")
        kinds, values = {}, {}
        encoder = Encoder(self.registry)
        for name in names:
            value = self.namespace.get(name, _MISSING) if isinstance(name, str) else _MISSING
            if value is _MISSING:
                kinds[name] = "missing"
            elif callable(value) and not isinstance(value, type):
                kinds[name] = "function"
            else:
                try:
                    values[name] = encoder.encode(value, name)
                    kinds[name] = "value"
                except Unsupported:
                    kinds[name] = "function" if callable(value) else "unsupported"
        return {"ok": True, "kinds": kinds, "values": values}, encoder.buffers

    def op_rebind(self, message, buffers):
        names = message.get("names")
        if type(names) is not dict:
            raise ValueError("rebind needs names")
        decoder = Decoder(buffers, self.registry, self.proxy)
        values = {name: decoder.decode(tree) for name, tree in names.items()}
        self.rebinds.append({name: self.namespace.get(name, _MISSING) for name in values})
        self.namespace.update(values)
        return {"ok": True}, []

    def op_restore(self, message, buffers):
        if self.rebinds:
            self._undo(self.rebinds.pop())
        return {"ok": True}, []

    def op_end_test(self, message, buffers):
        while self.rebinds:
            self._undo(self.rebinds.pop())
        self.revoke()
        import matplotlib.pyplot as plt  # imported by the set-up cell already: no cost here
        plt.close("all")
        return {"ok": True}, []

    def op_shutdown(self, message, buffers):
        self.running = False
        return {"ok": True}, []

    def _undo(self, saved):
        for name, value in saved.items():
            if value is _MISSING:
                self.namespace.pop(name, None)
            else:
                self.namespace[name] = value

    # --- the loop ----------------------------------------------------------------------

    def serve_forever(self):
        """Answer requests until shutdown or until the checker goes away."""
        while self.running:
            try:
                message, buffers = recv_frame(self.sock, self.max_bytes)
            except (PeerClosed, WireError):
                return
            if type(message.get("id")) is int and isinstance(message.get("op"), str):
                self.serve(message, buffers)


def _student_frames(lines):
    """Traceback lines without the frames of this package (the student sees their own code)."""
    here = os.path.dirname(os.path.abspath(__file__))
    kept, skipping = [], False
    for line in lines:
        if line.startswith('  File "'):
            skipping = here in line
        elif not line.startswith(" "):
            skipping = False
        if not skipping:
            kept.append(line)
    return kept


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve one notebook's student code to the grader.")
    parser.add_argument("--fd", type=int, required=True, help="file descriptor of the connected socket")
    parser.add_argument("--max-bytes", type=int, default=64 * 2**20)
    args = parser.parse_args(argv)
    sock = socket.socket(fileno=args.fd)
    StudentPeer(sock, args.max_bytes).serve_forever()
