"""Small networks whose derivatives are worked out by hand.

* the univariate logistic least-squares model z = θ₁x + θ₂, y = σ(z), J = ½(y − t)²;
* the 1-1-1 chain x → neuron → neuron (one neuron per layer);
* any small network differentiated by summing over paths — e.g. the 2-2-2 network —
  which is what backpropagation organises efficiently.

All costs here are for a single sample with the quadratic cost.
"""

from itertools import product

import numpy as np

from .activations import sigmoid, sigmoid_prime
from .network import feedforward


def logistic_least_squares(theta1, theta2, x, t):
    """Loss of the univariate logistic least-squares model: J = ½(σ(θ₁x + θ₂) − t)².

    Parameters
    ----------
    theta1, theta2 : float
        Slope and intercept.
    x, t : float
        Input and target.

    Returns
    -------
    float
    """
    return 0.5 * float(sigmoid(theta1 * x + theta2) - t) ** 2


def logistic_least_squares_gradient(theta1, theta2, x, t):
    """Hand-derived gradient of :func:`logistic_least_squares` by the chain rule.

    ∂J/∂θ₁ = (σ(z) − t) σ'(z) x,   ∂J/∂θ₂ = (σ(z) − t) σ'(z),   with z = θ₁x + θ₂.

    Returns
    -------
    (float, float)
        (∂J/∂θ₁, ∂J/∂θ₂).
    """
    z = theta1 * x + theta2
    common = float((sigmoid(z) - t) * sigmoid_prime(z))
    return common * x, common


def chain_111_cost(w2, b2, w3, b3, x, y):
    """Quadratic cost of the 1-1-1 chain: a² = σ(w²x + b²), a³ = σ(w³a² + b³), J = ½(a³ − y)².

    Parameters
    ----------
    w2, b2 : float
        Weight and bias of the hidden neuron (layer 2).
    w3, b3 : float
        Weight and bias of the output neuron (layer 3).
    x, y : float
        Input and target.

    Returns
    -------
    float
    """
    a3 = sigmoid(w3 * sigmoid(w2 * x + b2) + b3)
    return 0.5 * float(a3 - y) ** 2


def chain_111_gradient(w2, b2, w3, b3, x, y):
    """Hand-derived gradient of the chain's cost J = ½(a³ − y)², one chain-rule product per parameter.

    With δ³ = (a³ − y) σ'(z³) and δ² = δ³ w³ σ'(z²):
    ∂J/∂b³ = δ³, ∂J/∂w³ = δ³ a², ∂J/∂b² = δ², ∂J/∂w² = δ² x.

    Returns
    -------
    dict
        Keys 'w2', 'b2', 'w3', 'b3'.
    """
    z2 = w2 * x + b2
    a2 = sigmoid(z2)
    z3 = w3 * a2 + b3
    delta3 = float((sigmoid(z3) - y) * sigmoid_prime(z3))
    delta2 = float(delta3 * w3 * sigmoid_prime(z2))
    return {"w2": delta2 * x, "b2": delta2, "w3": delta3 * float(a2), "b3": delta3}


def weight_gradient_by_paths(weights, biases, x, y, i, j, k):
    """∂C/∂w_jkˡ (l = i + 2) as a sum over every path from neuron j of layer l to the cost.

    ∂C/∂w_jkˡ = Σ_paths ∂C/∂a_rᴸ · ∂a_rᴸ/∂a_pᴸ⁻¹ ··· ∂a_qˡ⁺¹/∂a_jˡ · ∂a_jˡ/∂w_jkˡ,
    with edge rates ∂a_pˡ⁺¹/∂a_qˡ = σ'(z_pˡ⁺¹) w_pqˡ⁺¹ and ∂a_jˡ/∂w_jkˡ = σ'(z_jˡ) a_kˡ⁻¹.
    The number of paths is the product of the later layers' sizes — exponential in
    depth — which is the work backpropagation avoids by reusing δˡ⁺¹.

    Parameters
    ----------
    weights, biases : list of ndarray
        A sigmoid network (quadratic cost, sigmoid output).
    x : ndarray, shape (n₁, 1)
    y : ndarray, shape (n_L, 1)
    i, j, k : int
        The weight ``weights[i][j, k]``.

    Returns
    -------
    float
    """
    zs, acts = feedforward(weights, biases, x)
    start = float(sigmoid_prime(zs[i][j, 0]) * acts[i][k, 0])
    later_sizes = [w.shape[0] for w in weights[i + 1 :]]
    total = 0.0
    for path in product(*(range(n) for n in later_sizes)):
        rate, prev = start, j
        for layer, node in enumerate(path, start=i + 1):
            rate *= sigmoid_prime(zs[layer][node, 0]) * weights[layer][node, prev]
            prev = node
        total += rate * (acts[-1][prev, 0] - y[prev, 0])
    return float(total)


def gradients_by_paths(weights, biases, x, y):
    """All weight gradients of one sample's quadratic cost, each by summing over paths.

    Parameters
    ----------
    weights, biases : list of ndarray
    x : ndarray, shape (n₁, 1)
    y : ndarray, shape (n_L, 1)

    Returns
    -------
    list of ndarray
        Same shapes as ``weights``.
    """
    grads = []
    for i, w in enumerate(weights):
        g = np.empty_like(w, dtype=np.float64)
        for j, k in np.ndindex(w.shape):
            g[j, k] = weight_gradient_by_paths(weights, biases, x, y, i, j, k)
        grads.append(g)
    return grads
