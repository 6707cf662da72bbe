"""BP1 for a softmax output layer: δᴸ = Jᵀ ∇ₐCₓ with the softmax Jacobian J.

With aⱼ = e^{zⱼ} / Σₖ e^{zₖ}, every output depends on every weighted input:

    J_kj = ∂aₖ/∂zⱼ = aₖ (𝟙[k = j] − aⱼ),   i.e.  J = diag(a) − a aᵀ  (symmetric).

So the chain rule over all outputs, δⱼ = Σₖ (∂Cₓ/∂aₖ) J_kj, gives

    δᴸ = a ⊙ (∇ₐCₓ − (aᵀ∇ₐCₓ) 𝟙),

one column per sample. For the categorical cross-entropy ∇ₐCₓ = −y/a and aᵀ(−y/a) = −Σⱼ yⱼ = −1,
hence δᴸ = −y + a = a − y.
"""

import numpy as np


def softmax_backward(a, grad_a):
    """δᴸ = Jᵀ∇ₐCₓ for a softmax output layer, per sample (column).

    Parameters
    ----------
    a : ndarray, shape (n_L, m)
        Softmax outputs aᴸ, each column summing to 1.
    grad_a : ndarray, shape (n_L, m)
        ∂Cₓ/∂aᴸ, one column per sample (not divided by m).

    Returns
    -------
    ndarray, shape (n_L, m)
        δᴸ = a ⊙ (∇ₐCₓ − Σₖ aₖ ∂Cₓ/∂aₖ), the sum taken down each column.
    """
    return a * (grad_a - np.sum(a * grad_a, axis=0, keepdims=True))
