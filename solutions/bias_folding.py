"""Other conventions, as translations of the course's one.

* Bias folded into the weights: prepend a constant input 1 to every layer's input and
  the column bˡ to Wˡ, so zˡ = W̃ˡ ã with W̃ˡ = [bˡ | Wˡ] (the bias is weight w₀ on the
  constant input) and ãˡ⁻¹ = [1; aˡ⁻¹].
* Row vectors (samples as rows): a row-convention layer computes z_row = [1, a_row] B,
  where B = (W̃)ᵀ has shape (1 + n_{l−1}, nₗ): the same numbers, transposed.
"""

import numpy as np

from .activations import sigmoid


def fold_bias(w, b):
    """W̃ = [b | W]: the bias as column 0 of an augmented weight matrix.

    Parameters
    ----------
    w : ndarray, shape (n_l, n_{l-1})
    b : ndarray, shape (n_l, 1)

    Returns
    -------
    ndarray, shape (n_l, 1 + n_{l-1})
    """
    return np.hstack([b, w])


def unfold_bias(w_folded):
    """Split W̃ = [b | W] back into (W, b).

    Parameters
    ----------
    w_folded : ndarray, shape (n_l, 1 + n_{l-1})

    Returns
    -------
    w : ndarray, shape (n_l, n_{l-1})
    b : ndarray, shape (n_l, 1)
    """
    return w_folded[:, 1:], w_folded[:, :1]


def add_constant_input(a):
    """ã = [1; a]: a row of ones on top, one per sample.

    Parameters
    ----------
    a : ndarray, shape (n, m)

    Returns
    -------
    ndarray, shape (n + 1, m)
    """
    return np.vstack([np.ones((1, a.shape[1])), a])


def feedforward_folded(folded_weights, x):
    """Sigmoid forward pass with folded biases: aˡ = σ(W̃ˡ [1; aˡ⁻¹]).

    Parameters
    ----------
    folded_weights : list of ndarray
        W̃ˡ for l = 2..L, shapes (n_l, 1 + n_{l-1}).
    x : ndarray, shape (n₁, m)

    Returns
    -------
    ndarray, shape (n_L, m)
        Output activations, equal to the unfolded network's.
    """
    a = x
    for w in folded_weights:
        a = sigmoid(w @ add_constant_input(a))
    return a


def to_row_convention(w, b):
    """B = [bᵀ; Wᵀ], the row-vector convention's matrix for one layer.

    With samples as rows, z_row = [1, a_row] @ B equals (Wa + b)ᵀ.

    Parameters
    ----------
    w : ndarray, shape (n_l, n_{l-1})
    b : ndarray, shape (n_l, 1)

    Returns
    -------
    ndarray, shape (1 + n_{l-1}, n_l)
    """
    return fold_bias(w, b).T


def feedforward_rows(row_matrices, x_rows):
    """Sigmoid forward pass in the row convention: z_row = [1, a_row] B, a_row = σ(z_row).

    Parameters
    ----------
    row_matrices : list of ndarray
        B for each layer, shapes (1 + n_{l-1}, n_l).
    x_rows : ndarray, shape (m, n₁)
        One sample per row.

    Returns
    -------
    ndarray, shape (m, n_L)
    """
    a = x_rows
    for b_matrix in row_matrices:
        a = sigmoid(np.hstack([np.ones((a.shape[0], 1)), a]) @ b_matrix)
    return a
