"""Small two-dimensional toy problems: XOR, two moons, spirals.

Each generator draws its points from a seeded random generator and splits them
with :func:`datasets.split.train_test_split`, so one ``seed`` fixes both the
points and the split. Inputs have 2 features (the x and y coordinates), so a
sample is a column of length 2 and the sets can be drawn in the plane.
None of these problems is linearly separable: a network needs a hidden layer.
"""

from __future__ import annotations

import numpy as np

from .errors import DatasetArgumentError
from .split import DataSplit, make_rng, train_test_split

__all__ = ["xor", "two_moons", "spirals"]


def xor(n_samples=400, noise=0.15, test_size=100, seed=0) -> DataSplit:
    """Four Gaussian clouds at the corners of the unit square, labelled by XOR.

    The corner ``(a, b)`` with ``a, b`` in {0, 1} has class ``a XOR b``:
    class 0 sits around (0, 0) and (1, 1), class 1 around (0, 1) and (1, 0).
    The corners get equal shares of the samples (up to one).

    Parameters
    ----------
    n_samples : int, default 400
        Total number of points, training and test.
    noise : float, default 0.15
        Standard deviation of the Gaussian cloud around each corner.
    test_size : int or float, default 100
        Number (or fraction) of points in the test set.
    seed : int, default 0
        Seed for the points and for the split.

    Returns
    -------
    DataSplit
        ``x_train`` (2, n_samples - test_size), ``x_test`` (2, test_size),
        one-hot ``y_train`` / ``y_test`` with 2 rows.

    Raises
    ------
    DatasetArgumentError
        If ``n_samples`` is not a positive integer, ``noise`` is negative, or
        ``test_size`` is out of range.
    """
    n_samples = _check_count(n_samples, "n_samples", minimum=4)
    noise = _check_noise(noise)
    rng, split_seed = _streams(seed)
    corner = np.arange(n_samples) % 4
    a, b = corner // 2, corner % 2
    centres = np.vstack([a, b]).astype(np.float64)
    x = centres + noise * rng.standard_normal((2, n_samples))
    labels = a ^ b
    return train_test_split(x, labels, 2, test_size, split_seed)


def two_moons(n_samples=400, noise=0.1, test_size=100, seed=0) -> DataSplit:
    """Two interleaving half circles.

    Class 0 lies on the upper half of the unit circle centred at (0, 0);
    class 1 on the lower half of the unit circle centred at (1, 0.5). Each
    point's angle is drawn uniformly along its half circle, then Gaussian
    noise is added to both coordinates.

    Parameters
    ----------
    n_samples : int, default 400
        Total number of points; class 0 gets the extra point if it is odd.
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to each coordinate.
    test_size : int or float, default 100
        Number (or fraction) of points in the test set.
    seed : int, default 0
        Seed for the points and for the split.

    Returns
    -------
    DataSplit
        ``x_train`` (2, n_samples - test_size), ``x_test`` (2, test_size),
        one-hot labels with 2 rows.

    Raises
    ------
    DatasetArgumentError
        If an argument is out of range.
    """
    n_samples = _check_count(n_samples, "n_samples", minimum=2)
    noise = _check_noise(noise)
    rng, split_seed = _streams(seed)
    labels = (np.arange(n_samples) >= n_samples - n_samples // 2).astype(np.int64)
    angle = rng.uniform(0.0, np.pi, n_samples)
    upper = np.vstack([np.cos(angle), np.sin(angle)])
    lower = np.vstack([1.0 - np.cos(angle), 0.5 - np.sin(angle)])
    x = np.where(labels == 0, upper, lower)
    x = x + noise * rng.standard_normal((2, n_samples))
    return train_test_split(x, labels, 2, test_size, split_seed)


def spirals(n_samples=600, n_arms=3, noise=0.2, test_size=150, seed=0) -> DataSplit:
    """Interleaved spiral arms, one class per arm.

    Arm ``k`` starts near the origin at angle ``2 pi k / n_arms`` and winds
    outwards: a point at radius ``r`` (spread evenly over [0.05, 1] along
    each arm) has angle ``2 pi k / n_arms + 4 r`` plus Gaussian jitter.

    Parameters
    ----------
    n_samples : int, default 600
        Total number of points, shared out among the arms as evenly as
        possible.
    n_arms : int, default 3
        Number of arms, which is also the number of classes (at least 2).
    noise : float, default 0.2
        Standard deviation of the jitter added to each point's angle, in
        radians.
    test_size : int or float, default 150
        Number (or fraction) of points in the test set.
    seed : int, default 0
        Seed for the points and for the split.

    Returns
    -------
    DataSplit
        ``x_train`` (2, n_samples - test_size), ``x_test`` (2, test_size),
        one-hot labels with ``n_arms`` rows.

    Raises
    ------
    DatasetArgumentError
        If an argument is out of range.
    """
    n_arms = _check_count(n_arms, "n_arms", minimum=2)
    n_samples = _check_count(n_samples, "n_samples", minimum=n_arms)
    noise = _check_noise(noise)
    rng, split_seed = _streams(seed)
    counts = np.full(n_arms, n_samples // n_arms)
    counts[: n_samples % n_arms] += 1
    labels = np.repeat(np.arange(n_arms), counts)
    radius = np.concatenate([np.linspace(0.05, 1.0, count) for count in counts])
    angle = 2.0 * np.pi * labels / n_arms + 4.0 * radius
    angle = angle + noise * rng.standard_normal(n_samples)
    x = radius * np.vstack([np.cos(angle), np.sin(angle)])
    return train_test_split(x, labels, n_arms, test_size, split_seed)


def _streams(seed):
    """Two independent random streams from one seed: for the points, for the split.

    Returns
    -------
    rng : numpy.random.Generator
        Draws the points.
    split_seed : numpy.random.SeedSequence
        Seeds the train/test permutation.
    """
    make_rng(seed)  # rejects a bad seed with a clear message
    sequence = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    points_seed, split_seed = sequence.spawn(2)
    return np.random.default_rng(points_seed), split_seed


def _check_count(value, name: str, minimum: int) -> int:
    """Return ``value`` as an int, or raise if it is not an integer >= minimum."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise DatasetArgumentError(
            f"{name} must be an integer of at least {minimum}; got {value!r}."
        )
    return int(value)


def _check_noise(noise) -> float:
    """Return ``noise`` as a float, or raise if it is negative or not finite."""
    try:
        value = float(noise)
    except (TypeError, ValueError):
        value = float("nan")
    if not np.isfinite(value) or value < 0.0:
        raise DatasetArgumentError(
            f"noise is a standard deviation and must be a finite number >= 0; "
            f"got {noise!r}."
        )
    return value
