"""Random starting weights, and why their spread must shrink with a neuron's number of inputs.

A neuron of layer l adds up nₗ₋₁ weighted inputs, zⱼ = Σₖ w_jk aₖ + bⱼ. With independent
weights of mean 0 and variance s²,

    Var zⱼ = s² Σₖ aₖ² + Var bⱼ,

which grows with nₗ₋₁. Weights drawn from N(0, 1) give a hidden neuron fed by 100 active
inputs a standard deviation of about 10: |z| ≫ 4, σ'(z) ≈ 0, the neuron starts saturated
and learns slowly. Drawing from N(0, 1/nₗ₋₁) keeps Var zⱼ of order 1 however wide the layer.
"""

import numpy as np


def init_gaussian(sizes, seed=0, scaled=True):
    """Seeded Gaussian starting parameters: weights N(0, 1/nₗ₋₁) (or N(0, 1)), biases N(0, 1).

    Parameters
    ----------
    sizes : sequence of int, length L ≥ 2
        Neurons per layer, input layer first.
    seed : int
        Seed of ``np.random.default_rng``; the same seed gives the same network.
    scaled : bool
        True: Wˡ ~ N(0, 1/nₗ₋₁), i.e. standard deviation 1/√nₗ₋₁ (nₗ₋₁ = the inputs of
        each neuron of layer l). False: Wˡ ~ N(0, 1). Biases are N(0, 1) either way (a bias
        is one term of zⱼ, not a sum of nₗ₋₁ of them).

    Returns
    -------
    weights : list of ndarray
        ``weights[i]`` is W^{i+2}, shape (sizes[i+1], sizes[i]).
    biases : list of ndarray
        ``biases[i]`` is b^{i+2}, shape (sizes[i+1], 1).
    """
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(sizes, sizes[1:]):
        spread = 1.0 / np.sqrt(n_in) if scaled else 1.0
        weights.append(spread * rng.standard_normal((n_out, n_in)))
        biases.append(rng.standard_normal((n_out, 1)))
    return weights, biases
