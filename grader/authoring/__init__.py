"""Instructor-only: the notebooks' content and the builder that writes them to
``assignments/``. Solution code is taken from ``solutions`` so the two never drift.
Not for students: the content holds the hidden tests."""
