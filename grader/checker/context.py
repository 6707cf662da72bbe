"""Which student process the test cell running now talks to (None outside grading)."""

import contextlib
import contextvars

_CURRENT = contextvars.ContextVar("current_student", default=None)


def current_student():
    """The :class:`~grader.checker.session.StudentSession` of the running test, or None."""
    return _CURRENT.get()


@contextlib.contextmanager
def talking_to(student):
    """Make ``student`` the current student process while the block runs."""
    token = _CURRENT.set(student)
    try:
        yield student
    finally:
        _CURRENT.reset(token)
