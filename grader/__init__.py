"""Trusted grading code: the oracles and check helpers that notebook test cells import
(``grader.oracle``, ``grader.checks``), and the instructor tooling over nbgrader."""
