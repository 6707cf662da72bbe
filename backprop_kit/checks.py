"""Check helpers for the notebooks' visible tests: each failure says what is wrong in the
course's notation, not just "assertion failed".

Imported by the locked set-up cell of every notebook (``from backprop_kit import checks``).
These helpers compare and explain; they never compute an answer. Expected values in the
visible tests are worked out by hand or come from code the notebook gives.
"""

import contextlib
import types
import warnings

import numpy as np

#: Relative error below which an analytic gradient agrees with central differences.
GRADIENT_TOLERANCE = 1e-7


class CheckFailed(AssertionError):
    """A test of the student's code failed; the message says why.

    In IPython and Jupyter its traceback leaves out the frames of these helpers (and of the
    ``with`` statements that run them): the student sees the lines of the notebook that led
    to the failure and the course's message, not the helpers' source.
    """

    def _render_traceback_(self):
        # IPython's hook for an exception that formats its own traceback (a list of lines)
        __tracebackhide__ = True
        import traceback
        from IPython import get_ipython
        shell = get_ipython()
        try:
            tb = _without_helper_frames(self.__traceback__)
            if shell is None:
                return [line.rstrip("\n") for line in traceback.format_exception(type(self), self, tb)]
            return shell.InteractiveTB.structured_traceback(type(self), self, tb)
        except Exception:  # never lose the message to a problem in this hook: the plain traceback instead
            return [line.rstrip("\n") for line in traceback.format_exception(type(self), self, self.__traceback__)]


# The one place that raises: its body is one line, so even a traceback that shows this frame
# (outside IPython) shows no more of the helpers than this line.
def _fail(message):
    __tracebackhide__ = True; raise CheckFailed(message) from None  # noqa: E702


def _without_helper_frames(tb):
    """The traceback ``tb`` without the frames that set ``__tracebackhide__ = True`` (these
    helpers), and without contextlib's frames that only lead into them (a ``with`` block)."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    hidden = [entry.tb_frame.f_locals.get("__tracebackhide__") is True for entry in entries]
    for i in range(len(entries) - 2, -1, -1):
        if hidden[i + 1] and entries[i].tb_frame.f_code.co_filename == contextlib.__file__:
            hidden[i] = True
    kept = None
    for entry, hide in zip(reversed(entries), reversed(hidden)):
        if not hide:
            kept = types.TracebackType(kept, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return kept if kept is not None else (entries[0] if entries else None)


def expect(condition, message):
    """Fail with ``message`` unless ``condition`` holds."""
    __tracebackhide__ = True
    if not condition:
        _fail(message)


def as_array(value, name):
    """``value`` as a float64 ndarray, or a CheckFailed saying what came back instead."""
    __tracebackhide__ = True
    if value is None:
        _fail(f"{name} returned None — did you forget a `return`?")
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        _fail(f"{name} should be a number or an array of numbers, got {type(value).__name__}: {error}")


def expect_shape(value, shape, name, hint=""):
    """Fail unless ``value`` has exactly ``shape``.

    Parameters
    ----------
    value : array_like
    shape : tuple of int or str
        The shape expected. A str entry is the name of a size that may be anything, as in
        ``(n_in, "m")`` for any number m of columns; the same name twice means the same size.
    name : str
        What the value is, in the course's notation.
    hint : str
        What the likely mistake is, appended to the message.
    """
    __tracebackhide__ = True
    try:
        actual = np.shape(value)
    except ValueError:  # a ragged list: NumPy cannot even say its shape
        _fail(_with_hint(f"{name} is not an array of one shape (got a {type(value).__name__} of parts of "
                         "different shapes)", hint))
    shape = tuple(shape)
    sizes = {}
    fits = len(actual) == len(shape) and all(
        sizes.setdefault(want, got) == got if isinstance(want, str) else got == want
        for got, want in zip(actual, shape))
    if not fits:
        _fail(_with_hint(f"{name} has shape {actual}, expected {_shape_text(shape)}", hint))


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
    __tracebackhide__ = True
    actual = as_array(value, name)
    wanted = np.asarray(expected, dtype=np.float64)
    expect_shape(actual, wanted.shape, name)
    if not np.all(np.isfinite(actual)):
        _fail(_with_hint(f"{name} contains nan or inf: {_short(_as_returned(value, actual))}", hint))
    if not np.allclose(actual, wanted, rtol=rtol, atol=atol):
        worst = tuple(int(i) for i in np.unravel_index(np.argmax(np.abs(actual - wanted)), actual.shape)) \
            if actual.size > 1 else ()
        shown, shown_wanted = _short(_as_returned(value, actual)), _short(_as_returned(expected, wanted))
        _fail(_with_hint(
            f"{name} is wrong: expected {shown_wanted}, got {shown}"
            + (f" (largest difference at index {worst})" if worst else "")
            + (_hidden_difference(value, actual, wanted, rtol, atol) if shown == shown_wanted else ""), hint))


def _hidden_difference(value, actual, wanted, rtol, atol):
    """What a message adds when the two values print alike: how far apart they are, and
    whether the student's result lost precision as float32 or float16."""
    gap = float(np.max(np.abs(actual - wanted)))
    text = f"; the two print alike but differ by up to {gap:.1e}, more than the tolerance (rtol {rtol:g}, atol {atol:g})"
    dtype = getattr(value, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind == "f" and np.dtype(dtype).itemsize < 8:
        text += f": your result is {np.dtype(dtype)}, compute in float64"
    return text


def gradient_error(g, g_hat):
    """Relative error max|g − ĝ| / max(1e-8, max(|g| + |ĝ|)) of two gradients of one shape
    (a CheckFailed if their shapes differ: NumPy would broadcast them or fail without saying why)."""
    __tracebackhide__ = True
    g, g_hat = np.asarray(g, dtype=float), np.asarray(g_hat, dtype=float)
    if g.shape != g_hat.shape:
        _fail(f"a gradient of shape {g.shape} cannot be compared with one of shape {g_hat.shape}: a gradient "
              "has the shape of what it differentiates")
    return float(np.max(np.abs(g - g_hat)) / max(1e-8, float(np.max(np.abs(g) + np.abs(g_hat)))))


@contextlib.contextmanager
def no_warnings(name):
    """Turn every warning (overflow, divide by zero, …) into a CheckFailed naming ``name``."""
    __tracebackhide__ = True
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        try:
            yield
        except (Warning, FloatingPointError) as problem:
            _fail(f"{name} is not numerically stable: {problem}")


def expect_inputs_unchanged(function, *args, name):
    """Call ``function(*args)`` and fail if it modified any array argument in place.

    Returns
    -------
    The function's result.
    """
    __tracebackhide__ = True
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
    __tracebackhide__ = True
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
    __tracebackhide__ = True
    try:
        yield
    except NotImplementedError:
        print(f"(skipped {what}: a function it needs is not implemented yet)")


def _with_hint(message, hint):
    """``message``, then ``hint`` as a sentence of its own (no second period after one)."""
    if not hint:
        return message
    return f"{message}{' ' if message.endswith(('.', '!', '?')) else '. '}{hint}"


def _shape_text(shape):
    """A shape as Python writes a tuple, a named size by its name: (3, m), (2,)."""
    return "(" + ", ".join(str(size) for size in shape) + ("," if len(shape) == 1 else "") + ")"


def _as_returned(value, as_float):
    """``value`` in its own number type when it has one (so that an int reads as an int),
    else its float64 version."""
    try:
        returned = np.asarray(value)
    except (TypeError, ValueError):
        return as_float
    return returned if returned.dtype.kind in "biuf" else as_float


def _number(x):
    """One number as a message shows it: 3, 0.25, 1.0, 1e-10 — never a bare trailing '.'."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if not np.isfinite(x):
        return str(x)
    if x == 0 or 1e-4 <= abs(x) < 1e8:
        return np.format_float_positional(x, precision=6, unique=True, fractional=True, trim="0")
    return np.format_float_scientific(x, precision=6, unique=True, trim="-")


def _short(value):
    """``value`` for a message: a number (a 0-d array included) as :func:`_number` writes it,
    an array as NumPy prints it, shortened to its corners when large."""
    a = np.asarray(value)
    if a.ndim == 0 and a.dtype.kind in "biuf":
        return _number(a.item())
    return np.array2string(a, precision=6, threshold=12, edgeitems=3)
