"""Cost functions, their gradients and the output error δᴸ they produce.

Every cost is a batch average C = (1/m) Σₓ Cₓ over the m columns of ``a`` and ``y``
(both (n_L, m); a single sample is m = 1). Gradients and output errors are returned
*per sample* (one column per sample, not divided by m); backpropagation's BP3/BP4
do the averaging.

A :class:`Cost` bundles what the network needs to train with a cost: its value, the
output layer's activation, and δᴸ.
"""

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import sigmoid
from .backprop_equations import bp1_output_error

#: Probabilities are clipped to [LOG_EPS, 1 − LOG_EPS] before taking logs, so a cost
#: stays finite when an output saturates to exactly 0.0 or 1.0 in float64.
LOG_EPS = 1e-15


def _n_samples(a):
    return a.shape[1] if np.ndim(a) == 2 else 1


def quadratic_cost(a, y):
    """Quadratic cost C = (1/m) Σₓ ½‖aₓ − yₓ‖².

    Parameters
    ----------
    a : ndarray, shape (n_L, m)
        Output activations aᴸ, one column per sample.
    y : ndarray, shape (n_L, m)
        Desired outputs.

    Returns
    -------
    float
        Batch-average cost.
    """
    return 0.5 * float(np.sum((a - y) ** 2)) / _n_samples(a)


def quadratic_cost_gradient(a, y):
    """∂Cₓ/∂aᴸ = aᴸ − y for the quadratic cost (per sample).

    From Cₓ = ½ Σⱼ (aⱼ − yⱼ)²: ∂Cₓ/∂aⱼ = aⱼ − yⱼ. (The sign matters: y − a points
    uphill, and gradient descent with it would *increase* the cost.)

    Parameters
    ----------
    a, y : ndarray, shape (n_L, m)

    Returns
    -------
    ndarray, shape (n_L, m)
        Per-sample gradient; the gradient of the batch average is this divided by m.
    """
    return a - y


def quadratic_output_error(z, a, y):
    """δᴸ for the quadratic cost with sigmoid outputs: BP1, (aᴸ − y) ⊙ σ'(zᴸ).

    Parameters
    ----------
    z, a, y : ndarray, shape (n_L, m)
        zᴸ, aᴸ = σ(zᴸ) and the desired outputs.

    Returns
    -------
    ndarray, shape (n_L, m)
        δᴸ per sample.
    """
    return bp1_output_error(quadratic_cost_gradient(a, y), z)


def binary_cross_entropy(a, y):
    """Binary cross-entropy C = −(1/m) Σₓ Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)].

    For sigmoid outputs aⱼ ∈ (0, 1) and targets yⱼ ∈ [0, 1]. ``a`` is clipped to
    [LOG_EPS, 1 − LOG_EPS], so a saturated output (exactly 0.0 or 1.0) gives a large
    finite cost instead of inf or nan.

    Parameters
    ----------
    a, y : ndarray, shape (n_L, m)

    Returns
    -------
    float
        Batch-average cost.
    """
    a = np.clip(a, LOG_EPS, 1.0 - LOG_EPS)
    return -float(np.sum(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))) / _n_samples(a)


def binary_cross_entropy_gradient(a, y):
    """∂Cₓ/∂aᴸ = (aᴸ − y) / (aᴸ(1 − aᴸ)) for binary cross-entropy (per sample).

    Multiplied by σ'(zᴸ) = aᴸ(1 − aᴸ) in BP1 the denominator cancels, leaving δᴸ = aᴸ − y:
    no σ' factor, so no learning slowdown when the output saturates.

    Parameters
    ----------
    a, y : ndarray, shape (n_L, m), with 0 < a < 1

    Returns
    -------
    ndarray, shape (n_L, m)
    """
    return (a - y) / (a * (1.0 - a))


def cross_entropy_output_error(z, a, y):
    """δᴸ = aᴸ − y, for sigmoid + binary cross-entropy and for softmax + categorical
    cross-entropy alike (per sample).

    Parameters
    ----------
    z : ndarray, shape (n_L, m)
        zᴸ (unused: the σ' factor cancelled; kept so every cost has the same signature).
    a, y : ndarray, shape (n_L, m)

    Returns
    -------
    ndarray, shape (n_L, m)
    """
    return a - y


def softmax(z):
    """Softmax over each column: aⱼ = e^{zⱼ} / Σₖ e^{zₖ}, computed stably.

    Subtracting each column's maximum first leaves the result unchanged (the factor
    e^{−max} cancels) but keeps every exponent ≤ 0, so nothing overflows.

    Parameters
    ----------
    z : ndarray, shape (n_L, m)

    Returns
    -------
    ndarray, shape (n_L, m)
        Each column is a probability vector (positive, sums to 1).
    """
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def categorical_cross_entropy(a, y):
    """Categorical cross-entropy C = −(1/m) Σₓ Σⱼ yⱼ ln aⱼ for softmax outputs.

    Parameters
    ----------
    a : ndarray, shape (n_L, m)
        Softmax probabilities, columns summing to 1.
    y : ndarray, shape (n_L, m)
        One-hot (or probability) targets.

    Returns
    -------
    float
        Batch-average cost, finite even when a probability underflows to 0.
    """
    return -float(np.sum(y * np.log(np.clip(a, LOG_EPS, 1.0)))) / _n_samples(a)


@dataclass(frozen=True)
class Cost:
    """What training needs to know about a cost.

    Attributes
    ----------
    name : str
    value : callable (a, y) -> float
        Batch-average cost from output activations (n_L, m) and targets (n_L, m).
    output_activation : callable z -> a
        The output layer's activation (σ, or softmax).
    output_error : callable (z, a, y) -> ndarray (n_L, m)
        Per-sample output error δᴸ = ∂Cₓ/∂zᴸ.
    """

    name: str
    value: Callable
    output_activation: Callable
    output_error: Callable


QUADRATIC = Cost("quadratic", quadratic_cost, sigmoid, quadratic_output_error)
CROSS_ENTROPY = Cost("cross-entropy", binary_cross_entropy, sigmoid, cross_entropy_output_error)
SOFTMAX_CROSS_ENTROPY = Cost(
    "softmax + cross-entropy", categorical_cross_entropy, softmax, cross_entropy_output_error
)
