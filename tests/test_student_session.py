"""The call interface between the trusted checker and a real sandboxed student process:
results, in-place changes, call-backs and their revocation, limits on time and size, and
a process that dies mid-call."""

import time

import numpy as np
import pytest

from backprop_kit.checks import CheckFailed
from grader import checks
from grader.checker.context import talking_to
from grader.checker.launch import launcher_for
from grader.checker.limits import Limits
from grader.checker.outputs import Collector
from grader.checker.session import StudentProcessLost, StudentSession
from sandbox_runner.wire import Registry

LIMITS = Limits(cell_timeout=3, notebook_timeout=60, memory_mb=2048, payload_mb=4)

STUDENT = '''
import numpy as np
calls = []

def double_in_place(x):
    x *= 2

def replace_slot(ws):
    ws[1] = ws[1] + 10

def same(ws):
    return ws

def sneaky(z):
    z[:] = 0.0          # changes the test's input, then answers for the changed input
    return z + 0.5

def chatty(x):
    print("looking at", x.shape)
    return x.sum()

def not_data():
    class Yes:
        def __eq__(self, other):
            return True
    return Yes()

def huge():
    return np.zeros(2**20)          # 8 MiB > the 4 MiB limit

def too_deep():
    value = 0.0
    for _ in range(300):            # data, but nested deeper than the grader takes
        value = [value]
    return value

def forged_huge():
    # past the runner: a frame announcing a gigabyte, written straight to the channel's socket
    import gc, socket, struct
    channel = next(o for o in gc.get_objects() if isinstance(o, socket.socket) and o.fileno() >= 0)
    channel.sendall(struct.pack("<II", 2**30, 0))
    return 0

def spin():
    while True:
        pass

def die():
    import os
    os._exit(3)

def keep(f):
    calls.append(f)
    return f(np.arange(3.0))

def use_kept():
    return calls[-1](np.arange(3.0))

def sigma_prime(z):
    s = sigmoid(z)
    return s * (1 - s)

def overflow(z):
    return np.exp(z)

def swallow(f):
    try:
        f(1.0)
    except Exception:
        pass
    return 0.0
'''


@pytest.fixture()
def session():
    registry = Registry()
    student = StudentSession(launcher_for(LIMITS), LIMITS, registry)
    student.run_cell(STUDENT, given=False, deadline=time.monotonic() + 30)
    yield student
    student.close()


def in_test(student, action):
    """Run ``action`` as a test cell would: with a collector and a deadline."""
    collector = Collector()
    with student.test(collector, time.monotonic() + LIMITS.cell_timeout), talking_to(student):
        return action(), collector.items


def allowing(names, call):
    """``call`` in a test that lets the functions ``names`` update their arguments."""
    def action():
        checks.may_update_in_place(*names)
        return call()
    return action


def test_results_are_data_and_in_place_changes_reach_the_caller(session):
    x = np.array([1.0, 2.0])
    in_test(session, allowing(["double_in_place"], lambda: session.call("double_in_place", (x,), {})))
    assert np.array_equal(x, [2.0, 4.0])
    first, second = np.zeros(2), np.zeros(2)
    ws = [first, second]
    in_test(session, allowing(["replace_slot"], lambda: session.call("replace_slot", (ws,), {})))
    assert ws[0] is first and np.array_equal(ws[1], [10.0, 10.0]) and not second.any()
    assert in_test(session, lambda: session.call("same", (ws,), {}))[0] is ws  # identity survives the trip


def test_a_function_may_change_its_arguments_only_where_the_test_allows_it(session):
    z = np.ones(3)
    with pytest.raises(CheckFailed, match="sneaky changed its argument number 1 in place; work on a copy"):
        in_test(session, lambda: session.call("sneaky", (z,), {}))
    assert not z.any()  # the change is visible, as it would be in one process
    with pytest.raises(CheckFailed, match="double_in_place changed its argument number 1 in place"):
        in_test(session, lambda: session.call("double_in_place", (np.ones(2),), {}))  # returns None: no matter
    with pytest.raises(CheckFailed, match="double_in_place changed its argument number 1 in place"):
        in_test(session, allowing(["replace_slot"], lambda: session.call("double_in_place", (np.ones(2),), {})))


def test_prints_during_a_call_become_the_test_cells_output(session):
    value, outputs = in_test(session, lambda: session.call("chatty", (np.ones((2, 3)),), {}))
    assert value == 6.0 and type(value) is np.float64
    assert outputs and outputs[0]["text"] == "looking at (2, 3)\n"


def test_a_result_that_is_not_data_fails_with_its_type(session):
    with pytest.raises(CheckFailed, match="not_data returned an object of type Yes"):
        in_test(session, lambda: session.call("not_data", (), {}))


def test_a_result_nested_too_deeply_says_so_and_names_the_limit(session):
    with pytest.raises(CheckFailed, match=r"too_deep returned an object of type list at .*\(nested too deeply or "
                                          r"too large\): the grader takes values nested at most 128 levels deep"):
        in_test(session, lambda: session.call("too_deep", (), {}))


def test_an_oversized_result_is_refused_and_a_forged_one_costs_the_process(session):
    with pytest.raises(MemoryError, match="larger than the 4,194,304 bytes"):
        in_test(session, lambda: session.call("huge", (), {}))
    assert session.restarts == 0
    with pytest.raises(StudentProcessLost, match="exceeds the limit"):
        in_test(session, lambda: session.call("forged_huge", (), {}))
    value, _ = in_test(session, lambda: session.call("chatty", (np.ones(4),), {}))  # replayed in a new process
    assert value == 4.0 and session.restarts == 1


def test_a_call_that_never_returns_is_stopped_at_the_deadline(session):
    started = time.monotonic()
    with pytest.raises(StudentProcessLost, match="spin did not finish within the time limit of 3 s"):
        in_test(session, lambda: session.call("spin", (), {}))
    assert time.monotonic() - started < LIMITS.cell_timeout + 2
    assert in_test(session, lambda: session.call("chatty", (np.ones(1),), {}))[0] == 1.0


def test_a_process_that_dies_mid_call_costs_that_call_only(session):
    with pytest.raises(StudentProcessLost, match="process died while running die"):
        in_test(session, lambda: session.call("die", (), {}))
    assert in_test(session, lambda: session.call("chatty", (np.ones(2),), {}))[0] == 2.0


def test_call_backs_work_during_their_test_and_are_revoked_after_it(session):
    seen = []

    def trusted_sum(v):
        seen.append(v.copy())
        return float(v.sum())

    assert in_test(session, lambda: session.call("keep", (trusted_sum,), {}))[0] == 3.0
    with pytest.raises(LookupError, match="no longer valid"):  # the next test: the token is gone
        in_test(session, lambda: session.call("use_kept", (), {}))
    assert len(seen) == 1


def test_known_good_blocks_replace_the_students_own_while_the_test_runs(session):
    namespace = {}

    def action():
        with checks.trusted(namespace, "sigmoid"):
            return session.call("sigma_prime", (np.array([0.0, np.log(3.0)]),), {})
    result, _ = in_test(session, action)
    assert np.allclose(result, [0.25, 0.1875], rtol=1e-12, atol=0)
    with pytest.raises(NameError):  # afterwards the student's namespace is as before: no sigmoid
        in_test(session, lambda: session.call("sigma_prime", (0.0,), {}))


def test_numerical_warnings_in_the_students_process_fail_no_warnings(session):
    def action():
        with checks.no_warnings("e^z at z = 1000"):
            return session.call("overflow", (np.array([1000.0]),), {})
    with pytest.raises(CheckFailed, match="e\\^z at z = 1000 is not numerically stable: overflow"):
        in_test(session, action)
    assert np.isinf(in_test(session, lambda: session.call("overflow", (np.array([1000.0]),), {}))[0][0])


def test_a_call_back_result_larger_than_the_payload_limit_is_refused(session):
    def broadcast(a, b):
        return a * b  # (n, 1) by (1, n): n² numbers out of 2n in

    value, _ = in_test(session, lambda: session.call("keep", (lambda v: float(np.sum(
        broadcast(np.ones((1024, 1)), np.ones((1, 1024))) * v.sum())),), {}))
    assert value == 3 * 1024 * 1024  # small enough: carried
    with pytest.raises(MemoryError, match="larger than the"):
        in_test(session, lambda: session.call("keep", (lambda v: broadcast(np.ones((1200, 1)), np.ones((1, 1200))),),
                                                {}))


def test_a_dead_fork_server_is_replaced(session):
    launcher = session.launcher
    if not hasattr(launcher, "process"):
        pytest.skip("student processes start afresh here: no fork server to lose")
    launcher.process.kill()
    launcher.process.wait()
    session.lose()  # the student's process died with its zygote
    assert in_test(session, lambda: session.call("chatty", (np.ones(5),), {}))[0] == 5.0
    assert launcher.process.poll() is None


def test_the_time_a_restart_takes_does_not_count_against_the_cell(session, monkeypatch):
    spawn = session.launcher.spawn

    def slow_spawn():
        time.sleep(LIMITS.cell_timeout + 1)  # a restart slower than a whole cell may take (a loaded machine)
        return spawn()

    session.lose()
    monkeypatch.setattr(session.launcher, "spawn", slow_spawn)
    assert in_test(session, lambda: session.call("chatty", (np.ones(5),), {}))[0] == 5.0
    assert session.restarts == 1


def test_a_stand_in_that_refuses_fails_the_test_even_if_the_student_swallows_it(session):
    def refuse(value):
        raise CheckFailed("the stand-in was called with the wrong value")
    with pytest.raises(CheckFailed, match="the stand-in was called with the wrong value"):
        in_test(session, lambda: session.call("swallow", (refuse,), {}))
