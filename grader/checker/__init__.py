"""The trusted side of grading: runs a notebook's set-up, given and test cells in this
process and reaches the student's code, which runs in a sandboxed process of its own,
only through the data-only interface of :mod:`sandbox_runner.wire`."""
