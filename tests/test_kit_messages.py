"""The student kit's messages, word for word: how they write numbers and shapes, and how a
hint follows them ("got 0.." was a student's report: a whole number printed as NumPy's "0."
and then the sentence's own period)."""

import numpy as np
import pytest

from backprop_kit import checks
from backprop_kit.checks import CheckFailed


def message(function, *args, **kwargs):
    with pytest.raises(CheckFailed) as failure:
        function(*args, **kwargs)
    return str(failure.value)


@pytest.mark.parametrize("value, expected, text", [
    (0, 1, "x is wrong: expected 1, got 0"),                                 # ints stay ints
    (np.int64(3), np.int32(1), "x is wrong: expected 1, got 3"),             # NumPy integer scalars too
    (0.0, 1.0, "x is wrong: expected 1.0, got 0.0"),                         # whole floats keep their ".0"
    (np.float64(-2.0), 0.5, "x is wrong: expected 0.5, got -2.0"),
    (np.asarray(2.0), np.asarray(3), "x is wrong: expected 3, got 2.0"),      # 0-d arrays are numbers
    (np.asarray(7), 0.25, "x is wrong: expected 0.25, got 7"),
    (1e-10, 1.0, "x is wrong: expected 1.0, got 1e-10"),
    (0.1234567891, 0.5, "x is wrong: expected 0.5, got 0.123457"),
    (123456789.0, 1.0, "x is wrong: expected 1.0, got 1.234568e+08"),
    (True, 0, "x is wrong: expected 0, got True"),
])
def test_a_number_is_written_as_python_writes_it(value, expected, text):
    assert message(checks.expect_close, value, expected, "x") == text


def test_a_hint_after_a_number_is_a_sentence_of_its_own():
    assert message(checks.expect_close, 0.0, 0.25, "σ'(0)", hint="σ'(z) = σ(z)(1 − σ(z))") == \
        "σ'(0) is wrong: expected 0.25, got 0.0. σ'(z) = σ(z)(1 − σ(z))"
    assert message(checks.expect_close, 1, 0, "perceptron output at w·x + b = 0",
                   hint="the rule fires only for w·x + b > 0 (strictly)") == \
        "perceptron output at w·x + b = 0 is wrong: expected 0, got 1. the rule fires only for w·x + b > 0 (strictly)"
    assert message(checks.expect_close, np.asarray(1.0), np.asarray(0.0), "C", hint="clip aᴸ") == \
        "C is wrong: expected 0.0, got 1.0. clip aᴸ"


def test_arrays_are_printed_as_numpy_prints_them_with_the_largest_difference():
    assert message(checks.expect_close, [0, 0, 1, 1], [0, 0, 0, 1], "AND", hint="w·x + b > 0") == \
        "AND is wrong: expected [0 0 0 1], got [0 0 1 1] (largest difference at index (2,)). w·x + b > 0"
    assert message(checks.expect_close, np.array([[0.5], [2.0]]), [[0.5], [1.0]], "δ²") == \
        "δ² is wrong: expected [[0.5]\n [1. ]], got [[0.5]\n [2. ]] (largest difference at index (1, 0))"
    # one number in a (1, 1) array has no index worth naming
    assert message(checks.expect_close, [[2.0]], [[1.0]], "aᴸ") == "aᴸ is wrong: expected [[1.]], got [[2.]]"


def test_nan_and_inf_are_named():
    assert message(checks.expect_close, np.array([1.0, np.nan]), [1.0, 2.0], "σ(z)", hint="use a stable form") == \
        "σ(z) contains nan or inf: [ 1. nan]. use a stable form"
    assert message(checks.expect_close, float("inf"), 1.0, "e^z") == "e^z contains nan or inf: inf"


def test_a_message_that_ends_a_sentence_gets_no_second_period():
    assert checks._with_hint("δ² is wrong.", "use (Wˡ⁺¹)ᵀ") == "δ² is wrong. use (Wˡ⁺¹)ᵀ"
    assert checks._with_hint("got 3", "") == "got 3"


def test_expect_shape_names_free_sizes_and_gives_the_hint():
    assert message(checks.expect_shape, np.zeros(3), (2, 1), "δ²") == "δ² has shape (3,), expected (2, 1)"
    assert message(checks.expect_shape, np.zeros(3), (3, "m"), "x", hint="inputs are columns") == \
        "x has shape (3,), expected (3, m). inputs are columns"
    assert message(checks.expect_shape, np.zeros((2, 3)), ("n", "n"), "J") == "J has shape (2, 3), expected (n, n)"
    assert message(checks.expect_shape, np.zeros((4, 2)), (3, "m"), "x") == "x has shape (4, 2), expected (3, m)"
    assert message(checks.expect_shape, np.zeros(2), ("m",) * 2, "x") == "x has shape (2,), expected (m, m)"
    assert message(checks.expect_shape, [[1.0], [1.0, 2.0]], (2, 1), "W") == \
        "W is not an array of one shape (got a list of parts of different shapes)"
    checks.expect_shape(np.zeros((3, 7)), (3, "m"), "x")
    checks.expect_shape(np.zeros((4, 4)), ("n", "n"), "J")
    checks.expect_shape(np.zeros(()), (), "a number")


def test_gradients_of_different_shapes_are_not_compared():
    assert message(checks.gradient_error, np.zeros((2, 1)), np.zeros((1, 2))) == \
        "a gradient of shape (2, 1) cannot be compared with one of shape (1, 2): a gradient has the shape of what it differentiates"
    assert checks.gradient_error([1.0, 2.0], np.array([1.0, 2.0])) == 0.0
    assert checks.gradient_error(np.array([[1.0]]), np.array([[1.1]])) == pytest.approx(0.1 / 2.1)


def test_the_other_messages_are_unchanged():
    assert message(checks.as_array, None, "sigmoid") == "sigmoid returned None — did you forget a `return`?"
    assert message(checks.expect_close, "abc", 1, "f") == \
        "f should be a number or an array of numbers, got str: could not convert string to float: 'abc'"
    with pytest.raises(CheckFailed, match=r"^e\^z at z = 1000 is not numerically stable: overflow encountered in exp$"):
        with checks.no_warnings("e^z at z = 1000"):
            np.exp(np.array(1000.0))
    with pytest.raises(CheckFailed, match=r"^f changed its argument number 2 in place; work on a copy instead$"):
        checks.expect_inputs_unchanged(lambda a, b: b.__iadd__(1), np.zeros(2), np.zeros(2), name="f")
    with pytest.raises(CheckFailed, match=r"^no \(this check used your own sigmoid; the graded version uses "
                                          r"known-good ones\)$"):
        with checks.trusted({}, "sigmoid"):
            checks.expect(False, "no")


def test_a_failure_carries_no_chained_exception():
    """The message says everything: no "During handling of the above exception" under it."""
    def overflow():
        with checks.no_warnings("e^z"):
            np.exp(np.array(1000.0))

    for attempt in (lambda: checks.as_array("abc", "f"), overflow):
        with pytest.raises(CheckFailed) as failure:
            attempt()
        assert failure.value.__suppress_context__ and failure.value.__cause__ is None


def test_every_helper_hides_its_frame():
    """IPython leaves out frames whose locals hold ``__tracebackhide__ = True``; a CheckFailed
    leaves out all of them (see tests/test_student_kit.py for what a student sees)."""
    seen = []
    try:
        checks.expect_close(checks.expect_inputs_unchanged(lambda v: v + 1, np.zeros(2), name="f"), [2.0, 2.0], "f")
    except CheckFailed as failure:
        tb = failure.__traceback__
        while tb is not None:
            seen.append((tb.tb_frame.f_code.co_name, tb.tb_frame.f_locals.get("__tracebackhide__")))
            tb = tb.tb_next
        kept = checks._without_helper_frames(failure.__traceback__)
    assert seen[0] == ("test_every_helper_hides_its_frame", None)
    assert seen[1:] == [("expect_close", True), ("_fail", True)]
    assert kept.tb_frame.f_code.co_name == "test_every_helper_hides_its_frame" and kept.tb_next is None


def test_values_that_print_alike_say_how_far_apart_they_are_and_name_a_lost_precision():
    got = np.array([[0.75], [0.75]], dtype=np.float32) + np.float32(1e-7)
    text = message(checks.expect_close, got, [[0.75], [0.75]], "tanh'(z)", rtol=1e-12)
    assert "the two print alike but differ by up to 1.2e-07, more than the tolerance (rtol 1e-12, atol 1e-12)" in text
    assert "your result is float32, compute in float64" in text
    assert "print alike" not in message(checks.expect_close, 0.5, 0.25, "x")  # only when they do
