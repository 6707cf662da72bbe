"""The Hadamard (elementwise, or Schur) product s ⊙ t."""

import numpy as np


def hadamard(s, t):
    """Elementwise product (s ⊙ t)_j = s_j t_j of two arrays of the same shape.

    Unlike a matrix product it never sums: the result has the shape of its inputs.
    Example: [1, 2, 3]ᵀ ⊙ [2, 2, 2]ᵀ = [2, 4, 6]ᵀ.

    Parameters
    ----------
    s, t : ndarray, shape (n, 1) or (n, m) — the same shape for both

    Returns
    -------
    ndarray, same shape as the inputs

    Raises
    ------
    ValueError
        If the shapes differ. NumPy would broadcast an (n, 1) against a (1, n) array
        into an (n, n) matrix, which is never what a Hadamard product means.
    """
    s = np.asarray(s)
    t = np.asarray(t)
    if s.shape != t.shape:
        raise ValueError(
            f"Hadamard product needs two arrays of the same shape, got {s.shape} and {t.shape}"
        )
    return s * t
