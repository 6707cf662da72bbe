# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: role,grade_id,points,snippet,-all
#     formats: py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Assignment 4 — Backpropagation
#
# **Learning objectives.** After this notebook you can
# 1. define the error $\delta^l = \partial C_x/\partial z^l$ and say why backpropagation is organised around it;
# 2. derive the four equations BP1–BP4 with the chain rule, first for one component, then in matrix form —
#    and implement each;
# 3. read BP2 as "multiply by the transposed Jacobian", the view that generalises to any layer type;
# 4. assemble the equations into the backpropagation algorithm and run it on a whole mini-batch at once;
# 5. write a central-difference **gradient check** and use it to prove your backprop right (or find the bug);
# 6. explain, with measurements, why finite differences are a test and backpropagation is the method.
#
# **Time.** About 3–4 hours: an hour for the derivations (do them on paper alongside), 1½–2 hours of
# coding, half an hour for the experiments at the end.
#
# **How this works.** Fill in every cell that says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each function a test cell checks it, with messages in the notation of the course. The graded version
# runs more tests on inputs you do not see (other shapes, batch sizes, depths and both costs), so make your
# function right for *every* input its docstring allows. Each function is tested on its own — the test of
# `backprop` uses known-good versions of BP1–BP4 — so one mistake costs only its own points.
# Points: BP1 5, BP2 6, BP3 4, BP4 5, `backprop` 5, `central_difference` 5 — 30 in all.
#
# **Conventions** (the same as in the earlier assignments).
# * Layers $l = 1, \dots, L$; layer 1 is the input, $a^1 = x$. Layer $l$ has $n_l$ neurons.
# * $W^l$ has shape $(n_l, n_{l-1})$: entry $w^l_{jk}$ connects neuron $k$ of layer $l-1$ to neuron $j$ of
#   layer $l$. $b^l$ is a column $(n_l, 1)$. $z^l = W^l a^{l-1} + b^l$ and $a^l = \sigma(z^l)$.
# * A sample is a column; a mini-batch of $m$ samples is an $(n, m)$ array, one column per sample.
# * The cost is the batch average $C = \frac1m \sum_x C_x$, and the gradients we compute are gradients of
#   this average.
# * Python lists start at 0, layers at 2: `weights[i]` and `biases[i]` hold $W^{i+2}$ and $b^{i+2}$.

# %% role="locked" grade_id="setup"
# snippet: setup

# %% [markdown]
# ## 0. What you are given
#
# The read-only cells below hold what earlier assignments built: σ, σ' and the Hadamard product $\odot$
# (assignments 1 and 3), the forward pass (assignment 3), and the two costs (assignment 2), each bundled in a
# `Cost` with its value, its output activation and its output error $\delta^L$. Read them — you will call
# them. Note what `feedforward` returns:
#
# | math | Python | shape |
# |---|---|---|
# | $z^l$, $l = 2..L$ | `zs[l - 2]` | $(n_l, m)$ |
# | $a^l$, $l = 1..L$ ($a^1 = x$) | `activations[l - 1]` | $(n_l, m)$ |
# | $W^l$, $b^l$, $l = 2..L$ | `weights[l - 2]`, `biases[l - 2]` | $(n_l, n_{l-1})$, $(n_l, 1)$ |
#
# `QUADRATIC.output_error` calls `bp1_output_error`, which you write below; Python looks the name up only
# when the function runs, so this cell runs fine before you have written it.

# %% role="locked" grade_id="given_activations"
from solutions.activations import sigmoid, sigmoid_prime


from solutions.hadamard import hadamard

# %% role="locked" grade_id="given_network"
from solutions.network import init_network, check_input, feedforward, total_cost

# %% role="locked" grade_id="given_costs"
# snippet: given_costs

# %% [markdown]
# ## 1. What backpropagation computes, and the error δ
#
# Training by gradient descent needs $\partial C/\partial w^l_{jk}$ and $\partial C/\partial b^l_j$ for
# *every* weight and bias. Backpropagation computes all of them in one forward and one backward pass.
#
# It rests on two assumptions about the cost (assignment 2):
# 1. the cost is an average of per-sample costs, $C = \frac1m\sum_x C_x$ — so it is enough to differentiate
#    one $C_x$ and average the results;
# 2. $C_x$ depends on the network only through its output $a^L$ (the input $x$ and the target $y$ are fixed).
#
# The key intermediate quantity is the **error** of neuron $j$ in layer $l$,
#
# $$\delta^l_j \;=\; \frac{\partial C_x}{\partial z^l_j}.$$
#
# Picture a demon who adds a small $\Delta z^l_j$ to the weighted input of that neuron: the cost changes by
# about $\delta^l_j\,\Delta z^l_j$. A large $|\delta^l_j|$ means the neuron can still lower the cost a lot;
# $\delta^l_j \approx 0$ means it is close to optimal for this sample. Why $z$ and not $a$? Because every
# parameter enters the network through some $z$, and — as we will see — the formulas come out simplest this
# way.
#
# **The one tool: the chain rule with several paths.** If $C$ depends on $u$ through intermediate quantities
# $v_1, \dots, v_K$, then
# $$\frac{\partial C}{\partial u} = \sum_k \frac{\partial C}{\partial v_k}\,\frac{\partial v_k}{\partial u}.$$
# Every equation below is this rule applied once, with the sum collapsing whenever only some $v_k$ depend
# on $u$.
#
# **Columns are samples.** In code, $\delta^l$ for a mini-batch is an $(n_l, m)$ array whose column $x$ is the
# error of sample $x$, $\delta^l_x = \partial C_x / \partial z^l_x$ — *per sample*, not divided by $m$. The
# $\frac1m$ of the batch average enters only in BP3 and BP4, where the per-sample contributions are added up.
# With $m = 1$ everything reduces to the textbook single-sample equations.

# %% [markdown]
# ## 2. BP1 — the error of the output layer
#
# For the output layer, $a^L_j = \sigma(z^L_j)$ depends on $z^L_j$ only. In the chain rule over the outputs
# $a^L_k$ every term with $k \ne j$ vanishes:
#
# $$\delta^L_j = \frac{\partial C_x}{\partial z^L_j}
# = \sum_k \frac{\partial C_x}{\partial a^L_k}\,\frac{\partial a^L_k}{\partial z^L_j}
# = \frac{\partial C_x}{\partial a^L_j}\,\sigma'(z^L_j).$$
#
# For all $j$ at once, with the Hadamard (elementwise) product:
#
# $$\boxed{\delta^L = \nabla_a C_x \odot \sigma'(z^L)} \qquad \text{(BP1)}$$
#
# For the quadratic cost $C_x = \frac12\lVert a^L - y\rVert^2$ the gradient is $\nabla_a C_x = a^L - y$
# (mind the sign: $y - a^L$ points uphill). For binary cross-entropy with sigmoid outputs the factor
# $\sigma'(z^L)$ cancels and $\delta^L = a^L - y$ — that is why each `Cost` carries its own `output_error`;
# BP1 is the rule for every output layer whose activation acts elementwise, $a^L_j = \sigma(z^L_j)$, and
# `QUADRATIC` uses your function. It is not fully general: with a softmax output every $a^L_k$ depends on every
# $z^L_j$, the sum over $k$ above does not collapse, and $\delta^L = J^T\,\nabla_a C_x$ with the softmax
# Jacobian $J_{kj} = \partial a^L_k/\partial z^L_j = a^L_k\bigl(\mathbb 1[k = j] - a^L_j\bigr)$ of assignment 2,
# section 7 (which for categorical cross-entropy gives $\delta^L = a^L - y$ again).
#
# *Worked example.* $z^L = (0, \ln 3)^T$, so $a^L = (0.5, 0.75)^T$, with target $y = (1, 0)^T$:
# $\nabla_a C_x = (-0.5,\ 0.75)^T$ and $\sigma'(z^L) = (0.25,\ 0.1875)^T$ (from assignment 1), so
# $\delta^L = (-0.125,\ 0.140625)^T$.
#
# **Exercise.** Implement `bp1_output_error(grad_a, z_out)` for a whole mini-batch: both arguments are
# $(n_L, m)$; return $\delta^L$ per sample. Use the given `sigmoid_prime` and `hadamard`.

# %% role="solution" grade_id="bp1_output_error"
from solutions.backprop_equations import bp1_output_error

# %% role="tests" grade_id="test_bp1_output_error" points=5
grad_a = np.array([[-0.5], [0.75]])           # aᴸ − y for aᴸ = (0.5, 0.75), y = (1, 0)
z_out = np.array([[0.0], [np.log(3.0)]])      # σ'(zᴸ) = (1/2 · 1/2, 3/4 · 1/4) = (0.25, 0.1875)
checks.expect_close(bp1_output_error(grad_a, z_out), [[-0.125], [0.140625]],
                    "δᴸ for the worked example", rtol=1e-12,
                    hint="BP1: δᴸ = ∇ₐCₓ ⊙ σ'(zᴸ) — is the ⊙σ'(zᴸ) factor missing, or σ used instead of σ'?")
print("visible BP1 tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(401)
with checks.trusted(globals(), "sigmoid_prime", "hadamard"):
    for n, m in [(1, 1), (3, 1), (2, 5), (4, 4), (10, 3)]:
        grad_a, z = rng.standard_normal((n, m)), rng.uniform(-4, 4, (n, m))
        out = checks.expect_inputs_unchanged(bp1_output_error, grad_a, z, name="bp1_output_error")
        checks.expect_close(out, oracle.loop_bp1(grad_a, z), f"δᴸ for n_L = {n}, m = {m}",
                            hint="BP1: δᴸ = ∇ₐCₓ ⊙ σ'(zᴸ), one column per sample and not divided by m")
    # δᴸ really is ∂Cₓ/∂zᴸ: quadratic cost, each column its own sample
    z, y = rng.uniform(-3, 3, (3, 4)), rng.uniform(0, 1, (3, 4))
    delta = bp1_output_error(oracle.stable_sigmoid(z) - y, z)
    checks.expect_gradient(delta, lambda v: 0.5 * float(np.sum((oracle.plain_sigmoid(v) - y) ** 2)), z,
                           "δᴸ against ∂Cₓ/∂zᴸ of the quadratic cost (4 samples)",
                           hint="δᴸ = (aᴸ − y) ⊙ σ'(zᴸ) per sample (no 1/m in δ)")
    g32, z32 = rng.standard_normal((3, 2)).astype(np.float32), rng.uniform(-3, 3, (3, 2)).astype(np.float32)
    checks.expect_close(bp1_output_error(g32, z32), oracle.loop_bp1(g32.astype(float), z32.astype(float)),
                        "δᴸ for float32 inputs", rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## 3. BP2 — passing the error back one layer
#
# Now a hidden layer $l < L$. The cost $C_x$ depends on $z^l_j$ only through the next layer's weighted inputs
# $z^{l+1}_k$, $k = 1..n_{l+1}$, because neuron $j$ feeds all of them:
#
# $$\delta^l_j = \frac{\partial C_x}{\partial z^l_j}
# = \sum_k \frac{\partial C_x}{\partial z^{l+1}_k}\,\frac{\partial z^{l+1}_k}{\partial z^l_j}
# = \sum_k \delta^{l+1}_k\,\frac{\partial z^{l+1}_k}{\partial z^l_j}.$$
#
# From $z^{l+1}_k = \sum_j w^{l+1}_{kj}\,\sigma(z^l_j) + b^{l+1}_k$ we get
# $\partial z^{l+1}_k / \partial z^l_j = w^{l+1}_{kj}\,\sigma'(z^l_j)$, hence
#
# $$\delta^l_j = \Bigl(\sum_k w^{l+1}_{kj}\,\delta^{l+1}_k\Bigr)\,\sigma'(z^l_j).$$
#
# The sum runs over the **first** index of $w^{l+1}_{kj}$ — down a column of $W^{l+1}$ — which is row $j$ of
# the *transpose*. In matrix form:
#
# $$\boxed{\delta^l = \bigl((W^{l+1})^T \delta^{l+1}\bigr) \odot \sigma'(z^l)} \qquad \text{(BP2)}$$
#
# Shapes confirm it: $(W^{l+1})^T$ is $(n_l, n_{l+1})$ and $\delta^{l+1}$ is $(n_{l+1}, m)$, giving
# $(n_l, m)$. In words: the error of neuron $j$ is the sum of the errors of the neurons it feeds, weighted by
# the connections it feeds them through, damped by how sensitive the neuron itself is, $\sigma'(z^l_j)$.
# Note that σ' is taken at **this** layer's $z^l$, not at $z^{l+1}$.
#
# **Spot the typo.** Srikumar Ramalingam's lecture slides *How the backpropagation algorithm works* (after chapter 2 of Michael Nielsen's book *Neural Networks and Deep Learning*) write this proof with
# $z^{l+1}_k = \sum_j w^{l+1}_{kj} a^l_j + b^l_k$. The bias of neuron $k$ in layer $l+1$ is $b^{l+1}_k$:
# $b^l$ belongs to layer $l$, has $n_l$ entries, and cannot even be added to $z^{l+1}$ when
# $n_l \neq n_{l+1}$ (the cell after the exercise shows NumPy refusing). The slip does not change the result —
# a bias is a constant when we differentiate with respect to $z^l_j$, whichever layer it belongs to — but
# check each index in a derivation like this one.
#
# *Worked example.* $W^3 = \begin{pmatrix}1 & 2 & 0\\ 0 & -1 & 3\end{pmatrix}$ (two neurons in layer 3,
# three in layer 2), $\delta^3 = (0.4,\ 0.2)^T$ and $z^2 = (0,\ \ln 3,\ 0)^T$. Then
# $(W^3)^T\delta^3 = (0.4,\ 0.6,\ 0.6)^T$, $\sigma'(z^2) = (0.25,\ 0.1875,\ 0.25)^T$ and
# $\delta^2 = (0.1,\ 0.1125,\ 0.15)^T$.
#
# **Exercise.** Implement `bp2_hidden_error(w_next, delta_next, z)`: `w_next` is $W^{l+1}$, `delta_next` is
# $\delta^{l+1}$ $(n_{l+1}, m)$, `z` is $z^l$ $(n_l, m)$; return $\delta^l$, $(n_l, m)$.

# %% role="solution" grade_id="bp2_hidden_error"
from solutions.backprop_equations import bp2_hidden_error

# %% role="tests" grade_id="test_bp2_hidden_error" points=6
w3 = np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])   # W³: 2 neurons in layer 3, 3 in layer 2
delta3 = np.array([[0.4], [0.2]])
z2 = np.array([[0.0], [np.log(3.0)], [0.0]])
try:
    delta2 = bp2_hidden_error(w3, delta3, z2)
except ValueError as error:
    raise checks.CheckFailed(f"bp2_hidden_error raised ValueError: {error}. Shapes: Wˡ⁺¹ is (2, 3), "
                             "δˡ⁺¹ is (2, 1), zˡ is (3, 1) and δˡ must be (3, 1) — BP2 multiplies "
                             "by the transpose (Wˡ⁺¹)ᵀ") from None
# (W³)ᵀδ³ = (0.4, 0.8 − 0.2, 0.6) and σ'(z²) = (0.25, 0.1875, 0.25)
checks.expect_close(delta2, [[0.1], [0.1125], [0.15]], "δ² for the worked example", rtol=1e-12,
                    hint="BP2: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ)")
print("visible BP2 tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(402)
with checks.trusted(globals(), "sigmoid_prime", "hadamard"):
    for n_next, n, m in [(2, 3, 1), (4, 2, 3), (3, 3, 2), (3, 3, 1), (1, 5, 4), (5, 1, 1)]:
        w = rng.standard_normal((n_next, n))            # square cases are not symmetric
        delta_next, z = rng.standard_normal((n_next, m)), rng.uniform(-3, 3, (n, m))
        out = checks.expect_inputs_unchanged(bp2_hidden_error, w, delta_next, z, name="bp2_hidden_error")
        checks.expect_close(out, oracle.loop_bp2(w, delta_next, z),
                            f"δˡ for Wˡ⁺¹ of shape {(n_next, n)} and m = {m}",
                            hint="BP2: δˡ = ((Wˡ⁺¹)ᵀ δˡ⁺¹) ⊙ σ'(zˡ) — the transpose of Wˡ⁺¹, σ' at zˡ, "
                                 "no 1/m")
    # δˡ really is ∂Cₓ/∂zˡ when Cₓ depends on zˡ through zˡ⁺¹ = Wˡ⁺¹σ(zˡ) + bˡ⁺¹ with ∂Cₓ/∂zˡ⁺¹ = δˡ⁺¹
    w, delta_next, z = rng.standard_normal((3, 3)), rng.standard_normal((3, 2)), rng.uniform(-3, 3, (3, 2))
    checks.expect_gradient(bp2_hidden_error(w, delta_next, z),
                           lambda v: float(np.sum(delta_next * (w @ oracle.plain_sigmoid(v)))), z,
                           "δˡ against central differences of C(zˡ)",
                           hint="BP2 uses (Wˡ⁺¹)ᵀ, not Wˡ⁺¹ (a square Wˡ⁺¹ hides this mistake from the shapes)")
    w32 = rng.standard_normal((2, 4)).astype(np.float32)
    d32, z32 = rng.standard_normal((2, 3)).astype(np.float32), rng.uniform(-3, 3, (4, 3)).astype(np.float32)
    checks.expect_close(bp2_hidden_error(w32, d32, z32),
                        oracle.loop_bp2(w32.astype(float), d32.astype(float), z32.astype(float)),
                        "δˡ for float32 inputs", rtol=1e-5, atol=1e-6)
### END HIDDEN TESTS

# %%
# The typo, checked: in a 2-3-4 network, b² has 3 entries while z³ has 4.
weights, biases = init_network([2, 3, 4], seed=7)
_, acts = feedforward(weights, biases, np.array([[0.5], [-1.0]]))
a2 = acts[1]
print("b² has shape", biases[0].shape, "but z³ = W³a² + b³ has shape", (weights[1] @ a2 + biases[1]).shape)
try:
    weights[1] @ a2 + biases[0]
except ValueError as error:
    print("W³a² + b² is not even defined:", error)

# %% [markdown]
# ## 4. BP3 — the gradient for a bias, and mini-batches
#
# For one sample: $b^l_j$ appears in exactly one weighted input, $z^l_j = \sum_k w^l_{jk}a^{l-1}_k + b^l_j$,
# and $\partial z^l_j/\partial b^l_j = 1$. All other terms of the chain rule vanish:
#
# $$\frac{\partial C_x}{\partial b^l_j} = \sum_k \frac{\partial C_x}{\partial z^l_k}\frac{\partial z^l_k}{\partial b^l_j}
# = \delta^l_j, \qquad\text{i.e.}\qquad \boxed{\frac{\partial C_x}{\partial b^l} = \delta^l} \qquad \text{(BP3)}$$
#
# **A mini-batch.** The bias is **shared by all samples**: the same $b^l_j$ is added to $z^l_j$ in every
# column. So a change of $b^l_j$ moves the cost through all $m$ columns, and with $C = \frac1m\sum_x C_x$
#
# $$\frac{\partial C}{\partial b^l_j} = \frac1m \sum_x \delta^l_{jx},$$
#
# the average of row $j$ of the $(n_l, m)$ array $\delta^l$ — a sum along **axis 1, the sample axis**, then
# divided by $m$. The result has the shape of $b^l$, $(n_l, 1)$ (NumPy's `keepdims=True` keeps the column).
#
# *Worked example.* $\delta = \begin{pmatrix}0.2 & 0.4 & -0.3\\ 1.0 & -1.0 & 0.6\end{pmatrix}$ (2 neurons,
# 3 samples) gives $\partial C/\partial b = (0.3/3,\ 0.6/3)^T = (0.1,\ 0.2)^T$.
#
# **Exercise.** Implement `bp3_bias_gradient(delta)`.

# %% role="solution" grade_id="bp3_bias_gradient"
from solutions.backprop_equations import bp3_bias_gradient

# %% role="tests" grade_id="test_bp3_bias_gradient" points=4
delta = np.array([[0.2, 0.4, -0.3], [1.0, -1.0, 0.6]])     # 2 neurons, 3 samples
grad_b = bp3_bias_gradient(delta)
checks.expect(np.shape(grad_b) == (2, 1),
              f"∂C/∂bˡ has shape {np.shape(grad_b)}, expected (2, 1), the shape of bˡ: average δˡ over the "
              "samples (axis 1) and keep the column shape")
checks.expect_close(grad_b, [[0.1], [0.2]], "∂C/∂b for the worked example", rtol=1e-12,
                    hint="BP3 for a batch: (1/m) Σₓ δˡₓ — sum over the samples, then divide by m")
checks.expect_close(bp3_bias_gradient(np.array([[0.5], [-2.0]])), [[0.5], [-2.0]], "∂C/∂b for one sample",
                    hint="with m = 1, BP3 is ∂C/∂bˡ = δˡ")
print("visible BP3 tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(403)
for n, m in [(3, 3), (1, 1), (4, 7), (6, 1), (2, 10), (5, 2)]:
    delta = rng.standard_normal((n, m))
    out = checks.expect_inputs_unchanged(bp3_bias_gradient, delta, name="bp3_bias_gradient")
    checks.expect_close(out, oracle.loop_bp3(delta), f"∂C/∂bˡ for nₗ = {n}, m = {m}",
                        hint="average δˡ along axis 1 (the samples), result (nₗ, 1)")
# the batch-average cost C(b) = (1/m) Σₓ Σⱼ δⱼₓ zⱼₓ(b) with zₓ = Wa + b has gradient BP3
delta, wa = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
checks.expect_gradient(bp3_bias_gradient(delta), lambda b: float(np.sum(delta * (wa + b))) / 5,
                       np.zeros((4, 1)), "∂C/∂bˡ against central differences of the batch-average cost",
                       hint="the bias is shared by all samples: sum δ over them, divide by m")
d32 = rng.standard_normal((3, 4)).astype(np.float32)
checks.expect_close(bp3_bias_gradient(d32), oracle.loop_bp3(d32.astype(float)), "∂C/∂b for float32 δ",
                    rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. BP4 — the gradient for a weight
#
# For one sample: $w^l_{jk}$ appears only in $z^l_j = \sum_k w^l_{jk}a^{l-1}_k + b^l_j$, with
# $\partial z^l_j / \partial w^l_{jk} = a^{l-1}_k$. So
#
# $$\frac{\partial C_x}{\partial w^l_{jk}} = \sum_i \frac{\partial C_x}{\partial z^l_i}\frac{\partial z^l_i}{\partial w^l_{jk}}
# = a^{l-1}_k\,\delta^l_j \qquad \text{(BP4)}$$
#
# — "activation *into* the weight times error *out of* it". Consequence: a weight fed by a nearly inactive
# neuron ($a^{l-1}_k \approx 0$) learns slowly. For all $j, k$ at once this is an **outer product** of a column
# and a row, which has the shape of $W^l$:
#
# $$\boxed{\frac{\partial C_x}{\partial W^l} = \delta^l\,(a^{l-1})^T}, \qquad (n_l, 1)\times(1, n_{l-1}) = (n_l, n_{l-1}).$$
#
# **A mini-batch.** With $\Delta = \delta^l$ $(n_l, m)$ and $A = a^{l-1}$ $(n_{l-1}, m)$, the matrix product
# $(\Delta A^T)_{jk} = \sum_x \delta^l_{jx}\,a^{l-1}_{kx}$ adds up the per-sample outer products by itself —
# one product replaces a loop over the batch. The batch-average gradient is
#
# $$\frac{\partial C}{\partial W^l} = \frac1m\,\delta^l\,(A^{l-1})^T.$$
#
# *Worked example.* One sample: $\delta = (0.5,\ -1)^T$, $a^{l-1} = (1,\ 2,\ 0.5)^T$ gives
# $\begin{pmatrix}0.5 & 1 & 0.25\\ -1 & -2 & -0.5\end{pmatrix}$. Two samples:
# $\delta = \begin{pmatrix}0.5 & 1\\ -1 & 0\end{pmatrix}$, $A = \begin{pmatrix}1 & 2\\ 2 & 0\\ 0.5 & -1\end{pmatrix}$
# gives $\delta A^T = \begin{pmatrix}2.5 & 1 & -0.75\\ -1 & -2 & -0.5\end{pmatrix}$ and, divided by $m = 2$,
# $\begin{pmatrix}1.25 & 0.5 & -0.375\\ -0.5 & -1 & -0.25\end{pmatrix}$.
#
# **Exercise.** Implement `bp4_weight_gradient(delta, a_prev)`.

# %% role="solution" grade_id="bp4_weight_gradient"
from solutions.backprop_equations import bp4_weight_gradient

# %% role="tests" grade_id="test_bp4_weight_gradient" points=5
delta, a_prev = np.array([[0.5], [-1.0]]), np.array([[1.0], [2.0], [0.5]])
grad_w = bp4_weight_gradient(delta, a_prev)
checks.expect(np.shape(grad_w) == (2, 3),
              f"∂C/∂Wˡ has shape {np.shape(grad_w)}, expected (2, 3), the shape of Wˡ (nₗ, nₗ₋₁): "
              "BP4 is δˡ (aˡ⁻¹)ᵀ, not aˡ⁻¹ (δˡ)ᵀ")
checks.expect_close(grad_w, [[0.5, 1.0, 0.25], [-1.0, -2.0, -0.5]], "∂C/∂W for one sample", rtol=1e-12,
                    hint="BP4: ∂C/∂w_jk = a_k δ_j, i.e. δˡ (aˡ⁻¹)ᵀ")
delta = np.array([[0.5, 1.0], [-1.0, 0.0]])
a_prev = np.array([[1.0, 2.0], [2.0, 0.0], [0.5, -1.0]])
checks.expect_close(bp4_weight_gradient(delta, a_prev), [[1.25, 0.5, -0.375], [-0.5, -1.0, -0.25]],
                    "∂C/∂W for a batch of m = 2", rtol=1e-12,
                    hint="for a batch, δˡ (Aˡ⁻¹)ᵀ sums the per-sample outer products; divide by m for the "
                         "batch-average cost")
print("visible BP4 tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(404)
for n, n_prev, m in [(3, 3, 1), (3, 3, 4), (2, 5, 3), (4, 1, 2), (1, 6, 1), (5, 2, 8)]:
    delta, a_prev = rng.standard_normal((n, m)), rng.uniform(0, 1, (n_prev, m))
    out = checks.expect_inputs_unchanged(bp4_weight_gradient, delta, a_prev, name="bp4_weight_gradient")
    checks.expect_close(out, oracle.loop_bp4(delta, a_prev), f"∂C/∂Wˡ for Wˡ of shape {(n, n_prev)}, m = {m}",
                        hint="BP4: (1/m) δˡ (Aˡ⁻¹)ᵀ — δ on the left, the activations transposed, divided by m")
# the batch-average cost C(W) = (1/m) Σₓ Σⱼ δⱼₓ zⱼₓ(W) with z = W A + b has gradient BP4
delta, a_prev = rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4))
checks.expect_gradient(bp4_weight_gradient(delta, a_prev), lambda w: float(np.sum(delta * (w @ a_prev))) / 4,
                       rng.standard_normal((3, 3)), "∂C/∂Wˡ against central differences of the batch-average cost",
                       hint="∂C/∂w_jk = (1/m) Σₓ a_kₓ δ_jₓ: δˡ (Aˡ⁻¹)ᵀ / m, not transposed")
d32, a32 = rng.standard_normal((2, 3)).astype(np.float32), rng.uniform(0, 1, (4, 3)).astype(np.float32)
checks.expect_close(bp4_weight_gradient(d32, a32), oracle.loop_bp4(d32.astype(float), a32.astype(float)),
                    "∂C/∂W for float32 inputs", rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## 6. The Jacobian view of BP2
#
# The blog post on backpropagation through a 4-layer network (met in assignment 2) derives backpropagation
# layer by layer with **Jacobians**, and this view carries over to any layer
# type. The Jacobian of a vector function $u \mapsto v$ is the matrix $J$ with entries
# $J_{kj} = \partial v_k/\partial u_j$ (row = output, column = input). Between two layers there are two:
#
# * $z^{l+1} = W^{l+1}a^l + b^{l+1}$ is linear in $a^l$, with $\partial z^{l+1}_k/\partial a^l_j = w^{l+1}_{kj}$:
#   the Jacobian of $z^{l+1}$ with respect to $a^l$ **is** $W^{l+1}$. Column $j$ collects the edges leaving
#   neuron $j$ of layer $l$.
# * $a^l = \sigma(z^l)$ acts elementwise: its Jacobian is the diagonal matrix $\operatorname{diag}(\sigma'(z^l))$.
#
# The chain rule for a scalar $C$ says that gradients travel backwards through **transposed** Jacobians:
# $\nabla_u C = J^T\,\nabla_v C$. Twice:
#
# $$\delta^l = \nabla_{z^l}C_x = \operatorname{diag}(\sigma'(z^l))^T\,(W^{l+1})^T\,\delta^{l+1}
# = \bigl((W^{l+1})^T\delta^{l+1}\bigr)\odot\sigma'(z^l),$$
#
# which is BP2 again (multiplying by a diagonal matrix is a Hadamard product). The transpose in BP2 is the
# transpose of a Jacobian: the forward pass multiplies by $W^{l+1}$, the backward pass by $(W^{l+1})^T$.
# That post arranges its Jacobians the other way round (input index first), so there the same matrix appears as
# $W^T$ — same numbers, transposed layout. Its other point matters just as much: $\delta^{l+1}$ is computed
# once and *reused* for every earlier layer; no derivative is recomputed from scratch.
#
# The cell below builds the first Jacobian numerically — since $z^{l+1}$ is linear in $a^l$, nudging $a^l_j$ by
# 1 changes $z^{l+1}$ by exactly column $j$ — and then runs BP2 as a product of transposed Jacobians.

# %%
with checks.when_implemented("the Jacobian demo"):
    weights, biases = init_network([3, 4, 2], seed=1)
    zs, acts = feedforward(weights, biases, np.array([[0.5], [-1.0], [2.0]]))
    W3, b3, a2, z2 = weights[1], biases[1], acts[1], zs[0]
    J = np.zeros((W3.shape[0], a2.shape[0]))          # ∂z³/∂a²: one column per neuron of layer 2
    for j in range(a2.shape[0]):
        nudged = a2.copy()
        nudged[j, 0] += 1.0
        J[:, j] = ((W3 @ nudged + b3) - (W3 @ a2 + b3))[:, 0]
    print("Jacobian of z³ with respect to a²:\n", np.round(J, 6))
    print("largest |J − W³| =", np.max(np.abs(J - W3)))
    delta3 = np.array([[0.3], [-0.5]])
    via_jacobians = np.diag(sigmoid_prime(z2)[:, 0]).T @ J.T @ delta3
    print("δ² via transposed Jacobians:", np.round(via_jacobians[:, 0], 10))
    print("δ² via your BP2:            ", np.round(bp2_hidden_error(W3, delta3, z2)[:, 0], 10))

# %% [markdown]
# ## 7. The backpropagation algorithm
#
# The four equations give every gradient in five steps:
#
# 1. **Input.** Set $a^1 = x$ (a whole mini-batch, one column per sample).
# 2. **Feedforward.** For $l = 2, \dots, L$ compute $z^l = W^l a^{l-1} + b^l$ and $a^l = \sigma(z^l)$,
#    keeping every $z^l$ and $a^l$ — the backward pass needs them.
# 3. **Output error.** $\delta^L$ by BP1 — in code `cost.output_error(zs[-1], activations[-1], y)`, which is
#    BP1 for the quadratic cost and $a^L - y$ for cross-entropy.
# 4. **Backpropagate the error.** For $l = L-1, L-2, \dots, 2$: $\delta^l$ from $\delta^{l+1}$ by BP2.
# 5. **Output the gradients.** The batch averages $\partial C/\partial b^l = \frac1m\sum_x \delta^l_x$ by BP3 and
#    $\partial C/\partial W^l = \frac1m\,\delta^l (A^{l-1})^T$ by BP4.
#
# Steps 4 and 5 run in one loop from the output backwards — the errors flow *backward*, hence the name. In
# Python, for the layer $l = i + 2$ stored at index `i`:
#
# | math | Python |
# |---|---|
# | $z^l$ | `zs[i]` |
# | $a^{l-1}$ (the input of the layer) | `activations[i]` |
# | $W^{l+1}$ (the layer after) | `weights[i + 1]` |
# | $\partial C/\partial b^l$, $\partial C/\partial W^l$ | `grad_b[i]`, `grad_w[i]` |
#
# *Worked example: the 1-1-1 chain.* One neuron per layer, $w^2 = 0$, $b^2 = 0$, $w^3 = 2$, $b^3 = -1$, input
# $x = 2$, target $y = 1$, quadratic cost. Forward: $z^2 = 0$, $a^2 = 0.5$, $z^3 = 2\cdot 0.5 - 1 = 0$,
# $a^3 = 0.5$. Backward: $\delta^3 = (0.5 - 1)\,\sigma'(0) = -0.125$ and
# $\delta^2 = w^3\delta^3\,\sigma'(z^2) = 2\cdot(-0.125)\cdot 0.25 = -0.0625$. Gradients:
# $\partial C/\partial b^3 = -0.125$, $\partial C/\partial w^3 = a^2\delta^3 = -0.0625$,
# $\partial C/\partial b^2 = -0.0625$, $\partial C/\partial w^2 = x\,\delta^2 = -0.125$.
#
# **Exercise.** Implement `backprop(weights, biases, x, y, cost)` from `feedforward`, `cost.output_error` and
# your four functions (pass `cost.output_activation` to `feedforward`). Return `grad_b, grad_w` in the order of
# `biases` and `weights`. The test runs your function with known-good BP1–BP4, compares every gradient with
# central differences of the cost, for several depths, batch sizes and both costs, and counts forward passes:
# one forward and one backward pass are allowed — a finite-difference estimate is not backpropagation.

# %% role="solution" grade_id="backprop"
from solutions.network import backprop


# %% role="tests" grade_id="test_backprop" points=5
def _sigma(z):
    # σ(z) = 1 / (1 + e^(−z)), written as e^(−ln(1 + e^(−z))) so that no z overflows
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=np.float64)))


def _counting_feedforward(weights, biases, x, output_activation=_sigma):
    """A stand-in for the given feedforward (zˡ = Wˡaˡ⁻¹ + bˡ, aˡ = σ(zˡ)) that counts the sample columns it processes."""
    a = checks.as_array(x, "the x that backprop passed to feedforward")
    checks.expect_shape(a, ("n₁", "m"), "the x that backprop passed to feedforward",
                        hint="inputs are columns, one per sample: pass feedforward the x that backprop was given")
    _forward_columns[0] += a.shape[1]
    zs, acts = [], [a]
    for i, (w, b) in enumerate(zip(weights, biases)):
        checks.expect(np.ndim(w) == 2 and np.shape(w)[1] == a.shape[0] and np.shape(b) == (np.shape(w)[0], 1),
                      f"backprop called feedforward with weights[{i}] of shape {np.shape(w)}, biases[{i}] of shape "
                      f"{np.shape(b)} and {'x' if i == 0 else f'activations[{i}]'} of shape {a.shape}, but "
                      "zˡ = Wˡaˡ⁻¹ + bˡ needs Wˡ (nₗ, nₗ₋₁), bˡ (nₗ, 1) and aˡ⁻¹ (nₗ₋₁, m): pass "
                      "feedforward(weights, biases, x, cost.output_activation) the arrays backprop was given")
        z = w @ a + b
        a = output_activation(z) if i == len(weights) - 1 else _sigma(z)
        zs.append(z)
        acts.append(a)
    return zs, acts


_forward_columns = [0]
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_BACKPROP_HINT = ("Check: δᴸ = cost.output_error(zs[-1], activations[-1], y); for layer l = i + 2 BP2 uses "
                  "weights[i + 1] = Wˡ⁺¹ and zs[i] = zˡ, BP4 uses activations[i] = aˡ⁻¹; gradients stored at index i, "
                  "not in reverse order")


def _run_backprop(weights, biases, x, y, cost, label):
    """Run backprop with BP1–BP4 and the counting feedforward; check what it returns, its forward passes and inputs."""
    saved = [p.copy() for p in weights + biases]
    _forward_columns[0] = 0
    with checks.trusted(globals(), "bp1_output_error", "bp2_hidden_error", "bp3_bias_gradient", "bp4_weight_gradient",
                        feedforward=_counting_feedforward):
        result = backprop(weights, biases, x, y, cost)
    checks.expect(result is not None, "backprop returned None — it should return grad_b, grad_w")
    checks.expect(len(result) == 2, f"backprop should return two lists (grad_b, grad_w), got {len(result)} items")
    grad_b, grad_w = result
    m = x.shape[1]
    checks.expect(_forward_columns[0] <= 2 * m,
                  f"{label}: backprop pushed {_forward_columns[0]} sample columns through feedforward for a batch "
                  f"of m = {m}. Backpropagation needs one forward pass (m columns) and one backward pass; "
                  "estimating gradients by finite differences is not backpropagation")
    for p, before in zip(weights + biases, saved):
        checks.expect(np.array_equal(p, before), f"{label}: backprop changed the weights or biases in place")
    n_layers = len(weights)
    checks.expect(len(grad_b) == n_layers and len(grad_w) == n_layers,
                  f"{label}: expected {n_layers} bias gradients and {n_layers} weight gradients (one per layer "
                  f"2..{n_layers + 1}), got {len(grad_b)} and {len(grad_w)}")
    return grad_b, grad_w


def _compare_gradients(grad_b, grad_w, want_b, want_w, label, compare):
    """Check each gradient's layout (that of biases and weights), then compare(got, want, name) its values."""
    for i in range(len(want_w)):
        layer = str(i + 2).translate(_SUP)
        for got, want, name in [(grad_b[i], want_b[i], f"grad_b[{i}] = ∂C/∂b{layer}"),
                                (grad_w[i], want_w[i], f"grad_w[{i}] = ∂C/∂W{layer}")]:
            got = checks.as_array(got, f"{label}: {name}")
            checks.expect(got.shape == np.shape(want),
                          f"{label}: {name} has shape {got.shape}, expected {np.shape(want)}. Index i holds layer i + 2, "
                          "in the order of `weights`/`biases` (input side first), and the result is (grad_b, grad_w)")
            compare(got, want, f"{label}: {name}")



# the 1-1-1 chain of the worked example
chain_w, chain_b = [np.array([[0.0]]), np.array([[2.0]])], [np.array([[0.0]]), np.array([[-1.0]])]
chain_gb, chain_gw = _run_backprop(chain_w, chain_b, np.array([[2.0]]), np.array([[1.0]]), QUADRATIC,
                                   "the 1-1-1 chain")
checks.expect_close([np.ravel(chain_gb[0])[0], np.ravel(chain_gb[1])[0]], [-0.0625, -0.125],
                    "[∂C/∂b², ∂C/∂b³] for the chain", rtol=1e-12,
                    hint="grad_b[i] is ∂C/∂bⁱ⁺² (input side first), and the result is (grad_b, grad_w) in "
                         "this order")
checks.expect_close([np.ravel(chain_gw[0])[0], np.ravel(chain_gw[1])[0]], [-0.125, -0.0625],
                    "[∂C/∂w², ∂C/∂w³] for the chain", rtol=1e-12,
                    hint="∂C/∂w² = x δ², ∂C/∂w³ = a² δ³ (BP4 uses the layer's input aˡ⁻¹)")

# a 2-3-2 network and a batch of m = 2 samples, worked out by hand (quadratic cost):
# W²x = (1.5, −4, 0), so b² = z² − W²x makes z² = (0, ln 3, −ln 3): a² = (1/2, 3/4, 1/4),
#   σ'(z²) = (1/4, 3/16, 3/16); W³a² = (2, 0), so b³ makes z³ = (0, ln 3): a³ = (1/2, 3/4), σ'(z³) = (1/4, 3/16).
# Both samples have the same input x; their targets are y = (1, 0) and y = (1/2, 1).
# δ³ = (a³ − y) ⊙ σ'(z³) has the columns (−1/8, 9/64) and (0, −3/64);
# δ² = ((W³)ᵀδ³) ⊙ σ'(z²) has the columns (−1/32, −75/1024, 81/1024) and (0, 9/1024, −27/1024).
# ∂C/∂bˡ = (1/m) Σₓ δˡₓ, ∂C/∂W² = (1/m) δ² Xᵀ, ∂C/∂W³ = (1/m) δ³ (A²)ᵀ.
W2, W3 = np.array([[1.0, 0.5], [-1.0, 2.0], [0.5, 1.0]]), np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
b2 = np.array([[0.0 - 1.5], [np.log(3.0) + 4.0], [-np.log(3.0) - 0.0]])
b3 = np.array([[0.0 - 2.0], [np.log(3.0) - 0.0]])
X, Y = np.array([[2.0, 2.0], [-1.0, -1.0]]), np.array([[1.0, 0.5], [0.0, 1.0]])
want_b = [np.array([[-1 / 64], [-33 / 1024], [27 / 1024]]), np.array([[-1 / 16], [3 / 64]])]
want_w = [np.array([[-1 / 32, 1 / 64], [-33 / 512, 33 / 1024], [27 / 512, -27 / 1024]]),
          np.array([[-1 / 32, -3 / 64, -1 / 64], [3 / 128, 9 / 256, 3 / 256]])]
label = "2-3-2 network, m = 2, quadratic cost"
grad_b, grad_w = _run_backprop([W2, W3], [b2, b3], X, Y, QUADRATIC, label)
_compare_gradients(grad_b, grad_w, want_b, want_w, label,
                   lambda got, want, name: checks.expect_close(got, want, name, rtol=1e-9, atol=1e-12,
                                                               hint=_BACKPROP_HINT))
print("visible backprop tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
def _check_backprop(weights, biases, x, y, cost, kind, label):
    # run backprop as in the visible part and compare every gradient with central differences of the
    # trusted plain batch-average cost
    grad_b, grad_w = _run_backprop(weights, biases, x, y, cost, label)
    numeric_b, numeric_w = oracle.numeric_network_gradients(weights, biases, x, y, kind)

    def agree(got, want, name):
        error = checks.gradient_error(got, want)
        checks.expect(error <= checks.GRADIENT_TOLERANCE,
                      f"{name} disagrees with central differences of the batch-average cost "
                      f"(relative error {error:.1e} > 1e-7). {_BACKPROP_HINT}")

    _compare_gradients(grad_b, grad_w, numeric_b, numeric_w, label, agree)


rng = np.random.default_rng(405)
# a softmax output layer with categorical cross-entropy, as a Cost of the given class (δᴸ = aᴸ − y)
softmax_cost = Cost("softmax + cross-entropy", lambda a, y: -float(np.sum(y * np.log(a))) / a.shape[1],
                    oracle.plain_softmax, cross_entropy_output_error)
with checks.trusted(globals(), "sigmoid", "sigmoid_prime", "hadamard"):
    for seed, (sizes, m, cost, kind) in enumerate([
            ([3, 4, 2], 1, QUADRATIC, "quadratic"), ([2, 5, 3, 4], 3, CROSS_ENTROPY, "cross-entropy"),
            ([4, 3, 3, 3, 2], 4, QUADRATIC, "quadratic"), ([3, 2, 4, 3, 2], 2, CROSS_ENTROPY, "cross-entropy"),
            ([3, 2], 5, QUADRATIC, "quadratic"), ([2, 1], 1, CROSS_ENTROPY, "cross-entropy"),
            ([3, 3, 3], 2, QUADRATIC, "quadratic"), ([3, 3, 3, 3], 1, CROSS_ENTROPY, "cross-entropy"),
            ([1, 6, 2], 3, CROSS_ENTROPY, "cross-entropy"), ([5, 4, 3, 2, 3], 6, QUADRATIC, "quadratic")]):
        weights, biases = oracle.random_network(sizes, seed=450 + seed)
        x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
        _check_backprop(weights, biases, x, y, cost, kind,
                        f"network {'-'.join(map(str, sizes))}, m = {m}, {kind} cost")
    for seed, (sizes, m) in enumerate([([3, 4, 3], 4), ([2, 3, 2, 4], 1)]):
        weights, biases = oracle.random_network(sizes, seed=470 + seed)
        x, y = rng.standard_normal((sizes[0], m)), np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
        _check_backprop(weights, biases, x, y, softmax_cost, "softmax",
                        f"network {'-'.join(map(str, sizes))}, m = {m}, softmax output with categorical "
                        "cross-entropy")
    # A cost of the test's own (1.5 × the quadratic cost), known to backprop only through the Cost it gets:
    # backpropagation takes its output error δᴸ and never needs its value. Gradients estimated from cost
    # values (finite differences, complex steps, with any forward pass of its own) are not backpropagation.
    _uses = {"value": 0, "output_error": 0}

    def _scaled_value(a, y):
        _uses["value"] += 1
        return 0.75 * float(np.sum((np.asarray(a) - y) ** 2)) / np.shape(a)[1]

    def _scaled_output_error(z, a, y):
        _uses["output_error"] += 1
        return 1.5 * (np.asarray(a) - y) * oracle.plain_sigmoid_prime(z)

    scaled = Cost("the test's own cost", _scaled_value, _sigma, _scaled_output_error)
    for seed, (sizes, m) in enumerate([([3, 4, 2], 3), ([2, 3, 3, 2], 2)]):
        weights, biases = oracle.random_network(sizes, seed=480 + seed)
        x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
        label = f"network {'-'.join(map(str, sizes))}, m = {m}, a cost of the test's own"
        _uses.update(value=0, output_error=0)
        grad_b, grad_w = _run_backprop(weights, biases, x, y, scaled, label)
        checks.expect(_uses["output_error"] >= 1 and _uses["value"] == 0,
                      f"{label}: backprop evaluated the cost {_uses['value']} times and its output error "
                      f"{_uses['output_error']} times. Backpropagation takes δᴸ = cost.output_error(zs[-1], "
                      "activations[-1], y) from the cost it is given and never needs the cost's value; "
                      "estimating gradients from cost values is not backpropagation")
        numeric_b, numeric_w = oracle.numeric_network_gradients(weights, biases, x, y, "quadratic")

        def agree_scaled(got, want, name):
            error = checks.gradient_error(got, 1.5 * want)
            checks.expect(error <= checks.GRADIENT_TOLERANCE,
                          f"{name} disagrees with central differences of the batch-average cost "
                          f"(relative error {error:.1e} > 1e-7): use the cost you are given. {_BACKPROP_HINT}")

        _compare_gradients(grad_b, grad_w, numeric_b, numeric_w, label, agree_scaled)
### END HIDDEN TESTS

# %% [markdown]
# ## 8. One sample at a time, or the whole mini-batch at once
#
# The textbook algorithm (Nielsen's *Neural Networks and Deep Learning*, chapter 2, and the lecture slides after
# it) runs the five steps for one sample $x$ and averages the
# per-sample gradients over the mini-batch. Your `backprop` moves all $m$ columns through each step together.
# Both give the same numbers, because
#
# * the forward pass, BP1 and BP2 treat every column on its own — a matrix product $W A$ acts column by column,
#   and $\odot$ elementwise — so column $x$ of $\delta^l$ is exactly the single-sample $\delta^l_x$;
# * only BP3 and BP4 mix the columns, and they *add* the per-sample contributions and divide by $m$: that is
#   precisely the average of the per-sample gradients.
#
# The given `backprop_per_example` below runs your `backprop` once per column and averages. The cell after it
# compares the two on 200 samples, and times them: the matrix form does the same arithmetic in a few large
# NumPy operations instead of hundreds of small ones.

# %% role="locked" grade_id="given_backprop_per_example"
from solutions.network import backprop_per_example

# %%
import time

with checks.when_implemented("the per-example / mini-batch comparison"):
    rng = np.random.default_rng(4)
    weights, biases = init_network([5, 8, 3], seed=4)
    x, y = rng.standard_normal((5, 200)), np.eye(3)[:, rng.integers(0, 3, 200)]
    for cost in (QUADRATIC, CROSS_ENTROPY):
        start = time.perf_counter()
        loop_b, loop_w = backprop_per_example(weights, biases, x, y, cost)
        t_loop = time.perf_counter() - start
        start = time.perf_counter()
        batch_b, batch_w = backprop(weights, biases, x, y, cost)
        t_batch = time.perf_counter() - start
        diff = max(float(np.max(np.abs(g1 - g2))) for g1, g2 in zip(loop_b + loop_w, batch_b + batch_w))
        print(f"{cost.name:13s}: largest difference {diff:.1e};  per example {1e3 * t_loop:6.2f} ms, "
              f"mini-batch {1e3 * t_batch:5.2f} ms")

# %% [markdown]
# ## 9. Gradient checking with central differences
#
# How do you know your gradients are right? Compare them with a definition of the derivative that needs no
# calculus: move one parameter a little and watch the cost. By Taylor's theorem,
# $f(x \pm h) = f(x) \pm h f'(x) + \tfrac{h^2}{2} f''(x) \pm \tfrac{h^3}{6}f'''(x) + \dots$, so
#
# * the **forward difference** $\dfrac{f(x + h) - f(x)}{h} = f'(x) + \tfrac h2 f''(x) + \dots$ has an error
#   of order $h$;
# * the **central difference** $\dfrac{f(x + h) - f(x - h)}{2h} = f'(x) + \tfrac{h^2}{6}f'''(x) + \dots$ —
#   the even terms cancel — has an error of order $h^2$.
#
# For a function of many variables, move one coordinate at a time: $\partial f/\partial x_i \approx
# \bigl(f(x + h e_i) - f(x - h e_i)\bigr)/2h$, with $e_i$ the $i$-th unit vector. In float64 we use
# $h = 10^{-5}$: smaller steps lose digits to rounding (about $\varepsilon/h$), larger ones to the $h^2$ term.
#
# We compare gradients by the **relative error** $\max|g - \hat g| \,/\, \max\bigl(10^{-8}, \max(|g| +
# |\hat g|)\bigr)$. With central differences and $h = 10^{-5}$, a correct backprop gives about $10^{-9}$ or
# less; **above $10^{-7}$ something is wrong**.
#
# *Worked example.* For $f(x) = \sum_i x_i^3$ the central difference is exactly $3x_i^2 + h^2$ (the $h^3$
# terms cancel down to $h^2$). At $x = (1, 2)$ with $h = 0.1$ it gives $(3.01,\ 12.01)$; a forward difference
# would give $3x_i^2 + 3x_ih + h^2 = (3.31,\ 12.61)$.
#
# **Exercise.** Implement `central_difference(f, x, h)`: return an array of the shape of `x` (any shape).
# Do not change the caller's `x` — work on a float copy. (`np.ndindex(x.shape)` walks over every index.)

# %% role="locked" grade_id="given_gradcheck_constants"
# the step for finite differences in float64, and the threshold for relative errors
from solutions.gradcheck import DEFAULT_H, GRADIENT_TOLERANCE

# %% role="solution" grade_id="central_difference"
from solutions.gradcheck import central_difference

# %% role="tests" grade_id="test_central_difference" points=5
x = np.array([1.0, 2.0])
g = checks.expect_inputs_unchanged(central_difference, lambda v: float(np.sum(v ** 3)), x, 0.1,
                                   name="central_difference")
checks.expect_close(g, [3.01, 12.01], "central difference of Σxᵢ³ at x = (1, 2) with h = 0.1", rtol=1e-10,
                    hint="(f(x + h eᵢ) − f(x − h eᵢ)) / 2h gives exactly 3xᵢ² + h²; a one-sided difference "
                         "gives 3xᵢ² + 3xᵢh + h², dividing by h instead of 2h doubles the result")
print("visible central-difference tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(406)
# smooth functions of arrays of several shapes, against their exact gradients
for shape in [(4,), (3, 2), (2, 1), (2, 2, 2)]:
    x, c = rng.uniform(-2, 2, shape), rng.uniform(0.5, 2, shape)
    f = lambda v: float(np.sum(np.sin(c * v)) + 0.3 * np.sum(v ** 2) + np.sum(v) ** 2)
    exact = c * np.cos(c * x) + 0.6 * x + 2 * np.sum(x)
    g = checks.as_array(checks.expect_inputs_unchanged(central_difference, f, x, name="central_difference"),
                        f"the central difference for x of shape {shape}")
    checks.expect_shape(g, shape, f"the central difference for x of shape {shape}")
    error = checks.gradient_error(g, exact)
    checks.expect(error <= 1e-7, f"the central difference for x of shape {shape} is off by a relative error "
                                 f"of {error:.1e} (a correct one is below 1e-9 with h = 1e-5). Use "
                                 "(f(x + h eᵢ) − f(x − h eᵢ)) / 2h, not a one-sided difference")
# f uses its argument as a matrix: the gradient of ½‖W a‖² is (W a) aᵀ
w, a = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
error = checks.gradient_error(central_difference(lambda v: 0.5 * float(np.sum((v @ a) ** 2)), w), (w @ a) @ a.T)
checks.expect(error <= 1e-7, f"the central difference of ½‖W a‖² with respect to a (2, 3) matrix W has "
                             f"relative error {error:.1e}: call f with an array of the shape of x")
# the step h is the one passed in: exactly 3x² + h² for a cube
x = np.array([[0.5, -1.5], [2.0, 3.0]])
checks.expect_close(central_difference(lambda v: float(np.sum(v ** 3)), x, 1e-3), 3 * x ** 2 + 1e-6,
                    "central difference of Σx³ with h = 1e-3", rtol=1e-9,
                    hint="use the h that is passed in, and divide by 2h")
# a 0-d array x (shape ()): the derivative of x³ at 1.5 with h = 0.1 is exactly 3·1.5² + h² = 6.76
checks.expect_close(central_difference(lambda v: float(np.sum(v ** 3)), np.array(1.5), 0.1), 6.76,
                    "central difference of x³ at x = 1.5 (a 0-d array) with h = 0.1", rtol=1e-9,
                    hint="walk over np.ndindex(x.shape), which also covers x of shape ()")
# an integer x: step on a float copy, or x + h is truncated back to an integer
x_int = np.array([[1, -2], [3, 0]])
g = checks.expect_inputs_unchanged(central_difference, lambda v: float(np.sum(v ** 3)), x_int, 0.1,
                                   name="central_difference")
checks.expect_close(g, 3.0 * x_int ** 2 + 0.01, "central difference of Σx³ for an integer array x, h = 0.1",
                    rtol=1e-9, hint="work on a float copy of x: np.array(x, dtype=float)")
# the caller's x must come back untouched (bit for bit), even for values that do not round-trip
x = np.array([0.1, 0.7, 1.3, 1e-3, 123.456])
checks.expect_inputs_unchanged(central_difference, lambda v: float(np.sum(np.exp(np.sin(v)))), x,
                               name="central_difference")
### END HIDDEN TESTS

# %% [markdown]
# ### Checking your backprop
#
# The cell below defines `numerical_gradients` — central differences of `total_cost` for every weight and
# bias, in the layout of `backprop`, counting the cost evaluations — and compares them with your `backprop` on
# a 4-5-3-2 network for both costs. Every relative error should be far below $10^{-7}$.

# %%
def numerical_gradients(weights, biases, x, y, cost):
    # Central-difference gradients of the batch-average cost (layout of backprop), and the number of
    # cost evaluations spent on them.
    count = 0

    def cost_at(ws, bs):
        nonlocal count
        count += 1
        return total_cost(ws, bs, x, y, cost)

    grad_b = [central_difference(lambda p, i=i: cost_at(weights, biases[:i] + [p] + biases[i + 1:]), b)
              for i, b in enumerate(biases)]
    grad_w = [central_difference(lambda p, i=i: cost_at(weights[:i] + [p] + weights[i + 1:], biases), w)
              for i, w in enumerate(weights)]
    return grad_b, grad_w, count


def report(grad_b, grad_w, numeric_b, numeric_w):
    for i in range(len(grad_w)):
        for label, g, g_hat in [(f"b{i + 2}", grad_b[i], numeric_b[i]), (f"W{i + 2}", grad_w[i], numeric_w[i])]:
            error = checks.gradient_error(g, g_hat)
            print(f"    {label:4s} relative error {error:8.1e}   {'ok' if error <= 1e-7 else 'WRONG (> 1e-7)'}")


with checks.when_implemented("the gradient check of your backprop"):
    rng = np.random.default_rng(5)
    weights, biases = init_network([4, 5, 3, 2], seed=5)
    x, y = rng.standard_normal((4, 6)), np.eye(2)[:, rng.integers(0, 2, 6)]
    for cost in (QUADRATIC, CROSS_ENTROPY):
        grad_b, grad_w = backprop(weights, biases, x, y, cost)
        numeric_b, numeric_w, count = numerical_gradients(weights, biases, x, y, cost)
        print(f"{cost.name} cost ({count} cost evaluations):")
        report(grad_b, grad_w, numeric_b, numeric_w)


# %% [markdown]
# A gradient check earns its keep when something is wrong. Below, BP1 is temporarily replaced by a version
# that forgets the factor $\sigma'(z^L)$ — the most common slip. Every gradient is affected, because every
# $\delta^l$ descends from $\delta^L$; the check flags them all at once.

# %%
def bp1_without_sigma_prime(grad_a, z_out):
    return grad_a                                  # the slip: ⊙ σ'(zᴸ) forgotten

with checks.when_implemented("the bug hunt"):
    with checks.trusted(globals(), bp1_output_error=bp1_without_sigma_prime):   # swap it in for a moment
        grad_b, grad_w = backprop(weights, biases, x, y, QUADRATIC)
    numeric_b, numeric_w, _ = numerical_gradients(weights, biases, x, y, QUADRATIC)
    print("quadratic cost, BP1 without σ'(zᴸ):")
    report(grad_b, grad_w, numeric_b, numeric_w)

# %% [markdown]
# ## 10. What finite differences cost
#
# If central differences give the gradient, why backpropagation? Count the work. A network with $P$
# parameters needs **2 cost evaluations per parameter**, $2P$ in all, and every evaluation is a full forward
# pass, which itself takes about $P$ multiply-adds per sample (each weight is used once). So finite
# differences cost about $2P \cdot P$ operations, while backpropagation costs one forward and one backward
# pass — a small multiple of $P$. The ratio grows **in proportion to $P$**: for a network with a million
# parameters, finite differences are roughly a million times slower.
#
# The cell below measures it on growing networks (10 samples each, cross-entropy cost). For the smallest
# networks Python's overhead per call hides part of the effect, but the trend is clear.

# %%
with checks.when_implemented("the cost measurement"):
    rng = np.random.default_rng(6)
    rows = []
    for sizes in ([4, 4, 2], [8, 8, 4], [16, 16, 8], [32, 32, 10], [48, 48, 10]):
        weights, biases = init_network(sizes, seed=6)
        x, y = rng.standard_normal((sizes[0], 10)), np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], 10)]
        n_params = sum(w.size + b.size for w, b in zip(weights, biases))
        t_backprop = float("inf")
        for _ in range(20):                        # the best of 20 runs, against timer noise
            start = time.perf_counter()
            backprop(weights, biases, x, y, CROSS_ENTROPY)
            t_backprop = min(t_backprop, time.perf_counter() - start)
        start = time.perf_counter()
        _, _, count = numerical_gradients(weights, biases, x, y, CROSS_ENTROPY)
        t_numeric = time.perf_counter() - start
        rows.append((n_params, count, t_backprop, t_numeric))
        print(f"{'-'.join(map(str, sizes)):9s} P = {n_params:5d}: {count:5d} cost evaluations, "
              f"backprop {1e3 * t_backprop:6.3f} ms, finite differences {1e3 * t_numeric:8.1f} ms, "
              f"ratio {t_numeric / t_backprop:7.0f}")

    P, counts, t_bp, t_fd = (np.array(column) for column in zip(*rows))
    fig, (ax_count, ax_ratio) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax_count.loglog(P, counts, "o-", label="cost evaluations")
    ax_count.loglog(P, 2 * P, "--", label="2P")
    ax_count.set(xlabel="number of parameters P", ylabel="evaluations", title="Finite differences: 2 per parameter")
    ax_ratio.loglog(P, t_fd / t_bp, "o-", label="measured")
    ax_ratio.loglog(P, (t_fd / t_bp)[-1] * P / P[-1], "--", label="proportional to P")
    ax_ratio.set(xlabel="number of parameters P", ylabel="time ratio",
                 title="Time: finite differences / backprop")
    for ax in (ax_count, ax_ratio):
        ax.grid(alpha=0.3)
        ax.legend()
    plt.show()

# %% [markdown]
# So finite differences are the **test**: simple, hard to get wrong, run on a small network. Backpropagation is
# the **method**: all $P$ partial derivatives for the price of about two forward passes.
#
# ## 11. The big picture: a sum over paths
#
# Why is backprop so cheap? Nudge one weight $w^l_{jk}$ by $\Delta w^l_{jk}$. It changes $a^l_j$, which
# changes every neuron of layer $l+1$, each of which changes every neuron of layer $l+2$, and so on up to the
# cost. Give every edge between neurons a **rate**, $\partial a^{l+1}_q / \partial a^l_j =
# \sigma'(z^{l+1}_q)\,w^{l+1}_{qj}$. A path from the weight to the cost multiplies the rates along it, and the
# total effect adds up **all paths** (the "big picture" formula of Nielsen's chapter 2):
#
# $$\frac{\partial C_x}{\partial w^l_{jk}} = \sum_{r, p, \dots, q}
# \frac{\partial C_x}{\partial a^L_r}\,\frac{\partial a^L_r}{\partial a^{L-1}_p}\cdots
# \frac{\partial a^{l+1}_q}{\partial a^l_j}\,\frac{\partial a^l_j}{\partial w^l_{jk}}.$$
#
# In words: the sensitivity of the cost to a weight is the sum, over every route from that weight to the
# output, of the product of the local sensitivities along the route. The number of routes is the product of
# the widths of all later layers — it grows exponentially with depth. Backpropagation never lists them:
# $\delta^{l+1}_q$ already holds the summed effect of *all* paths from neuron $q$ of layer $l+1$ onwards, so BP2
# combines them one layer at a time with a single matrix product. That regrouping of the sum is the whole
# trick: sharing the common tails of the paths.
#
# The cell below adds up the $3 \times 2 = 6$ paths for one weight of a 2-3-3-2 network explicitly and compares
# with your backprop.

# %%
with checks.when_implemented("the sum over paths"):
    weights, biases = init_network([2, 3, 3, 2], seed=3)
    x, y = np.array([[1.0], [-0.5]]), np.array([[1.0], [0.0]])
    zs, acts = feedforward(weights, biases, x)
    j, k = 1, 0                                     # the weight w²_jk = weights[0][j, k]
    total, n_paths = 0.0, 0
    for q in range(3):                              # the path passes neuron q of layer 3 ...
        for r in range(2):                          # ... and output neuron r of layer 4
            total += (sigmoid_prime(zs[0][j, 0]) * acts[0][k, 0]      # ∂a²_j / ∂w²_jk
                      * sigmoid_prime(zs[1][q, 0]) * weights[1][q, j] # ∂a³_q / ∂a²_j
                      * sigmoid_prime(zs[2][r, 0]) * weights[2][r, q] # ∂a⁴_r / ∂a³_q
                      * (acts[3][r, 0] - y[r, 0]))                    # ∂C / ∂a⁴_r
            n_paths += 1
    grad_b, grad_w = backprop(weights, biases, x, y, QUADRATIC)
    print(f"sum over {n_paths} paths: {total:.12f}")
    print(f"backprop:          {grad_w[0][j, k]:.12f}")
    print(f"paths from one weight of layer 2 in a network of 10 layers of width 100: {100 ** 8:.0e}")

# %% [markdown]
# ## Summary
#
# * $\delta^l = \partial C_x/\partial z^l$, the error of a layer, one column per sample.
# * BP1 $\delta^L = \nabla_a C_x \odot \sigma'(z^L)$; BP2 $\delta^l = ((W^{l+1})^T\delta^{l+1}) \odot \sigma'(z^l)$;
#   BP3 $\partial C_x/\partial b^l = \delta^l$; BP4 $\partial C_x/\partial W^l = \delta^l (a^{l-1})^T$ — per sample,
#   each one application of the chain rule.
# * BP2 multiplies by transposed Jacobians; $\delta^{l+1}$ is computed once and reused.
# * For a mini-batch, columns are samples: BP3 averages $\delta^l$ over axis 1 (the bias is shared by all
#   samples), BP4 is $\delta^l (A^{l-1})^T / m$, and the result equals the average of per-sample gradients.
# * Central differences check a gradient (relative error ≤ $10^{-7}$), at a cost of $2P$ forward passes —
#   a factor of order $P$ more than backpropagation, which sums over all paths by sharing their tails.
