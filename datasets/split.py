"""Train/test splits in the course's column convention.

A sample is a column: a set of ``m`` samples with ``n`` features is an
``(n, m)`` array, and its labels are one-hot columns, an ``(n_classes, m)``
array. :class:`DataSplit` holds the four arrays of a split;
:func:`train_test_split` makes one from a data matrix and integer labels.

The ``x`` and ``y`` arrays of a split are float64 and Fortran-ordered
(column-major): the entries of one sample column sit next to each other in
memory, so gathering the columns of a mini-batch, ``x[:, idx]``, reads
contiguous blocks. The values are the same as for a C-ordered array; only the
layout in memory differs.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .errors import DatasetArgumentError

__all__ = ["DataSplit", "make_rng", "one_hot", "split_indices", "train_test_split"]


@dataclass(frozen=True, eq=False)
class DataSplit:
    """A training set and a test set, one sample per column.

    Parameters
    ----------
    x_train : numpy.ndarray, shape (n_features, m_train)
        Training inputs, float64, one sample per column.
    y_train : numpy.ndarray, shape (n_classes, m_train)
        One-hot training labels, float64: column ``j`` has a single 1 in the
        row of sample ``j``'s class.
    x_test : numpy.ndarray, shape (n_features, m_test)
        Test inputs, float64.
    y_test : numpy.ndarray, shape (n_classes, m_test)
        One-hot test labels, float64.

    Raises
    ------
    DatasetArgumentError
        If the arrays are not 2-d or their shapes do not fit together.

    Notes
    -----
    The loaders in this package return Fortran-ordered arrays (see the module
    docstring). The dataclass is frozen, so its fields cannot be rebound, but
    the arrays themselves are ordinary writable NumPy arrays.

    Examples
    --------
    >>> from datasets import load_digits
    >>> data = load_digits()
    >>> data.x_train.shape, data.y_train.shape
    ((64, 1500), (10, 1500))
    >>> int(data.labels_train[0]) == int(data.y_train[:, 0].argmax())
    True
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __post_init__(self) -> None:
        for name in ("x_train", "y_train", "x_test", "y_test"):
            value = getattr(self, name)
            if not isinstance(value, np.ndarray) or value.ndim != 2:
                raise DatasetArgumentError(
                    f"DataSplit.{name} must be a 2-d numpy array (features or "
                    f"classes, samples); got {_describe(value)}."
                )
        if self.x_train.shape[1] != self.y_train.shape[1]:
            raise DatasetArgumentError(
                f"x_train has {self.x_train.shape[1]} sample columns but y_train "
                f"has {self.y_train.shape[1]}; they must be equal."
            )
        if self.x_test.shape[1] != self.y_test.shape[1]:
            raise DatasetArgumentError(
                f"x_test has {self.x_test.shape[1]} sample columns but y_test "
                f"has {self.y_test.shape[1]}; they must be equal."
            )
        if self.x_train.shape[0] != self.x_test.shape[0]:
            raise DatasetArgumentError(
                f"x_train has {self.x_train.shape[0]} feature rows but x_test "
                f"has {self.x_test.shape[0]}; they must be equal."
            )
        if self.y_train.shape[0] != self.y_test.shape[0]:
            raise DatasetArgumentError(
                f"y_train has {self.y_train.shape[0]} class rows but y_test "
                f"has {self.y_test.shape[0]}; they must be equal."
            )

    @property
    def labels_train(self) -> np.ndarray:
        """Integer class of each training sample, shape (m_train,).

        The row index of the 1 in each column of ``y_train``.
        """
        return np.argmax(self.y_train, axis=0)

    @property
    def labels_test(self) -> np.ndarray:
        """Integer class of each test sample, shape (m_test,)."""
        return np.argmax(self.y_test, axis=0)

    @property
    def n_classes(self) -> int:
        """Number of classes: the number of rows of ``y_train``."""
        return self.y_train.shape[0]

    @property
    def n_features(self) -> int:
        """Number of input features: the number of rows of ``x_train``."""
        return self.x_train.shape[0]

    def __repr__(self) -> str:
        return (
            f"DataSplit(n_features={self.n_features}, n_classes={self.n_classes}, "
            f"m_train={self.x_train.shape[1]}, m_test={self.x_test.shape[1]})"
        )


def one_hot(labels, n_classes: int) -> np.ndarray:
    """Turn integer class labels into one-hot columns.

    Parameters
    ----------
    labels : array_like of int, shape (m,)
        Class of each sample, each in ``0 .. n_classes - 1``. Floats are
        accepted only if every value is a whole number.
    n_classes : int
        Number of classes (rows of the result), at least 1.

    Returns
    -------
    numpy.ndarray, shape (n_classes, m), float64, Fortran-ordered
        ``y[k, j] == 1.0`` if sample ``j`` is of class ``k``, else ``0.0``.
        Every column sums to 1.

    Raises
    ------
    DatasetArgumentError
        (a :class:`ValueError`) if ``labels`` is not 1-d, holds a value that
        is not a whole number, or a value outside ``0 .. n_classes - 1``, or
        if ``n_classes`` is not a positive integer.

    Examples
    --------
    >>> one_hot([2, 0, 1], 3)
    array([[0., 1., 0.],
           [0., 0., 1.],
           [1., 0., 0.]])
    """
    n_classes = _positive_int(n_classes, "n_classes")
    values = np.asarray(labels)
    if values.ndim != 1:
        raise DatasetArgumentError(
            f"labels must be a 1-d array with one class per sample; got shape "
            f"{values.shape}. Flatten it or pass integer labels, not one-hot columns."
        )
    if values.dtype.kind in "iu":
        as_int = values.astype(np.int64)
    elif values.dtype.kind == "f":
        if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
            bad = values[~np.isfinite(values) | (values != np.round(values))][0]
            raise DatasetArgumentError(
                f"labels must be whole numbers (class indices); found {bad!r}."
            )
        as_int = values.astype(np.int64)
    else:
        raise DatasetArgumentError(
            f"labels must be integers (class indices); got an array of dtype "
            f"{values.dtype}."
        )
    out_of_range = (as_int < 0) | (as_int >= n_classes)
    if np.any(out_of_range):
        position = int(np.flatnonzero(out_of_range)[0])
        raise DatasetArgumentError(
            f"labels must lie in 0 .. {n_classes - 1} for n_classes={n_classes}; "
            f"labels[{position}] is {as_int[position]}."
        )
    y = np.zeros((n_classes, as_int.size), dtype=np.float64, order="F")
    y[as_int, np.arange(as_int.size)] = 1.0
    return y


def split_indices(m: int, test_size, seed) -> tuple[np.ndarray, np.ndarray]:
    """Split the sample indices ``0 .. m - 1`` at random into train and test.

    Parameters
    ----------
    m : int
        Number of samples.
    test_size : int or float
        Number of test samples (an int, ``0 <= test_size < m``), or the
        fraction of samples to put in the test set (a float in ``(0, 1)``,
        rounded to the nearest count).
    seed : int or numpy.random.SeedSequence
        Seed of the random permutation; the same seed gives the same split.

    Returns
    -------
    train_index : numpy.ndarray of int, shape (m - m_test,)
    test_index : numpy.ndarray of int, shape (m_test,)
        Disjoint; together they hold every index in ``0 .. m - 1`` once.
        Both are in the (shuffled) order of the permutation.

    Raises
    ------
    DatasetArgumentError
        If ``test_size`` would leave no training sample or is not a count or
        a fraction.
    """
    m = _positive_int(m, "number of samples")
    m_test = _test_count(test_size, m)
    permutation = make_rng(seed).permutation(m)
    return permutation[m_test:], permutation[:m_test]


def train_test_split(x, labels, n_classes: int, test_size, seed) -> DataSplit:
    """Shuffle samples with a seeded permutation and split them in two.

    Parameters
    ----------
    x : array_like, shape (n_features, m)
        Inputs, one sample per column.
    labels : array_like of int, shape (m,)
        Class of each sample, in ``0 .. n_classes - 1``.
    n_classes : int
        Number of classes.
    test_size : int or float
        Number of test samples, or fraction of samples (see
        :func:`split_indices`).
    seed : int or numpy.random.SeedSequence
        Seed of the permutation: the same seed gives identical arrays.

    Returns
    -------
    DataSplit
        ``x_train`` (n_features, m - m_test) and ``x_test`` (n_features,
        m_test) as float64; ``y_train`` and ``y_test`` one-hot float64. All
        four arrays are new, Fortran-ordered copies, so each sample column is
        contiguous in memory (fast to gather into mini-batches).

    Raises
    ------
    DatasetArgumentError
        If ``x`` is not 2-d, ``labels`` does not have one entry per column
        of ``x``, or a label or ``test_size`` is invalid.
    """
    x = np.asarray(x)
    if x.ndim != 2:
        raise DatasetArgumentError(
            f"x must be a 2-d array of shape (n_features, m), one sample per "
            f"column; got shape {x.shape}."
        )
    y = one_hot(labels, n_classes)
    if y.shape[1] != x.shape[1]:
        raise DatasetArgumentError(
            f"x has {x.shape[1]} sample columns but there are {y.shape[1]} labels. "
            f"Samples are columns: if x is (m, n_features), pass x.T."
        )
    train_index, test_index = split_indices(x.shape[1], test_size, seed)
    return DataSplit(
        x_train=_columns(x, train_index),
        y_train=_columns(y, train_index),
        x_test=_columns(x, test_index),
        y_test=_columns(y, test_index),
    )


def make_rng(seed) -> np.random.Generator:
    """Return ``numpy.random.default_rng(seed)``, with a clear error for a bad seed.

    Parameters
    ----------
    seed : int or numpy.random.SeedSequence
        A non-negative integer (or a seed sequence).

    Returns
    -------
    numpy.random.Generator

    Raises
    ------
    DatasetArgumentError
        If NumPy does not accept ``seed``.
    """
    if isinstance(seed, bool):
        raise DatasetArgumentError(f"seed must be a non-negative integer; got {seed!r}.")
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as error:
        raise DatasetArgumentError(
            f"seed must be a non-negative integer; got {seed!r} ({error})."
        ) from error


def _columns(a: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Copy the columns ``index`` of ``a`` into a Fortran-ordered float64 array."""
    return np.asfortranarray(np.take(a, index, axis=1), dtype=np.float64)


def _test_count(test_size, m: int) -> int:
    """Number of test samples that ``test_size`` asks for out of ``m``."""
    if isinstance(test_size, numbers.Integral) and not isinstance(test_size, bool):
        count = int(test_size)
    elif isinstance(test_size, numbers.Real) and not isinstance(test_size, bool):
        if not 0.0 < float(test_size) < 1.0:
            raise DatasetArgumentError(
                f"a float test_size is a fraction and must lie strictly between "
                f"0 and 1; got {test_size}. Pass an int for a number of samples."
            )
        count = int(round(float(test_size) * m))
    else:
        raise DatasetArgumentError(
            f"test_size must be an int (number of samples) or a float in (0, 1) "
            f"(fraction); got {test_size!r}."
        )
    if not 0 <= count < m:
        raise DatasetArgumentError(
            f"test_size asks for {count} test samples out of {m}; it must be at "
            f"least 0 and leave at least one training sample."
        )
    return count


def _positive_int(value, name: str) -> int:
    """Return ``value`` as an int, or raise if it is not a positive integer."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise DatasetArgumentError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


def _describe(value) -> str:
    """Short description of a value for error messages."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return f"a {type(value).__name__}"
