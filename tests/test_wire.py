"""The data-only wire format: what it carries exactly, what it refuses, and that decoding
never runs anything of the sender's."""

import dataclasses
import socket
import struct
import threading

import numpy as np
import pytest

from sandbox_runner.wire import (DTYPES, MAX_DEPTH, TOO_DEEP, Decoder, Encoder, PeerClosed, Registry, Unsupported, WireError, apply_state,
                                 changed, recv_frame, send_frame, snapshot)


@dataclasses.dataclass
class History:
    train_cost: list = dataclasses.field(default_factory=list)
    label: str = ""


def round_trip(value, registry=None, proxy=None):
    registry = registry or Registry()
    encoder = Encoder(registry, export=lambda f: 7)
    tree = encoder.encode(value)
    return Decoder(encoder.buffers, registry, proxy or (lambda token: ("proxy", token))).decode(tree)


@pytest.mark.parametrize("value", [None, True, 0, -3, 2**70, 1.5, float("inf"), "σ'(z)", 1 + 2j, [], (), {}])
def test_plain_values_come_back_equal_and_of_the_same_type(value):
    back = round_trip(value)
    assert back == value and type(back) is type(value)


def test_nan_comes_back_as_nan():
    assert np.isnan(round_trip(float("nan")))


@pytest.mark.parametrize("dtype", sorted(DTYPES))
def test_arrays_of_every_allowed_dtype_come_back_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    array = (rng.standard_normal((3, 4)) * 100).astype(np.dtype(dtype))
    back = round_trip(array)
    assert back.dtype == array.dtype and back.shape == (3, 4) and back.tobytes() == array.tobytes()
    assert back.flags.writeable and back.flags.owndata


def test_shapes_views_and_scalars_keep_their_form():
    z = np.arange(12.0).reshape(3, 4)
    assert round_trip(np.asarray(0.5)).shape == ()  # a 0-d array stays 0-d
    assert round_trip(np.zeros((0, 3))).shape == (0, 3)
    assert np.array_equal(round_trip(z.T), z.T) and np.array_equal(round_trip(z[:, ::2]), z[:, ::2])
    assert np.array_equal(round_trip(z.astype(">f8")), z)  # big-endian data arrives as little-endian
    scalar = round_trip(np.float32(2.5))
    assert type(scalar) is np.float32 and scalar == 2.5
    assert type(round_trip(np.int64(-4))) is np.int64 and type(round_trip(np.bool_(True))) is np.bool_


def test_read_only_arrays_stay_read_only():
    array = np.ones(3)
    array.flags.writeable = False
    assert not round_trip(array).flags.writeable


def test_containers_nest_and_keep_aliasing():
    shared = np.ones(2)
    value = {"w": [shared, shared], "t": (1, "a"), 3: None, 2.5: [[]]}
    back = round_trip(value)
    assert back["w"][0] is back["w"][1] and np.array_equal(back["w"][0], shared)
    assert back["t"] == (1, "a") and back[3] is None and back[2.5] == [[]]


def test_given_objects_travel_by_name_and_given_dataclasses_by_value():
    sender, receiver = Registry(), Registry()
    marker_sender, marker_receiver = object.__new__(type("Cost", (), {})), object.__new__(type("Cost", (), {}))
    sender.add("QUADRATIC", marker_sender)
    receiver.add("QUADRATIC", marker_receiver)
    sender.add("History", History)
    receiver.add("History", History)
    encoder = Encoder(sender)
    tree = encoder.encode([marker_sender, History([1.0, 0.5], "run")])
    back = Decoder(encoder.buffers, receiver, lambda t: None).decode(tree)
    assert back[0] is marker_receiver  # the receiver's own object, not a copy of the sender's
    assert back[1] == History([1.0, 0.5], "run") and back[1] is not None


class Always:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value, kind", [
    (Always(), "Always"), ({1, 2}, "set"), ((i for i in range(3)), "generator"), (np, "module"),
    (np.array([Always()], dtype=object), "object"), (np.zeros(2, dtype=[("a", "f8")]), "dtype"),
    (np.zeros(2, dtype="datetime64[s]"), "datetime64"), (b"bytes", "bytes"), (History(), "History"),
    ({(1, 2): 3}, "tuple"), (np.float128(1) if hasattr(np, "float128") else Always(), ""),
])
def test_anything_else_is_refused_with_its_type_name(value, kind):
    with pytest.raises(Unsupported) as error:
        Encoder(Registry()).encode([0, value])
    assert kind in str(error.value)
    if kind not in ("tuple", ""):
        assert error.value.path == "[1]"


def test_callables_become_tokens_only_where_the_sender_exports_them():
    assert round_trip([len], proxy=lambda token: ("proxy", token)) == [("proxy", 7)]
    with pytest.raises(Unsupported):
        Encoder(Registry()).encode(len)


@pytest.mark.parametrize("tree", [
    {"$": "nd", "d": "|O", "s": [1], "b": 0, "i": 0},            # object dtype
    {"$": "nd", "d": "<f8", "s": [3], "b": 0, "i": 0},           # buffer of 8 bytes for 3 floats
    {"$": "nd", "d": "<f8", "s": [-1], "b": 0, "i": 0},
    {"$": "nd", "d": "<f8", "s": [1], "b": 5, "i": 0},           # no such buffer
    {"$": "g", "n": "os.system"},                               # not a given object of the receiver
    {"$": "dc", "c": "subprocess.Popen", "v": {}, "i": 0},
    {"$": "pickle", "data": "gASV"}, {"$": "L", "v": "abc", "i": 0}, [1, 2], {"a": 1},
    {"$": "r", "i": 9}, {"$": "a", "i": 0}, {"$": "sc", "d": "<f8", "h": "zz"},
])
def test_malformed_or_foreign_trees_are_refused(tree):
    with pytest.raises(WireError):
        Decoder([b"\0" * 8], Registry(), lambda t: None).decode(tree)


def nested(levels):
    value = 0
    for _ in range(levels):
        value = [value]
    return value


def test_nesting_up_to_the_limit_travels_and_one_level_more_is_refused_as_too_deep():
    assert round_trip(nested(MAX_DEPTH)) == nested(MAX_DEPTH)
    with pytest.raises(Unsupported) as refused:
        Encoder(Registry()).encode(nested(MAX_DEPTH + 2))
    assert refused.value.detail == TOO_DEEP and "nested too deeply" in str(refused.value)


def test_deep_nesting_is_refused_on_both_ends():
    deep = []
    for _ in range(200):
        deep = [deep]
    with pytest.raises(Unsupported):
        Encoder(Registry()).encode(deep)
    tree = None
    for k in range(200):
        tree = {"$": "L", "v": [tree], "i": k}
    with pytest.raises(WireError):
        Decoder([], Registry(), lambda t: None).decode(tree)


def test_in_place_changes_are_found_and_applied_to_the_callers_objects():
    caller = [np.zeros(2), np.zeros(2)]
    encoder = Encoder(Registry())
    tree = encoder.encode(caller)
    decoder = Decoder(encoder.buffers, Registry(), lambda t: None)
    theirs = decoder.decode(tree)
    objects = [decoder.objects[k] for k in range(len(decoder.objects))]
    before = snapshot(objects)
    theirs[0] += 1.0            # in place: the caller's first array changes
    theirs[1] = np.full(2, 5.0)  # the list slot: the caller's list changes, its old array does not
    numbers = changed(objects, before)
    assert sorted(numbers) == [0, 1]  # the list (0) and its first array (1)
    answering = {id(v): k for k, v in enumerate(objects)}
    reply = Encoder(Registry(), answering=answering)
    states = {}
    for k in numbers:
        del answering[id(objects[k])]
        states[k] = reply.encode(objects[k])
        answering[id(objects[k])] = k
    first, second = caller
    back = Decoder(reply.buffers, Registry(), lambda t: None, answering=encoder.objects)
    for k, state in states.items():
        apply_state(encoder.objects[k], back.decode(state))
    assert caller[0] is first and np.array_equal(first, [1.0, 1.0])
    assert np.array_equal(caller[1], [5.0, 5.0]) and np.array_equal(second, [0.0, 0.0])


def test_frames_refuse_an_oversized_message_before_reading_it():
    a, b = socket.socketpair()
    try:
        b.sendall(struct.pack("<II", 10**9, 0))  # announces a gigabyte
        with pytest.raises(WireError, match="exceeds the limit"):
            recv_frame(a, max_bytes=2**20, deadline=None)
        a2, b2 = socket.socketpair()
        big = np.zeros(2**18)  # 2 MiB of buffer
        def send():
            try:
                send_frame(b2, {"x": 1}, [big.tobytes()])
            except PeerClosed:  # the receiver stops reading at the limit and closes
                pass
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        with pytest.raises(WireError, match="exceeds the limit"):
            recv_frame(a2, max_bytes=2**20, deadline=None)
        a2.close()
        sender.join(5)
        b2.close()
    finally:
        a.close()
        b.close()


def test_repeated_references_cannot_expand_beyond_the_limit():
    x = 0.5
    for _ in range(40):
        x = [x, x]  # 2**40 leaves, 40 objects on the wire
    encoder = Encoder(Registry())
    tree = encoder.encode(x)
    with pytest.raises(WireError, match="repeated"):
        Decoder(encoder.buffers, Registry(), lambda t: None).decode(tree)
    big = np.zeros(10**6)
    encoder = Encoder(Registry())
    tree = encoder.encode([big] * 100)  # one array, referenced 100 times: 10**8 elements
    with pytest.raises(WireError, match="repeated"):
        Decoder(encoder.buffers, Registry(), lambda t: None).decode(tree)
    shared = np.ones(3)
    assert round_trip([shared, shared, {"w": shared}])[2]["w"].shape == (3,)  # a little sharing is fine


def test_a_value_that_contains_itself_is_refused():
    loop = []
    loop.append(loop)
    encoder = Encoder(Registry())
    tree = encoder.encode(loop)
    with pytest.raises(WireError, match="contains itself"):
        Decoder(encoder.buffers, Registry(), lambda t: None).decode(tree)


def test_numpy_keys_and_dataclass_subclasses_travel_as_their_plain_forms():
    registry = Registry()
    registry.add("History", History)

    class Mine(History):
        pass

    back = round_trip({np.float64(0.01): Mine([1.0], "x"), np.int64(3): 1}, registry)
    assert list(back) == [0.01, 3] and type(next(iter(back))) is float
    assert type(back[0.01]) is History and back[0.01] == History([1.0], "x")


def test_shapes_and_buffer_counts_cannot_make_the_receiver_work_for_nothing():
    with pytest.raises(WireError):  # a zero-size array of an impossible shape
        Decoder([b""], Registry(), lambda t: None).decode({"$": "nd", "d": "<f8", "s": [0, 2**62], "b": 0, "i": 0})
    a, b = socket.socketpair()
    try:
        b.sendall(struct.pack("<II", 2, 2_000_000))  # two bytes of JSON and two million empty buffers
        with pytest.raises(WireError, match="exceeds the limit"):
            recv_frame(a, max_bytes=2**20, deadline=None)
    finally:
        a.close()
        b.close()
