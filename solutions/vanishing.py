"""How fast each layer learns: the length of its bias gradient, layer by layer.

By BP3 ∂C/∂bˡ is the batch average of δˡ, and by BP2, unrolled from the output,

    δˡ = σ'(zˡ) ⊙ (Wˡ⁺¹)ᵀ [σ'(zˡ⁺¹) ⊙ (Wˡ⁺²)ᵀ [ … σ'(zᴸ⁻¹) ⊙ (Wᴸ)ᵀ δᴸ ]]:

one factor σ'(z) ≤ ¼ per layer between l and the output. In a deep sigmoid network the
early layers' gradients are therefore typically much shorter than the late ones'.
"""

import numpy as np

from .network import backprop


def gradient_norms(weights, biases, x, y, cost):
    """‖∂C/∂bˡ‖ for every layer l = 2..L: how fast each layer's biases learn.

    Parameters
    ----------
    weights, biases : list of ndarray
        Layer i + 2 at index i.
    x : ndarray, shape (n₁, m)
    y : ndarray, shape (n_L, m)
    cost : Cost

    Returns
    -------
    ndarray, shape (L − 1,)
        Entry i is the Euclidean length √(Σⱼ (∂C/∂b^{i+2}_j)²) of the batch-average bias
        gradient of layer i + 2 (input side first, like ``biases``).
    """
    grad_b, _ = backprop(weights, biases, x, y, cost)
    return np.array([np.sqrt(np.sum(g ** 2)) for g in grad_b])
