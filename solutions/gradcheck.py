"""Finite differences and a gradient checker for the network's backprop.

A finite difference estimates ∂f/∂xᵢ by moving one coordinate by a small h:

* forward:  (f(x + h eᵢ) − f(x)) / h,        error O(h),  1 extra evaluation per coordinate
* central:  (f(x + h eᵢ) − f(x − h eᵢ)) / 2h, error O(h²), 2 evaluations per coordinate

so checking all P parameters of a network costs about 2P cost evaluations, each a full
forward pass — against one forward and one backward pass for backprop. That ratio grows
with the parameter count, which is why finite differences are a test, not a method.
"""

from dataclasses import dataclass

import numpy as np

from .network import backprop, total_cost

#: Step for finite differences in float64 (balances truncation O(h²) against rounding ε/h).
DEFAULT_H = 1e-5
#: A backprop gradient agreeing with central differences to this relative error is right.
GRADIENT_TOLERANCE = 1e-7


def forward_difference(f, x, h=DEFAULT_H):
    """Gradient of a scalar function by forward differences, (f(x + h eᵢ) − f(x)) / h.

    Parameters
    ----------
    f : callable, ndarray -> float
    x : ndarray, any shape
        Point at which to differentiate (not modified: the steps are taken on a copy).
    h : float

    Returns
    -------
    ndarray, shape of `x`
        Estimate with error O(h); costs size(x) + 1 evaluations of f.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    f_x = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - f_x) / h
        x[i] = old
    return grad


def central_difference(f, x, h=DEFAULT_H):
    """Gradient of a scalar function by central differences, (f(x+heᵢ) − f(x−heᵢ)) / 2h.

    Parameters
    ----------
    f : callable, ndarray -> float
    x : ndarray, any shape
        Point at which to differentiate (not modified: the steps are taken on a copy).
    h : float

    Returns
    -------
    ndarray, shape of `x`
        Estimate with error O(h²); costs 2 · size(x) evaluations of f.
    """
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        f_plus = f(x)
        x[i] = old - h
        f_minus = f(x)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * h)
    return grad


def relative_error(g, g_hat):
    """Relative error between two gradients: max|g − ĝ| / max(1e-8, max(|g| + |ĝ|)).

    Scaled by the largest entry rather than entry by entry, so a component that is
    itself nearly zero does not inflate the error; the 1e-8 floor keeps the ratio
    defined when both gradients vanish.

    Parameters
    ----------
    g, g_hat : ndarray, the same shape

    Returns
    -------
    float
        ≤ 1e-7 means agreement for float64 central differences with h = 1e-5.
    """
    g, g_hat = np.asarray(g, dtype=np.float64), np.asarray(g_hat, dtype=np.float64)
    if g.shape != g_hat.shape:
        raise ValueError(f"gradients to compare have different shapes {g.shape} and {g_hat.shape}")
    if g.size == 0:
        return 0.0
    return float(np.max(np.abs(g - g_hat)) / max(1e-8, float(np.max(np.abs(g) + np.abs(g_hat)))))


@dataclass
class GradientCheck:
    """Backprop's gradients next to central-difference estimates, layer by layer.

    Attributes
    ----------
    backprop_b, backprop_w, numeric_b, numeric_w : list of ndarray
        Index i is layer i + 2, shapes as the network's biases and weights.
    cost_evaluations : int
        How many times the cost was evaluated for the numeric gradients (2 per parameter).
    """

    backprop_b: list
    backprop_w: list
    numeric_b: list
    numeric_w: list
    cost_evaluations: int

    @property
    def errors(self):
        """Relative error per parameter array, named 'b2', 'W2', 'b3', … (layer numbers)."""
        out = {}
        for i, pair in enumerate(zip(self.backprop_b, self.numeric_b, self.backprop_w, self.numeric_w)):
            out[f"b{i + 2}"] = relative_error(pair[0], pair[1])
            out[f"W{i + 2}"] = relative_error(pair[2], pair[3])
        return out

    @property
    def max_error(self):
        """The largest relative error over all parameters."""
        return max(self.errors.values())

    def passed(self, tol=GRADIENT_TOLERANCE):
        """True when every parameter's relative error is at most ``tol``."""
        return self.max_error <= tol


def numerical_gradients(weights, biases, x, y, cost, h=DEFAULT_H):
    """Central-difference gradients of the batch-average cost for every parameter.

    Parameters
    ----------
    weights, biases : list of ndarray
    x : ndarray, shape (n₁, m)
    y : ndarray, shape (n_L, m)
    cost : Cost
    h : float

    Returns
    -------
    grad_b, grad_w : list of ndarray
        Same layout as :func:`solutions.network.backprop`.
    evaluations : int
        Number of cost evaluations spent.
    """
    evaluations = 0

    def cost_with(ws, bs):
        nonlocal evaluations
        evaluations += 1
        return total_cost(ws, bs, x, y, cost)

    def replaced(params, i, p):
        return params[:i] + [p] + params[i + 1 :]

    grad_b = [
        central_difference(lambda p, i=i: cost_with(weights, replaced(biases, i, p)), b, h)
        for i, b in enumerate(biases)
    ]
    grad_w = [
        central_difference(lambda p, i=i: cost_with(replaced(weights, i, p), biases), w, h)
        for i, w in enumerate(weights)
    ]
    return grad_b, grad_w, evaluations


def check_gradients(weights, biases, x, y, cost, h=DEFAULT_H):
    """Compare backprop with central differences on every weight and bias.

    Parameters
    ----------
    weights, biases : list of ndarray
    x : ndarray, shape (n₁, m)
    y : ndarray, shape (n_L, m)
    cost : Cost
    h : float

    Returns
    -------
    GradientCheck
        ``.max_error``, ``.errors`` per parameter, ``.passed()``, ``.cost_evaluations``.
    """
    backprop_b, backprop_w = backprop(weights, biases, x, y, cost)
    numeric_b, numeric_w, evaluations = numerical_gradients(weights, biases, x, y, cost, h)
    return GradientCheck(backprop_b, backprop_w, numeric_b, numeric_w, evaluations)
