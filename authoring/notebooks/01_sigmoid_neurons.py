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
# # Assignment 1 — Sigmoid neurons
#
# **Learning objectives.** After this notebook you can
# 1. compute the output of a perceptron and explain why its step makes learning by small changes impossible;
# 2. implement the sigmoid $\sigma(z) = 1/(1+e^{-z})$ so that it never overflows;
# 3. derive $\sigma'(z) = \sigma(z)(1-\sigma(z))$ and confirm it numerically with a finite difference;
# 4. explain *saturation*: why a neuron with a large $|z|$ learns slowly.
#
# **Time.** About 45–60 minutes: 15 minutes of reading, 30 of coding, the rest for experiments.
#
# **How this works.** Fill in every cell that says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each function a test cell checks it; its messages use the notation of the course. The graded version
# runs more tests on inputs you do not see, so make your function right for *every* input the docstring allows,
# not just for the visible examples. Points: perceptron 3, σ 6, σ' 6 — 15 in all.
#
# **Conventions.** A sample is a column vector; $m$ samples side by side form an $(n, m)$ array.
# `sigmoid` and `sigmoid_prime` work elementwise on scalars and arrays of any shape; `perceptron_output` is the
# exception: it takes the dot product $w\cdot x$ over the $n$ inputs, one output per sample (column).

# %% role="locked" grade_id="setup"
# snippet: setup

# %% [markdown]
# ## 1. The perceptron
#
# A perceptron takes inputs $x_1,\dots,x_n$, weighs them with $w_1,\dots,w_n$, adds a bias $b$ and fires when
# the total is positive:
#
# $$\text{output} = \begin{cases} 1 & \text{if } w\cdot x + b > 0,\\ 0 & \text{if } w\cdot x + b \le 0.\end{cases}$$
#
# The bias is minus a threshold: a large $b$ makes the perceptron fire easily. Note the boundary: a
# weighted input of exactly $0$ gives output $0$.
#
# *Worked example.* With $w = (1, 1)$ and $b = -1.5$ the perceptron computes logical AND: only $x = (1, 1)$
# gives $w\cdot x + b = 0.5 > 0$.
#
# **Exercise.** Implement `perceptron_output(w, x, b)`. `x` is either one input of shape `(n,)` or `m` inputs
# as the columns of an `(n, m)` array; return integer 0/1 outputs (shape `()` or `(m,)`).

# %% role="solution" grade_id="perceptron_output"
from solutions.activations import perceptron_output

# %% role="tests" grade_id="test_perceptron_output" points=3
# The AND gate: w = (1, 1), b = -1.5, the four inputs as columns
inputs = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
checks.expect_close(perceptron_output(np.array([1.0, 1.0]), inputs, -1.5), [0, 0, 0, 1],
                    "perceptron output for the AND gate", hint="output is 1 only where w·x + b > 0")
checks.expect_close(perceptron_output(np.array([1.0]), np.array([1.0]), -1.0), 0,
                    "perceptron output at w·x + b = 0", hint="the rule fires only for w·x + b > 0 (strictly)")
print("visible perceptron tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(101)
for n, m in [(1, 5), (3, 7), (6, 1), (4, 12)]:
    w, x, b = rng.standard_normal(n), rng.standard_normal((n, m)), float(rng.standard_normal())
    expected = (w @ x + b > 0).astype(int)
    checks.expect_close(perceptron_output(w, x, b), expected, f"perceptron outputs for {m} inputs with n = {n}")
w, x = rng.standard_normal(3), rng.standard_normal(3)
checks.expect_close(perceptron_output(w, x, 0.25), int(w @ x + 0.25 > 0), "perceptron output for one input")
checks.expect_close(perceptron_output(np.array([2.0, -1.0]), np.array([[1.0], [2.0]]), 0.0), [0],
                    "perceptron output at w·x + b = 0 exactly")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. The sigmoid neuron
#
# Learning means making small changes $\Delta w$, $\Delta b$ and watching the output change a little. A
# perceptron cannot do that: its output jumps from 0 to 1. A **sigmoid neuron** replaces the step by a smooth
# curve,
#
# $$\text{output} = \sigma(w\cdot x + b), \qquad \sigma(z) = \frac{1}{1+e^{-z}},$$
#
# so that a small change in a weight gives a small, *computable* change in the output:
#
# $$\Delta\text{output} \approx \sum_j \frac{\partial\,\text{output}}{\partial w_j}\Delta w_j + \frac{\partial\,\text{output}}{\partial b}\Delta b .$$
#
# Values worth remembering: $\sigma(0) = \tfrac12$, $\sigma(z)\to 1$ as $z\to\infty$, $\sigma(z)\to 0$ as
# $z\to-\infty$, and $\sigma(-z) = 1-\sigma(z)$. For instance $\sigma(\ln 3) = 1/(1+\tfrac13) = 0.75$.
#
# ### Computing σ without overflow
#
# In float64, `np.exp(710)` overflows to `inf` with a warning. The textbook formula evaluates $e^{-z}$, which
# overflows for $z < -709$. Multiplying numerator and denominator by $e^{z}$ gives an equivalent form,
# $\sigma(z) = e^{z}/(1+e^{z})$, which is safe exactly where the first one is not. With $e = e^{-|z|} \le 1$:
#
# $$\sigma(z) = \frac{1}{1+e} \ \ (z \ge 0), \qquad \sigma(z) = \frac{e}{1+e} \ \ (z < 0).$$
#
# No exponent is ever positive, so nothing overflows, and tiny results such as $\sigma(-40)\approx 4.2\times
# 10^{-18}$ keep their precision. (Other stable forms are fine too, e.g. via `np.tanh` or `np.logaddexp`.)
#
# **Exercise.** Implement `sigmoid(z)` for scalars and arrays of any shape: float64 results, the shape of `z`,
# no warnings and no `nan` even at $z = \pm 1000$, and do not modify `z`.

# %% role="solution" grade_id="sigmoid"
from solutions.activations import sigmoid

# %% role="tests" grade_id="test_sigmoid" points=6
checks.expect_close(sigmoid(0.0), 0.5, "σ(0)")
checks.expect_close(sigmoid(np.log(3.0)), 0.75, "σ(ln 3)", rtol=1e-12)
z = np.array([[-2.0, 0.0], [1.0, 3.0]])
checks.expect_shape(sigmoid(z), (2, 2), "σ(z) for z of shape (2, 2)")
with checks.no_warnings("σ at z = ±1000"):
    checks.expect_close(sigmoid(np.array([-1000.0, 1000.0])), [0.0, 1.0], "σ at z = ±1000", atol=1e-300,
                        hint="use a form of σ that never computes e to a large positive power")
print("visible σ tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(102)
for shape in [(7,), (3, 1), (4, 5), (2, 3, 2)]:
    z = rng.uniform(-30, 30, size=shape)
    keep = z.copy()
    checks.expect_close(sigmoid(z), oracle.plain_sigmoid(z), f"σ(z) for random z of shape {shape}", rtol=1e-9, atol=1e-15)
    checks.expect(np.array_equal(z, keep), "sigmoid changed its input z in place")
checks.expect(np.ndim(sigmoid(1.5)) == 0, "σ of a scalar should be a scalar (shape ()), not an array")
z = np.linspace(-8, 8, 17)
checks.expect_close(sigmoid(-z), 1 - sigmoid(z), "σ(−z) against 1 − σ(z)", atol=1e-14)
big = np.array([-1000.0, -745.0, -710.0, 710.0, 745.0, 1000.0])
with checks.no_warnings("σ at |z| ≥ 710"):
    out = checks.as_array(sigmoid(big), "σ at |z| ≥ 710")
checks.expect(not np.any(np.isnan(out)), "σ returned nan for a large |z|")
checks.expect_close(out, [0, 0, 0, 1, 1, 1], "σ at |z| ≥ 710", atol=1e-300)
checks.expect_close(sigmoid(np.float32(2.0)), oracle.plain_sigmoid(2.0), "σ of a float32 input", rtol=1e-6)
z32 = rng.uniform(-20, 20, size=(4, 3)).astype(np.float32)
out32 = sigmoid(z32)
checks.expect_close(out32, oracle.plain_sigmoid(z32.astype(float)), "σ(z) for a float32 array z", rtol=1e-6,
                    atol=1e-12)
checks.expect(np.asarray(out32).dtype == np.float64,
              f"σ(z) for a float32 array should be float64 (the docstring asks for float64 results), "
              f"got {np.asarray(out32).dtype}: convert with np.asarray(z, dtype=np.float64)")
checks.expect_close(sigmoid(np.array(-1.25)), oracle.plain_sigmoid(-1.25), "σ(z) for a 0-d array z", rtol=1e-12)
z_int = np.array([[-800, -3], [0, 800]])
with checks.no_warnings("σ for an integer array with |z| = 800"):
    out_int = checks.as_array(sigmoid(z_int), "σ(z) for an integer array z")
checks.expect_close(out_int, [[0.0, oracle.plain_sigmoid(-3.0)], [0.5, 1.0]], "σ(z) for an integer array z",
                    rtol=1e-12, atol=1e-300, hint="σ must work for integer arrays too (no in-place float "
                                                   "writes into an integer array)")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. The derivative σ'
#
# By the chain rule, $\frac{d}{dz}(1+e^{-z})^{-1} = -(1+e^{-z})^{-2}\cdot(-e^{-z})$, so
#
# $$\sigma'(z) = \frac{e^{-z}}{(1+e^{-z})^2}
# = \frac{1}{1+e^{-z}}\cdot\frac{(1+e^{-z})-1}{1+e^{-z}} = \sigma(z)\,\bigl(1-\sigma(z)\bigr).$$
#
# *Careful:* some slides write $(1+e^{z})^2$ in the middle step; that is a typo — with $z=1$ it gives
# $e^{-1}/(1+e)^2 \approx 0.027$ instead of the true $\sigma'(1) \approx 0.197$. Another classic slip is to
# compute $z(1-z)$: the factor is $\sigma(z)(1-\sigma(z))$, evaluated at $\sigma(z)$, not at $z$.
#
# Hand values: $\sigma'(0) = \tfrac12\cdot\tfrac12 = \tfrac14$ (the largest value), and $\sigma'(\ln 3) =
# 0.75\cdot 0.25 = 0.1875$.
#
# **Exercise.** Implement `sigmoid_prime(z)` (same rules as `sigmoid`: any shape, stable, float64). You may
# call your `sigmoid`.

# %% role="solution" grade_id="sigmoid_prime"
from solutions.activations import sigmoid_prime

# %% role="tests" grade_id="test_sigmoid_prime" points=6
with checks.trusted(globals(), "sigmoid"):   # graded with a known-good σ, so σ' is tested on its own
    checks.expect_close(sigmoid_prime(0.0), 0.25, "σ'(0)", hint="σ'(z) = σ(z)(1 − σ(z))")
    checks.expect_close(sigmoid_prime(np.log(3.0)), 0.1875, "σ'(ln 3)", rtol=1e-12,
                        hint="σ'(z) = σ(z)(1 − σ(z)), with σ evaluated at z — not z(1 − z)")
print("visible σ' tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(103)
with checks.trusted(globals(), "sigmoid"):
    for shape in [(9,), (4, 3), (2, 2, 2), (5, 1)]:
        z = rng.uniform(-10, 10, size=shape)
        checks.expect_gradient(sigmoid_prime(z), lambda v: float(np.sum(oracle.plain_sigmoid(v))), z,
                               f"σ'(z) for z of shape {shape}", hint="σ'(z) = σ(z)(1 − σ(z))")
    with checks.no_warnings("σ' at z = ±1000"):
        out = sigmoid_prime(np.array([-1000.0, 1000.0]))
    checks.expect_close(out, [0.0, 0.0], "σ' at z = ±1000 (saturated)", atol=1e-300)
    checks.expect(np.ndim(sigmoid_prime(0.3)) == 0, "σ' of a scalar should be a scalar")
    checks.expect_close(sigmoid_prime(np.array(0.7)), oracle.plain_sigmoid_prime(0.7), "σ'(z) for a 0-d array z",
                        rtol=1e-12)
    z32 = rng.uniform(-6, 6, size=(3, 4)).astype(np.float32)
    out32 = checks.as_array(sigmoid_prime(z32), "σ'(z) for float32 z")
    checks.expect_close(out32, oracle.plain_sigmoid_prime(z32.astype(float)), "σ'(z) for float32 z", rtol=1e-6,
                        atol=1e-9, hint="σ'(z) = σ(z)(1 − σ(z)) for any input dtype")
    z_int = np.array([-3, 0, 2])
    checks.expect_close(sigmoid_prime(z_int), oracle.plain_sigmoid_prime(z_int.astype(float)),
                        "σ'(z) for an integer array z", rtol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Seeing it: σ, σ' and a numerical check
#
# The cell below plots both functions. Then it checks your σ' the way we will check every gradient in this
# course: by a **central difference** $\;\sigma'(z) \approx \dfrac{\sigma(z+h)-\sigma(z-h)}{2h}$ with a small
# $h$ (here $10^{-5}$). The error of this estimate shrinks like $h^2$, so the two should agree to about
# 7–10 significant digits.

# %%
with checks.when_implemented("the plot"):
    z = np.linspace(-8, 8, 401)
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(z, sigmoid(z), label="σ(z)")
    ax.plot(z, sigmoid_prime(z), label="σ'(z)")
    ax.set(xlabel="z", ylabel="value", title="The sigmoid and its derivative")
    ax.grid(alpha=0.3)
    ax.legend()
    plt.show()

with checks.when_implemented("the finite-difference check"):
    h = 1e-5
    z = np.array([-4.0, -1.0, 0.0, 0.5, 3.0])
    numeric = (sigmoid(z + h) - sigmoid(z - h)) / (2 * h)
    for zi, exact, approx in zip(z, sigmoid_prime(z), numeric):
        print(f"z = {zi:5.1f}   σ'(z) = {exact:.10f}   central difference = {approx:.10f}")

# %% [markdown]
# ## 5. Saturation: why a confident, wrong neuron learns slowly
#
# Every gradient that passes through a sigmoid neuron is multiplied by $\sigma'(z)$. That factor is at most
# $\tfrac14$, and it collapses once $|z|$ grows: $\sigma'(2)\approx 0.105$, $\sigma'(5)\approx 0.0066$,
# $\sigma'(10)\approx 4.5\times10^{-5}$. A neuron whose weighted input sits far out on either flat end is
# **saturated**: changing its weights barely changes its output, so gradient descent moves it very slowly —
# even when its output is completely wrong. We will meet this again in assignment 2 (it is what cross-entropy
# fixes) and assignment 5 (we will measure the slowdown).
#
# A last connection: scaling all weights and the bias of a sigmoid neuron by a large factor $c$ makes it
# behave like a perceptron, because $\sigma(cz)$ tends to the step function for every $z \ne 0$. Try it below.

# %%
with checks.when_implemented("the saturation table"):
    for z in [0.0, 2.0, 5.0, 10.0, 20.0]:
        print(f"σ'({z:4.1f}) = {sigmoid_prime(z):.2e}")
    w, b = np.array([1.0, 1.0]), -1.5
    inputs = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    for c in [1, 10, 100]:
        print(f"c = {c:3d}: sigmoid neuron outputs {np.round(sigmoid(c * (w @ inputs + b)), 4)}")

# %% [markdown]
# ## Summary
#
# * A perceptron's step cannot be nudged; a sigmoid neuron can, because σ is smooth.
# * σ is computed stably by never exponentiating a positive number.
# * σ'(z) = σ(z)(1 − σ(z)) ≤ 1/4, and it vanishes for large |z|: saturated neurons learn slowly.
# * A central difference checks a derivative to many digits — we will use it for every gradient from now on.
