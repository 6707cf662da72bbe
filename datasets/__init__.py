"""Data sets for the backpropagation course, in the column convention.

A sample is a column: ``m`` samples with ``n`` features form an ``(n, m)``
float64 array, and their labels are one-hot columns, an ``(n_classes, m)``
float64 array. Every loader returns a :class:`DataSplit` holding
``x_train``, ``y_train``, ``x_test`` and ``y_test``, and every source of
randomness takes a ``seed``.

Loaders
-------
load_digits
    8x8 handwritten digits, 64 features, 10 classes. Bundled with the
    package: works offline. The default data set of the course.
load_mnist
    28x28 handwritten digits, 784 features, 10 classes, 60,000 / 10,000
    images. Downloaded once, verified and cached.
xor, two_moons, spirals
    Small 2-d problems drawn from a seeded generator, for plotting
    decision boundaries.

Every failure a user can meet raises :class:`DatasetError` (or a subclass)
with a message that says what to do.

Examples
--------
>>> import datasets
>>> data = datasets.load_digits()
>>> data.x_train.shape, data.y_train.shape
((64, 1500), (10, 1500))
"""

from .digits import load_digits
from .errors import ChecksumError, DatasetArgumentError, DatasetError, DownloadError, IdxFormatError
from .idx import read_idx
from .mnist import load_mnist
from .split import DataSplit, one_hot, train_test_split
from .synthetic import spirals, two_moons, xor

__all__ = [
    "ChecksumError",
    "DataSplit",
    "DatasetArgumentError",
    "DatasetError",
    "DownloadError",
    "IdxFormatError",
    "load_digits",
    "load_mnist",
    "one_hot",
    "read_idx",
    "spirals",
    "train_test_split",
    "two_moons",
    "xor",
]
