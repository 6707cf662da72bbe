"""Two other activations, tanh and the rectified linear unit (ReLU), and their derivatives.

Nothing in BP1–BP4 is special to σ: with aˡ = f(zˡ) the same chain rule gives

    BP1  δᴸ = ∇ₐCₓ ⊙ f'(zᴸ),        BP2  δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ f'(zˡ),

and BP3, BP4 do not mention the activation at all.
"""

import numpy as np


def tanh(z):
    """tanh z = (e^z − e^{−z}) / (e^z + e^{−z}) = 2σ(2z) − 1, values in (−1, 1)."""
    return np.tanh(np.asarray(z, dtype=np.float64))[()]


def tanh_prime(z):
    """Derivative of tanh: tanh'(z) = 1 − tanh²(z).

    From tanh = sinh/cosh: tanh' = (cosh² − sinh²)/cosh² = 1 − tanh². Largest value 1 at
    z = 0 (four times σ'(0) = ¼); it tends to 0 for large |z|, like σ'.

    Parameters
    ----------
    z : float or ndarray, any shape

    Returns
    -------
    float or ndarray, same shape as `z`, values in [0, 1]
    """
    t = np.tanh(np.asarray(z, dtype=np.float64))
    return (1.0 - t * t)[()]


def relu(z):
    """ReLU(z) = max(z, 0), elementwise."""
    return np.maximum(np.asarray(z, dtype=np.float64), 0.0)[()]


def relu_prime(z):
    """Derivative of ReLU: 1 where z > 0, 0 where z < 0.

    At z = 0 ReLU has a kink and no derivative (the slope is 0 on the left, 1 on the
    right); we return 0 there, a convention. Any value in [0, 1] would do for gradient
    descent; a finite-difference check straddling the kink sees ½.

    Parameters
    ----------
    z : float or ndarray, any shape

    Returns
    -------
    float or ndarray of float, same shape as `z`, values 0.0 or 1.0
    """
    return np.where(np.asarray(z, dtype=np.float64) > 0.0, 1.0, 0.0)[()]
