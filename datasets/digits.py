"""The bundled 8x8 handwritten digits: the course's offline data set.

``data/digits.npz`` holds 1,797 grey-level images of the digits 0-9, each 8 x 8
pixels with values 0..16 (the UCI "Optical Recognition of Handwritten Digits"
test set; provenance, citation and licence are in ``data/README.md``). It is
small enough to ship with the package, so :func:`load_digits` never needs a
network connection.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from importlib import resources

import numpy as np

from .errors import ChecksumError, DatasetError
from .split import DataSplit, train_test_split

__all__ = ["load_digits", "read_digits_npz", "DIGITS_SHA256"]

#: SHA-256 of ``datasets/data/digits.npz``; also listed in ``data/README.md``.
DIGITS_SHA256 = "af104d81e7cd419be5f343d23c6ca2e4e4ff847b06636260802df8e903c6183f"

N_IMAGES = 1797
IMAGE_SHAPE = (8, 8)
N_FEATURES = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
N_CLASSES = 10
MAX_PIXEL = 16


def load_digits(test_size=297, seed=0) -> DataSplit:
    """Load the bundled 8x8 digits, scaled to [0, 1] and split train/test.

    Parameters
    ----------
    test_size : int or float, default 297
        Number of test images (or a fraction in (0, 1)). The default leaves
        1,500 training images.
    seed : int, default 0
        Seed of the shuffle that decides which image goes where. The same
        seed always gives identical arrays.

    Returns
    -------
    DataSplit
        ``x_train`` (64, 1500) and ``x_test`` (64, 297) with the defaults:
        float64 pixel values ``pixel / 16`` in [0, 1], one image per column,
        pixels in row-major order (``x[:, j].reshape(8, 8)`` is image ``j``);
        ``y_train`` (10, 1500) and ``y_test`` (10, 297), one-hot columns whose
        row is the digit. Arrays are Fortran-ordered.

    Raises
    ------
    DatasetError
        If the bundled file is missing, corrupt or does not hold the
        expected arrays (reinstall the package to fix it).
    DatasetArgumentError
        If ``test_size`` is out of range.

    Examples
    --------
    >>> data = load_digits()
    >>> data.x_train.shape, data.x_test.shape, data.n_classes
    ((64, 1500), (64, 297), 10)
    """
    source = resources.files(__package__).joinpath("data", "digits.npz")
    images, labels = read_digits_npz(source)
    x = images.T.astype(np.float64) / MAX_PIXEL
    return train_test_split(x, labels, N_CLASSES, test_size, seed)


def read_digits_npz(path, expected_sha256: str = DIGITS_SHA256):
    """Read and check a digits file: the SHA-256, the arrays, their values.

    Parameters
    ----------
    path : str, os.PathLike or importlib.resources.abc.Traversable
        The ``.npz`` file (``images`` and ``labels`` arrays).
    expected_sha256 : str, optional
        Hex SHA-256 the file's bytes must have; the bundled file's by default.

    Returns
    -------
    images : numpy.ndarray of uint8, shape (1797, 64)
        One image per row, pixel values 0..16 (this is the file's own layout;
        :func:`load_digits` turns it into columns).
    labels : numpy.ndarray of uint8, shape (1797,)
        Digit shown by each image, 0..9.

    Raises
    ------
    DatasetError
        If the file is missing or unreadable.
    ChecksumError
        If its SHA-256 differs from ``expected_sha256``.
    """
    name = str(path)
    try:
        if isinstance(path, (str, os.PathLike)):
            with open(path, "rb") as handle:
                raw = handle.read()
        else:
            raw = path.read_bytes()
    except OSError as error:
        raise DatasetError(
            f"The bundled digits file {name} cannot be read ({error}). The "
            f"package installation looks incomplete: reinstall it (for example "
            f"`pip install -e .` in the course folder)."
        ) from error
    actual = hashlib.sha256(raw).hexdigest()
    if actual != expected_sha256:
        raise ChecksumError(
            f"The digits file {name} is corrupt or has been changed: its sha256 "
            f"is {actual}, expected {expected_sha256}. Restore it from the "
            f"course repository (git checkout datasets/data/digits.npz) or "
            f"reinstall the package."
        )
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as archive:
            images = archive["images"]
            labels = archive["labels"]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        raise DatasetError(
            f"The digits file {name} does not hold the arrays 'images' and "
            f"'labels' ({error}). Restore it from the course repository."
        ) from error
    _check_digits(images, labels, name)
    return images, labels


def _check_digits(images: np.ndarray, labels: np.ndarray, name: str) -> None:
    """Raise :class:`DatasetError` unless the arrays look like the digits set."""
    problems = []
    if images.shape != (N_IMAGES, N_FEATURES):
        problems.append(f"images has shape {images.shape}, expected {(N_IMAGES, N_FEATURES)}")
    elif images.max() > MAX_PIXEL:
        problems.append(f"a pixel is {images.max()}, above {MAX_PIXEL}")
    if labels.shape != (N_IMAGES,):
        problems.append(f"labels has shape {labels.shape}, expected {(N_IMAGES,)}")
    elif labels.max() >= N_CLASSES:
        problems.append(f"a label is {labels.max()}, above {N_CLASSES - 1}")
    if images.dtype != np.uint8 or labels.dtype != np.uint8:
        problems.append(f"dtypes are {images.dtype}/{labels.dtype}, expected uint8")
    if problems:
        raise DatasetError(
            f"The digits file {name} has unexpected contents: "
            + "; ".join(problems)
            + ". Restore it from the course repository."
        )
