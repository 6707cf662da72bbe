"""Network parameters, the forward pass and backpropagation.

Layers are numbered l = 1..L with layer 1 the input. Python lists are 0-based, so
``weights[i]`` and ``biases[i]`` hold Wˡ and bˡ of layer l = i + 2:

* ``weights[i]`` has shape (sizes[i+1], sizes[i]); entry [j, k] is w_jk, the weight
  from neuron k of layer l−1 to neuron j of layer l.
* ``biases[i]`` has shape (sizes[i+1], 1).

Inputs are columns: one sample is (sizes[0], 1), a mini-batch of m samples is
(sizes[0], m). The same code handles both.

Parameters travel as two plain lists, ``weights`` and ``biases``, as in Nielsen's code.
"""

import numpy as np

from .activations import sigmoid
from .backprop_equations import bp2_hidden_error, bp3_bias_gradient, bp4_weight_gradient


def init_network(sizes, seed=0):
    """Random parameters for a network with the given layer sizes (seeded).

    Weights are drawn from N(0, 1/n_{l−1}) so that weighted inputs start with unit-ish
    variance and the sigmoids do not start saturated; biases from N(0, 1).

    Parameters
    ----------
    sizes : sequence of int, length L ≥ 2
        Neurons per layer, input layer first, e.g. [64, 30, 10].
    seed : int
        Seed of the random generator; the same seed gives the same network.

    Returns
    -------
    weights : list of ndarray
        ``weights[i]`` is W^{i+2}, shape (sizes[i+1], sizes[i]).
    biases : list of ndarray
        ``biases[i]`` is b^{i+2}, shape (sizes[i+1], 1).
    """
    sizes = [int(n) for n in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"a network needs at least 2 layers of ≥ 1 neuron each, got sizes={sizes}")
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((n_out, n_in)) / np.sqrt(n_in) for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.standard_normal((n_out, 1)) for n_out in sizes[1:]]
    return weights, biases


def check_input(weights, x):
    """Return ``x`` as a float64 (n₁, m) array, or raise a ValueError that says why not.

    Parameters
    ----------
    weights : list of ndarray
        The network's weights (``weights[0]`` fixes n₁).
    x : array_like, shape (n₁, m)
    """
    x = np.asarray(x, dtype=np.float64)
    n_in = weights[0].shape[1]
    if x.ndim != 2 or x.shape[0] != n_in:
        raise ValueError(
            f"inputs must be columns of shape ({n_in}, m) — one column per sample — got shape "
            f"{x.shape}; a single sample x of length {n_in} is x.reshape({n_in}, 1)"
        )
    return x


def feedforward(weights, biases, x, output_activation=sigmoid):
    """Forward pass: zˡ = Wˡaˡ⁻¹ + bˡ, aˡ = σ(zˡ) for l = 2..L, keeping every zˡ and aˡ.

    Parameters
    ----------
    weights, biases : list of ndarray
        ``weights[i]`` (n_{i+2}, n_{i+1}) and ``biases[i]`` (n_{i+2}, 1) of layer i + 2.
    x : ndarray, shape (n₁, m)
        One sample (m = 1) or a mini-batch, one column per sample.
    output_activation : callable, optional
        Activation of the output layer (σ by default; softmax for a softmax cost).
        Hidden layers always use σ.

    Returns
    -------
    zs : list of ndarray
        ``zs[i]`` is z^{i+2}, shape (n_{i+2}, m); L − 1 arrays.
    activations : list of ndarray
        ``activations[i]`` is a^{i+1}, shape (n_{i+1}, m); L arrays, the input x first and
        the output aᴸ last.
    """
    a = check_input(weights, x)
    zs, activations = [], [a]
    last = len(weights) - 1
    for i, (w, b) in enumerate(zip(weights, biases)):
        z = w @ a + b
        a = output_activation(z) if i == last else sigmoid(z)
        zs.append(z)
        activations.append(a)
    return zs, activations


def backprop(weights, biases, x, y, cost):
    """Gradients of the batch-average cost by backpropagation, in mini-batch matrix form.

    1. feedforward, keeping zˡ and aˡ;  2. δᴸ from the cost (BP1, or a − y for
    cross-entropy);  3. δˡ for l = L−1..2 (BP2);  4. ∂C/∂bˡ (BP3) and ∂C/∂Wˡ (BP4).
    The whole batch moves through each step as one (nₗ, m) matrix.

    Parameters
    ----------
    weights, biases : list of ndarray
        Layer i + 2 at index i.
    x : ndarray, shape (n₁, m)
        Inputs, one column per sample.
    y : ndarray, shape (n_L, m)
        Desired outputs.
    cost : Cost
        e.g. ``QUADRATIC`` or ``CROSS_ENTROPY`` (a softmax output layer works the same way).

    Returns
    -------
    grad_b, grad_w : list of ndarray
        ∂C/∂bˡ and ∂C/∂Wˡ of C = (1/m) Σₓ Cₓ, in the order and shapes of ``biases``
        and ``weights``.
    """
    zs, activations = feedforward(weights, biases, x, cost.output_activation)
    y = np.asarray(y, dtype=np.float64)
    if y.shape != activations[-1].shape:
        raise ValueError(f"targets y must have the output's shape {activations[-1].shape}, got {y.shape}")
    n_layers = len(weights)
    grad_b, grad_w = [None] * n_layers, [None] * n_layers
    delta = cost.output_error(zs[-1], activations[-1], y)
    for i in reversed(range(n_layers)):
        if i < n_layers - 1:
            delta = bp2_hidden_error(weights[i + 1], delta, zs[i])
        grad_b[i] = bp3_bias_gradient(delta)
        grad_w[i] = bp4_weight_gradient(delta, activations[i])
    return grad_b, grad_w


def backprop_per_example(weights, biases, x, y, cost):
    """The textbook algorithm: one backprop per sample, gradients averaged.

    Gives the same result as :func:`backprop` on the whole batch (up to rounding),
    only slower: it runs m small passes instead of one pass of matrix products.

    Parameters
    ----------
    weights, biases : list of ndarray
    x : ndarray, shape (n₁, m)
    y : ndarray, shape (n_L, m)
    cost : Cost

    Returns
    -------
    grad_b, grad_w : list of ndarray
        As :func:`backprop`: gradients of the batch-average cost.
    """
    m = np.shape(x)[1]
    grad_b = [np.zeros_like(b, dtype=np.float64) for b in biases]
    grad_w = [np.zeros_like(w, dtype=np.float64) for w in weights]
    for j in range(m):
        gb, gw = backprop(weights, biases, x[:, j : j + 1], y[:, j : j + 1], cost)
        for total, g in zip(grad_b + grad_w, gb + gw):
            total += g
    return [g / m for g in grad_b], [g / m for g in grad_w]


def total_cost(weights, biases, x, y, cost):
    """The batch-average cost C of the network on inputs x with targets y.

    Parameters
    ----------
    weights, biases : list of ndarray
    x : ndarray, shape (n₁, m)
    y : ndarray, shape (n_L, m)
    cost : Cost

    Returns
    -------
    float
    """
    _, activations = feedforward(weights, biases, x, cost.output_activation)
    return cost.value(activations[-1], y)


def copy_parameters(weights, biases):
    """Deep copies of the parameter lists (training updates arrays in place).

    Returns
    -------
    weights, biases : list of ndarray
    """
    return [w.astype(np.float64, copy=True) for w in weights], [b.astype(np.float64, copy=True) for b in biases]
