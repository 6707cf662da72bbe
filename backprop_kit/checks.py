"""Check helpers for the notebooks' visible tests: each failure says what is wrong in the
course's notation, not just "assertion failed".

Imported by the locked set-up cell of every notebook (``from backprop_kit import checks``).
These helpers compare and explain; they never compute an answer. Expected values in the
visible tests are worked out by hand or come from code the notebook gives.
"""

import contextlib
import warnings

import numpy as np

#: Relative error below which an analytic gradient agrees with central differences.
GRADIENT_TOLERANCE = 1e-7


class CheckFailed(AssertionError):
    """A test of the student's code failed; the message says why."""


def expect(condition, message):
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailed(message)


def as_array(value, name):
    """``value`` as a float64 ndarray, or a CheckFailed saying what came back instead."""
    if value is None:
        raise CheckFailed(f"{name} returned None — did you forget a `return`?")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise CheckFailed(f"{name} should be a number or an array of numbers, got {type(value).__name__}: {error}")


def expect_shape(value, shape, name):
    """Fail unless ``value`` has exactly ``shape``."""
    actual = np.shape(value)
    expect(actual == tuple(shape), f"{name} has shape {actual}, expected {tuple(shape)}")


def expect_close(value, expected, name, rtol=1e-7, atol=1e-12, hint=""):
    """Fail unless ``value`` equals ``expected`` in shape and to the stated tolerances.

    Parameters
    ----------
    value : array_like
        What the student's code returned.
    expected : array_like
    name : str
        What the value is, in the course's notation, e.g. "σ'(z) at z = 0".
    rtol, atol : float
        As in ``np.allclose``.
    hint : str
        What the likely mistake is, appended to the message.
    """
    actual = as_array(value, name)
    expected = np.asarray(expected, dtype=np.float64)
    expect_shape(actual, expected.shape, name)
    if not np.all(np.isfinite(actual)):
        raise CheckFailed(f"{name} contains nan or inf: {_short(actual)}. {hint}".strip())
    if not np.allclose(actual, expected, rtol=rtol, atol=atol):
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(actual - expected)), actual.shape)) \
            if actual.ndim else ()
        raise CheckFailed(
            f"{name} is wrong: expected {_short(expected)}, got {_short(actual)}"
            + (f" (largest difference at index {worst})" if worst else "")
            + (f". {hint}" if hint else "")
        )


def gradient_error(g, g_hat):
    """Relative error max|g − ĝ| / max(1e-8, max(|g| + |ĝ|)) of two gradients of one shape."""
    g, g_hat = np.asarray(g, dtype=float), np.asarray(g_hat, dtype=float)
    return float(np.max(np.abs(g - g_hat)) / max(1e-8, float(np.max(np.abs(g) + np.abs(g_hat)))))


@contextlib.contextmanager
def no_warnings(name):
    """Turn every warning (overflow, divide by zero, …) into a CheckFailed naming ``name``."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        try:
            yield
        except (Warning, FloatingPointError) as problem:
            raise CheckFailed(f"{name} is not numerically stable: {problem}") from None


def expect_inputs_unchanged(function, *args, name):
    """Call ``function(*args)`` and fail if it modified any array argument in place.

    Returns
    -------
    The function's result.
    """
    before = [np.array(a, copy=True) if isinstance(a, np.ndarray) else None for a in args]
    result = function(*args)
    for position, (arg, copy) in enumerate(zip(args, before)):
        if copy is not None:
            expect(np.array_equal(arg, copy, equal_nan=True),
                   f"{name} changed its argument number {position + 1} in place; work on a copy instead")
    return result


def may_update_in_place(*names):
    """Say that the functions ``names`` may change their arguments in place during this test
    (``sgd_step`` updates the arrays it is given: that is its job).

    While grading, any other function of yours that changes an argument fails its test
    ("work on a copy"). In your notebook this changes nothing.
    """


@contextlib.contextmanager
def trusted(namespace, *known_good, **replacements):
    """Temporarily replace names in the notebook's namespace, so a test grades one idea only.

    Parameters
    ----------
    namespace : dict
        The notebook's ``globals()``.
    *known_good : str
        Functions the grader replaces by known-good versions of its own while this test
        runs (say ``"sigmoid"`` in the test of σ'), so that a mistake there costs only its
        own cell. In your notebook they stay yours: if such a check fails, make sure the
        functions it names pass their own tests first.
    **replacements
        Stand-ins given by the test itself (name=function), used in your notebook too.
    """
    missing = object()
    saved = {name: namespace.get(name, missing) for name in replacements}
    namespace.update(replacements)
    try:
        yield
    except CheckFailed as failure:
        if known_good:
            failure.args = (f"{failure} (this check used your own {', '.join(known_good)}; the graded "
                            "version uses known-good ones)",)
        raise
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


@contextlib.contextmanager
def when_implemented(what="this cell"):
    """For demonstration cells: explain instead of crashing while a stub is unfinished."""
    try:
        yield
    except NotImplementedError:
        print(f"(skipped {what}: a function it needs is not implemented yet)")


def _short(a):
    return np.array2string(np.asarray(a), precision=6, threshold=12, edgeitems=3)
