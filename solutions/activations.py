"""Neuron models: the perceptron's step rule, the sigmoid σ and its derivative σ'.

Conventions (see the course's DESIGN notes): a sample is a column vector of shape
(n, 1); a mini-batch of m samples is an (n, m) array whose columns are samples. All
functions here act elementwise, so they accept scalars and arrays of any shape.
"""

import numpy as np


def perceptron_output(w, x, b):
    """Output of a perceptron: the step rule.

    .. math:: \\text{output} = 1 \\text{ if } w \\cdot x + b > 0 \\text{ else } 0

    Parameters
    ----------
    w : ndarray, shape (n,)
        Weights.
    x : ndarray, shape (n,) or (n, m)
        One input, or m inputs as columns.
    b : float
        Bias (minus the threshold).

    Returns
    -------
    ndarray of int, shape () or (m,)
        1 where the weighted input is strictly positive, else 0. A weighted input of
        exactly 0 gives 0.
    """
    z = np.tensordot(np.asarray(w, dtype=float), np.asarray(x, dtype=float), axes=1) + b
    return (z > 0).astype(int)


def sigmoid_neuron_output(w, x, b):
    """Output of a sigmoid neuron: σ(w · x + b), a smooth version of the perceptron.

    Parameters
    ----------
    w : ndarray, shape (n,)
    x : ndarray, shape (n,) or (n, m)
    b : float

    Returns
    -------
    float or ndarray, shape () or (m,)
        Values in the open interval (0, 1) (they round to 0 or 1 only for |z| > ~37).
    """
    z = np.tensordot(np.asarray(w, dtype=float), np.asarray(x, dtype=float), axes=1) + b
    return sigmoid(z)


def sigmoid(z):
    """The logistic sigmoid σ(z) = 1 / (1 + e^{-z}), computed without overflow.

    The textbook form overflows in e^{-z} for z < −709. Writing e = e^{−|z|} ≤ 1,

        σ(z) = 1 / (1 + e)   for z ≥ 0,      σ(z) = e / (1 + e)   for z < 0,

    which is the same function (multiply top and bottom by e^{z}) with no exponent
    ever positive: z = ±1000 gives 1.0 and 0.0 with no warning and no NaN, and tiny
    values such as σ(−40) ≈ 4.2e−18 keep full relative precision.

    Parameters
    ----------
    z : float or ndarray, any shape
        Weighted input(s).

    Returns
    -------
    float or ndarray, same shape as `z`, float64
        σ(z); σ(0) = 0.5, σ(z) → 1 as z → +∞, σ(z) → 0 as z → −∞.
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))
    return (np.where(z >= 0, 1.0, e) / (1.0 + e))[()]


def sigmoid_prime(z):
    """Derivative of the sigmoid: σ'(z) = σ(z)(1 − σ(z)).

    Derivation: σ'(z) = e^{-z} / (1 + e^{-z})² = σ(z) · e^{-z}/(1 + e^{-z}) = σ(z)(1 − σ(z)).
    Note the factor is evaluated at σ(z), not at z. Largest value 1/4 at z = 0; it
    tends to 0 for large |z| ("saturation"), which is why saturated sigmoid neurons learn
    slowly.

    Parameters
    ----------
    z : float or ndarray, any shape
        Weighted input(s) (not activations).

    Returns
    -------
    float or ndarray, same shape as `z`
        σ'(z), in [0, 0.25].
    """
    s = sigmoid(z)
    return s * (1.0 - s)
