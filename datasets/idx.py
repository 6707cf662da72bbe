"""Reader for the IDX file format, the format the MNIST files are stored in.

An IDX file is a header followed by the array's values, big-endian, in
row-major (C) order::

    byte 0, 1   0x00 0x00
    byte 2      type code of the values (see ``IDX_DTYPES``)
    byte 3      number of dimensions, ndim
    then        ndim sizes, each a big-endian unsigned 32-bit integer
    then        prod(sizes) values

So the MNIST training images (60,000 images of 28 x 28 unsigned bytes) start
with ``00 00 08 03``, then 60000, 28 and 28 as 4-byte integers. Files are
often distributed gzip-compressed; :func:`read_idx` reads both kinds.
"""

from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy as np

from .errors import DatasetError, IdxFormatError

__all__ = ["IDX_DTYPES", "read_idx"]

#: Type code (byte 2 of the header) -> NumPy dtype of the values, big-endian.
IDX_DTYPES = {
    0x08: np.dtype("u1"),  # unsigned byte
    0x09: np.dtype("i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short, 2 bytes
    0x0C: np.dtype(">i4"),  # int, 4 bytes
    0x0D: np.dtype(">f4"),  # float, 4 bytes
    0x0E: np.dtype(">f8"),  # double, 8 bytes
}

_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path) -> np.ndarray:
    """Read an IDX file, raw or gzip-compressed, into a NumPy array.

    Whether the file is compressed is decided from its first bytes (the gzip
    signature), not from its name.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.

    Returns
    -------
    numpy.ndarray, shape given by the header, e.g. (N, 28, 28) or (N,)
        A new writable array in native byte order with the dtype named by
        the header's type code (``uint8`` for MNIST).

    Raises
    ------
    DatasetError
        If the file cannot be opened.
    IdxFormatError
        (a :class:`DatasetError`) if the gzip stream is corrupt, the magic
        number or type code is wrong, or the number of value bytes differs
        from what the header's sizes call for (truncated file, or trailing
        bytes). The message names the file and the expected and actual sizes.

    Examples
    --------
    >>> images = read_idx("train-images-idx3-ubyte.gz")  # doctest: +SKIP
    >>> images.shape, images.dtype                          # doctest: +SKIP
    ((60000, 28, 28), dtype('uint8'))
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise DatasetError(f"Cannot read the IDX file {name}: {error}.") from error

    compressed = data[:2] == _GZIP_MAGIC
    if compressed:
        data = _gunzip(data, name)
    where = " (after gzip decompression)" if compressed else ""

    if len(data) < 4:
        raise IdxFormatError(
            f"{name} is too short to be an IDX file: it holds {len(data)} bytes"
            f"{where}, fewer than the 4 bytes of the magic number."
        )
    zero_a, zero_b, code, ndim = data[0], data[1], data[2], data[3]
    if zero_a != 0 or zero_b != 0:
        hint = ""
        if data[:1] in (b"<", b"{"):
            hint = " It looks like text (an HTML error page?) rather than data."
        raise IdxFormatError(
            f"{name} is not an IDX file: it must start with bytes 00 00, but "
            f"starts with {data[:4].hex(' ')}{where}.{hint} Delete it and fetch "
            f"the file again."
        )
    if code not in IDX_DTYPES:
        known = ", ".join(f"0x{c:02X} ({d.name})" for c, d in IDX_DTYPES.items())
        raise IdxFormatError(
            f"{name} has an unknown IDX type code 0x{code:02X} in its header "
            f"(byte 2); known codes are {known}."
        )
    if ndim == 0:
        raise IdxFormatError(
            f"{name} declares 0 dimensions in its header (byte 3); an IDX file "
            f"needs at least one."
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IdxFormatError(
            f"{name} is truncated inside its header: {ndim} dimensions need a "
            f"{header_size}-byte header, but the file holds only {len(data)} "
            f"bytes{where}."
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = IDX_DTYPES[code]
    expected = math.prod(shape) * dtype.itemsize
    actual = len(data) - header_size
    if actual != expected:
        problem = "truncated" if actual < expected else "longer than its header says"
        raise IdxFormatError(
            f"{name} is {problem}: its header declares shape {shape} of "
            f"{dtype.name}, which is {expected} bytes of values after the "
            f"{header_size}-byte header, but the file holds {actual}{where}. "
            f"The file is damaged or incomplete: delete it and fetch it again."
        )
    values = np.frombuffer(data, dtype=dtype, count=math.prod(shape), offset=header_size)
    return values.reshape(shape).astype(dtype.newbyteorder("="), copy=True)


def _gunzip(data: bytes, name: str) -> bytes:
    """Decompress gzip ``data`` read from the file ``name``."""
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise IdxFormatError(
            f"{name} is not a valid gzip file ({error}). It is probably an "
            f"incomplete or damaged download: delete it and fetch it again."
        ) from error
