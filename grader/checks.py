"""The check helpers as the trusted side of grading uses them: the student kit's helpers
(:mod:`backprop_kit.checks`), plus what needs the oracles and the student's process.

The test cells run in the grader's process, the student's functions in a sandboxed one.
Three helpers must therefore reach across: :func:`trusted` puts known-good building blocks
into the student's namespace too (as call-backs into this process), :func:`no_warnings`
makes the student's process raise on numerical warnings, and :func:`may_update_in_place`
names the functions allowed to change their arguments. Outside grading (a self-learner
running a solved notebook in one kernel) they act locally.

Hidden tests import this module as ``checks`` (``from grader import checks, oracle``).
"""

import contextlib

from backprop_kit.checks import (  # noqa: F401  (the kit's helpers are part of this module's API)
    GRADIENT_TOLERANCE, CheckFailed, as_array, expect, expect_close, expect_inputs_unchanged, expect_shape,
    gradient_error, when_implemented)
from backprop_kit.checks import may_update_in_place as _kit_may_update_in_place
from backprop_kit import checks as _kit

from . import oracle
from .checker.context import current_student


@contextlib.contextmanager
def trusted(namespace, *known_good, **replacements):
    """Replace names in the notebook's namespace (and the student's) while the block runs.

    Parameters
    ----------
    namespace : dict
        The test cell's ``globals()``.
    *known_good : str
        Names of student functions to replace by the grader's known-good versions
        (:data:`grader.oracle.KNOWN_GOOD`).
    **replacements
        Stand-ins defined by the test (name=function).
    """
    __tracebackhide__ = True
    unknown = [name for name in known_good if name not in oracle.KNOWN_GOOD]
    if unknown:
        raise KeyError(f"no known-good version of {unknown}; known: {sorted(oracle.KNOWN_GOOD)}")
    blocks = {**{name: oracle.KNOWN_GOOD[name] for name in known_good}, **replacements}
    student = current_student()
    with _kit.trusted(namespace, **blocks), (student.rebound(blocks) if student else contextlib.nullcontext()):
        yield


@contextlib.contextmanager
def no_warnings(name):
    """Turn every warning (overflow, divide by zero, …), here or in the student's process,
    into a CheckFailed naming ``name``."""
    __tracebackhide__ = True
    student = current_student()
    with _kit.no_warnings(name), (student.strict_numerics() if student else contextlib.nullcontext()):
        yield


def may_update_in_place(*names):
    """Let the student's functions ``names`` change their arguments in place for the rest of
    this test; any other student function that does fails (see the session's rule)."""
    __tracebackhide__ = True
    _kit_may_update_in_place(*names)
    student = current_student()
    if student is not None:
        student.in_place_allowed.update(names)


def expect_gradient(analytic, f, x, name, hint="", tol=GRADIENT_TOLERANCE):
    """Fail unless ``analytic`` matches central differences of the scalar function f at x.

    Parameters
    ----------
    analytic : array_like, shape of x
        The student's gradient.
    f : callable ndarray -> float
        A trusted function whose gradient ``analytic`` should be.
    x : ndarray
    name : str
    hint : str
    tol : float
        Largest relative error accepted (1e-7 by default).
    """
    __tracebackhide__ = True
    numeric = oracle.central_gradient(f, x)
    actual = as_array(analytic, name)
    expect_shape(actual, numeric.shape, name)
    error = gradient_error(actual, numeric)
    expect(error <= tol, f"{name} disagrees with central differences: relative error {error:.2e} "
                         f"(must be ≤ {tol:.0e}). {hint}".strip())
