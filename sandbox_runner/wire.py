"""The data-only wire format between the trusted checker and the student's process.

A message is one frame: a JSON header and a list of raw byte buffers (array contents).
Values are encoded as a tree of JSON values and tagged objects::

    None, bool, int, float, str                     as themselves
    {"$": "nd", "d": "<f8", "s": [2, 3], "b": 0, "i": 4, "w": 1}   numeric ndarray (buffer 0)
    {"$": "sc", "d": "<f8", "h": "000000000000f03f"} numpy scalar
    {"$": "c", "r": 1.0, "m": -2.0}                 complex
    {"$": "L", "v": [...], "i": 1}                  list        {"$": "T", "v": [...]} tuple
    {"$": "D", "v": [[key, value], ...], "i": 2}    dict (keys: None, bool, int, float, str)
    {"$": "r", "i": 1}                              the object with "i": 1 again, in this message
    {"$": "a", "i": 1}                              object 1 of the request this message answers
    {"$": "fn", "t": 7}                             a callable of the sender (a call-back)
    {"$": "g", "n": "QUADRATIC"}                    an object a given cell defined (both sides have it)
    {"$": "dc", "c": "History", "v": {...}, "i": 3} an instance of a dataclass a given cell defined

Nothing is unpickled or evaluated: decoding builds arrays from buffers of whitelisted
dtypes, builtin containers, call-back proxies, and objects looked up by name in the
receiver's own registry of given objects. Mutable objects carry a number ("i") so that the
callee can report afterwards which arguments it changed in place and the caller can apply
those changes to its own objects (:func:`snapshot`, :func:`changed`, :func:`apply_state`).
"""

import dataclasses
import json
import math
import socket
import struct
import time

import numpy as np

#: dtypes an array may have on the wire (little-endian), by their numpy ``dtype.str``.
DTYPES = frozenset({"|b1", "|i1", "|u1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8", "<f2", "<f4", "<f8",
                    "<c8", "<c16"})
_HEADER = struct.Struct("<II")  # JSON length, number of buffers
_LENGTH = struct.Struct("<Q")
#: Deepest nesting a value may have on the wire (a recursion bound for both sides; a graph of
#: dataclass nodes, such as assignment 6's Values, costs two levels per edge).
MAX_DEPTH = 128
#: The detail of an Unsupported value that is data, but nested deeper or larger than the limits.
TOO_DEEP = "nested too deeply or too large"
MAX_NODES = 1_000_000
MAX_NDIM = 32
#: Largest size a received value may have once its shared references are expanded (array
#: elements count one each): a few repeated references must not make the receiver walk 2⁴⁰ items.
MAX_EXPANDED = 2**24


class WireError(Exception):
    """A frame or a value that breaks the format (malformed, too large, unknown tag)."""


class Unsupported(TypeError):
    """A value the data-only interface cannot carry.

    Attributes
    ----------
    type_name : str
        The type of the offending value.
    path : str
        Where it sits in the value, e.g. ``[0][1]`` ('' for the value itself).
    """

    def __init__(self, type_name, path, detail=""):
        self.type_name, self.path, self.detail = type_name, path, detail
        super().__init__(f"an object of type {type_name}" + (f" at {path}" if path else "")
                         + (f" ({detail})" if detail else ""))


class PeerTimeout(Exception):
    """The other side did not answer before the deadline."""


class PeerClosed(Exception):
    """The other side closed the connection (it exited or died)."""


# --- frames ---------------------------------------------------------------------------

def send_frame(sock, header, buffers=()):
    """Send one message: a JSON-able ``header`` and a list of bytes-like buffers."""
    body = json.dumps(header, separators=(",", ":"), allow_nan=True).encode()
    try:
        sock.sendall(_HEADER.pack(len(body), len(buffers)) + body)
        for buf in buffers:  # one at a time: no joined copy of the arrays
            view = memoryview(buf).cast("B")
            sock.sendall(_LENGTH.pack(view.nbytes))
            sock.sendall(view)
    except (BrokenPipeError, ConnectionResetError) as error:
        raise PeerClosed(str(error)) from None


def _recv_exactly(sock, n, deadline):
    data = bytearray(n)
    view, got = memoryview(data), 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerTimeout()
            sock.settimeout(remaining)
        else:
            sock.settimeout(None)
        try:
            count = sock.recv_into(view[got:], n - got)
        except socket.timeout:
            raise PeerTimeout() from None
        except ConnectionResetError as error:
            raise PeerClosed(str(error)) from None
        if count == 0:
            raise PeerClosed("end of stream")
        got += count
    return data


def recv_frame(sock, max_bytes, deadline=None):
    """Receive one message; return (header, buffers).

    Parameters
    ----------
    max_bytes : int
        Largest message accepted (JSON and buffers together); a larger one raises
        WireError before its contents are read.
    deadline : float, optional
        ``time.monotonic()`` value after which PeerTimeout is raised.
    """
    length, count = _HEADER.unpack(_recv_exactly(sock, _HEADER.size, deadline))
    total = length + count * _LENGTH.size  # every buffer's length counts too
    if total > max_bytes:
        raise WireError(f"a message of {total:,} bytes exceeds the limit of {max_bytes:,} bytes")
    body = _recv_exactly(sock, length, deadline)
    buffers = []
    for _ in range(count):
        (size,) = _LENGTH.unpack(_recv_exactly(sock, _LENGTH.size, deadline))
        total += size
        if total > max_bytes:
            raise WireError(f"a message of more than {max_bytes:,} bytes exceeds the limit")
        buffers.append(_recv_exactly(sock, size, deadline))
    try:
        header = json.loads(body)
    except (ValueError, RecursionError) as error:
        raise WireError(f"malformed message: {error}") from None
    if not isinstance(header, dict):
        raise WireError("malformed message: not an object")
    return header, buffers


# --- values ---------------------------------------------------------------------------

def _is_instance_of_dataclass(value):
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


class Registry:
    """The objects one side's given cells defined, by name and by identity.

    Attributes
    ----------
    objects : dict name -> object
    classes : dict name -> dataclass type (the given dataclasses)
    """

    def __init__(self):
        self.objects, self.classes, self._names = {}, {}, {}

    def add(self, name, value):
        """Register ``value`` as the given object ``name`` (data values are not registered)."""
        if value is None or isinstance(value, (bool, int, float, complex, str, np.ndarray, np.generic, list, tuple, dict)):
            return
        self.objects[name] = value
        self._names.setdefault(id(value), name)
        if isinstance(value, type) and dataclasses.is_dataclass(value):
            self.classes[name] = value

    def add_defined(self, namespace, before):
        """Register what a given cell bound in ``namespace`` (compared with ``before``,
        {name: id(value)} taken before it ran); return those (name, value) pairs."""
        bound = [(name, value) for name, value in namespace.items()
                 if before.get(name) != id(value) and not name.startswith("__")]
        for name, value in bound:
            self.add(name, value)
        return bound

    def name_of(self, value):
        """The given name of ``value`` (by identity), or None."""
        name = self._names.get(id(value))
        return name if name is not None and self.objects.get(name) is value else None

    def class_name(self, cls):
        """The given name of dataclass ``cls``, or of the nearest given dataclass it derives
        from (an instance of a subclass travels as its given base), or None."""
        for base in cls.__mro__:
            name = next((name for name, known in self.classes.items() if known is base), None)
            if name is not None:
                return name
        return None


class Encoder:
    """Turns values into a wire tree plus buffers.

    Parameters
    ----------
    registry : Registry
        This side's given objects, sent by name.
    export : callable(object) -> int, optional
        Gives a call-back token for a callable of this side; without it, callables are
        unsupported.
    answering : dict id -> int, optional
        The objects of the request being answered (id of object -> its number): they are
        sent as references ``{"$": "a"}``, not by value.
    """

    def __init__(self, registry, export=None, answering=None):
        self.registry, self.export, self.answering = registry, export, answering or {}
        self.buffers, self.objects, self._seen, self._nodes = [], [], {}, 0

    def encode(self, value, path="", depth=0):
        """The tree of ``value``; raises Unsupported for what the interface cannot carry."""
        self._nodes += 1
        if depth > MAX_DEPTH or self._nodes > MAX_NODES:
            raise Unsupported(type(value).__name__, path, TOO_DEEP)
        if value is None:
            return None
        if isinstance(value, np.generic):
            return self._scalar(value, path)
        if isinstance(value, bool):
            return bool(value)
        if isinstance(value, str):
            return str(value)
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, complex):
            return {"$": "c", "r": value.real, "m": value.imag}
        if id(value) in self.answering:
            return {"$": "a", "i": self.answering[id(value)]}
        if id(value) in self._seen:
            return {"$": "r", "i": self._seen[id(value)]}
        given = self.registry.name_of(value)
        if given is not None:
            return {"$": "g", "n": given}
        if isinstance(value, np.ndarray):
            return self._array(value, path)
        if isinstance(value, tuple):
            return {"$": "T", "v": [self.encode(v, f"{path}[{k}]", depth + 1) for k, v in enumerate(value)]}
        if isinstance(value, list):
            number = self._number(value)
            return {"$": "L", "i": number, "v": [self.encode(v, f"{path}[{k}]", depth + 1) for k, v in enumerate(value)]}
        if isinstance(value, dict):
            number = self._number(value)
            items = []
            for key, item in value.items():
                if isinstance(key, np.generic) and key.dtype.kind in "biuf":
                    key = key.item()  # np.float64(0.5) -> 0.5: equal, and hashed alike
                if not (key is None or isinstance(key, (bool, int, float, str))) or isinstance(key, np.generic):
                    raise Unsupported(type(key).__name__, path, "dict keys must be numbers, strings or None")
                items.append([self.encode(key, path, depth + 1), self.encode(item, f"{path}[{key!r}]", depth + 1)])
            return {"$": "D", "i": number, "v": items}
        if _is_instance_of_dataclass(value):
            name = self.registry.class_name(type(value))
            if name is None:
                raise Unsupported(type(value).__name__, path)
            number = self._number(value)
            fields = {f.name: self.encode(getattr(value, f.name), f"{path}.{f.name}", depth + 1)
                      for f in dataclasses.fields(self.registry.classes[name])}
            return {"$": "dc", "c": name, "i": number, "v": fields}
        if callable(value) and self.export is not None:
            return {"$": "fn", "t": self.export(value)}
        raise Unsupported(type(value).__name__, path)

    def _number(self, value):
        number = len(self.objects)
        self.objects.append(value)
        self._seen[id(value)] = number
        return number

    def _scalar(self, value, path):
        dtype = _wire_dtype(value.dtype, type(value).__name__, path)
        return {"$": "sc", "d": dtype.str, "h": np.asarray(value, dtype=dtype).tobytes().hex()}

    def _array(self, value, path):
        base = np.asarray(value)  # a subclass is sent as its plain array data
        dtype = _wire_dtype(base.dtype, "ndarray", path)
        if base.ndim > MAX_NDIM:
            raise Unsupported("ndarray", path, f"more than {MAX_NDIM} dimensions")
        data = np.asarray(base, dtype=dtype, order="C")  # (ascontiguousarray would make a 0-d array 1-d)
        number = self._number(value)
        self.buffers.append(data.reshape(-1).view(np.uint8).data)  # the array's own bytes, not a copy
        return {"$": "nd", "d": dtype.str, "s": list(data.shape), "b": len(self.buffers) - 1, "i": number,
                "w": int(bool(base.flags.writeable))}


def _wire_dtype(dtype, type_name, path):
    if dtype.fields is not None or dtype.kind not in "biufc":
        raise Unsupported(f"{type_name} of dtype {dtype}", path, "arrays must hold numbers or booleans")
    wire = dtype.newbyteorder("<") if dtype.byteorder == ">" else dtype
    if wire.str not in DTYPES:
        raise Unsupported(f"{type_name} of dtype {dtype}", path)
    return wire


class Decoder:
    """Builds values from a wire tree and its buffers.

    Parameters
    ----------
    buffers : list of bytes-like
    registry : Registry
        The receiver's given objects, looked up by name.
    proxy : callable(token) -> callable
        Makes the local stand-in of a call-back of the sender.
    answering : list, optional
        The objects of the request this message answers (for ``{"$": "a"}``).
    """

    def __init__(self, buffers, registry, proxy, answering=None):
        self.buffers, self.registry, self.proxy = buffers, registry, proxy
        self.answering = answering or []
        self.objects, self._nodes = {}, 0
        self._expanded, self._weights, self._answering_weights, self._building = 0, {}, {}, set()

    def _grow(self, amount):
        self._expanded += amount
        if self._expanded > MAX_EXPANDED:
            raise WireError(f"a value that would hold more than {MAX_EXPANDED:,} items once its repeated "
                            "references are expanded")

    def decode(self, tree, depth=0):
        """The value of ``tree``; raises WireError on anything malformed or too large (and
        nothing else: every check happens before numpy sees a shape or a buffer)."""
        self._nodes += 1
        self._grow(1)
        if depth > MAX_DEPTH or self._nodes > MAX_NODES:
            raise WireError(f"value {TOO_DEEP}")
        if tree is None or type(tree) in (bool, int, float, str):
            return tree
        if type(tree) is list:
            raise WireError("untagged list")
        if type(tree) is not dict or not isinstance(tree.get("$"), str):
            raise WireError("untagged value")
        tag = tree["$"]
        handler = getattr(self, f"_decode_{tag}", None) if tag.isalpha() else None
        if handler is None:
            raise WireError(f"unknown tag {tag!r}")
        return handler(tree, depth)

    def _remember(self, tree, value):
        number = tree.get("i")
        if type(number) is not int or number in self.objects:
            raise WireError("bad object number")
        self.objects[number] = value
        self._weights[number] = self._expanded  # where it starts; see _finish
        self._building.add(number)
        return value

    def _finish(self, tree, value):
        """Record how much a container expanded to, for later references to it."""
        number = tree["i"]
        self._weights[number] = self._expanded - self._weights[number] + 1
        self._building.discard(number)
        return value

    def _decode_nd(self, tree, depth):
        dtype, shape, index = tree.get("d"), tree.get("s"), tree.get("b")
        if dtype not in DTYPES or type(shape) is not list or len(shape) > MAX_NDIM \
                or not all(type(n) is int and 0 <= n <= MAX_EXPANDED for n in shape) or type(index) is not int \
                or not 0 <= index < len(self.buffers):
            raise WireError("malformed array")
        dtype = np.dtype(dtype)
        buffer = self.buffers[index]
        if math.prod(shape) * dtype.itemsize != len(buffer):
            raise WireError("array buffer does not match its shape")
        array = np.frombuffer(buffer, dtype=dtype).reshape(shape).copy()
        if tree.get("w") == 0:
            array.flags.writeable = False
        self._remember(tree, array)
        self._grow(array.size)
        return self._finish(tree, array)

    def _decode_sc(self, tree, depth):
        dtype, hexed = tree.get("d"), tree.get("h")
        if dtype not in DTYPES or type(hexed) is not str:
            raise WireError("malformed scalar")
        try:
            raw = bytes.fromhex(hexed)
        except ValueError:
            raise WireError("malformed scalar") from None
        if len(raw) != np.dtype(dtype).itemsize:
            raise WireError("malformed scalar")
        return np.frombuffer(raw, dtype=dtype)[0]

    def _decode_c(self, tree, depth):
        real, imag = tree.get("r"), tree.get("m")
        if type(real) not in (int, float) or type(imag) not in (int, float):
            raise WireError("malformed complex")
        return complex(real, imag)

    def _items(self, tree):
        items = tree.get("v")
        if type(items) is not list:
            raise WireError("malformed container")
        return items

    def _decode_L(self, tree, depth):
        items = self._items(tree)
        value = self._remember(tree, [])
        value.extend(self.decode(item, depth + 1) for item in items)
        return self._finish(tree, value)

    def _decode_T(self, tree, depth):
        return tuple(self.decode(item, depth + 1) for item in self._items(tree))

    def _decode_D(self, tree, depth):
        items = self._items(tree)
        value = self._remember(tree, {})
        for pair in items:
            if type(pair) is not list or len(pair) != 2 or not (pair[0] is None or type(pair[0]) in (bool, int, float, str)):
                raise WireError("malformed dict item")
            value[pair[0]] = self.decode(pair[1], depth + 1)
        return self._finish(tree, value)

    def _decode_r(self, tree, depth):
        number = tree.get("i")
        if type(number) is not int or self.objects.get(number) is None:
            raise WireError("reference to an unknown object")
        if number in self._building:
            raise WireError("a value that contains itself")
        self._grow(self._weights[number])
        return self.objects[number]

    def _decode_a(self, tree, depth):
        number = tree.get("i")
        if type(number) is not int or not 0 <= number < len(self.answering):
            raise WireError("reference to an unknown argument")
        if number not in self._answering_weights:
            self._answering_weights[number] = size_of(self.answering[number])
        self._grow(self._answering_weights[number])
        return self.answering[number]

    def _decode_fn(self, tree, depth):
        token = tree.get("t")
        if type(token) is not int:
            raise WireError("malformed call-back")
        return self.proxy(token)

    def _decode_g(self, tree, depth):
        name = tree.get("n")
        if type(name) is not str or name not in self.registry.objects:
            raise WireError(f"unknown given object {name!r}")
        return self.registry.objects[name]

    def _decode_dc(self, tree, depth):
        name, fields = tree.get("c"), tree.get("v")
        cls = self.registry.classes.get(name) if type(name) is str else None
        if cls is None or type(fields) is not dict:
            raise WireError(f"unknown given dataclass {name!r}")
        known = {f.name: f for f in dataclasses.fields(cls)}
        if set(fields) - set(known):
            raise WireError(f"{name} has no fields {sorted(set(fields) - set(known))}")
        number = tree.get("i")
        if type(number) is not int or number in self.objects:
            raise WireError("bad object number")
        self.objects[number] = None  # reserved until built: a field cannot refer back to its instance
        values = {key: self.decode(item, depth + 1) for key, item in fields.items()}
        try:
            instance = cls(**{key: item for key, item in values.items() if known[key].init})
            for key, item in values.items():
                if not known[key].init:
                    object.__setattr__(instance, key, item)
        except Exception as error:
            raise WireError(f"{name}: {type(error).__name__}: {error}") from None
        self.objects[number] = instance
        self._weights[number] = 1 + sum(size_of(item) for item in values.values())
        return instance


def nbytes_of(value, depth=0, seen=None):
    """Roughly how many bytes ``value`` takes on the wire: array data exactly, every object
    once however often it is referenced (as the encoder sends it)."""
    seen = set() if seen is None else seen
    if id(value) in seen or depth > MAX_DEPTH:
        return 0
    if isinstance(value, np.ndarray):
        seen.add(id(value))
        return value.nbytes
    if isinstance(value, (list, tuple, dict)) or _is_instance_of_dataclass(value):
        seen.add(id(value))
        return 16 + sum(nbytes_of(item, depth + 1, seen) for item in _children(value))
    return 16


def size_of(value, depth=0, known=None):
    """How many items ``value`` holds once its shared references are expanded, array elements
    counted one each (as the decoder counts); linear in the number of distinct objects."""
    known = {} if known is None else known
    if id(value) in known:
        return known[id(value)]
    if isinstance(value, np.ndarray):
        return 1 + value.size
    if depth > MAX_DEPTH:
        return MAX_EXPANDED
    if isinstance(value, (list, tuple, dict)) or _is_instance_of_dataclass(value):
        known[id(value)] = MAX_EXPANDED  # a value that contains itself expands without end
        known[id(value)] = min(MAX_EXPANDED + 1, 1 + sum(size_of(item, depth + 1, known) for item in _children(value)))
        return known[id(value)]
    return 1


def _children(value):
    if isinstance(value, dict):
        return list(value.values())
    if _is_instance_of_dataclass(value):
        return [getattr(value, f.name) for f in dataclasses.fields(value)]
    return list(value)


# --- in-place changes -----------------------------------------------------------------

def _state(value):
    if isinstance(value, np.ndarray):
        return (value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, list):
        return tuple(map(id, value))
    if isinstance(value, dict):
        return tuple((key, id(item)) for key, item in value.items())
    return tuple(id(getattr(value, f.name)) for f in dataclasses.fields(value))


def snapshot(objects):
    """The state of every mutable object (call arguments) before a call."""
    return [_state(value) for value in objects]


def changed(objects, before):
    """Numbers of the objects whose state differs from the ``before`` snapshot."""
    return [number for number, (value, state) in enumerate(zip(objects, before)) if _state(value) != state]


def apply_state(target, new):
    """Make ``target`` equal to ``new`` in place (an array, list, dict or dataclass)."""
    if isinstance(target, np.ndarray):
        if isinstance(new, np.ndarray) and new.shape == target.shape and target.flags.writeable:
            target[...] = new
    elif isinstance(target, list) and isinstance(new, list):
        target[:] = new
    elif isinstance(target, dict) and isinstance(new, dict):
        target.clear()
        target.update(new)
    elif _is_instance_of_dataclass(target) and type(new) is type(target):
        for f in dataclasses.fields(target):
            object.__setattr__(target, f.name, getattr(new, f.name))
