"""L2 regularisation ("weight decay"): a penalty on large weights, and the step it makes.

The regularised cost adds (λ/2n) Σ_w w² over every weight of the network (not the biases),
n being the size of the whole training set:

    C = C₀ + (λ/2n) Σₗ ‖Wˡ‖²,     ∂C/∂Wˡ = ∂C₀/∂Wˡ + (λ/n) Wˡ,     ∂C/∂bˡ = ∂C₀/∂bˡ.

A gradient step on C therefore first shrinks every weight by the factor (1 − ηλ/n), then
takes the ordinary step: Wˡ ← (1 − ηλ/n) Wˡ − η ∂C₀/∂Wˡ. Each mini-batch estimates ∂C₀ by
its average; the penalty is a property of the weights, so it is the same for every batch
and uses n, not the batch size m.
"""

import numpy as np

from .network import backprop, total_cost


def l2_cost(weights, biases, x, y, cost, lmbda, n):
    """The regularised cost C = C₀ + (λ/2n) Σₗ ‖Wˡ‖² (biases not penalised).

    Parameters
    ----------
    weights, biases : list of ndarray
    x : ndarray, shape (n₁, m)
    y : ndarray, shape (n_L, m)
    cost : Cost
        C₀, averaged over the m columns of x.
    lmbda : float
        The regularisation parameter λ ≥ 0.
    n : int
        Size of the whole training set.

    Returns
    -------
    float
    """
    penalty = sum(float(np.sum(w ** 2)) for w in weights)
    return total_cost(weights, biases, x, y, cost) + lmbda / (2.0 * n) * penalty


def sgd_step_l2(weights, biases, x_batch, y_batch, eta, cost, lmbda, n):
    """One gradient step on the L2-regularised cost, in place: weight decay, then the usual step.

    Wˡ ← (1 − ηλ/n) Wˡ − η ∂C₀/∂Wˡ and bˡ ← bˡ − η ∂C₀/∂bˡ, with ∂C₀ the mini-batch's
    average gradient from ``backprop`` (taken at the parameters before the step).

    Parameters
    ----------
    weights, biases : list of ndarray
        Updated in place.
    x_batch : ndarray, shape (n₁, m)
    y_batch : ndarray, shape (n_L, m)
    eta : float
        Learning rate η.
    cost : Cost
    lmbda : float
        λ ≥ 0 (λ = 0 is the plain ``sgd_step``).
    n : int
        Size of the whole training set (not the batch size m).
    """
    grad_b, grad_w = backprop(weights, biases, x_batch, y_batch, cost)
    decay = 1.0 - eta * lmbda / n
    for w, grad in zip(weights, grad_w):
        w *= decay
        w -= eta * grad
    for b, grad in zip(biases, grad_b):
        b -= eta * grad
