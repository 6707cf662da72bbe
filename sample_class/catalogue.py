"""The catalogue of mistakes students really make, each with how the grader answers it.

Every entry names the graded function it breaks, what the student wrote (in the course's
notation), the small code change that turns the reference function into that mistake, and
words the grader's message must contain for the student to recognise the mistake. The
cell it costs is always the function's own test cell, ``test_<function>``.

The mutation suite (``tests/test_mutations.py``) builds each mutant from the reference by
applying :attr:`Misconception.swap` to the solution code, grades it through the real
pipeline, and checks that exactly that cell loses its points.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Misconception:
    """One typical mistake.

    Attributes
    ----------
    key : str
    assignment : str
    function : str
        The graded function whose solution cell holds the mistake.
    wrote : str
        What the student wrote, in the course's notation.
    swap : tuple of (str, str)
        Replace the first text with the second in the reference source of ``function``.
    says : tuple of str
        Words (any one suffices) the failure message contains, naming the idea.
    """

    key: str
    assignment: str
    function: str
    wrote: str
    swap: tuple
    says: tuple

    @property
    def costs(self):
        """The test cell that loses its points."""
        return f"test_{self.function}"


A1, A2, A3, A4, A5, A6 = ("01_sigmoid_neurons", "02_cost_functions", "03_hadamard_forward",
                          "04_backpropagation", "05_training", "06_deep_networks")

CATALOGUE = [
    Misconception("perceptron_fires_at_zero", A1, "perceptron_output", "output 1 when w·x + b ≥ 0",
                  ("(z > 0)", "(z >= 0)"), ("w·x + b",)),
    Misconception("sigma_overflows", A1, "sigmoid", "σ(z) = 1/(1 + e^{−z}) computed directly",
                  ("return (np.where(z >= 0, 1.0, e) / (1.0 + e))[()]", "return 1.0 / (1.0 + np.exp(-z))"),
                  ("stable", "±1000", "overflow")),
    Misconception("sigma_prime_is_sigma", A1, "sigmoid_prime", "σ'(z) = σ(z)",
                  ("return s * (1.0 - s)", "return s"), ("σ'",)),
    Misconception("sigma_prime_on_z", A1, "sigmoid_prime", "σ'(z) = z(1 − z)",
                  ("return s * (1.0 - s)", "return z * (1.0 - z)"), ("σ'",)),
    Misconception("quadratic_no_average", A2, "quadratic_cost", "C = Σₓ ½‖a − y‖² (no 1/m)",
                  ("/ _n_samples(a)", ""), ("average", "m")),
    Misconception("quadratic_double_average", A2, "quadratic_cost", "C divided by m twice",
                  ("/ _n_samples(a)", "/ _n_samples(a) ** 2"), ("average", "m")),
    Misconception("quadratic_gradient_sign", A2, "quadratic_cost_gradient", "∂C/∂a = y − a",
                  ("return a - y", "return y - a"), ("uphill", "aⱼ − yⱼ", "sign")),
    Misconception("bce_no_clip", A2, "binary_cross_entropy", "C computed from log(a) without clipping",
                  ("a = np.clip(a, LOG_EPS, 1.0 - LOG_EPS)", "a = np.asarray(a)"), ("clip", "saturated", "ε")),
    Misconception("bce_gradient_is_delta", A2, "binary_cross_entropy_gradient", "∂C/∂a = a − y (that is δᴸ, not ∂C/∂a)",
                  ("return (a - y) / (a * (1.0 - a))", "return a - y"), ("∂C/∂a", "a(1 − a)", "∂C")),
    Misconception("ce_delta_keeps_sigma_prime", A2, "cross_entropy_output_error",
                  "δᴸ = (aᴸ − y) ⊙ σ'(zᴸ) for cross-entropy", ("return a - y", "return (a - y) * a * (1 - a)"),
                  ("σ'(zᴸ)", "cancels")),
    Misconception("softmax_no_shift", A2, "softmax", "softmax without subtracting the max",
                  ("e = np.exp(z - z.max(axis=0, keepdims=True))", "e = np.exp(z)"), ("max", "stable", "overflow")),
    Misconception("softmax_wrong_axis", A2, "softmax", "softmax normalised over the rows",
                  ("e / e.sum(axis=0, keepdims=True)", "e / e.sum(axis=1, keepdims=True)"), ("column", "sum to 1", "axis")),
    Misconception("cce_average_over_classes", A2, "categorical_cross_entropy", "C averaged over classes, not samples",
                  ("/ _n_samples(a)", "/ a.shape[0]"), ("average", "m", "samples")),
    Misconception("hadamard_as_matrix_product", A3, "hadamard", "s ⊙ t computed as s tᵀ",
                  ("return s * t", "return s @ t.T"), ("⊙", "Hadamard", "elementwise")),
    Misconception("feedforward_forgets_bias", A3, "feedforward", "zˡ = Wˡaˡ⁻¹ (no bias)",
                  ("z = w @ a + b", "z = w @ a"), ("z", "b")),
    Misconception("feedforward_w_transposed", A3, "feedforward", "zˡ = (Wˡ)ᵀaˡ⁻¹ + bˡ",
                  ("z = w @ a + b", "z = w.T @ a + b"), ("w_jk", "shape", "W")),
    Misconception("fold_bias_last", A3, "fold_bias", "W̃ = [W | b] (bias as the last column)",
                  ("return np.hstack([b, w])", "return np.hstack([w, b])"), ("column 0", "b", "w₀")),
    Misconception("chain_forgets_sigma_prime", A3, "chain_111_gradient", "δ² = δ³ w³ (σ'(z²) dropped)",
                  ("delta2 = float(delta3 * w3 * sigmoid_prime(z2))", "delta2 = float(delta3 * w3)"), ("σ'", "∂J")),
    Misconception("bp1_no_sigma_prime", A4, "bp1_output_error", "δᴸ = ∇ₐC (⊙σ'(zᴸ) missing)",
                  ("return hadamard(grad_a, sigmoid_prime(z_out))", "return grad_a"), ("σ'(zᴸ)", "BP1")),
    Misconception("bp1_matrix_product", A4, "bp1_output_error", "δᴸ = ∇ₐC σ'(zᴸ)ᵀ (matrix product for ⊙)",
                  ("return hadamard(grad_a, sigmoid_prime(z_out))", "return grad_a @ sigmoid_prime(z_out).T"),
                  ("BP1", "⊙", "shape")),
    Misconception("bp2_not_transposed", A4, "bp2_hidden_error", "δˡ = (Wˡ⁺¹ δˡ⁺¹) ⊙ σ'(zˡ)",
                  ("w_next.T @ delta_next", "w_next @ delta_next"), ("(Wˡ⁺¹)ᵀ", "transpose", "BP2")),
    Misconception("bp2_hadamard_for_product", A4, "bp2_hidden_error", "δˡ = (Wˡ⁺¹)ᵀ ⊙ δˡ⁺¹ … (⊙ for the matrix product)",
                  ("w_next.T @ delta_next", "(w_next.T * delta_next.sum(axis=0)).sum(axis=1, keepdims=True)"),
                  ("BP2", "(Wˡ⁺¹)ᵀ")),
    Misconception("bp3_wrong_axis", A4, "bp3_bias_gradient", "∂C/∂b summed over the neurons (axis 0)",
                  ("delta.sum(axis=1, keepdims=True) / delta.shape[1]", "delta.sum(axis=0, keepdims=True) / delta.shape[1]"),
                  ("BP3", "axis", "samples")),
    Misconception("bp3_no_average", A4, "bp3_bias_gradient", "∂C/∂b = Σₓ δˡₓ (1/m missing)",
                  ("delta.sum(axis=1, keepdims=True) / delta.shape[1]", "delta.sum(axis=1, keepdims=True)"),
                  ("BP3", "1/m", "average")),
    Misconception("bp4_transposed", A4, "bp4_weight_gradient", "∂C/∂Wˡ = aˡ⁻¹(δˡ)ᵀ",
                  ("return (delta / delta.shape[1]) @ a_prev.T", "return a_prev @ (delta / delta.shape[1]).T"),
                  ("BP4", "shape", "transpose")),
    Misconception("bp4_no_average", A4, "bp4_weight_gradient", "∂C/∂Wˡ = δˡ(aˡ⁻¹)ᵀ summed (1/m missing)",
                  ("return (delta / delta.shape[1]) @ a_prev.T", "return delta @ a_prev.T"), ("BP4", "1/m", "average")),
    Misconception("backprop_wrong_activation", A4, "backprop", "∂C/∂Wˡ from aˡ instead of aˡ⁻¹",
                  ("bp4_weight_gradient(delta, activations[i])", "bp4_weight_gradient(delta, activations[i + 1])"),
                  ("backprop", "∂C/∂W", "aˡ⁻¹")),
    Misconception("backprop_wrong_layer_z", A4, "backprop", "BP2 with σ' of the next layer's z",
                  ("bp2_hidden_error(weights[i + 1], delta, zs[i])", "bp2_hidden_error(weights[i + 1], delta, zs[i + 1])"),
                  ("backprop", "zˡ", "layer")),
    Misconception("backprop_reversed", A4, "backprop", "gradients returned output layer first",
                  ("return grad_b, grad_w", "return grad_b[::-1], grad_w[::-1]"), ("order", "layer", "backprop")),
    Misconception("central_one_sided", A4, "central_difference", "(f(x + h) − f(x)) / 2h",
                  ("x[i] = old - h\n        f_minus = f(x)", "x[i] = old\n        f_minus = f(x)"),
                  ("central", "2h", "f(x − h")),
    Misconception("central_over_h", A4, "central_difference", "(f(x + h) − f(x − h)) / h",
                  ("grad[i] = (f_plus - f_minus) / (2.0 * h)", "grad[i] = (f_plus - f_minus) / h"), ("2h",)),
    Misconception("sgd_adds_gradient", A5, "sgd_step", "Wˡ ← Wˡ + η ∂C/∂Wˡ",
                  ("param -= eta * grad", "param += eta * grad"), ("subtract", "−", "downhill")),
    Misconception("sgd_eta_not_divided", A5, "sgd_step", "Wˡ ← Wˡ − η Σₓ ∇Cₓ (η not divided by m)",
                  ("param -= eta * grad", "param -= eta * grad * x_batch.shape[1]"), ("η", "m")),
    Misconception("sgd_no_shuffle", A5, "sgd", "mini-batches in the same order every epoch",
                  ("rng.permutation(n_samples)", "np.arange(n_samples)"), ("shuffl", "order")),
    Misconception("sgd_one_batch", A5, "sgd", "every step on the first mini-batch",
                  ("sgd_step(weights, biases, x_batch, y_batch, eta, cost)",
                   "sgd_step(weights, biases, x_train[:, :batch_size], y_train[:, :batch_size], eta, cost)"),
                  ("sample", "batch")),
    Misconception("sgd_mutates_caller", A5, "sgd", "trains the caller's arrays in place",
                  ("weights, biases = copy_parameters(weights, biases)", "weights, biases = list(weights), list(biases)"),
                  ("caller", "in place", "copy")),
    Misconception("local_sigmoid_on_input", A6, "local_gradients", "∂σ(u)/∂u = u(1 − u) (σ' from the input u)",
                  ("s = node.data", "s = node.parents[0].data"), ("v(1 − v)", "σ'")),
    Misconception("topo_no_visited", A6, "topological_order", "no set of visited nodes (a shared node listed twice)",
                  ("if node not in visited:", "if True:"), ("more than once", "visited")),
    Misconception("backward_overwrites", A6, "backward", "parent.grad = local · node.grad (= for +=)",
                  ("parent.grad += local * node.grad", "parent.grad = local * node.grad"),
                  ("+=", "one term per use")),
    Misconception("backward_in_forward_order", A6, "backward", "nodes visited in topological order, leaves first",
                  ("for node in reversed(order):", "for node in order:"), ("reversed",)),
    Misconception("graph_forgets_average", A6, "network_cost_graph", "C = −Σₓ Σⱼ [yⱼ ln aⱼ + …] (1/m missing)",
                  ("* (-1.0 / x.shape[1])", "* -1.0"), ("1/m", "batch average")),
    Misconception("init_std_over_n", A6, "init_gaussian", "weights N(0, 1) · 1/nₗ₋₁ (1/n as the standard deviation)",
                  ("1.0 / np.sqrt(n_in)", "1.0 / n_in"), ("1/√", "standard deviation")),
    Misconception("norms_of_weight_gradients", A6, "gradient_norms", "‖∂C/∂Wˡ‖ in place of ‖∂C/∂bˡ‖",
                  ("grad_b, _ = backprop(", "_, grad_b = backprop("), ("bias gradient", "not of the weights")),
    Misconception("tanh_prime_unsquared", A6, "tanh_prime", "tanh'(z) = 1 − tanh(z) (the square forgotten)",
                  ("return (1.0 - t * t)[()]", "return (1.0 - t)[()]"), ("1 − tanh²", "square")),
    Misconception("l2_penalty_without_half", A6, "l2_cost", "C = C₀ + (λ/n) Σ‖Wˡ‖² (the ½ of λ/2n dropped)",
                  ("lmbda / (2.0 * n) * penalty", "lmbda / n * penalty"), ("λ/2n", "½")),
    Misconception("l2_penalises_biases", A6, "l2_cost", "the penalty sums the biases' squares too",
                  ("for w in weights)", "for w in weights + biases)"), ("biases",)),
    Misconception("init_uniform", A6, "init_gaussian", "weights uniform on [−√3, √3]/√nₗ₋₁ (the right variance, not Gaussian)",
                  ("rng.standard_normal((n_out, n_in))", "rng.uniform(-np.sqrt(3.0), np.sqrt(3.0), (n_out, n_in))"),
                  ("normal distribution", "Gaussian")),
    Misconception("init_reseeded_per_layer", A6, "init_gaussian", "a new generator default_rng(seed) for every layer",
                  ("        spread = 1.0", "        rng = np.random.default_rng(seed)\n        spread = 1.0"),
                  ("one generator",)),
    Misconception("relu_prime_booleans", A6, "relu_prime", "ReLU'(z) = (z > 0), booleans rather than 0.0 and 1.0",
                  ("np.where(np.asarray(z, dtype=np.float64) > 0.0, 1.0, 0.0)[()]", "(np.asarray(z) > 0)[()]"),
                  ("floats", "astype(float)")),
    Misconception("relu_prime_is_relu", A6, "relu_prime", "ReLU'(z) = max(z, 0)",
                  ("np.where(np.asarray(z, dtype=np.float64) > 0.0, 1.0, 0.0)[()]",
                   "np.maximum(np.asarray(z, dtype=np.float64), 0.0)[()]"), ("derivative", "slope")),
    Misconception("activation_bp2_sigma_prime", A6, "backprop_with_activation", "BP2 with σ'(zˡ) instead of f'(zˡ)",
                  ("delta = hadamard(weights[i + 1].T @ delta, f_prime(zs[i]))",
                   "delta = hadamard(weights[i + 1].T @ delta, sigmoid_prime(zs[i]))"), ("f'(zˡ)", "f_prime")),
    Misconception("softmax_diagonal_only", A6, "softmax_backward", "δᴸ = a ⊙ (1 − a) ⊙ ∇ₐC (softmax treated elementwise)",
                  ("a * (grad_a - np.sum(a * grad_a, axis=0, keepdims=True))", "a * (1.0 - a) * grad_a"),
                  ("every output depends", "Jᵀ")),
    Misconception("l2_decays_biases", A6, "sgd_step_l2", "bˡ ← (1 − ηλ/n)bˡ − η ∂C₀/∂bˡ (biases decayed too)",
                  ("        b -= eta * grad", "        b *= decay\n        b -= eta * grad"),
                  ("not regularised", "no decay")),
    Misconception("l2_batch_size_for_n", A6, "sgd_step_l2", "decay 1 − ηλ/m with m the batch size",
                  ("decay = 1.0 - eta * lmbda / n", "decay = 1.0 - eta * lmbda / x_batch.shape[1]"),
                  ("not the batch size", "training set")),
]


def mutate(source, swap):
    """Apply one catalogue swap to a function's source; raise if the text is not there."""
    old, new = swap
    if old not in source:
        raise ValueError(f"the reference no longer contains {old!r}: update the catalogue")
    return source.replace(old, new, 1)


#: Answers that produce right values by a route the exercise forbids; each must lose its cell.
#: (key, assignment, function, source)
CHEATS = [
    ("backprop_by_finite_differences", A4, "backprop", '''
def backprop(weights, biases, x, y, cost):
    h = 1e-5

    def numeric(params, other, params_are_weights):
        grads = []
        for i, p in enumerate(params):
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                up = [q.copy() for q in params]
                down = [q.copy() for q in params]
                up[i][idx] += h
                down[i][idx] -= h
                if params_are_weights:
                    g[idx] = (total_cost(up, other, x, y, cost) - total_cost(down, other, x, y, cost)) / (2 * h)
                else:
                    g[idx] = (total_cost(other, up, x, y, cost) - total_cost(other, down, x, y, cost)) / (2 * h)
            grads.append(g)
        return grads

    return numeric(biases, weights, False), numeric(weights, biases, True)
'''),
    # complex-step differentiation with a forward pass and a cost formula of its own: it never calls
    # feedforward (so no forward pass is counted) and is exact to rounding
    ("backprop_by_complex_step", A4, "backprop", '''
def backprop(weights, biases, x, y, cost):
    def total(ws, bs):
        a = np.asarray(x, dtype=complex)
        for w, b in zip(ws, bs):
            a = 1 / (1 + np.exp(-(w @ a + b)))
        if cost.name == "cross-entropy":
            return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / a.shape[1]
        return 0.5 * np.sum((a - y) ** 2) / a.shape[1]

    def steps(params, other, params_are_weights):
        grads = []
        for i, p in enumerate(params):
            g = np.zeros(p.shape)
            for idx in np.ndindex(p.shape):
                q = [r.astype(complex) for r in params]
                q[i][idx] += 1e-30j
                g[idx] = (total(q, other) if params_are_weights else total(other, q)).imag / 1e-30
            grads.append(g)
        return grads

    return steps(biases, weights, False), steps(weights, biases, True)
'''),
]
