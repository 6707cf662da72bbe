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
# # Assignment 5 — Training
#
# **Learning objectives.** After this notebook you can
# 1. state the gradient-descent update $\theta \leftarrow \theta - \eta\,\partial C/\partial\theta$ and take one
#    step by hand;
# 2. explain why a step on a mini-batch uses the *average* gradient, and why our $\eta$ is therefore **not**
#    divided by the batch size $m$ a second time;
# 3. write mini-batch stochastic gradient descent: epochs, seeded shuffling, mini-batches (including a smaller
#    last one) and a per-epoch record of cost and accuracy;
# 4. train a network on handwritten digits to about 98 % test accuracy and read its training curves;
# 5. choose a learning rate by experiment, and measure the learning slowdown that cross-entropy cures.
#
# **Time.** About 2 hours: 40 minutes of reading, 40 of coding, the rest for the experiments.
#
# **How this works.** Fill in every cell that says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each exercise a test cell checks it; the graded version runs more tests on inputs you do not see. Each
# test runs on known-good versions of everything *else*, so a mistake costs only its own cell.
# Points: `sgd_step` 5, `sgd` 5, and three experiments — `train_digits` 1, `learning_rate_sweep` 2,
# `learning_slowdown` 2 — 15 in all.
#
# **Conventions** (as in every assignment). Layers $l = 1,\dots,L$, layer 1 is the input.
# $W^l$ has shape $(n_l, n_{l-1})$, $b^l$ shape $(n_l, 1)$, and `weights[i]`, `biases[i]` hold layer $i+2$.
# A sample is a column; a mini-batch of $m$ samples is an $(n, m)$ array; labels are one-hot columns. The cost
# is the batch average $C = \frac1m\sum_x C_x$, and `backprop` returns the gradients of that average.

# %% role="locked" grade_id="setup"
# snippet: setup

# %% [markdown]
# ## 0. What you already have
#
# The next read-only cells hold the building blocks of assignments 1–4: σ and σ', the Hadamard product, the
# four equations BP1–BP4, the two costs (`QUADRATIC`, `CROSS_ENTROPY`), the forward pass, `backprop`, and
# `total_cost` (the batch-average cost of a network on some data). `init_network(sizes, seed)` makes seeded
# random starting parameters, and `copy_parameters` makes deep copies of them. Run them; you need not read
# them again.

# %% role="locked" grade_id="given_equations"
from solutions.activations import sigmoid, sigmoid_prime


from solutions.hadamard import hadamard


from solutions.backprop_equations import bp1_output_error, bp2_hidden_error, bp3_bias_gradient, bp4_weight_gradient

# %% role="locked" grade_id="given_costs"
# snippet: given_costs

# %% role="locked" grade_id="given_network"
from solutions.network import init_network, check_input, feedforward, backprop, total_cost, copy_parameters

# %% [markdown]
# ## 1. Gradient descent
#
# Training means: find parameters that make the cost $C$ small. Backpropagation tells us, for every weight and
# bias $\theta$, the slope $\partial C/\partial\theta$ — how fast the cost rises when $\theta$ grows. Moving
# every parameter a little *against* its slope lowers the cost:
#
# $$\theta \;\leftarrow\; \theta - \eta\,\frac{\partial C}{\partial \theta}
# \qquad\text{for every weight } w^l_{jk} \text{ and every bias } b^l_j .$$
#
# Why this works: for a small change, $\Delta C \approx \sum_\theta \frac{\partial C}{\partial\theta}\Delta\theta$.
# Choosing $\Delta\theta = -\eta\,\partial C/\partial\theta$ gives
# $\Delta C \approx -\eta \sum_\theta (\partial C/\partial\theta)^2 \le 0$: for a small enough **learning
# rate** $\eta > 0$ the cost can only go down. The sign matters — adding the gradient climbs *up* the cost.
#
# ### A step by hand
#
# Take the smallest model there is: one sigmoid neuron with one input, $a = \sigma(wx + b)$, and the quadratic
# cost of one sample, $C = \tfrac12 (a - y)^2$. (Lecture slides often call the parameters $\theta_1, \theta_2$,
# the output $y$ and the target $t$; here they are $w$, $b$, $a$ and $y$.) The chain rule gives
#
# $$\frac{\partial C}{\partial w} = (a - y)\,\sigma'(z)\,x, \qquad \frac{\partial C}{\partial b} = (a - y)\,\sigma'(z),
# \qquad z = wx + b .$$
#
# Start at $w = b = 0$ with the sample $x = 1$, $y = 1$: then $z = 0$, $a = \tfrac12$, $\sigma'(0) = \tfrac14$ and
# $C = \tfrac18 = 0.125$. Both slopes are $(\tfrac12 - 1)\cdot\tfrac14 = -0.125$. One step with $\eta = 2$ gives
#
# $$w = b = 0 - 2\cdot(-0.125) = 0.25, \qquad z = 0.5,\quad a = \sigma(0.5) \approx 0.6225, \quad
# C \approx 0.0713 .$$
#
# The cost fell from 0.125 to 0.0713. The cell below repeats this with `backprop`.

# %%
w, b = [np.zeros((1, 1))], [np.zeros((1, 1))]          # one neuron: W² is 1×1, b² is 1×1
x, y = np.ones((1, 1)), np.ones((1, 1))
grad_b, grad_w = backprop(w, b, x, y, QUADRATIC)
print("C before:", total_cost(w, b, x, y, QUADRATIC), "  ∂C/∂w =", grad_w[0][0, 0], "  ∂C/∂b =", grad_b[0][0, 0])
eta = 2.0
w, b = [w[0] - eta * grad_w[0]], [b[0] - eta * grad_b[0]]
print("after one step: w =", w[0][0, 0], " b =", b[0][0, 0], "  C =", round(total_cost(w, b, x, y, QUADRATIC), 4))

# %% [markdown]
# ## 2. Mini-batches: whose average?
#
# The cost we want small is the average over *all* $N$ training samples, and so is its gradient. Computing it
# exactly costs a pass over all the data for a single step. **Stochastic gradient descent** instead estimates
# it from a small random **mini-batch** of $m$ samples (here $m = 10$ out of $N = 1500$) and takes a step
# after every batch: many cheap, slightly noisy steps instead of one exact, expensive one. The two extremes are
# $m = 1$ (one sample per step) and $m = N$ (full-batch gradient descent).
#
# Nielsen writes the mini-batch step with a sum over the batch:
#
# $$w \;\leftarrow\; w - \frac{\eta}{m}\sum_{x} \frac{\partial C_x}{\partial w} .$$
#
# Our `backprop` returns the gradient of the batch **average** $C = \frac1m\sum_x C_x$, and differentiation
# is linear, so $\frac{\partial C}{\partial w} = \frac1m\sum_x\frac{\partial C_x}{\partial w}$ already contains
# the $\frac1m$. Nielsen's step is therefore exactly
#
# $$w \;\leftarrow\; w - \eta\,\frac{\partial C}{\partial w}, \qquad b \;\leftarrow\; b - \eta\,\frac{\partial C}{\partial b}.$$
#
# *Example.* Two samples whose gradients for one weight are 0.4 and 0.2, with $\eta = 1$. Nielsen:
# $\frac12(0.4 + 0.2) = 0.3$. Ours: $\partial C/\partial w = 0.3$, step 0.3 — the same. Dividing $\eta$ by $m$
# *again* would give 0.15: every step $m$ times too short. Nothing crashes; training just crawls — a silent bug.
#
# Averaging (rather than summing) has a practical advantage: the length of a step does not grow with the batch
# size, so the same $\eta$ works for $m = 10$ and $m = 100$, and costs of data sets of different sizes (training
# and test) can be compared on one plot.
#
# The cell below checks the claim numerically: the per-sample gradients, summed and divided by $m$, equal what
# `backprop` returns for the whole batch.

# %%
rng = np.random.default_rng(0)
weights, biases = init_network([4, 3, 2], seed=0)
x, y = rng.random((4, 5)), np.eye(2)[:, rng.integers(0, 2, 5)]      # a mini-batch of m = 5 samples
per_sample = [backprop(weights, biases, x[:, [j]], y[:, [j]], CROSS_ENTROPY)[1][0] for j in range(5)]
batch = backprop(weights, biases, x, y, CROSS_ENTROPY)[1][0]
print("(1/m) Σₓ ∂Cₓ/∂W² equals ∂C/∂W² of the batch:", np.allclose(sum(per_sample) / 5, batch, rtol=1e-12, atol=0))

# %% [markdown]
# **Exercise (5 points).** Implement `sgd_step`: one gradient step on one mini-batch. Call
# `backprop(weights, biases, x_batch, y_batch, cost)` (it returns `grad_b, grad_w` — biases first), then update
# every array of `weights` and `biases` **in place** (`W -= eta * grad` changes the array the caller holds;
# `W = W - eta * grad` only rebinds a local name). Return nothing.

# %% role="solution" grade_id="sgd_step"
from solutions.training import sgd_step

# %% role="tests" grade_id="test_sgd_step" points=5
checks.may_update_in_place("sgd_step")   # updating the caller's arrays is sgd_step's job
# 1. The update rule alone: a stand-in for backprop returns fixed gradients for a batch of m = 4 samples.
def fixed_gradients(weights, biases, x, y, cost):
    return [np.array([[0.5], [-1.0]])], [np.array([[0.2, -0.4, 0.0], [1.0, 0.0, -2.0]])]   # ∂C/∂b², ∂C/∂W²
W, b = [np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])], [np.array([[0.5], [0.25]])]
with checks.trusted(globals(), backprop=fixed_gradients):
    sgd_step(W, b, np.ones((3, 4)), np.zeros((2, 4)), 0.5, QUADRATIC)
rule = ("W ← W − η ∂C/∂W: subtract η times the gradient (adding it climbs uphill); backprop already averages "
        "over the m samples, so η is not divided by m again; update the caller's arrays in place")
checks.expect_close(W[0], [[0.9, 2.2, 3.0], [3.5, 5.0, 7.0]], "W² after one step with η = 0.5", hint=rule)
checks.expect_close(b[0], [[0.25], [0.75]], "b² after one step with η = 0.5", hint=rule.replace("W", "b"))
# 2. The worked example of section 1: w = b = 0, x = 1, y = 1, quadratic cost, η = 2
W, b = [np.zeros((1, 1))], [np.zeros((1, 1))]
sgd_step(W, b, np.ones((1, 1)), np.ones((1, 1)), 2.0, QUADRATIC)
checks.expect_close([W[0][0, 0], b[0][0, 0]], [0.25, 0.25], "(w, b) after the worked example's step", rtol=1e-12)
print("visible sgd_step tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(505)
for sizes, m, eta in [([3, 4, 2], 1, 0.1), ([2, 5, 3, 4], 7, 3.0), ([6, 1], 3, 0.7)]:
    weights, biases = oracle.random_network(sizes, seed=m)
    grad_b = [rng.standard_normal(b.shape) for b in biases]
    grad_w = [rng.standard_normal(w.shape) for w in weights]
    def fixed_gradients(weights, biases, x, y, cost, grad_b=grad_b, grad_w=grad_w):
        return [g.copy() for g in grad_b], [g.copy() for g in grad_w]
    expected_w = [w - eta * g for w, g in zip(weights, grad_w)]
    expected_b = [b - eta * g for b, g in zip(biases, grad_b)]
    x, y = rng.standard_normal((sizes[0], m)), rng.random((sizes[-1], m))
    with checks.trusted(globals(), backprop=fixed_gradients):
        checks.expect_inputs_unchanged(lambda xb, yb: sgd_step(weights, biases, xb, yb, eta, CROSS_ENTROPY),
                                       x, y, name="sgd_step (on x_batch, y_batch)")
    where = f"a {len(sizes)}-layer network, m = {m}, η = {eta}"
    for i in range(len(weights)):
        checks.expect_close(weights[i], expected_w[i], f"W^{i + 2} after one step ({where})", rtol=1e-12,
                            hint="every layer: Wˡ ← Wˡ − η ∂C/∂Wˡ with grad_w[i] for weights[i], in place, η not divided by m")
        checks.expect_close(biases[i], expected_b[i], f"b^{i + 2} after one step ({where})", rtol=1e-12,
                            hint="every layer: bˡ ← bˡ − η ∂C/∂bˡ with grad_b[i] for biases[i] (backprop returns grad_b first)")

# real gradients, by central differences of a plain cost: the step must use the gradient at the start
def numeric_backprop(weights, biases, x, y, cost):
    return oracle.numeric_network_gradients(list(weights), list(biases), np.asarray(x, dtype=float),
                                            np.asarray(y, dtype=float), cost.name)
for sizes, m, cost, eta in [([3, 4, 2], 5, QUADRATIC, 0.8), ([2, 3, 3, 2], 1, CROSS_ENTROPY, 0.3)]:
    weights, biases = oracle.random_network(sizes, seed=sizes[1])
    x, y = rng.standard_normal((sizes[0], m)), rng.random((sizes[-1], m))
    grad_b, grad_w = numeric_backprop(weights, biases, x, y, cost)
    expected = [p - eta * g for p, g in zip(weights + biases, grad_w + grad_b)]
    with checks.trusted(globals(), backprop=numeric_backprop):
        sgd_step(weights, biases, x, y, eta, cost)
    for got, want in zip(weights + biases, expected):
        checks.expect_close(got, want, f"parameters after one {cost.name} step (m = {m})", rtol=1e-9,
                            hint="compute the gradients once, at the parameters before the step, then update")

# hand-worked cross-entropy step: one neuron, x = (2, 1), y = 1, η = 0.3: w ← w − η(a − y)x, b ← b − η(a − y)
W, b = [np.array([[0.5, -0.25]])], [np.array([[0.1]])]
a = 1 / (1 + np.exp(-(0.5 * 2 - 0.25 + 0.1)))
sgd_step(W, b, np.array([[2.0], [1.0]]), np.array([[1.0]]), 0.3, CROSS_ENTROPY)
checks.expect_close(W[0], [[0.5 - 0.3 * (a - 1) * 2, -0.25 - 0.3 * (a - 1)]], "W² after a cross-entropy step", rtol=1e-12)
checks.expect_close(b[0], [[0.1 - 0.3 * (a - 1)]], "b² after a cross-entropy step", rtol=1e-12)
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Epochs, shuffling and the training loop
#
# One **step** (or iteration) updates the parameters on one mini-batch. One **epoch** is one pass through the
# whole training set: with $N$ samples and batches of $m$ it takes $\lceil N/m\rceil$ steps — 150 steps for
# $N = 1500$, $m = 10$. (Some slides call a single forward-and-backward iteration an "epoch"; with
# mini-batches the two are different, and we keep them apart.) If $m$ does not divide $N$, the last batch of an
# epoch is smaller: with $N = 23$ and $m = 10$ the batches have 10, 10 and 3 samples. Dropping the 3 would
# silently never train on some samples.
#
# **Shuffling.** Data sets often come sorted — by label, by writer, by date. Batches cut from sorted data would
# each hold one kind of sample, and every step would pull the network towards that kind. So each epoch starts by
# putting the samples in a fresh random order. The randomness is **seeded**: create one generator
# `rng = np.random.default_rng(seed)` before the first epoch and draw `rng.permutation(N)` (with `N = x_train.shape[1]` samples) at the start
# of every epoch. Every epoch gets a new order, yet the whole sequence of orders — and so the whole run — is the
# same each time you run with the same seed. That is what makes a surprising result reproducible (and
# testable).
#
# **The algorithm.**
#
# 1. copy the starting parameters (the caller's arrays must not change), create the seeded generator;
# 2. for each epoch: draw a permutation of the $N$ sample indices; cut it into consecutive blocks of `batch_size`
#    (the last block may be smaller); for each block take one `sgd_step` on those columns of `x_train` and
#    the *same* columns of `y_train`;
# 3. after the epoch's last step, record the cost and accuracy on the training data (and the test data, if
#    given) in the history;
# 4. return the trained parameters and the history.
#
# Two read-only helpers do the bookkeeping. `minibatches(x, y, order, batch_size)` yields the batches of one
# epoch for a given order. To stay fast it gathers the columns into **two buffers allocated once and reused**
# for every batch, so each yielded pair is valid only until the next one is requested: use each batch right
# away (as `sgd_step` does). Collecting them first with `list(minibatches(...))` would give you views of one and
# the same buffer, overwritten by every later batch (the cell below shows it). `record_epoch(history, weights, biases, cost, train, test)`
# appends one epoch's cost and accuracy to a `History`; `accuracy` is the fraction of samples whose largest
# output is at the position of the 1 in the label.

# %% role="locked" grade_id="given_training_tools"
from dataclasses import dataclass, field


from solutions.training import History, accuracy, minibatches, record_epoch

# %%
order = np.random.default_rng(0).permutation(7)
x = np.arange(14.0).reshape(2, 7)        # 7 samples; sample j is the column (j, j + 7)
y = np.eye(7)
print("order of this epoch:", order)
for x_batch, y_batch in minibatches(x, y, order, 3):
    print("batch of", x_batch.shape[1], "samples:", x_batch[0])
kept = list(minibatches(x, y, order, 3))  # the trap: every kept batch is a view of the same buffer
print("the same batches kept in a list:", [xb[0].tolist() for xb, _ in kept], "— overwritten")

# %% [markdown]
# ### The same algorithm in another notation
#
# Some notes write the training algorithm with **row vectors** and the bias folded into the weights: layer
# $l$'s activations are a row $z_l$, the input row is extended by a constant 1, and one matrix $B_l$ of shape
# $(1 + n_{l-1}, n_l)$ holds the biases in its first row and the weights below. Their loop over a batch is:
# set $\Delta B_l = 0$; for each sample run the forward pass, then the backward pass, adding the sample's
# outer product $[1, z_{l-1}]^\top\tilde\delta_l$ to $\Delta B_l$; after the batch, update
# $B_l \leftarrow B_l - \tau\,\Delta B_l$. Translated into this course's notation:
#
# | row-vector notes | this course |
# |---|---|
# | activation row $z_l$, pre-activation row $\tilde z_l$ (their layer 0 is the input) | columns $a^{l+1}$, $z^{l+1}$ (our layer 1 is the input) |
# | $B_l = \begin{bmatrix} (b^{l+1})^\top \\ (W^{l+1})^\top \end{bmatrix}$ | $W^{l+1}$ and $b^{l+1}$ kept apart |
# | error row $\tilde\delta_l$ | $(\delta^{l+1})^\top$ |
# | $\Delta B_l = \sum_{x\in\text{batch}} [1, z_{l-1}]^\top\tilde\delta_l$ — a **sum** | $m\,\bigl[\,\partial C/\partial b^{l+1},\ \partial C/\partial W^{l+1}\bigr]^\top$ — our gradients are **averages** |
# | learning rate $\tau$ | $\eta / m$ |
# | one backward pass per sample | one pass of matrix products over the $(n, m)$ batch: $\delta^l (A^{l-1})^\top = \sum_x \delta^l_x (a^{l-1}_x)^\top$ |
#
# So $\tau\,\Delta B_l$ is our $\eta\,\partial C/\partial\theta$ exactly when $\tau = \eta/m$ — the same
# bookkeeping of $\frac1m$ as in section 2. The cell below accumulates the sum sample by sample and compares.

# %%
rng = np.random.default_rng(1)
weights, biases = init_network([4, 3, 2], seed=1)
m, eta = 6, 0.5
x, y = rng.random((4, m)), np.eye(2)[:, rng.integers(0, 2, m)]
delta_B = np.zeros((1 + 3, 2))            # bias row + weights of the output layer, row convention
for j in range(m):                        # accumulate one sample at a time
    grad_b, grad_w = backprop(weights, biases, x[:, [j]], y[:, [j]], CROSS_ENTROPY)
    delta_B += np.vstack([grad_b[1].T, grad_w[1].T])
grad_b, grad_w = backprop(weights, biases, x, y, CROSS_ENTROPY)   # one matrix pass, averaged
tau = eta / m
print("τ ΔB equals η [∂C/∂b, ∂C/∂W]ᵀ:",
      np.allclose(tau * delta_B, eta * np.vstack([grad_b[1].T, grad_w[1].T]), rtol=1e-12, atol=0))

# %% [markdown]
# **Exercise (5 points).** Implement `sgd` following the algorithm above. Take every gradient step by calling
# your `sgd_step(weights, biases, x_batch, y_batch, eta, cost)` — the test swaps in a known-good `sgd_step`
# that records the batches it receives, so a mistake in `sgd_step` does not cost you this cell too. Use
# `copy_parameters`, `minibatches`, `History` and `record_epoch` (or equivalent code of your own). The test
# checks that every epoch uses every sample exactly once, with matching targets, in a fresh seeded order, that
# the last smaller batch is kept, that the history holds one entry per epoch measured *after* that epoch, and
# that the caller's parameters are unchanged.

# %% role="solution" grade_id="sgd"
from solutions.training import sgd

# %% role="tests" grade_id="test_sgd" points=5
# sgd is tested with a stand-in for sgd_step that records every mini-batch it gets and then moves each
# parameter by the known amount −0.01·η (not a real gradient step): a mistake in your sgd_step cannot
# cost you this cell.
steps = []
def stand_in_step(weights, biases, x_batch, y_batch, eta, cost):
    steps.append(dict(x=np.array(x_batch, dtype=float), y=np.array(y_batch, dtype=float), eta=eta, cost=cost))
    for param in [*weights, *biases]:
        param -= 0.01 * eta
    steps[-1]["after"] = ([np.array(w, dtype=float) for w in weights], [np.array(b, dtype=float) for b in biases])

def sample_numbers(x_batch, x_all):
    """Which columns (samples) of x_all the columns of x_batch are; -1 for a column that is none of them."""
    found = []
    for column in x_batch.T:
        j = int(np.argmin(np.abs(x_all - column[:, None]).sum(axis=0)))
        found.append(j if np.array_equal(x_all[:, j], column) else -1)
    return found
rng = np.random.default_rng(5)
start_w, start_b = init_network([3, 4, 2], seed=1)
x_train, y_train = rng.standard_normal((3, 23)), np.eye(2)[:, rng.integers(0, 2, 23)]   # N = 23 samples
x_test, y_test = rng.standard_normal((3, 6)), np.eye(2)[:, rng.integers(0, 2, 6)]
keep = copy_parameters(start_w, start_b)
with checks.trusted(globals(), sgd_step=stand_in_step):
    result = sgd(start_w, start_b, x_train, y_train, 3, 10, 0.5, CROSS_ENTROPY, x_test, y_test, seed=7)
checks.expect(len(steps) > 0, "sgd never called sgd_step: take each step with "
                              "sgd_step(weights, biases, x_batch, y_batch, eta, cost)")
checks.expect(all(np.array_equal(p, k) for p, k in zip(start_w + start_b, keep[0] + keep[1])),
              "sgd changed the caller's weights or biases: train on copies (copy_parameters)")
for s in steps:   # each mini-batch as columns: (n₁, m) inputs and (n_L, m) targets
    checks.expect_shape(s["x"], (3, "m"), "an x_batch that sgd passed to sgd_step",
                        hint="a mini-batch is a block of columns of x_train, x_train[:, batch]")
    checks.expect_shape(s["y"], (2, s["x"].shape[1]), f"the y_batch that came with an x_batch of shape {s['x'].shape}",
                        hint="take the same columns of y_train, y_train[:, batch]")
sizes = [s["x"].shape[1] for s in steps]
checks.expect(sizes == [10, 10, 3] * 3,
              f"with N = 23 samples, batches of 10 and 3 epochs the batch sizes should be [10, 10, 3] in every "
              f"epoch, got {sizes} (keep the last, smaller batch; take one step per batch)")
checks.expect(all(s["eta"] == 0.5 and s["cost"] == CROSS_ENTROPY for s in steps),
              "pass η and the cost to sgd_step unchanged (backprop already averages over the batch)")
orders = []
for epoch in range(3):
    order = []
    for s in steps[3 * epoch: 3 * epoch + 3]:
        numbers = sample_numbers(s["x"], x_train)
        checks.expect(-1 not in numbers, f"epoch {epoch + 1}: a mini-batch holds a column that is not a training sample")
        checks.expect(np.array_equal(s["y"], y_train[:, numbers]),
                      f"epoch {epoch + 1}: the targets of a mini-batch do not belong to its inputs — "
                      "take the same columns of x_train and y_train")
        order += numbers
    checks.expect(sorted(order) == list(range(23)),
                  f"epoch {epoch + 1} should use every training sample exactly once, it used {sorted(order)} "
                  "(use each mini-batch right away: minibatches reuses its buffers)")
    orders.append(order)
checks.expect(orders[0] != list(range(23)) and orders[0] != orders[1] != orders[2],
              "shuffle: every epoch needs a new random order (one generator default_rng(seed), created "
              "before the first epoch, and a fresh rng.permutation(N) per epoch)")
checks.expect(isinstance(result, tuple) and len(result) == 3, "sgd should return (weights, biases, history)")
weights, biases, history = result
after = [steps[3 * epoch + 2]["after"] for epoch in range(3)]        # parameters after each epoch
checks.expect(len(history.train_cost) == 3, f"the history should hold one entry per epoch (3), it holds "
              f"{len(history.train_cost)}: record once, after each epoch's last step")
when = "record after each epoch's last step, not before training"
for name, x, y in [("train", x_train, y_train), ("test", x_test, y_test)]:
    checks.expect_close(getattr(history, f"{name}_cost"), [total_cost(*p, x, y, CROSS_ENTROPY) for p in after],
                        f"history.{name}_cost (cost on the {name} data after each epoch)", rtol=1e-10, hint=when)
    checks.expect_close(getattr(history, f"{name}_accuracy"), [accuracy(*p, x, y) for p in after],
                        f"history.{name}_accuracy", rtol=1e-10, hint=when)
for got, want in zip(weights + biases, after[-1][0] + after[-1][1]):
    checks.expect_close(got, want, "the returned parameters (those after the last step)", rtol=1e-12)
print("visible sgd tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
def plain_accuracy(weights, biases, x, y):
    a = x
    for w, b in zip(weights, biases):
        a = oracle.plain_sigmoid(w @ a + b)
    return float(np.mean(np.argmax(a, axis=0) == np.argmax(y, axis=0)))

def check_run(sizes, m, batch_size, epochs, eta, cost, seed, with_test=True, monitor=True, data_seed=0):
    rng = np.random.default_rng(data_seed)
    start = oracle.random_network(sizes, seed=data_seed)
    keep = [p.copy() for p in start[0] + start[1]]
    x, y = rng.standard_normal((sizes[0], m)), np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    xt, yt = (rng.standard_normal((sizes[0], 5)), np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], 5)]) if with_test else (None, None)
    steps.clear()
    with checks.trusted(globals(), sgd_step=stand_in_step):
        weights, biases, history = sgd(start[0], start[1], x, y, epochs, batch_size, eta, cost, xt, yt,
                                       seed=seed, monitor=monitor)
    where = f"(m = {m}, mini-batches of {batch_size}, {epochs} epochs, {cost.name})"
    checks.expect(all(np.array_equal(p, k) for p, k in zip(start[0] + start[1], keep)),
                  f"sgd changed the caller's parameters {where}")
    per_epoch = [batch_size] * (m // batch_size) + ([m % batch_size] if m % batch_size else [])
    sizes_seen = [s["x"].shape[1] for s in steps]
    checks.expect(sizes_seen == per_epoch * epochs, f"batch sizes {where}: expected {per_epoch} per epoch, got {sizes_seen}")
    checks.expect(all(np.isclose(s["eta"], eta, rtol=1e-15, atol=0) and s["cost"] == cost for s in steps),
                  f"pass η and the cost to sgd_step unchanged {where}")
    orders, k = [], len(per_epoch)
    for epoch in range(epochs):
        order = []
        for s in steps[k * epoch: k * (epoch + 1)]:
            numbers = sample_numbers(s["x"], x)
            checks.expect(-1 not in numbers and np.array_equal(s["y"], y[:, numbers]),
                          f"a mini-batch's inputs and targets are not matching training samples {where}")
            order += numbers
        checks.expect(sorted(order) == list(range(m)), f"an epoch must use every sample exactly once {where}")
        orders.append(order)
    if m >= 20:
        checks.expect(all(a != b for a, b in zip(orders, orders[1:])) and orders[0] != list(range(m)),
                      f"every epoch needs a new shuffled order {where}")
    after = [steps[k * (epoch + 1) - 1]["after"] for epoch in range(epochs)]
    for name, data in [("train", (x, y)), ("test", (xt, yt))]:
        recorded = monitor and data[0] is not None
        expected_cost = [oracle.plain_cost(*p, *data, cost.name) for p in after] if recorded else []
        expected_acc = [plain_accuracy(*p, *data) for p in after] if recorded else []
        for quantity, expected in [("cost", expected_cost), ("accuracy", expected_acc)]:
            got = list(getattr(history, f"{name}_{quantity}"))
            checks.expect(len(got) == len(expected), f"history.{name}_{quantity} should hold {len(expected)} "
                          f"entries {where}{'' if monitor else ', monitor=False'}, it holds {len(got)}")
            if expected:
                checks.expect_close(got, expected, f"history.{name}_{quantity} {where}", rtol=1e-9,
                                    hint="record after each epoch's last step")
    for got, want in zip(weights + biases, after[-1][0] + after[-1][1]):
        checks.expect_close(got, want, f"the returned parameters {where}", rtol=1e-12)
    return orders, history

check_run([2, 5, 3, 2], 20, 5, 2, 3.0, QUADRATIC, seed=11)          # m a multiple of the batch size
check_run([4, 3], 5, 1, 2, 0.2, CROSS_ENTROPY, seed=1, with_test=False)
check_run([3, 6, 2], 4, 10, 3, 1.0, CROSS_ENTROPY, seed=2, monitor=False)   # one batch larger than m
check_run([2, 4, 3], 31, 8, 3, 0.5, QUADRATIC, seed=3, data_seed=4)
# seeded: the same seed gives the same run, another seed another order
first, history_a = check_run([3, 4, 2], 25, 10, 2, 0.5, CROSS_ENTROPY, seed=21, data_seed=9)
again, history_b = check_run([3, 4, 2], 25, 10, 2, 0.5, CROSS_ENTROPY, seed=21, data_seed=9)
other, _ = check_run([3, 4, 2], 25, 10, 2, 0.5, CROSS_ENTROPY, seed=22, data_seed=9)
checks.expect(first == again and list(history_a.train_cost) == list(history_b.train_cost),
              "the same seed must give the same run: shuffle with np.random.default_rng(seed)")
checks.expect(first != other, "the seed argument must decide the shuffling: another seed, another order")
# epochs = 0: no step, the starting parameters (as new arrays) and an empty history
rng = np.random.default_rng(31)
start = oracle.random_network([3, 2], seed=31)
x, y = rng.standard_normal((3, 6)), np.eye(2)[:, rng.integers(0, 2, 6)]
steps.clear()
with checks.trusted(globals(), sgd_step=stand_in_step):
    weights, biases, history = sgd(start[0], start[1], x, y, 0, 2, 0.5, QUADRATIC, seed=3)
checks.expect(not steps, f"with epochs = 0 sgd should take no step, it took {len(steps)}")
for got, want in zip(weights + biases, start[0] + start[1]):
    checks.expect_close(got, want, "the parameters returned after 0 epochs (the starting ones)", rtol=0, atol=0)
checks.expect(all(len(getattr(history, name)) == 0 for name in
                  ["train_cost", "train_accuracy", "test_cost", "test_accuracy"]),
              "with epochs = 0 the history should stay empty")
# the defaults: cost=CROSS_ENTROPY, no test data, seed=0, monitor=True
runs = []
for options in [{}, {"cost": CROSS_ENTROPY, "x_test": None, "y_test": None, "seed": 0, "monitor": True}]:
    steps.clear()
    with checks.trusted(globals(), sgd_step=stand_in_step):
        weights, biases, history = sgd(start[0], start[1], x, y, 2, 4, 0.5, **options)
    runs.append(([sample_numbers(s["x"], x) for s in steps], list(history.train_cost),
                 [s["cost"] == CROSS_ENTROPY for s in steps]))
checks.expect(all(runs[0][2]) and len(runs[0][2]) == 4,
              "sgd(weights, biases, x_train, y_train, epochs, batch_size, eta) should train with the default "
              "cost=CROSS_ENTROPY, one step per mini-batch")
checks.expect(len(runs[0][1]) == 2 and len(history.test_cost) == 0,
              "by default (monitor=True, no test data) the history should hold one training entry per epoch "
              "and no test entries")
checks.expect(runs[0][0] == runs[1][0] and runs[0][1] == runs[1][1],
              "the defaults should be cost=CROSS_ENTROPY, x_test=None, y_test=None, seed=0, monitor=True: "
              "sgd without them should make the same run as with them")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Training on the digits
#
# The course ships a small offline data set: 1,797 handwritten digits of 8 × 8 grey pixels (values scaled to
# $[0, 1]$), split into 1,500 training and 297 test images. Each image is a column of 64 numbers; its label a
# one-hot column of 10. The plan: a $[64, 30, 10]$ network, cross-entropy, mini-batches of 10, $\eta = 1.0$.
#
# The **test** images are never trained on: measuring on them after each epoch tells us how well the network
# generalises to images it has not seen. `plot_training_curves(history)` draws cost and accuracy per epoch for
# both sets (it returns a matplotlib figure; `display(fig)` shows it).

# %% role="locked" grade_id="given_plots_and_data"
from matplotlib.figure import Figure
from datasets import load_digits

digits = load_digits()   # digits.x_train (64, 1500), digits.y_train (10, 1500), digits.x_test (64, 297), digits.y_test (10, 297)


from solutions.plots import plot_training_curves


# %% [markdown]
# **Exercise (1 point).** Write `train_digits(epochs)`: one call of your `sgd` that trains
# `init_network([64, 30, 10], seed=0)` on `digits.x_train`, `digits.y_train` with cross-entropy, mini-batches
# of 10 and $\eta = 1.0$, monitoring `digits.x_test`, `digits.y_test`, with `seed=0`; return what `sgd` returns.
# (The test checks how you call `sgd`, then repeats your experiment with a known-good `sgd`.)

# %% role="solution" grade_id="train_digits"
def train_digits(epochs=30):
    """Train a [64, 30, 10] network on the digits: cross-entropy, mini-batches of 10, η = 1.0.

    Starts from init_network([64, 30, 10], seed=0), shuffles with seed=0 and records the test data too.

    Returns
    -------
    weights, biases : list of ndarray
    history : History
    """
    ### BEGIN SOLUTION
    return sgd(*init_network([64, 30, 10], seed=0), digits.x_train, digits.y_train, epochs, 10, 1.0,
               CROSS_ENTROPY, digits.x_test, digits.y_test, seed=0)
    ### END SOLUTION


# %% snippet="stand_in_sgd"
# A stand-in for sgd: it records how it was called and returns made-up results without training,
# so this cell checks how your experiment is set up, whatever the state of your sgd.
sgd_calls = []
def stand_in_sgd(weights, biases, x_train, y_train, epochs, batch_size, eta, cost=CROSS_ENTROPY,
                 x_test=None, y_test=None, seed=0, monitor=True):
    sgd_calls.append(dict(weights=[np.array(w, dtype=float) for w in weights],
                          biases=[np.array(b, dtype=float) for b in biases], x_train=x_train, y_train=y_train,
                          epochs=epochs, batch_size=batch_size, eta=eta, cost=cost, x_test=x_test, y_test=y_test))
    tag = float(len(sgd_calls))            # the made-up history of call number k holds the number k
    made_up = History(train_cost=[tag] * epochs, train_accuracy=[tag] * epochs,
                      test_cost=[tag] * epochs, test_accuracy=[tag] * epochs)
    return [w + 1.0 for w in sgd_calls[-1]["weights"]], [b + 1.0 for b in sgd_calls[-1]["biases"]], made_up

def same_array(a, b):
    return a is not None and np.shape(a) == np.shape(b) and np.array_equal(np.asarray(a, dtype=float), b)


# %% snippet="trusted_sgd"
def trusted_sgd(weights, biases, x_train, y_train, epochs, batch_size, eta, cost=CROSS_ENTROPY,
                x_test=None, y_test=None, seed=0, monitor=True):
    w = [np.array(p, dtype=float) for p in weights]
    b = [np.array(p, dtype=float) for p in biases]
    x_train, y_train = np.asarray(x_train, dtype=float), np.asarray(y_train, dtype=float)
    rng, result = np.random.default_rng(seed), History()
    for _ in range(epochs):
        order = rng.permutation(x_train.shape[1])
        for start in range(0, len(order), batch_size):
            cols = order[start:start + batch_size]
            grad_b, grad_w = backprop(w, b, x_train[:, cols], y_train[:, cols], cost)
            for p, g in zip(w + b, grad_w + grad_b):
                p -= eta * g
        if monitor:
            for x, y, costs, accs in [(x_train, y_train, result.train_cost, result.train_accuracy),
                                      (x_test, y_test, result.test_cost, result.test_accuracy)]:
                if x is not None:
                    out = feedforward(w, b, x, cost.output_activation)[1][-1]
                    costs.append(cost.value(out, y))
                    accs.append(float(np.mean(np.argmax(out, axis=0) == np.argmax(y, axis=0))))
    return w, b, result


# %% role="tests" grade_id="test_train_digits" points=1
# snippet: stand_in_sgd
with checks.trusted(globals(), sgd=stand_in_sgd):
    result = train_digits(epochs=3)
checks.expect(len(sgd_calls) == 1, f"train_digits should make one call of sgd, it made {len(sgd_calls)}")
call = sgd_calls[0]
checks.expect([w.shape for w in call["weights"]] == [(30, 64), (10, 30)],
              "start from a [64, 30, 10] network: init_network([64, 30, 10], seed=0)")
checks.expect(same_array(call["x_train"], digits.x_train) and same_array(call["y_train"], digits.y_train),
              "train on the training set: digits.x_train, digits.y_train")
checks.expect(same_array(call["x_test"], digits.x_test) and same_array(call["y_test"], digits.y_test),
              "pass digits.x_test, digits.y_test as x_test, y_test so the history records the test data")
checks.expect(call["epochs"] == 3, "train_digits(epochs) should train for `epochs` epochs")
checks.expect(call["batch_size"] == 10, f"use mini-batches of 10, not {call['batch_size']}")
checks.expect(call["eta"] == 1.0, f"use the learning rate η = 1.0, not {call['eta']}")
checks.expect(call["cost"] == CROSS_ENTROPY, "train with the cross-entropy cost, CROSS_ENTROPY")
checks.expect(isinstance(result, tuple) and len(result) == 3 and list(result[2].train_cost) == [1.0] * 3,
              "return what sgd returns: (weights, biases, history)")
print("visible train_digits tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
# snippet: trusted_sgd
sgd_calls.clear()
with checks.trusted(globals(), sgd=stand_in_sgd):
    train_digits(epochs=7)
checks.expect(len(sgd_calls) == 1 and sgd_calls[0]["epochs"] == 7, "train_digits(7) should train for 7 epochs")
sgd_calls.clear()
with checks.trusted(globals(), sgd=stand_in_sgd):
    train_digits()
checks.expect(len(sgd_calls) == 1 and sgd_calls[0]["epochs"] == 30,
              "train_digits() should train for its default of 30 epochs")
with checks.trusted(globals(), sgd=trusted_sgd):
    weights, biases, history = train_digits(epochs=5)
for name in ["train_cost", "train_accuracy", "test_cost", "test_accuracy"]:
    checks.expect(len(getattr(history, name)) == 5, f"history.{name} should hold 5 epochs")
checks.expect(history.test_accuracy[-1] >= 0.9,
              f"with a known-good sgd your set-up reaches only {history.test_accuracy[-1]:.1%} test accuracy "
              "after 5 epochs (expected ≥ 90 %)")
checks.expect(history.train_cost[-1] < 0.5 * history.train_cost[0], "the training cost should fall")
### END HIDDEN TESTS

# %% [markdown]
# Now train for 30 epochs with *your* `sgd` and look at the curves. With the reference code this takes from about half a
# second to a few seconds, depending on the machine (the cell prints the time), and ends near 98 % test accuracy. Things to notice: the training cost keeps falling, the test
# cost levels off above it; the training accuracy approaches 100 % while the test accuracy stops a little lower.
# That gap is the network starting to learn its training images by heart (overfitting) — a topic for later.

# %%
import time
with checks.when_implemented("training on the digits"):
    started = time.perf_counter()
    trained_w, trained_b, digits_history = train_digits(epochs=30)
    print(f"30 epochs in {time.perf_counter() - started:.2f} s: test accuracy "
          f"{digits_history.test_accuracy[-1]:.1%}, training cost {digits_history.train_cost[-1]:.4f}")
    display(plot_training_curves(digits_history, title="[64, 30, 10] on the digits, η = 1.0"))

# %% [markdown]
# ## 5. Choosing the learning rate
#
# Why not just take a huge $\eta$ and be done quickly? Look at the simplest cost there is,
# $f(\theta) = \tfrac12\theta^2$ with $f'(\theta) = \theta$. One step gives
# $\theta \leftarrow \theta - \eta\theta = (1 - \eta)\,\theta$, so after $k$ steps $\theta_k = (1-\eta)^k\theta_0$:
#
# * $0 < \eta < 1$: $\theta$ shrinks steadily — but with $\eta = 0.01$ only by 1 % per step
#   ($0.99^{100} \approx 0.37$ after 100 steps): **too small** wastes time;
# * $\eta = 1$ lands on the minimum in one step; $1 < \eta < 2$ overshoots, flips sign, but still converges;
# * $\eta > 2$: $|1 - \eta| > 1$, each step overshoots further than the last — it **diverges**
#   ($\eta = 2.5$: $1 \to -1.5 \to 2.25 \to -3.375 \dots$).
#
# A real cost is not a parabola, but near a minimum it looks like one, and its curvature sets the scale: a
# bowl $\tfrac12\lambda\theta^2$ diverges for $\eta > 2/\lambda$. Since we do not know $\lambda$, we measure:
# train with a few values of $\eta$ spread over orders of magnitude and compare.

# %%
fig, (ax_path, ax_steps) = plt.subplots(1, 2, figsize=(11, 3.8))
theta = np.linspace(-4, 4, 200)
ax_path.plot(theta, theta ** 2 / 2, color="0.7")
for eta, style in [(0.1, "o-"), (1.5, "s-"), (2.5, "^-")]:
    path = [1.0]
    for _ in range(8):
        path.append((1 - eta) * path[-1])             # θ ← θ − η f'(θ) = (1 − η) θ
    path = np.array(path)
    ax_path.plot(path[:4], path[:4] ** 2 / 2, style, label=f"η = {eta}")
    ax_steps.plot(range(len(path)), path, style, label=f"η = {eta}: " + ", ".join(f"{p:.2f}" for p in path[:4]) + ", …")
ax_path.set(xlabel="θ", ylabel="f(θ) = θ²/2", title="Three steps from θ = 1 on the cost", xlim=(-4, 4), ylim=(-0.2, 8))
ax_steps.set(xlabel="step k", ylabel="θ_k", title="θ after k steps", ylim=(-5, 5))
for ax in (ax_path, ax_steps):
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
plt.show()


# %% [markdown]
# **Exercise (2 points).** Write `learning_rate_sweep(etas, epochs)`: for each $\eta$ in `etas`, train the
# digits network with your `sgd` — every run from the **same** start, a fresh `init_network([64, 30, 10],
# seed=0)` (not the weights trained by the previous run), otherwise as in `train_digits` — and return a dict
# that maps each $\eta$ to the `History` of its run. We use $\eta = 0.01$, $1$ and $100$ for 10 epochs.

# %% role="solution" grade_id="learning_rate_sweep"
def learning_rate_sweep(etas, epochs=10):
    """Train the digits network once for every learning rate η in ``etas``, each run from the same start.

    Each run: init_network([64, 30, 10], seed=0), cross-entropy, mini-batches of 10, the test data
    monitored, seed=0.

    Parameters
    ----------
    etas : sequence of float
    epochs : int

    Returns
    -------
    dict
        {η: History of the run with that η}
    """
    ### BEGIN SOLUTION
    return {eta: sgd(*init_network([64, 30, 10], seed=0), digits.x_train, digits.y_train, epochs, 10, eta,
                     CROSS_ENTROPY, digits.x_test, digits.y_test, seed=0)[2] for eta in etas}
    ### END SOLUTION


# %% role="tests" grade_id="test_learning_rate_sweep" points=2
# snippet: stand_in_sgd
def check_calls(etas, epochs):
    n = len(sgd_calls)
    checks.expect(n == len(etas), f"learning_rate_sweep({etas}) should call sgd once per η, it made {n} calls")
    checks.expect(sorted(c["eta"] for c in sgd_calls) == sorted(etas), "each call of sgd should use one of the η given")
    first = sgd_calls[0]
    for c in sgd_calls:
        checks.expect([w.shape for w in c["weights"]] == [(30, 64), (10, 30)], "train a [64, 30, 10] network")
        checks.expect(all(np.array_equal(p, q) for p, q in zip(c["weights"] + c["biases"], first["weights"] + first["biases"])),
                      "every run must start from the same parameters, a fresh init_network([64, 30, 10], seed=0) "
                      "— not from the weights the previous run trained")
        checks.expect(same_array(c["x_train"], digits.x_train) and same_array(c["y_train"], digits.y_train)
                      and same_array(c["x_test"], digits.x_test) and same_array(c["y_test"], digits.y_test),
                      "train on digits.x_train, digits.y_train and monitor digits.x_test, digits.y_test")
        checks.expect(c["epochs"] == epochs and c["batch_size"] == 10 and c["cost"] == CROSS_ENTROPY,
                      f"each run: {epochs} epochs, mini-batches of 10, CROSS_ENTROPY")
    checks.expect(isinstance(result, dict) and sorted(result) == sorted(etas),
                  f"return a dict whose keys are the η given, {etas}")
    for k, c in enumerate(sgd_calls, 1):
        checks.expect(list(getattr(result[c["eta"]], "train_cost", [])) == [float(k)] * epochs,
                      f"result[{c['eta']}] should be the History that sgd returned for η = {c['eta']}")

with checks.trusted(globals(), sgd=stand_in_sgd):
    result = learning_rate_sweep([0.01, 1.0, 100.0], epochs=2)
check_calls([0.01, 1.0, 100.0], 2)
print("visible learning_rate_sweep tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
# snippet: trusted_sgd
sgd_calls.clear()
with checks.trusted(globals(), sgd=stand_in_sgd):
    result = learning_rate_sweep([3.0, 0.3], epochs=1)
check_calls([3.0, 0.3], 1)
sgd_calls.clear()
with checks.trusted(globals(), sgd=stand_in_sgd):
    result = learning_rate_sweep((0.5,))       # any sequence of η, and the default of 10 epochs
check_calls([0.5], 10)
with checks.trusted(globals(), sgd=trusted_sgd):
    sweep = learning_rate_sweep([0.01, 1.0, 100.0], epochs=5)
small, good, large = sweep[0.01], sweep[1.0], sweep[100.0]
checks.expect(small.train_cost[-1] > 0.85 * small.train_cost[0] and small.train_cost[-1] > 2,
              "with η = 0.01 the training cost should barely move in 5 epochs")
checks.expect(good.test_accuracy[-1] >= 0.9, "with η = 1 the test accuracy should pass 90 % in 5 epochs")
checks.expect(min(large.train_cost) > 10 and max(large.test_accuracy) < 0.2,
              "with η = 100 the network should not learn (cost stays high, accuracy near chance)")
### END HIDDEN TESTS

# %%
with checks.when_implemented("the learning-rate sweep"):
    sweep = learning_rate_sweep([0.01, 1.0, 100.0], epochs=10)
    fig, (ax_cost, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
    for eta, history in sweep.items():
        ax_cost.semilogy(history.epochs, history.train_cost, marker=".", label=f"η = {eta}")
        ax_acc.plot(history.epochs, 100 * np.array(history.test_accuracy), marker=".", label=f"η = {eta}")
        print(f"η = {eta:6}: training cost {history.train_cost[0]:7.3f} → {history.train_cost[-1]:7.3f}, "
              f"test accuracy {history.test_accuracy[-1]:.1%}")
    ax_cost.set(xlabel="epoch", ylabel="training cost (log scale)", title="Cost")
    ax_acc.set(xlabel="epoch", ylabel="test accuracy (%)", title="Accuracy")
    for ax in (ax_cost, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    plt.show()


# %% [markdown]
# What you should see: $\eta = 0.01$ is far too timid — the cost has hardly moved after 1,500 steps;
# $\eta = 1$ learns fast; $\eta = 100$ throws the weights so far that the sigmoids saturate and the network
# guesses at chance level (about 10 %), with a cost that jumps around instead of falling. Try values in between
# (0.1, 3, 10): the good range here spans roughly one order of magnitude.
#
# ## 6. The learning slowdown, measured
#
# Assignment 2 showed on paper why cross-entropy helps. Now we measure it. Take one sigmoid neuron with one
# input, the single sample $x = 1$ with target $y = 0$, and a badly wrong start $w = b = 2$: then $z = 4$ and
# the output is $a = \sigma(4) \approx 0.982$ where 0 is wanted. The output error decides the step size
# ($\partial C/\partial w = \delta\,x$, $\partial C/\partial b = \delta$):
#
# * quadratic cost: $\delta = (a - y)\,\sigma'(z) = 0.982 \cdot 0.0177 \approx 0.0173$ — the saturated neuron's
#   tiny $\sigma'(4)$ throttles learning exactly when the neuron is most wrong;
# * cross-entropy: $\delta = a - y \approx 0.982$ — the $\sigma'$ has cancelled; about $1/\sigma'(4) \approx 57$
#   times larger.
#
# With $\eta = 0.15$ the first step moves $w$ and $b$ by $-0.0026$ each under the quadratic cost and by
# $-0.147$ under cross-entropy. For this one sample the history's cost tells us the output, so we need no extra
# bookkeeping: quadratic $C = \tfrac12 a^2$ gives $a = \sqrt{2C}$, and cross-entropy $C = -\ln(1 - a)$ gives
# $a = 1 - e^{-C}$. (With one sample an epoch is a single step.)
#
# **Exercise (2 points).** Write `learning_slowdown(epochs, eta)`: train this neuron — weights
# `[np.array([[2.0]])]`, biases `[np.array([[2.0]])]`, `x = [[1.0]]`, `y = [[0.0]]` as (1, 1) arrays,
# mini-batches of 1 — once with `QUADRATIC` and once with `CROSS_ENTROPY`, using your `sgd`, and return
# `{"quadratic": history, "cross-entropy": history}`.

# %% role="solution" grade_id="learning_slowdown"
def learning_slowdown(epochs=30, eta=0.15):
    """Train one sigmoid neuron (input x = 1, target y = 0) from the saturated start w = b = 2, once per cost.

    Returns
    -------
    dict
        {"quadratic": History, "cross-entropy": History}
    """
    ### BEGIN SOLUTION
    x, y = np.ones((1, 1)), np.zeros((1, 1))
    return {name: sgd([np.array([[2.0]])], [np.array([[2.0]])], x, y, epochs, 1, eta, cost)[2]
            for name, cost in [("quadratic", QUADRATIC), ("cross-entropy", CROSS_ENTROPY)]}
    ### END SOLUTION


# %% role="tests" grade_id="test_learning_slowdown" points=2
# snippet: stand_in_sgd
def check_calls(epochs, eta):
    checks.expect(len(sgd_calls) == 2, f"learning_slowdown should call sgd twice (once per cost), it made {len(sgd_calls)} calls")
    used = sorted("quadratic" if c["cost"] == QUADRATIC else "cross-entropy" if c["cost"] == CROSS_ENTROPY
                  else "another cost" for c in sgd_calls)
    checks.expect(used == ["cross-entropy", "quadratic"], f"train once with QUADRATIC and once with CROSS_ENTROPY, got {used}")
    for c in sgd_calls:
        checks.expect(len(c["weights"]) == 1 and same_array(c["weights"][0], [[2.0]]) and same_array(c["biases"][0], [[2.0]]),
                      "start every run from one neuron with w = b = 2: [np.array([[2.0]])] for weights and biases")
        checks.expect(same_array(c["x_train"], [[1.0]]) and same_array(c["y_train"], [[0.0]]),
                      "train on the single sample x = 1 with target y = 0, as (1, 1) arrays")
        checks.expect(c["epochs"] == epochs and c["eta"] == eta and c["batch_size"] >= 1,
                      f"learning_slowdown({epochs}, {eta}) should train for {epochs} epochs with η = {eta}")
    checks.expect(isinstance(result, dict) and sorted(result) == ["cross-entropy", "quadratic"],
                  'return {"quadratic": history, "cross-entropy": history}')
    for k, c in enumerate(sgd_calls, 1):
        key = "quadratic" if c["cost"] == QUADRATIC else "cross-entropy"
        checks.expect(list(getattr(result[key], "train_cost", [])) == [float(k)] * epochs,
                      f'result["{key}"] should be the History sgd returned for the {key} run')

with checks.trusted(globals(), sgd=stand_in_sgd):
    result = learning_slowdown(epochs=4, eta=0.15)
check_calls(4, 0.15)
print("visible learning_slowdown tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
# snippet: trusted_sgd
sgd_calls.clear()
with checks.trusted(globals(), sgd=stand_in_sgd):
    result = learning_slowdown(epochs=6, eta=0.4)
check_calls(6, 0.4)

def formula_outputs(kind, epochs, eta):
    # one neuron, x = 1, y = 0: δ = a·σ'(z) (quadratic) or a (cross-entropy); w and b both move by −ηδ
    w = b = 2.0
    outputs = []
    for _ in range(epochs):
        a = 1.0 / (1.0 + np.exp(-(w + b)))
        delta = a * a * (1.0 - a) if kind == "quadratic" else a
        w, b = w - eta * delta, b - eta * delta
        outputs.append(1.0 / (1.0 + np.exp(-(w + b))))
    return np.array(outputs)

for epochs, eta in [(30, 0.15), (5, 0.5)]:
    with checks.trusted(globals(), sgd=trusted_sgd):
        runs = learning_slowdown(epochs=epochs, eta=eta)
    quadratic = np.sqrt(2 * np.array(runs["quadratic"].train_cost))
    cross_entropy = 1 - np.exp(-np.array(runs["cross-entropy"].train_cost))
    checks.expect_close(quadratic, formula_outputs("quadratic", epochs, eta),
                        f"outputs of the quadratic run ({epochs} epochs, η = {eta})", rtol=1e-9)
    checks.expect_close(cross_entropy, formula_outputs("cross-entropy", epochs, eta),
                        f"outputs of the cross-entropy run ({epochs} epochs, η = {eta})", rtol=1e-9)
with checks.trusted(globals(), sgd=trusted_sgd):
    runs = learning_slowdown()
quadratic = np.sqrt(2 * np.array(runs["quadratic"].train_cost))
cross_entropy = 1 - np.exp(-np.array(runs["cross-entropy"].train_cost))
checks.expect(len(quadratic) == 30 and cross_entropy[29] < 0.3 < 0.9 < quadratic[29],
              "by default (30 epochs, η = 0.15) the cross-entropy neuron should be far ahead after 30 epochs")
### END HIDDEN TESTS

# %%
with checks.when_implemented("the learning-slowdown experiment"):
    runs = learning_slowdown(epochs=300)
    outputs = {"quadratic": np.sqrt(2 * np.array(runs["quadratic"].train_cost)),
               "cross-entropy": 1 - np.exp(-np.array(runs["cross-entropy"].train_cost))}
    start = 1 / (1 + np.exp(-4.0))                       # σ(4), before the first step
    fig, ax = plt.subplots(figsize=(7, 3.5))
    for name, a in outputs.items():
        ax.plot(np.arange(len(a) + 1), np.concatenate([[start], a]), label=name)
        print(f"{name:>13}: output after 30 epochs {a[29]:.3f}, after 300 epochs {a[299]:.3f}")
    ax.set(xlabel="epoch", ylabel="output a (target 0)", title="Learning from a saturated start, η = 0.15")
    ax.grid(alpha=0.3)
    ax.legend()
    plt.show()

# %% [markdown]
# After 30 epochs the cross-entropy neuron is down to about 0.20 while the quadratic one still outputs about
# 0.98; the quadratic neuron needs roughly ten times as many epochs to get as far. Nothing is wrong with the
# quadratic neuron's gradient — it is correct, just tiny, because it carries the factor $\sigma'(z)$.
#
# ## Summary
#
# * Gradient descent moves every parameter against its slope: $\theta \leftarrow \theta - \eta\,\partial C/\partial\theta$.
# * On a mini-batch, Nielsen's $\frac{\eta}{m}\sum_x\nabla C_x$ is $\eta$ times the gradient of the batch-average
#   cost — which is what our `backprop` returns, so $\eta$ is not divided by $m$ again (notes that accumulate a
#   sum use $\tau = \eta/m$).
# * An epoch is one pass over the shuffled training set in mini-batches, the last one possibly smaller; a seeded
#   generator makes the shuffling — and the whole run — reproducible.
# * Training curves (cost and accuracy per epoch, training and test) show how learning goes; the learning rate
#   has a range that works, found by measuring.
# * A saturated neuron learns slowly under the quadratic cost and quickly under cross-entropy.
