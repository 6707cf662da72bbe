"""The four equations of backpropagation, BP1–BP4, one function each.

Notation (Nielsen's column convention): layer l has nₗ neurons; Wˡ is (nₗ, nₗ₋₁);
zˡ = Wˡaˡ⁻¹ + bˡ; δˡ = ∂Cₓ/∂zˡ. Every array has one column per sample: (nₗ, 1) for one
sample, (nₗ, m) for a mini-batch of m samples.

δ columns are *per-sample* errors δˡₓ = ∂Cₓ/∂zˡₓ. The cost the network minimises is
the batch average C = (1/m) Σₓ Cₓ, so BP3 and BP4 average over the columns; with
m = 1 they are exactly the textbook per-example equations.
"""


from .activations import sigmoid_prime
from .hadamard import hadamard


def bp1_output_error(grad_a, z_out):
    """BP1: output error δᴸ = ∇ₐCₓ ⊙ σ'(zᴸ).

    Parameters
    ----------
    grad_a : ndarray, shape (n_L, m)
        ∂Cₓ/∂aᴸ for each sample (per-sample, not divided by m).
    z_out : ndarray, shape (n_L, m)
        Weighted inputs zᴸ of the output layer.

    Returns
    -------
    ndarray, shape (n_L, m)
        δᴸ, per sample.
    """
    return hadamard(grad_a, sigmoid_prime(z_out))


def bp2_hidden_error(w_next, delta_next, z):
    """BP2: hidden error δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ).

    Componentwise δⱼˡ = Σₖ w_kj^{l+1} δₖ^{l+1} σ'(zⱼˡ): the error of neuron j is the sum of
    the errors it feeds, weighted by the connections it feeds them through.

    Parameters
    ----------
    w_next : ndarray, shape (n_{l+1}, n_l)
        Weights Wˡ⁺¹ of the layer after l.
    delta_next : ndarray, shape (n_{l+1}, m)
        δˡ⁺¹, per sample.
    z : ndarray, shape (n_l, m)
        zˡ of this layer (not of the next one).

    Returns
    -------
    ndarray, shape (n_l, m)
        δˡ, per sample.
    """
    return hadamard(w_next.T @ delta_next, sigmoid_prime(z))


def bp3_bias_gradient(delta):
    """BP3: ∂Cₓ/∂bˡ = δˡₓ per sample; for the batch average ∂C/∂bˡ = (1/m) Σₓ δˡₓ.

    The bias is shared by every sample, so its gradient sums the per-sample errors
    along the sample axis (axis 1), then divides by m for the batch-average cost.

    Parameters
    ----------
    delta : ndarray, shape (n_l, m)
        δˡ, per sample.

    Returns
    -------
    ndarray, shape (n_l, 1)
        ∂C/∂bˡ of the batch-average cost.
    """
    return delta.sum(axis=1, keepdims=True) / delta.shape[1]


def bp4_weight_gradient(delta, a_prev):
    """BP4: ∂Cₓ/∂w_jkˡ = aₖˡ⁻¹ δⱼˡ, i.e. ∂Cₓ/∂Wˡ = δˡ (aˡ⁻¹)ᵀ per sample; batch average ∂C/∂Wˡ = (1/m) δˡ (Aˡ⁻¹)ᵀ.

    For a batch, δˡ (Aˡ⁻¹)ᵀ sums the per-sample outer products in one matrix product;
    dividing by m gives the gradient of the batch-average cost. (The 1/m is applied to
    the small δ matrix before the product rather than to the large result.)

    Parameters
    ----------
    delta : ndarray, shape (n_l, m)
        δˡ, per sample.
    a_prev : ndarray, shape (n_{l-1}, m)
        Activations aˡ⁻¹ of the previous layer (the input x when l = 2).

    Returns
    -------
    ndarray, shape (n_l, n_{l-1})
        ∂C/∂Wˡ, same shape as Wˡ.
    """
    return (delta / delta.shape[1]) @ a_prev.T
