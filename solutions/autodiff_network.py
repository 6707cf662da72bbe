"""The course's sigmoid network as a computational graph of scalar :class:`~solutions.autodiff.Value` nodes.

Every weight wˡ_jk and bias bˡ_j becomes a leaf; the forward pass
zˡ_j = Σₖ wˡ_jk aˡ⁻¹_k + bˡ_j, aˡ_j = σ(zˡ_j) is written with ``mul``, ``add`` and
``sigmoid`` nodes, one column (sample) at a time, and the binary cross-entropy
C = −(1/m) Σₓ Σⱼ [yⱼ ln aᴸⱼ + (1 − yⱼ) ln(1 − aᴸⱼ)] with ``log`` nodes. All samples share
the parameter leaves, so a backward pass from C adds up every sample's contribution in
each leaf's ``grad``: those are ∂C/∂w and ∂C/∂b of the batch average, the numbers
BP1–BP4 compute.
"""

import numpy as np

from .autodiff import Value, value_sum


def network_cost_graph(weights, biases, x, y):
    """The batch-average binary cross-entropy of a sigmoid network, as a graph of Values.

    Parameters
    ----------
    weights, biases : list of ndarray
        ``weights[i]`` (n_{i+2}, n_{i+1}) and ``biases[i]`` (n_{i+2}, 1): layer i + 2.
    x : ndarray, shape (n₁, m)
        Inputs, one column per sample.
    y : ndarray, shape (n_L, m)
        Targets in [0, 1].

    Returns
    -------
    cost : Value
        C = −(1/m) Σₓ Σⱼ [yⱼ ln aᴸⱼ + (1 − yⱼ) ln(1 − aᴸⱼ)]; ``cost.data`` is its value.
    weight_nodes : list of list of list of Value
        ``weight_nodes[i][j][k]`` is the leaf of w^{i+2}_jk.
    bias_nodes : list of list of Value
        ``bias_nodes[i][j]`` is the leaf of b^{i+2}_j.
    """
    weight_nodes = [[[Value(float(w_jk)) for w_jk in row] for row in np.asarray(w)] for w in weights]
    bias_nodes = [[Value(float(b_j)) for b_j in np.ravel(b)] for b in biases]
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    terms = []
    for col in range(x.shape[1]):
        a = [float(x_k) for x_k in x[:, col]]                 # a¹ = x: constants, not parameters
        for w_nodes, b_nodes in zip(weight_nodes, bias_nodes):
            a = [value_sum([w_jk * a_k for w_jk, a_k in zip(row, a)] + [b_j]).sigmoid()
                 for row, b_j in zip(w_nodes, b_nodes)]
        for a_j, y_j in zip(a, y[:, col]):
            terms.append(float(y_j) * a_j.log() + (1.0 - float(y_j)) * (1.0 - a_j).log())
    cost = value_sum(terms) * (-1.0 / x.shape[1])
    return cost, weight_nodes, bias_nodes


def node_gradients(nodes):
    """The ``grad`` of every Value in a nested list, as a float array of the same shape.

    Parameters
    ----------
    nodes : list (nested) of Value
        e.g. ``weight_nodes[i]`` (rows of a weight matrix) or ``bias_nodes[i]`` (a column).

    Returns
    -------
    ndarray of float
        ``weight_nodes[i]`` gives (n_l, n_{l−1}); a flat list such as ``bias_nodes[i]`` is
        returned as the column (n_l, 1) that ``biases[i]`` has.
    """
    grads = np.vectorize(lambda node: float(node.grad), otypes=[float])(np.array(nodes, dtype=object))
    return grads.reshape(-1, 1) if grads.ndim == 1 else grads
