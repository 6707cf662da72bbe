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
# # Assignment 2 — Cost functions
#
# **Learning objectives.** After this notebook you can
# 1. write the quadratic cost as a batch average of per-sample costs, state the two assumptions backpropagation
#    makes about any cost, and derive $\partial C_x/\partial a^L = a^L - y$;
# 2. settle a sign question with a central difference instead of trusting a slide, and say why the sign
#    decides whether gradient descent goes downhill;
# 3. implement binary cross-entropy for sigmoid outputs, keep it finite when an output saturates to exactly
#    0 or 1, and derive why its output error is simply $\delta^L = a^L - y$;
# 4. implement a softmax that never overflows and the categorical cross-entropy that goes with it, and
#    derive that this pair also gives $\delta^L = a^L - y$;
# 5. explain the *learning slowdown* of the quadratic cost and why cross-entropy avoids it.
#
# **Time.** About 75–90 minutes: 30 minutes of reading and derivations, 35 of coding, the rest for the
# experiments.
#
# **How this works.** Fill in every cell that says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each function a test cell checks it; its messages use the notation of the course. The graded version
# runs more tests on inputs you do not see, so make your function right for *every* input the docstring allows,
# not just for the visible examples. Points: quadratic cost 3, its gradient 3, binary cross-entropy 3, its
# gradient 2, the cross-entropy output error δᴸ 2, softmax 3, categorical cross-entropy 4 — 20 in all.
#
# **Conventions** (the same in every notebook of the course).
# * The output layer is layer $L$; its activations $a^L$ and the desired outputs $y$ are columns of $n_L$ numbers.
# * A mini-batch of $m$ samples is an $(n_L, m)$ array: **one column per sample**. A single sample is $m = 1$.
# * A **cost** is one number, the **average over the batch**: $C = \frac1m\sum_x C_x$.
# * A **gradient** $\partial C_x/\partial a^L$ or an **output error** $\delta^L = \partial C_x/\partial z^L$ is
#   returned **per sample**: one column per sample, *not* divided by $m$. (The gradient of the batch average
#   $C$ with respect to column $x$ is that column divided by $m$; the backpropagation of assignment 4 does the
#   averaging.)

# %% role="locked" grade_id="setup"
# snippet: setup

# %% [markdown]
# The read-only cell below gives you a stable sigmoid and its derivative (as in assignment 1), the helper
# `_n_samples(a)` (the number $m$ of columns of a batch) and the constant `LOG_EPS` used to keep logarithms
# finite (section 4). Use them freely. The cell after it is a small helper of the test cells.

# %% role="locked" grade_id="given_functions"
# Given (read-only): a stable σ and σ' as in assignment 1, the batch size m of an (n, m) array,
# and the clip level ε for logarithms of probabilities.
from solutions.costs import LOG_EPS


from solutions.activations import sigmoid, sigmoid_prime


from solutions.costs import _n_samples


# %% role="locked" grade_id="check_helpers"
def cost_value(result, name):
    """The number a cost function returned: a float, a 0-d array or an array holding one number."""
    value = checks.as_array(result, name)
    checks.expect(value.size == 1, f"{name} should be one number, the batch average C, but has shape "
                                   f"{value.shape}: sum over the outputs j and average over the samples (columns)")
    return value.reshape(())


# %% [markdown]
# ## 1. The quadratic cost
#
# A network with weights and biases turns an input $x$ into output activations $a^L(x)$. How wrong it is on a
# batch of $m$ training samples is measured by the **quadratic cost** (also called mean squared error):
#
# $$C = \frac{1}{m}\sum_x C_x, \qquad
# C_x = \tfrac12\,\lVert a^L(x) - y(x)\rVert^2 = \tfrac12\sum_j \bigl(a^L_j - y_j\bigr)^2 .$$
#
# The inner sum runs over the $n_L$ output neurons $j$ (the rows), the outer average over the samples $x$
# (the columns). The $\tfrac12$ is there only to make the derivative clean.
#
# Backpropagation needs two things from a cost, and the quadratic cost has both:
#
# 1. **It is an average of per-sample costs**, $C = \frac1m\sum_x C_x$. Backpropagation works one sample at a
#    time: it computes $\partial C_x/\partial w$ and $\partial C_x/\partial b$ for a single $x$. The gradient of
#    $C$ is then the average of those per-sample gradients, because the derivative of an average is the
#    average of the derivatives.
# 2. **It depends on the network only through its output activations** $a^L$. The input $x$ and its label
#    $y(x)$ are fixed data — constants, not things we can change. So $C_x$ is a function of $a^L$ alone, and
#    $\partial C_x/\partial a^L$ is a well-defined vector: the first link of the chain rule that
#    backpropagation follows back into the network.
#
# *Worked example.* For one sample with $a^L = (0.5, 0.2)^T$ and $y = (1, 0)^T$:
# $C_x = \tfrac12\,(0.5^2 + 0.2^2) = \tfrac12\,(0.25 + 0.04) = 0.145$. Add two more samples with costs $0.085$ and
# $0$ and the batch cost is $C = (0.145 + 0.085 + 0)/3 \approx 0.0767$ — an average over the **3 columns**, not
# over the 6 numbers of the array and not over the 2 rows.
#
# **Exercise.** Implement `quadratic_cost(a, y)` for arrays of shape $(n_L, m)$. Return one number.

# %% role="solution" grade_id="quadratic_cost"
from solutions.costs import quadratic_cost

# %% role="tests" grade_id="test_quadratic_cost" points=3
# one sample (m = 1): C = ½‖a − y‖² = ½(0.5² + 0.2²) = 0.145
a1, y1 = np.array([[0.5], [0.2]]), np.array([[1.0], [0.0]])
checks.expect_close(cost_value(quadratic_cost(a1, y1), "C for one sample"), 0.145,
                    "quadratic C = ½‖aᴸ − y‖² for one sample", rtol=1e-12,
                    hint="Cₓ = ½ Σⱼ (aⱼ − yⱼ)²: the factor ½ times a SUM (not a mean) "
                         "over the outputs j")
# a batch of m = 3 samples (columns): per-sample costs 0.145, 0.085 and 0, so C = 0.23 / 3
a = np.array([[0.5, 0.9, 0.3], [0.2, 0.4, 0.6]])
y = np.array([[1.0, 1.0, 0.3], [0.0, 0.0, 0.6]])
checks.expect_close(cost_value(quadratic_cost(a, y), "C for a batch"), 0.23 / 3,
                    "quadratic C = (1/m) Σₓ ½‖aᴸ − y‖² for a batch of m = 3 columns", rtol=1e-12,
                    hint="C is the AVERAGE over the m samples: divide the total by m = number of COLUMNS "
                         "(not by the number of rows or of entries, and do not just sum)")
print("visible quadratic cost tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
def loop_quadratic_cost(a, y):
    n, m = a.shape
    return sum(0.5 * (float(a[j, x]) - float(y[j, x])) ** 2 for j in range(n) for x in range(m)) / m

rng = np.random.default_rng(201)
for n, m in [(1, 1), (1, 6), (3, 1), (4, 5), (10, 3), (2, 7)]:
    a, y = rng.uniform(0, 1, (n, m)), rng.uniform(0, 1, (n, m))
    result = checks.expect_inputs_unchanged(quadratic_cost, a, y, name="quadratic_cost")
    checks.expect_close(cost_value(result, f"C for aᴸ of shape ({n}, {m})"), loop_quadratic_cost(a, y),
                        f"quadratic C for aᴸ of shape ({n}, {m})", rtol=1e-10,
                        hint="C = (1/m) Σₓ ½ Σⱼ (aⱼ − yⱼ)², with m the number of columns")
checks.expect_close(cost_value(quadratic_cost(a, a.copy()), "C for a perfect output"), 0.0,
                    "quadratic C when aᴸ = y", atol=1e-15)
a32, y32 = rng.uniform(0, 1, (3, 4)).astype(np.float32), rng.uniform(0, 1, (3, 4)).astype(np.float32)
checks.expect_close(cost_value(quadratic_cost(a32, y32), "C for float32 inputs"),
                    loop_quadratic_cost(a32, y32), "quadratic C for float32 inputs", rtol=1e-5)
### END HIDDEN TESTS

# %% [markdown]
# ## 2. The gradient $\partial C_x/\partial a^L$
#
# Differentiate one term of $C_x = \tfrac12\sum_j (a_j - y_j)^2$ with respect to $a_j$ (only the $j$-th term
# depends on it; write $a_j$ for $a_j^L$):
#
# $$\frac{\partial C_x}{\partial a^L_j} = \tfrac12\cdot 2\,(a_j - y_j)\cdot 1 = a_j - y_j,
# \qquad\text{so}\qquad \nabla_a C_x = a^L - y .$$
#
# *Worked example.* $a^L = (0.8, 0.1)^T$, $y = (1, 0)^T$ gives $\nabla_a C_x = (-0.2, 0.1)^T$: the first output is
# too small (negative gradient: increasing $a_1$ lowers the cost), the second too large.
#
# For a batch we return one such column per sample, **not divided by $m$** (see the conventions at the top).
#
# **Exercise.** Implement `quadratic_cost_gradient(a, y)`: shape $(n_L, m)$ in, shape $(n_L, m)$ out.

# %% role="solution" grade_id="quadratic_cost_gradient"
from solutions.costs import quadratic_cost_gradient

# %% role="tests" grade_id="test_quadratic_cost_gradient" points=3
a, y = np.array([[0.8], [0.1]]), np.array([[1.0], [0.0]])
checks.expect_close(quadratic_cost_gradient(a, y), [[-0.2], [0.1]],
                    "∂Cₓ/∂aᴸ for aᴸ = (0.8, 0.1), y = (1, 0)", rtol=1e-12,
                    hint="∂Cₓ/∂aⱼ = aⱼ − yⱼ (output minus target); y − a points uphill")
a = np.array([[0.8, 0.3, 0.5], [0.1, 0.6, 0.5]])
y = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])
checks.expect_close(quadratic_cost_gradient(a, y), [[-0.2, 0.3, 0.0], [0.1, -0.4, 0.0]],
                    "∂Cₓ/∂aᴸ for a batch of m = 3 samples (one column each)", rtol=1e-12,
                    hint="gradients are per sample: one column aⱼ − yⱼ per sample, "
                         "not divided by m, not summed")
print("visible quadratic gradient tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(202)
for n, m in [(1, 1), (1, 5), (4, 1), (3, 4), (8, 6)]:
    a, y = rng.uniform(0, 1, (n, m)), rng.uniform(0, 1, (n, m))
    g = checks.expect_inputs_unchanged(quadratic_cost_gradient, a, y, name="quadratic_cost_gradient")
    # Σₓ Cₓ = m·C: its gradient with respect to column x is the per-sample gradient ∂Cₓ/∂aₓ
    checks.expect_gradient(g, lambda v: 0.5 * float(np.sum((v - y) ** 2)), a,
                           f"∂Cₓ/∂aᴸ for a batch of shape ({n}, {m})",
                           hint="∂Cₓ/∂aⱼ = aⱼ − yⱼ per sample (no 1/m, no sign flip)")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Spot the mistake: which sign?
#
# A widely used set of lecture slides differentiates the same cost and writes
#
# $$\frac{\partial C}{\partial a^L_j} = (y_j - a_j) \qquad (\text{?})$$
#
# That is the *negative* of what we derived. One of the two is wrong, and you do not need to trust either of us:
# a derivative is a limit you can approximate. The **central difference**
#
# $$\frac{\partial C}{\partial a_j} \approx \frac{C(a + h e_j) - C(a - h e_j)}{2h}$$
#
# (nudge only entry $j$ up and down by a small $h$) settles it. The cell below does this with your
# `quadratic_cost`, then takes ten steps of gradient descent on $a$ itself, $a \leftarrow a - \eta\,g$, once
# with $g = a - y$ and once with the slide's $g = y - a$.
#
# **Question.** Before running it: which of the two runs will make the cost go *up*? Why is a sign error in a
# gradient so much worse than, say, a factor of 2?

# %%
with checks.when_implemented("the sign experiment"):
    a = np.array([[0.8], [0.1]])
    y = np.array([[1.0], [0.0]])
    h = 1e-5
    numeric = np.zeros_like(a)
    for j in range(a.shape[0]):
        up, down = a.copy(), a.copy()
        up[j, 0] += h
        down[j, 0] -= h
        numeric[j, 0] = (quadratic_cost(up, y) - quadratic_cost(down, y)) / (2 * h)
    print("central difference ∂C/∂a :", np.round(numeric.ravel(), 8))
    print("a − y                    :", (a - y).ravel())
    print("y − a   (the slide)      :", (y - a).ravel())

    eta, steps = 0.3, 10
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for label, direction in [("g = a − y", lambda a: a - y), ("g = y − a (slide)", lambda a: y - a)]:
        current, history = a.copy(), []
        for _ in range(steps + 1):
            history.append(quadratic_cost(current, y))
            current = current - eta * direction(current)
        ax.plot(history, marker="o", label=label)
        print(f"{label:18s}: cost {history[0]:.4f} -> {history[-1]:.4f} after {steps} steps")
    ax.set(xlabel="gradient-descent step", ylabel="quadratic cost C", yscale="log",
           title="Stepping against ±(a − y)")
    ax.grid(alpha=0.3)
    ax.legend()
    plt.show()

# %% [markdown]
# **What you should see.** The central difference agrees with $a - y$ to about ten digits, so the slide's
# $y - a$ has the wrong sign. Gradient descent steps *against* the gradient; with the sign flipped every step
# goes uphill, so the cost grows geometrically instead of shrinking. A wrong factor (say 2) only changes the step
# length, which a learning rate can absorb; a wrong sign can never be fixed by tuning. (Another set of notes,
# writing the regression loss $\tfrac12(z_L - y)^2$ for an output $z_L$, gets
# $\partial/\partial z_L = z_L - y$ — output minus target, the same as ours.) From now on, every gradient in the
# course is checked this way.

# %% [markdown]
# ## 4. Binary cross-entropy
#
# The quadratic cost has a weakness with sigmoid outputs. By the chain rule (this is BP1 of assignment 4), the
# output error is
#
# $$\delta^L_j = \frac{\partial C_x}{\partial z^L_j} = \frac{\partial C_x}{\partial a^L_j}\,\sigma'(z^L_j)
# = (a^L_j - y_j)\,\sigma'(z^L_j).$$
#
# When an output neuron is confidently *wrong* — $a^L_j \approx 1$ with $y_j = 0$, say — it is saturated and
# $\sigma'(z^L_j)$ is tiny, so $\delta^L_j$ is tiny and the neuron learns slowly exactly when it is most wrong.
# The **binary cross-entropy** is built so that this factor disappears:
#
# $$C = \frac1m\sum_x C_x, \qquad
# C_x = -\sum_j \Bigl[\,y_j \ln a^L_j + (1 - y_j)\ln\bigl(1 - a^L_j\bigr)\Bigr],$$
#
# for sigmoid outputs $0 < a^L_j < 1$ and targets $y_j \in [0, 1]$ (usually exactly 0 or 1, but any
# probability is allowed, as the docstring says). Why is it a sensible cost? Both logarithms
# are negative, so $C_x \ge 0$. For $y_j = 1$ the term is $-\ln a_j$: zero when $a_j = 1$, huge when $a_j \to 0$.
# For $y_j = 0$ it is $-\ln(1 - a_j)$: zero when $a_j = 0$, huge when $a_j \to 1$. A confident wrong answer is
# expensive.
#
# *Worked example.* $a^L = (0.8, 0.25)^T$, $y = (1, 0)^T$:
# $C_x = -[\ln 0.8 + \ln(1 - 0.25)] = 0.2231 + 0.2877 = 0.5108$.
#
# ### Keeping it finite
#
# In float64 a sigmoid output *is* exactly `1.0` once $z \gtrsim 37$ and exactly `0.0` once $z \lesssim -745$.
# Then `np.log(0.0)` is `-inf` (with a "divide by zero" warning), and for a *correct* saturated output the
# unused term becomes $0 \cdot \ln 0 = 0\cdot(-\infty)$ = `nan`, which poisons the whole sum. The standard fix is
# to **clip** the activations to $[\varepsilon, 1 - \varepsilon]$ before taking logarithms, with a tiny
# $\varepsilon$: the given `LOG_EPS` $= 10^{-15}$ (anything from about $10^{-16}$ to $10^{-10}$ works; note that
# $1 - 10^{-17}$ rounds to exactly `1.0` in float64, so $\varepsilon$ cannot be arbitrarily small). A saturated
# wrong output then costs about $-\ln 10^{-15} \approx 34.5$ instead of $\infty$. Use `np.clip`, and do not
# modify the caller's array.
#
# **Exercise.** Implement `binary_cross_entropy(a, y)`: one number, the batch average, finite and free of
# warnings even when entries of `a` are exactly 0 or 1.

# %%
# What goes wrong without clipping (warnings silenced here so that you see the values):
with np.errstate(divide="ignore", invalid="ignore"):
    print("ln 0       =", np.log(np.float64(0.0)))
    print("0 · ln 0   =", 0.0 * np.log(np.float64(0.0)))
print("1 − 1e-17 == 1.0:", 1.0 - 1e-17 == 1.0, "   1 − 1e-15 == 1.0:", 1.0 - 1e-15 == 1.0)
print("σ(40) == 1.0:", sigmoid(40.0) == 1.0)

# %% role="solution" grade_id="binary_cross_entropy"
from solutions.costs import binary_cross_entropy

# %% role="tests" grade_id="test_binary_cross_entropy" points=3
# one sample with two sigmoid outputs: Cₓ = −[ln 0.8 + ln(1 − 0.25)] ≈ 0.5108
a, y = np.array([[0.8], [0.25]]), np.array([[1.0], [0.0]])
checks.expect_close(cost_value(binary_cross_entropy(a, y), "C for one sample"), -(np.log(0.8) + np.log(0.75)),
                    "binary cross-entropy C for aᴸ = (0.8, 0.25), y = (1, 0)", rtol=1e-9,
                    hint="Cₓ = −Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)]: mind the minus sign, "
                         "keep both terms, and SUM (not average) over the outputs j")
# a batch of m = 2: the second sample has aᴸ = (0.5, 0.9), y = (0, 1)
a, y = np.array([[0.8, 0.5], [0.25, 0.9]]), np.array([[1.0, 0.0], [0.0, 1.0]])
checks.expect_close(cost_value(binary_cross_entropy(a, y), "C for a batch"),
                    -(np.log(0.8) + np.log(0.75) + np.log(0.5) + np.log(0.9)) / 2,
                    "binary cross-entropy C for a batch of m = 2 columns", rtol=1e-9,
                    hint="sum over the outputs j, then average over the m samples (columns) — "
                         "not over all n·m entries")
# saturated outputs: exactly 0.0 and 1.0
with checks.no_warnings("binary cross-entropy at saturated outputs aᴸ ∈ {0, 1} "
                        "(clip aᴸ to [ε, 1 − ε] before np.log)"):
    right = cost_value(binary_cross_entropy(np.array([[1.0], [0.0]]), np.array([[1.0], [0.0]])), "C")
    wrong = cost_value(binary_cross_entropy(np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]])), "C")
checks.expect_close(right, 0.0, "binary cross-entropy for saturated outputs that are exactly right",
                    atol=1e-6, hint="clip aᴸ to [ε, 1 − ε] before taking logs (0 · ln 0 is nan)")
checks.expect(np.isfinite(wrong) and 30 <= wrong <= 1490,
              f"binary cross-entropy for saturated, completely wrong outputs should be large but finite "
              f"(≈ −2 ln ε ≈ 69 for ε = 1e-15), got {wrong}: "
              "clip aᴸ to [ε, 1 − ε] before taking logs")
print("visible binary cross-entropy tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
import math

def loop_binary_cross_entropy(a, y):
    n, m = a.shape
    return -sum(y[j, x] * math.log(a[j, x]) + (1 - y[j, x]) * math.log(1 - a[j, x])
                for j in range(n) for x in range(m)) / m

rng = np.random.default_rng(203)
for n, m in [(1, 1), (1, 8), (3, 1), (4, 5), (10, 3)]:
    a = oracle.stable_sigmoid(rng.uniform(-8, 8, (n, m)))
    y = rng.integers(0, 2, (n, m)).astype(float)
    result = checks.expect_inputs_unchanged(binary_cross_entropy, a, y, name="binary_cross_entropy")
    checks.expect_close(cost_value(result, f"C for aᴸ of shape ({n}, {m})"), loop_binary_cross_entropy(a, y),
                        f"binary cross-entropy C for aᴸ of shape ({n}, {m})", rtol=1e-6,
                        hint="C = −(1/m) Σₓ Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)], "
                             "m = number of columns")
# a batch mixing exactly-right saturated outputs with ordinary ones
a = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.6]])
y = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
with checks.no_warnings("binary cross-entropy for a batch with saturated outputs"):
    result = checks.expect_inputs_unchanged(binary_cross_entropy, a, y, name="binary_cross_entropy")
checks.expect_close(cost_value(result, "C"), -(math.log(0.3) + math.log(0.4)) / 3,
                    "binary cross-entropy for a batch with saturated, correct outputs", rtol=1e-6, atol=1e-6,
                    hint="clip aᴸ to [ε, 1 − ε]; 0 · ln 0 must not become nan")
# saturated wrong outputs in a batch of m = 2 (three wrong entries): large but finite
a = np.array([[0.0, 1.0], [1.0, 0.5]])
y = np.array([[1.0, 0.0], [0.0, 1.0]])
with checks.no_warnings("binary cross-entropy for saturated, wrong outputs"):
    wrong = float(cost_value(checks.expect_inputs_unchanged(binary_cross_entropy, a, y,
                                                            name="binary_cross_entropy"), "C"))
checks.expect(np.isfinite(wrong) and (45 + math.log(2)) / 2 <= wrong <= (3 * 745 + math.log(2)) / 2,
              f"binary cross-entropy for saturated, wrong outputs should be large but finite, got {wrong}")
# probability targets yⱼ ∈ [0, 1] (the docstring allows any, not only 0 and 1): both terms count
for n, m in [(1, 1), (3, 4), (5, 2)]:
    a, y = oracle.stable_sigmoid(rng.uniform(-6, 6, (n, m))), rng.uniform(0, 1, (n, m))
    result = checks.expect_inputs_unchanged(binary_cross_entropy, a, y, name="binary_cross_entropy")
    checks.expect_close(cost_value(result, f"C for probability targets of shape ({n}, {m})"),
                        loop_binary_cross_entropy(a, y),
                        f"binary cross-entropy C for probability targets y ∈ [0, 1] of shape ({n}, {m})",
                        rtol=1e-6, hint="keep both terms yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ) for every target: "
                                        "y need not be 0 or 1")
# by hand: aᴸ = (0.8), y = (0.6): Cₓ = −(0.6 ln 0.8 + 0.4 ln 0.2) ≈ 0.77767
checks.expect_close(cost_value(binary_cross_entropy(np.array([[0.8]]), np.array([[0.6]])), "C"),
                    -(0.6 * math.log(0.8) + 0.4 * math.log(0.2)),
                    "binary cross-entropy for aᴸ = 0.8, y = 0.6", rtol=1e-9)
# a saturated output with a probability target: large but finite, no warning
with checks.no_warnings("binary cross-entropy for a saturated output with target 0.7"):
    soft = float(cost_value(binary_cross_entropy(np.array([[1.0]]), np.array([[0.7]])), "C"))
checks.expect(np.isfinite(soft) and 0.3 * 15 <= soft <= 0.3 * 745,
              f"binary cross-entropy for aᴸ = 1 exactly and y = 0.7 should be large but finite "
              f"(≈ −0.3 ln ε), got {soft}: clip aᴸ to [ε, 1 − ε] before taking logs")
a32 = oracle.stable_sigmoid(rng.uniform(-5, 5, (3, 4))).astype(np.float32)
y32 = rng.integers(0, 2, (3, 4)).astype(np.float32)
checks.expect_close(cost_value(binary_cross_entropy(a32, y32), "C for float32 inputs"),
                    loop_binary_cross_entropy(a32.astype(float), y32.astype(float)),
                    "binary cross-entropy for float32 inputs", rtol=1e-5)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Its gradient — and why $\sigma'(z^L)$ cancels
#
# Differentiate one term of $C_x$ with respect to $a_j$ (again writing $a_j$ for $a^L_j$):
#
# $$\frac{\partial C_x}{\partial a_j} = -\frac{y_j}{a_j} + \frac{1 - y_j}{1 - a_j}
# = \frac{-y_j(1 - a_j) + (1 - y_j)\,a_j}{a_j(1 - a_j)} = \frac{a_j - y_j}{a_j\,(1 - a_j)} .$$
#
# Now pass it through the output neuron with the chain rule. For a sigmoid output,
# $\sigma'(z_j) = \sigma(z_j)(1 - \sigma(z_j)) = a_j(1 - a_j)$ — exactly the denominator:
#
# $$\delta^L_j = \frac{\partial C_x}{\partial a_j}\,\sigma'(z^L_j)
# = \frac{a_j - y_j}{a_j(1 - a_j)}\cdot a_j(1 - a_j) = a_j - y_j,
# \qquad \delta^L = a^L - y .$$
#
# The output error is proportional to *how wrong* the output is and contains no $\sigma'$ at all, so a
# saturated, wrong neuron still gets a large error signal. (In practice a network uses $\delta^L = a^L - y$
# directly and never forms the fraction, which is undefined at $a_j \in \{0, 1\}$.)
#
# *Worked example.* $a^L = (0.8, 0.25)^T$, $y = (1, 0)^T$:
# $\partial C_x/\partial a = \bigl(\tfrac{-0.2}{0.16},\ \tfrac{0.25}{0.1875}\bigr) = (-1.25,\ 1.3\overline{3})$;
# times $\sigma' = a(1 - a) = (0.16,\ 0.1875)$ this is $(-0.2,\ 0.25) = a^L - y$.
#
# **Exercise.** Implement `binary_cross_entropy_gradient(a, y)` = $\partial C_x/\partial a^L$, per sample, for
# $0 < a < 1$ (no clipping needed here).

# %% role="solution" grade_id="binary_cross_entropy_gradient"
from solutions.costs import binary_cross_entropy_gradient

# %% role="tests" grade_id="test_binary_cross_entropy_gradient" points=2
a, y = np.array([[0.8], [0.25]]), np.array([[1.0], [0.0]])
checks.expect_close(binary_cross_entropy_gradient(a, y), [[-1.25], [4 / 3]],
                    "∂Cₓ/∂aᴸ of binary cross-entropy for aᴸ = (0.8, 0.25), y = (1, 0)", rtol=1e-10,
                    hint="∂Cₓ/∂aⱼ = −yⱼ/aⱼ + (1 − yⱼ)/(1 − aⱼ) "
                         "= (aⱼ − yⱼ) / (aⱼ(1 − aⱼ))")
a, y = np.array([[0.8, 0.5], [0.25, 0.9]]), np.array([[1.0, 0.0], [0.0, 1.0]])
checks.expect_close(binary_cross_entropy_gradient(a, y), [[-1.25, 2.0], [4 / 3, -10 / 9]],
                    "∂Cₓ/∂aᴸ of binary cross-entropy for a batch of m = 2 samples", rtol=1e-10,
                    hint="per sample: one column per sample, not divided by m")
print("visible binary cross-entropy gradient tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(204)
for n, m in [(1, 1), (1, 6), (3, 1), (4, 4), (7, 3)]:
    a = oracle.stable_sigmoid(rng.uniform(-4, 4, (n, m)))
    y = rng.integers(0, 2, (n, m)).astype(float)
    g = checks.expect_inputs_unchanged(binary_cross_entropy_gradient, a, y,
                                       name="binary_cross_entropy_gradient")
    # Σₓ Cₓ = m·C: its gradient with respect to column x is the per-sample gradient ∂Cₓ/∂aₓ
    checks.expect_gradient(g, lambda v: -float(np.sum(y * np.log(v) + (1 - y) * np.log(1 - v))), a,
                           f"∂Cₓ/∂aᴸ of binary cross-entropy for a batch of shape ({n}, {m})",
                           hint="∂Cₓ/∂aⱼ = (aⱼ − yⱼ) / (aⱼ(1 − aⱼ)) per sample "
                                "(no 1/m, mind the sign)")
# probability targets y ∈ [0, 1]
for n, m in [(1, 1), (3, 5)]:
    a, y = oracle.stable_sigmoid(rng.uniform(-4, 4, (n, m))), rng.uniform(0, 1, (n, m))
    g = checks.expect_inputs_unchanged(binary_cross_entropy_gradient, a, y,
                                       name="binary_cross_entropy_gradient")
    checks.expect_gradient(g, lambda v: -float(np.sum(y * np.log(v) + (1 - y) * np.log(1 - v))), a,
                           f"∂Cₓ/∂aᴸ of binary cross-entropy for probability targets, shape ({n}, {m})",
                           hint="∂Cₓ/∂aⱼ = −yⱼ/aⱼ + (1 − yⱼ)/(1 − aⱼ) for any target yⱼ ∈ [0, 1]")
# by hand: a = 0.8, y = 0.6: (0.8 − 0.6) / (0.8 · 0.2) = 1.25
checks.expect_close(binary_cross_entropy_gradient(np.array([[0.8]]), np.array([[0.6]])), [[1.25]],
                    "∂Cₓ/∂aᴸ for aᴸ = 0.8, y = 0.6", rtol=1e-10)
a32 = oracle.stable_sigmoid(rng.uniform(-4, 4, (2, 3))).astype(np.float32)
y32 = rng.integers(0, 2, (2, 3)).astype(np.float32)
checks.expect_close(binary_cross_entropy_gradient(a32, y32),
                    (a32.astype(float) - y32) / (a32.astype(float) * (1 - a32.astype(float))),
                    "∂Cₓ/∂aᴸ for float32 inputs", rtol=1e-4)
### END HIDDEN TESTS

# %% [markdown]
# The cell below confirms the cancellation numerically. It multiplies your gradient by $\sigma'(z^L)$ and
# compares the product with $a^L - y$, and it differentiates $z \mapsto C\bigl(\sigma(z), y\bigr)$ directly by
# central differences (one sample, so $C = C_x$ and $\partial C/\partial z^L = \delta^L$).

# %%
with checks.when_implemented("the cancellation check"):
    z = np.array([[-3.0], [0.5], [4.0]])
    y = np.array([[1.0], [0.0], [0.0]])
    a = sigmoid(z)
    delta = binary_cross_entropy_gradient(a, y) * sigmoid_prime(z)
    h = 1e-5
    numeric = np.zeros_like(z)
    for j in range(z.shape[0]):
        up, down = z.copy(), z.copy()
        up[j, 0] += h
        down[j, 0] -= h
        numeric[j, 0] = (binary_cross_entropy(sigmoid(up), y)
                         - binary_cross_entropy(sigmoid(down), y)) / (2 * h)
    print("∂Cₓ/∂a ⊙ σ'(z)        :", np.round(delta.ravel(), 8))
    print("a − y                 :", np.round((a - y).ravel(), 8))
    print("central difference ∂C/∂z:", np.round(numeric.ravel(), 8))

# %% [markdown]
# **Exercise.** So with cross-entropy the output error needs no $\sigma'$ at all. Implement
# `cross_entropy_output_error(z, a, y)`: the per-sample $\delta^L = a^L - y$ for a batch of shape $(n_L, m)$.
# It takes $z^L$ too, so that every cost's output error has the same signature (the quadratic cost's
# $\delta^L = (a^L - y) \odot \sigma'(z^L)$ needs it); here you will not need it. Keeping the factor
# $\sigma'(z^L)$ out is the whole point: with it, a saturated neuron would learn as slowly as under the
# quadratic cost. (The same $\delta^L = a^L - y$ holds for softmax with categorical cross-entropy, section 7.)

# %% role="solution" grade_id="cross_entropy_output_error"
from solutions.costs import cross_entropy_output_error

# %% role="tests" grade_id="test_cross_entropy_output_error" points=2
z = np.array([[4.0], [-1.0]])
a, y = 1 / (1 + np.exp(-z)), np.array([[0.0], [1.0]])     # aᴸ = σ(zᴸ) ≈ (0.982014, 0.268941)
checks.expect_close(cross_entropy_output_error(z, a, y), a - y, "δᴸ of cross-entropy for a saturated output",
                    rtol=1e-12, hint="δᴸ = aᴸ − y: the σ'(zᴸ) factor cancels, do not multiply by it")
print("visible δᴸ test passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(207)
for n, m in [(3, 1), (4, 5), (1, 7)]:
    z = rng.uniform(-6, 6, size=(n, m))
    y = (rng.random((n, m)) > 0.5).astype(float)
    a = oracle.stable_sigmoid(z)
    delta = checks.as_array(cross_entropy_output_error(z, a, y), "δᴸ")
    # δᴸ is per sample: m · ∂C/∂zᴸ of the batch-average cost, checked by central differences in z
    checks.expect_gradient(delta / m, lambda v: -float(np.sum(y * np.log(oracle.stable_sigmoid(v))
                           + (1 - y) * np.log(1 - oracle.stable_sigmoid(v)))) / m, z,
                           f"δᴸ of cross-entropy for a batch of shape ({n}, {m})",
                           hint="δᴸ = aᴸ − y per sample: no σ'(zᴸ) factor, no 1/m")
# probability targets y ∈ [0, 1]: still δᴸ = aᴸ − y
z, y = rng.uniform(-5, 5, size=(3, 4)), rng.uniform(0, 1, size=(3, 4))
a = oracle.stable_sigmoid(z)
checks.expect_close(cross_entropy_output_error(z, a, y), a - y,
                    "δᴸ of cross-entropy for probability targets y ∈ [0, 1]", rtol=1e-12,
                    hint="δᴸ = aᴸ − y for any target, not only 0 or 1")
z = rng.normal(size=(4, 3))
a = oracle.plain_softmax(z)
y = np.eye(4)[:, [0, 2, 3]]
checks.expect_close(cross_entropy_output_error(z, a, y), a - y,
                    "δᴸ for softmax outputs with categorical cross-entropy", rtol=1e-12,
                    hint="δᴸ = aᴸ − y holds for softmax + categorical cross-entropy too")
### END HIDDEN TESTS

# %% [markdown]
# ## 6. Softmax: an output layer for one-of-$n_L$ classes
#
# When each sample belongs to exactly one of $n_L$ classes, we want the outputs to be a probability distribution:
# positive and summing to 1. The **softmax** output layer turns the weighted inputs $z^L$ of one sample into
#
# $$a^L_j = \frac{e^{z^L_j}}{\sum_k e^{z^L_k}}, \qquad j = 1, \dots, n_L .$$
#
# The sum runs over the $n_L$ entries of **one column** (one sample); every column is normalised on its own.
# Unlike σ, softmax is not elementwise: each $a_j$ depends on every $z_k$ of its column.
#
# *Worked example.* $z = (0, \ln 2, \ln 3)^T$ gives $e^z = (1, 2, 3)$, so $a = (1, 2, 3)/6 = (\tfrac16, \tfrac13,
# \tfrac12)$.
#
# ### Overflow, and the max trick
#
# `np.exp(1000)` overflows to `inf`, and `inf / inf` is `nan`; `np.exp(-1000)` underflows to 0, and `0 / 0` is
# `nan` too. But for any constant $c$,
#
# $$\frac{e^{z_j - c}}{\sum_k e^{z_k - c}} = \frac{e^{-c}\,e^{z_j}}{e^{-c}\sum_k e^{z_k}}
# = \frac{e^{z_j}}{\sum_k e^{z_k}},$$
#
# so we may subtract anything. Choosing $c = \max_k z_k$ of **that column** makes every exponent $\le 0$ (no
# overflow) and the largest term exactly $e^0 = 1$, so the denominator is at least 1 (no $0/0$). Each column
# needs its own maximum: one maximum for the whole batch would push the other columns' exponents to $-\infty$.
#
# **Exercise.** Implement `softmax(z)` for $z$ of shape $(n_L, m)$: every column a probability vector, no
# warnings and no `nan` for any finite $z$ (try $z = 1000$), and do not modify `z`.

# %%
z = np.array([[1000.0], [1001.0], [999.0]])
with np.errstate(over="ignore", invalid="ignore"):   # silenced here so that you see the result
    naive = np.exp(z) / np.exp(z).sum()
print("naive softmax of (1000, 1001, 999):", naive.ravel())
small = np.array([0.0, 1.0, -1.0])                    # the same column minus 1000: the same softmax
print("naive softmax of (0, 1, −1)       :", np.round(np.exp(small) / np.exp(small).sum(), 6))

# %% role="solution" grade_id="softmax"
from solutions.costs import softmax

# %% role="tests" grade_id="test_softmax" points=3
# two samples (columns): z = (0, ln 2, ln 3) gives (1, 2, 3)/6; three equal z's give 1/3 each
z = np.array([[0.0, 1.0], [np.log(2.0), 1.0], [np.log(3.0), 1.0]])
checks.expect_close(softmax(z), [[1 / 6, 1 / 3], [1 / 3, 1 / 3], [1 / 2, 1 / 3]],
                    "softmax(z) for two samples (columns)", rtol=1e-12,
                    hint="normalise each COLUMN: aⱼ = e^{zⱼ} / Σₖ e^{zₖ}, "
                         "the sum running down the column (axis=0)")
with checks.no_warnings("softmax at z = (1000, 1000) — subtract each column's maximum before np.exp"):
    big = softmax(np.array([[1000.0], [1000.0]]))
checks.expect_close(big, [[0.5], [0.5]], "softmax at z = (1000, 1000)",
                    hint="subtract each column's maximum before np.exp")
print("visible softmax tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(205)
for n, m in [(1, 1), (1, 4), (3, 1), (4, 6), (10, 3), (5, 5)]:
    z = rng.normal(0, 3, (n, m))
    a = checks.expect_inputs_unchanged(softmax, z, name="softmax")
    checks.expect_close(a, oracle.plain_softmax(z), f"softmax(z) for z of shape ({n}, {m})", rtol=1e-10,
                        atol=1e-15,
                        hint="aⱼ = e^{zⱼ} / Σₖ e^{zₖ}, each column (sample) normalised on its own")
# columns on very different scales: each needs its own maximum
z = np.array([[1000.0, -1000.0, 0.0], [999.0, -1001.0, 745.0], [990.0, -1000.0, -745.0]])
with checks.no_warnings("softmax for columns around +1000 and −1000 "
                        "— shift each column by its own maximum"):
    a = checks.expect_inputs_unchanged(softmax, z, name="softmax")
checks.expect_close(a, oracle.plain_softmax(z), "softmax for columns around +1000 and −1000", rtol=1e-10,
                    atol=1e-300, hint="shift each column by its own maximum; one global maximum makes 0/0")
z32 = rng.normal(0, 3, (4, 3)).astype(np.float32)
checks.expect_close(softmax(z32), oracle.plain_softmax(z32.astype(float)), "softmax of float32 input",
                    rtol=1e-5, atol=1e-7)
### END HIDDEN TESTS

# %% [markdown]
# ## 7. Categorical cross-entropy, and $\delta^L = a^L - y$ again
#
# With softmax outputs and a **one-hot** target $y$ (a column with a single 1, in the row of the true class), the
# cost is the **categorical cross-entropy**
#
# $$C = \frac1m\sum_x C_x, \qquad C_x = -\sum_j y_j \ln a^L_j = -\ln a^L_{\text{true class}} .$$
#
# It is zero when the network gives the true class probability 1 and grows without bound as that probability
# goes to 0. (There is no $(1 - y)$ term here: the softmax outputs are tied together, so raising the true class's
# probability automatically lowers the others.) As in section 4, clip before taking logarithms: a probability
# can underflow to exactly 0 (softmax of $z = (0, -800)$ is $(1, 0)$ in float64), and $0\cdot\ln 0$ must not
# become `nan`.
#
# *Worked example.* Two samples with $a^L = (\tfrac16, \tfrac13, \tfrac12)^T$, true class 3, and
# $a^L = (0.7, 0.2, 0.1)^T$, true class 1: $C = -\tfrac12(\ln 0.5 + \ln 0.7) = \tfrac12(0.6931 + 0.3567) \approx
# 0.5249$ — averaged over the **2 samples**, not over the 6 entries.
#
# ### Why $\delta^L = a^L - y$
#
# Softmax is not elementwise, so we need its full Jacobian. Differentiating the quotient,
#
# $$\frac{\partial a_j}{\partial z_k} = a_j\,\bigl(\mathbb 1[j = k] - a_k\bigr),$$
#
# and with $\partial C_x/\partial a_j = -y_j/a_j$ the chain rule sums over every path from $z_k$ to $C_x$:
#
# $$\delta^L_k = \frac{\partial C_x}{\partial z_k}
# = \sum_j \Bigl(-\frac{y_j}{a_j}\Bigr)\,a_j\bigl(\mathbb 1[j=k] - a_k\bigr)
# = -y_k + a_k\sum_j y_j = a_k - y_k ,$$
#
# because the entries of $y$ sum to 1. The same clean output error as sigmoid + binary cross-entropy.
#
# **The same result in other notation.** A blog post on backpropagation through a 4-layer network puts a softmax
# output layer on top with a cross-entropy loss and a one-hot target, and finds the gradient of the loss with
# respect to the softmax's *input* to be "prediction minus one-hot target" — our $\delta^L = a^L - y$. A set of
# short notes writes rows instead of columns, calls the *output* probabilities $z_{L}$, and names the true class
# by its index $y^*$; its $\partial\,\text{loss}/\partial z_{Lk} = -1/z_{Lk}$ for $k = y^*$ is our
# $\partial C_x/\partial a_k = -y_k/a_k$, and its softmax error
# $\tilde\delta_{Lk} = z_{Lk} - \mathbb 1[k = y^*]$ is our $\delta^L_k = a^L_k - y_k$ with $y$ the one-hot column
# of class $y^*$. (Those sources *sum* the per-sample
# gradients of a batch; we average, which only rescales the learning rate by $m$.)
#
# **Exercise.** Implement `categorical_cross_entropy(a, y)` for softmax probabilities `a` and one-hot (or, more
# generally, probability) targets `y` of shape $(n_L, m)$: one number, the batch average, finite and
# warning-free when a probability is exactly 0.

# %% role="solution" grade_id="categorical_cross_entropy"
from solutions.costs import categorical_cross_entropy

# %% role="tests" grade_id="test_categorical_cross_entropy" points=4
a = np.array([[1 / 6, 0.7], [1 / 3, 0.2], [1 / 2, 0.1]])
y = np.array([[0.0, 1.0], [0.0, 0.0], [1.0, 0.0]])          # true classes: 3 and 1
checks.expect_close(cost_value(categorical_cross_entropy(a[:, :1], y[:, :1]), "C for one sample"), np.log(2.0),
                    "categorical cross-entropy for aᴸ = (1/6, 1/3, 1/2), true class 3", rtol=1e-9,
                    hint="Cₓ = −Σⱼ yⱼ ln aⱼ = −ln(probability of the true class): "
                         "a SUM over the classes j, not a mean")
checks.expect_close(cost_value(categorical_cross_entropy(a, y), "C for a batch"),
                    -(np.log(0.5) + np.log(0.7)) / 2, "categorical cross-entropy for a batch of m = 2 columns",
                    rtol=1e-9, hint="sum over the classes j, then average over the m samples (columns) — "
                                    "not over the classes or all entries")
with checks.no_warnings("categorical cross-entropy with probabilities exactly 0 "
                        "(clip aᴸ to at least ε before np.log)"):
    right = cost_value(categorical_cross_entropy(np.array([[1.0], [0.0]]), np.array([[1.0], [0.0]])), "C")
    wrong = cost_value(categorical_cross_entropy(np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]])), "C")
checks.expect_close(right, 0.0, "categorical cross-entropy when the true class has probability 1",
                    atol=1e-6, hint="clip aᴸ before taking logs (0 · ln 0 is nan)")
checks.expect(np.isfinite(wrong) and 15 <= wrong <= 745,
              f"categorical cross-entropy when the true class has probability 0 should be large but finite "
              f"(≈ −ln ε ≈ 34.5 for ε = 1e-15), got {wrong}: "
              "clip aᴸ to at least ε before taking logs")
print("visible categorical cross-entropy tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
import math

def loop_categorical_cross_entropy(a, y):
    n, m = a.shape
    return -sum(y[j, x] * math.log(a[j, x]) for j in range(n) for x in range(m) if y[j, x] != 0) / m

rng = np.random.default_rng(206)
for n, m in [(2, 1), (3, 4), (5, 1), (10, 7), (4, 4)]:
    a = oracle.plain_softmax(rng.uniform(-3, 3, (n, m)))
    y = np.eye(n)[:, rng.integers(0, n, m)]
    result = checks.expect_inputs_unchanged(categorical_cross_entropy, a, y, name="categorical_cross_entropy")
    checks.expect_close(cost_value(result, f"C for aᴸ of shape ({n}, {m})"),
                        loop_categorical_cross_entropy(a, y),
                        f"categorical cross-entropy for aᴸ of shape ({n}, {m})", rtol=1e-6,
                        hint="C = −(1/m) Σₓ Σⱼ yⱼ ln aⱼ, m = number of columns")
# underflowed probabilities where y = 0, next to an ordinary sample
a = np.array([[1.0, 0.0, 0.2], [0.0, 1.0, 0.8]])
y = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0]])
with checks.no_warnings("categorical cross-entropy with probabilities exactly 0 and 1"):
    result = checks.expect_inputs_unchanged(categorical_cross_entropy, a, y, name="categorical_cross_entropy")
checks.expect_close(cost_value(result, "C"), -math.log(0.8) / 3,
                    "categorical cross-entropy for a batch with probabilities exactly 0 and 1",
                    rtol=1e-6, atol=1e-6, hint="clip aᴸ before taking logs; 0 · ln 0 must not become nan")
# the true class has probability 0 in one sample of m = 2
a = np.array([[0.0, 0.5], [1.0, 0.5]])
y = np.array([[1.0, 1.0], [0.0, 0.0]])
with checks.no_warnings("categorical cross-entropy when a true class has probability 0"):
    wrong = float(cost_value(checks.expect_inputs_unchanged(categorical_cross_entropy, a, y,
                                                            name="categorical_cross_entropy"), "C"))
checks.expect(np.isfinite(wrong) and (15 + math.log(2)) / 2 <= wrong <= (745 + math.log(2)) / 2,
              f"categorical cross-entropy with a true-class probability of 0 should be large but finite, "
              f"got {wrong}")
# probability (not one-hot) targets: every class with yⱼ > 0 counts, weighted by yⱼ
for n, m in [(2, 1), (3, 4), (6, 3)]:
    a = oracle.plain_softmax(rng.uniform(-3, 3, (n, m)))
    y = oracle.plain_softmax(rng.uniform(-2, 2, (n, m)))          # columns summing to 1
    result = checks.expect_inputs_unchanged(categorical_cross_entropy, a, y, name="categorical_cross_entropy")
    checks.expect_close(cost_value(result, f"C for probability targets of shape ({n}, {m})"),
                        loop_categorical_cross_entropy(a, y),
                        f"categorical cross-entropy for probability targets of shape ({n}, {m})", rtol=1e-6,
                        hint="Cₓ = −Σⱼ yⱼ ln aⱼ sums over every class j, weighted by yⱼ — not only the "
                             "class where y is largest")
# by hand: aᴸ = (1/2, 1/4, 1/4), y = (1/2, 1/2, 0): Cₓ = −(½ ln ½ + ½ ln ¼) = 1.5 ln 2 ≈ 1.03972
checks.expect_close(cost_value(categorical_cross_entropy(np.array([[0.5], [0.25], [0.25]]),
                                                         np.array([[0.5], [0.5], [0.0]])), "C"),
                    1.5 * math.log(2.0), "categorical cross-entropy for aᴸ = (1/2, 1/4, 1/4), "
                    "y = (1/2, 1/2, 0)", rtol=1e-9)
# a probability target on a class whose probability underflowed to 0: large but finite
with checks.no_warnings("categorical cross-entropy with a probability target on a probability of 0"):
    soft = float(cost_value(categorical_cross_entropy(np.array([[1.0], [0.0]]), np.array([[0.6], [0.4]])),
                            "C"))
checks.expect(np.isfinite(soft) and 0.4 * 15 <= soft <= 0.4 * 745,
              f"categorical cross-entropy for aᴸ = (1, 0), y = (0.6, 0.4) should be large but finite "
              f"(≈ −0.4 ln ε), got {soft}: clip aᴸ to at least ε before taking logs")
a32 = oracle.plain_softmax(rng.uniform(-3, 3, (4, 5))).astype(np.float32)
y32 = np.eye(4, dtype=np.float32)[:, rng.integers(0, 4, 5)]
checks.expect_close(cost_value(categorical_cross_entropy(a32, y32), "C for float32 inputs"),
                    loop_categorical_cross_entropy(a32.astype(float), y32.astype(float)),
                    "categorical cross-entropy for float32 inputs", rtol=1e-5)
### END HIDDEN TESTS

# %% [markdown]
# The cell below checks $\delta^L = a^L - y$ for softmax + categorical cross-entropy on a batch of 3 samples. It
# differentiates the **batch average** $C$ with respect to every entry of $Z^L$ by central differences. Since
# $C = \frac1m\sum_x C_x$, the column of sample $x$ is $\frac1m\,\delta^L_x$ — so we multiply by $m$ before
# comparing with the per-sample errors $a^L - y$.

# %%
with checks.when_implemented("the softmax output-error check"):
    rng = np.random.default_rng(7)
    z = rng.normal(0, 2, (4, 3))
    y = np.eye(4)[:, [2, 0, 3]]                      # one-hot columns: true classes 3, 1, 4
    m = z.shape[1]
    h = 1e-5
    numeric = np.zeros_like(z)
    for idx in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (categorical_cross_entropy(softmax(up), y)
                        - categorical_cross_entropy(softmax(down), y)) / (2 * h)
    delta = softmax(z) - y
    print("m · ∂C/∂Z (central differences):\n", np.round(m * numeric, 6))
    print("aᴸ − y:\n", np.round(delta, 6))
    print("largest difference:", float(np.max(np.abs(m * numeric - delta))))


# %% [markdown]
# ## 8. Numerical stability, in one table
#
# | danger | where | what we do |
# |---|---|---|
# | `np.exp` overflows to `inf` (then `inf/inf = nan`) | softmax with large $z$ | subtract each column's max |
# | `np.exp` underflows to 0 (then `0/0 = nan`) | softmax with very negative $z$ | the same (largest term $e^0 = 1$) |
# | `np.log(0) = -inf` | cross-entropy of a saturated output | clip to $[\varepsilon, 1-\varepsilon]$, $\varepsilon = 10^{-15}$ |
# | `0 · np.log(0) = nan` | the unused term of a correct, saturated output | clipping fixes this too |
# | $1 - 10^{-17} = 1$ in float64 | a too-small $\varepsilon$ | keep $\varepsilon \gtrsim 10^{-16}$ |
#
# Clipping is not the only cure. If you still have the weighted input $z$, the logarithms can be computed from it
# directly and never see a 0: $\ln\sigma(z) = -\ln(1 + e^{-z})$ and $\ln(1 - \sigma(z)) = -\ln(1 + e^{z})$, and
# `np.logaddexp(0, t)` $= \ln(e^0 + e^t)$ evaluates $\ln(1 + e^t)$ without overflow. The cell compares the two
# ways for outputs that are saturated in float64.

# %%
def binary_cross_entropy_from_z(z, y):
    # Cₓ = −Σⱼ [yⱼ ln σ(zⱼ) + (1 − yⱼ) ln(1 − σ(zⱼ))], with both logs computed from z
    return float(np.sum(y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z))) / z.shape[1]

z = np.array([[3.0, 40.0, -50.0], [-2.0, 40.0, 800.0]])
y = np.array([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
print("σ(z) in float64:\n", sigmoid(z))
with checks.when_implemented("the comparison with your binary_cross_entropy"):
    for x in range(z.shape[1]):
        zx, yx = z[:, x:x + 1], y[:, x:x + 1]          # one sample (column) at a time
        print(f"sample {x + 1}: from z {binary_cross_entropy_from_z(zx, yx):9.4f}   "
              f"clipped {binary_cross_entropy(sigmoid(zx), yx):9.4f}")

# %% [markdown]
# The two agree for the first sample. In the others an output is confidently wrong: $\sigma(40)$ rounds to
# exactly 1 with target 0, $\sigma(-50) \approx 2\cdot 10^{-22}$ lies below $\varepsilon$ with target 1, and
# $\sigma(800)$ is exactly 1 with target 0. The clipped version charges about $-\ln\varepsilon \approx 34.5$ for
# each wrong output (34.5 for sample 2, 69.1 for sample 3), while the exact cost keeps growing with $|z|$: about 40
# for sample 2 and $50 + 800 = 850$ for sample 3. Either is fine for training,
# because the gradient we use is $\delta^L = a^L - y$ and never touches a logarithm.
#
# ## 9. Preview: the learning slowdown
#
# Put the two output errors side by side for one sigmoid output whose target is $y = 0$:
#
# $$\text{quadratic: } \delta^L = (a - y)\,\sigma'(z) = \sigma(z)\,\sigma'(z), \qquad
# \text{cross-entropy: } \delta^L = a - y = \sigma(z).$$
#
# The more positive $z$, the more wrong the output — but the quadratic error *shrinks*, because $\sigma'(z)$
# collapses. Every weight gradient of the output layer is proportional to $\delta^L$ (BP3 and BP4 of
# assignment 4), so a neuron that starts confidently wrong barely moves under the quadratic cost. The left plot
# shows $|\delta^L|$; the right one trains a single neuron ($a = \sigma(wx + b)$ with input $x = 1$, target
# $y = 0$, start $w = b = 2.5$, learning rate $\eta = 1$) with each cost, using your gradient functions and
# BP1, $\delta^L = \nabla_a C_x \odot \sigma'(z^L)$. In assignment 5 you will measure this slowdown on a real
# network.

# %%
z = np.linspace(-2, 10, 241)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
left.plot(z, sigmoid(z) * sigmoid_prime(z), label="quadratic: (a − y) σ'(z)")
left.plot(z, sigmoid(z), label="cross-entropy: a − y")
left.set(xlabel="weighted input z (target y = 0)", ylabel="output error δᴸ",
         title="Output error of one neuron")
left.grid(alpha=0.3)
left.legend()

with checks.when_implemented("the training race"):
    x, target, eta, steps = 1.0, np.array([[0.0]]), 1.0, 150
    for label, gradient in [("quadratic", quadratic_cost_gradient),
                            ("cross-entropy", binary_cross_entropy_gradient)]:
        w = b = 2.5
        outputs = []
        for _ in range(steps + 1):
            zL = np.array([[w * x + b]])
            a = sigmoid(zL)
            outputs.append(a.item())
            delta = gradient(a, target) * sigmoid_prime(zL)    # BP1
            w, b = w - eta * delta.item() * x, b - eta * delta.item()
        right.plot(outputs, label=label)
        print(f"{label:13s}: output {outputs[0]:.3f} -> {outputs[20]:.3f} after 20 steps, "
              f"{outputs[-1]:.3f} after {steps}")
    right.set(xlabel="gradient-descent step", ylabel="output a (target 0)",
              title="Learning from a saturated start")
    right.grid(alpha=0.3)
    right.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Summary
#
# * A cost is a batch average $C = \frac1m\sum_x C_x$ of per-sample costs that depend on the network only through
#   $a^L$; gradients and output errors are per sample, one column each.
# * Quadratic: $C_x = \tfrac12\lVert a^L - y\rVert^2$, $\nabla_a C_x = a^L - y$ — *output minus target*; a
#   central difference settles the sign, and the wrong sign sends gradient descent uphill.
# * Binary cross-entropy with sigmoid outputs: $\nabla_a C_x = (a - y)/(a(1-a))$, and $\sigma'(z) = a(1-a)$
#   cancels the denominator: $\delta^L = a^L - y$.
# * Softmax + categorical cross-entropy: also $\delta^L = a^L - y$.
# * Stability: subtract each column's max in softmax; clip probabilities before logarithms (or work from $z$).
# * With $\delta^L = a^L - y$ there is no $\sigma'(z^L)$ factor, so a confidently wrong output still learns
#   fast — assignment 5 measures it.
