"""Backpropagation for a network whose every layer uses one activation f of our choice."""

from .backprop_equations import bp3_bias_gradient, bp4_weight_gradient
from .hadamard import hadamard


def backprop_with_activation(weights, biases, x, y, f, f_prime):
    """Gradients of the batch-average quadratic cost of a network with aˡ = f(zˡ) in every layer.

    Forward: zˡ = Wˡaˡ⁻¹ + bˡ, aˡ = f(zˡ) for l = 2..L (the output layer too). Backward:
    BP1 δᴸ = (aᴸ − y) ⊙ f'(zᴸ), BP2 δˡ = ((Wˡ⁺¹)ᵀδˡ⁺¹) ⊙ f'(zˡ), then BP3 and BP4
    (which do not involve f) for C = (1/m) Σₓ ½‖aᴸₓ − yₓ‖².

    Parameters
    ----------
    weights, biases : list of ndarray
        Layer i + 2 at index i.
    x : ndarray, shape (n₁, m)
    y : ndarray, shape (n_L, m)
    f, f_prime : callable ndarray -> ndarray
        The activation and its derivative, elementwise (e.g. ``tanh``, ``tanh_prime``).

    Returns
    -------
    grad_b, grad_w : list of ndarray
        In the order and shapes of ``biases`` and ``weights``.
    """
    activations, zs = [x], []
    for w, b in zip(weights, biases):
        zs.append(w @ activations[-1] + b)
        activations.append(f(zs[-1]))
    n_layers = len(weights)
    grad_b, grad_w = [None] * n_layers, [None] * n_layers
    delta = hadamard(activations[-1] - y, f_prime(zs[-1]))
    for i in reversed(range(n_layers)):
        if i < n_layers - 1:
            delta = hadamard(weights[i + 1].T @ delta, f_prime(zs[i]))
        grad_b[i] = bp3_bias_gradient(delta)
        grad_w[i] = bp4_weight_gradient(delta, activations[i])
    return grad_b, grad_w
