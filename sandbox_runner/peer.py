"""Calls across the channel, in both directions, with arguments and results as data.

Both processes hold a :class:`Peer`. A call sends the target and the encoded arguments,
then serves the other side's requests (call-backs, and calls nested inside them) until
its own reply arrives. The callee reports which arguments it changed in place; the
caller applies those changes to its own objects, so an in-place update behaves as if
both sides shared the arrays.
"""

import builtins
import itertools
import traceback

from .wire import (Decoder, Encoder, PeerClosed, Unsupported, WireError, apply_state, changed, nbytes_of, recv_frame,
                   send_frame, snapshot)

#: Exceptions that are never re-raised as themselves on the receiving side.
_NOT_AS_IS = {"BaseException", "SystemExit", "KeyboardInterrupt", "GeneratorExit", "StopIteration",
              "StopAsyncIteration", "BaseExceptionGroup", "ExceptionGroup"}


class RemoteError(Exception):
    """An exception of the other side whose type has no builtin equivalent here."""


def describe(error, with_traceback=True):
    """The wire form of an exception: type name, message and traceback lines."""
    lines = traceback.format_exception(error) if with_traceback else []
    return {"ename": type(error).__name__, "evalue": str(error), "traceback": [line.rstrip("\n") for line in lines]}


def rebuild(error):
    """An exception to raise here for the other side's ``describe(error)``.

    Builtin exception types come back as themselves (a ValueError stays a ValueError), with
    the remote traceback attached as a note; anything else is a RemoteError.
    """
    ename, evalue = str(error.get("ename", "Error")), str(error.get("evalue", ""))
    cls = getattr(builtins, ename, None)
    result = None
    if isinstance(cls, type) and issubclass(cls, Exception) and ename not in _NOT_AS_IS:
        try:
            result = cls(evalue) if evalue else cls()
        except Exception:
            result = None
    if result is None:
        result = RemoteError(f"{ename}: {evalue}" if evalue else ename)
    remote = error.get("traceback")
    if isinstance(remote, list) and remote:
        result.add_note("\n".join(str(line) for line in remote[-40:]))
    return result


def unsupported_reply(error):
    """The wire form of an :class:`Unsupported` value: its type, where it sits, and why (when
    it is not the type itself but its nesting or size)."""
    return {"type": error.type_name, "path": error.path, "detail": error.detail}


class Peer:
    """One end of the call channel.

    Parameters
    ----------
    sock : socket.socket
    registry : Registry
        This side's given objects.
    max_bytes : int
        Largest message accepted from the other side.

    Subclasses provide :meth:`resolve` (what an incoming call targets), may wrap the
    execution of incoming calls (:meth:`invoke`), and add request handlers (``op_<name>``).
    """

    def __init__(self, sock, registry, max_bytes):
        self.sock, self.registry, self.max_bytes = sock, registry, max_bytes
        self.exports = {}
        self._tokens = itertools.count(1)
        self._ids = itertools.count(1)
        self.deadline = None
        self.changed_arguments = []

    # --- call-backs --------------------------------------------------------------------

    def export(self, function):
        """A token under which the other side may call ``function`` (until :meth:`revoke`)."""
        token = next(self._tokens)
        self.exports[token] = function
        return token

    def revoke(self):
        """Invalidate every token handed out so far."""
        self.exports.clear()

    def proxy(self, token):
        """A local function that calls the other side's call-back ``token``."""
        def call_back(*args, **kwargs):
            return self.call({"t": token}, args, kwargs)
        call_back.__name__ = call_back.__qualname__ = f"call_back_{token}"
        return call_back

    # --- making requests ---------------------------------------------------------------

    def request(self, header, buffers=()):
        """Send a request and serve the other side until its reply arrives; return (reply, buffers)."""
        number = next(self._ids)
        send_frame(self.sock, {**header, "id": number}, buffers)
        while True:
            message, message_buffers = recv_frame(self.sock, self.max_bytes, self.deadline)
            if "re" in message:
                if message["re"] != number:
                    raise WireError("a reply to a request that is not pending")
                return message, message_buffers
            if type(message.get("id")) is not int or not isinstance(message.get("op"), str):
                raise WireError("a message that is neither a request nor a reply")
            self.serve(message, message_buffers)

    def call(self, target, args, kwargs, **flags):
        """Call ``target`` on the other side ({"name": …} or {"t": token}); return its result.

        The arguments the callee changed in place are changed here too, and their positions
        (1-based, keyword arguments after the positional ones) are left in
        :attr:`changed_arguments`. Raises the other side's exception (see :func:`rebuild`),
        or Unsupported when the result is not data.
        """
        encoder = Encoder(self.registry, export=self.export)
        spans, trees = [], []
        for k, value in enumerate(list(args) + list(kwargs.values())):
            first = len(encoder.objects)
            trees.append(encoder.encode(value, f"argument {k + 1 if k < len(args) else list(kwargs)[k - len(args)]}"))
            spans.append(range(first, len(encoder.objects)))
        tree = {"args": trees[:len(args)], "kwargs": dict(zip(kwargs, trees[len(args):]))}
        reply, buffers = self.request({"op": "call", **target, **tree, **flags}, encoder.buffers)
        self.on_reply(reply)
        decoder = Decoder(buffers, self.registry, self.proxy, answering=encoder.objects)
        mutated = reply.get("mutated", [])
        if type(mutated) is not list:
            raise WireError("malformed reply")
        for item in mutated:
            if type(item) is not list or len(item) != 2 or type(item[0]) is not int \
                    or not 0 <= item[0] < len(encoder.objects):
                raise WireError("malformed reply")
            apply_state(encoder.objects[item[0]], decoder.decode(item[1]))
        numbers = {item[0] for item in mutated}
        self.changed_arguments = [k + 1 for k, span in enumerate(spans) if numbers.intersection(span)]
        if reply.get("ok") is True:
            return decoder.decode(reply.get("result"))
        unsupported = reply.get("unsupported")
        if isinstance(unsupported, dict):
            raise Unsupported(str(unsupported.get("type", "?")), str(unsupported.get("path", "")),
                              str(unsupported.get("detail", ""))[:200])
        error = reply.get("error")
        if not isinstance(error, dict):
            raise WireError("malformed reply")
        raise rebuild(error)

    def on_reply(self, reply):
        """Hook: look at every reply to a call before it is decoded."""

    # --- serving requests --------------------------------------------------------------

    def serve(self, message, buffers):
        """Answer one request of the other side."""
        handler = getattr(self, f"op_{message['op']}", None) if message["op"].isidentifier() else None
        try:
            if handler is None:
                raise WireError(f"unknown operation {message['op']!r}")
            reply, reply_buffers = handler(message, buffers)
        except Unsupported as error:
            reply, reply_buffers = {"ok": False, "unsupported": unsupported_reply(error)}, []
        except Exception as error:  # reported to the caller, never fatal here
            reply, reply_buffers = {"ok": False, "error": describe(error, with_traceback=False)}, []
        send_frame(self.sock, {**reply, "re": message["id"]}, reply_buffers)

    def resolve(self, message):
        """The callable an incoming call targets (subclasses)."""
        token = message.get("t")
        if type(token) is not int or token not in self.exports:
            raise LookupError("this call-back is no longer valid: it belonged to a test that has finished")
        return self.exports[token]

    def invoke(self, function, args, kwargs, message):
        """Run an incoming call; return (result, error). Subclasses wrap it (output, limits)."""
        try:
            return function(*args, **kwargs), None
        except BaseException as error:  # noqa: B902  (the caller gets every failure)
            return None, error

    def describe_error(self, error):
        """The wire form of an exception raised by an incoming call."""
        return describe(error)

    def op_call(self, message, buffers):
        function = self.resolve(message)
        decoder = Decoder(buffers, self.registry, self.proxy)
        args, kwargs = message.get("args"), message.get("kwargs")
        if type(args) is not list or type(kwargs) is not dict:
            raise WireError("malformed call")
        args = [decoder.decode(a) for a in args]
        kwargs = {str(key): decoder.decode(v) for key, v in kwargs.items()}
        objects = [decoder.objects[number] for number in range(len(decoder.objects))]
        before = snapshot(objects)
        result, error = self.invoke(function, args, kwargs, message)
        if error is None and nbytes_of(result) > self.max_bytes:
            result, error = None, MemoryError(f"the result ({nbytes_of(result):,} bytes) is larger than the "
                                              f"{self.max_bytes:,} bytes a message may hold")
        answering = {id(value): number for number, value in enumerate(objects)}
        encoder = Encoder(self.registry, export=self.export, answering=answering)
        reply = {"mutated": [[number, self._contents(encoder, objects[number], answering)]
                             for number in changed(objects, before)]}
        if error is None:
            try:
                reply.update(ok=True, result=encoder.encode(result))
            except Unsupported as problem:
                reply.update(ok=False, unsupported=unsupported_reply(problem))
        else:
            reply.update(ok=False, error=self.describe_error(error))
        return reply, encoder.buffers

    @staticmethod
    def _contents(encoder, value, answering):
        number = answering.pop(id(value))
        try:
            return encoder.encode(value)
        finally:
            answering[id(value)] = number


__all__ = ["Peer", "PeerClosed", "RemoteError", "WireError", "describe", "rebuild"]
