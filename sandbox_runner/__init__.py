"""What runs in the student's process while a notebook is graded.

The grader starts this package inside a sandbox (``python -m sandbox_runner``, or forked
from a warm :mod:`sandbox_runner.forkserver`). It executes the student's cells and the
notebook's given cells with IPython, and answers the trusted checker's calls of the
student's functions over a socket. Everything that crosses that socket is data
(:mod:`sandbox_runner.wire`): the tests, the oracles and the expected values never enter
this process.
"""
