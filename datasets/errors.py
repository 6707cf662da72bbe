"""Exceptions raised by the :mod:`datasets` package.

Every failure a user of the package can run into raises :class:`DatasetError`
or one of its subclasses, with a message that says what went wrong and what
to do about it. Catch :class:`DatasetError` to handle all of them at once.
"""


class DatasetError(Exception):
    """Base class of every error raised by the :mod:`datasets` package."""


class DatasetArgumentError(DatasetError, ValueError):
    """An argument has a bad value (wrong shape, out of range, not an integer).

    It is also a :class:`ValueError`, so code that expects the usual Python
    exception for bad values catches it too.
    """


class ChecksumError(DatasetError):
    """A file's SHA-256 digest differs from the one it is expected to have."""


class DownloadError(DatasetError):
    """A file could not be fetched (no network, unknown host, HTTP error...)."""


class IdxFormatError(DatasetError):
    """A file is not a well-formed IDX file (bad header, wrong length, bad gzip)."""
