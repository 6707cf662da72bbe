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
# # Assignment 3 — Hadamard products and the forward pass
#
# **Learning objectives.** After this notebook you can
# 1. compute a Hadamard product $s \odot t$, tell it apart from a matrix product, and avoid NumPy's
#    broadcasting trap;
# 2. read the index convention $w^l_{jk}$ (from neuron $k$ of layer $l-1$ *to* neuron $j$ of layer $l$) and
#    explain why it turns a layer into the matrix product $z^l = W^l a^{l-1} + b^l$;
# 3. implement the forward pass for one sample and for a mini-batch, keeping every $z^l$ and $a^l$;
# 4. translate between our convention and two others you will meet in textbooks: the bias folded into the
#    weights, and samples as row vectors;
# 5. differentiate small networks by hand with the chain rule, and see that a weight reaches the cost along
#    several paths whose chain products **add up** — the idea that backpropagation organises.
#
# **Time.** About 2 hours: 45 minutes of reading and hand calculation, an hour of coding, the rest for the
# experiments.
#
# **How this works.** Fill in every cell that says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each function a test cell checks it; its messages use the notation of the course. The graded version
# runs more tests on inputs you do not see (other shapes, depths and batch sizes), so make your function right
# for *every* input its docstring allows. Points: `hadamard` 3, `feedforward` 6, `fold_bias` 2,
# `feedforward_folded` 3, `chain_111_gradient` 3, `weight_gradient_by_paths` 3 — 20 in all.
#
# **Conventions (the course's, after Nielsen).** Layers are numbered $l = 1, \dots, L$; layer 1 is the input,
# $a^1 = x$. A sample is a column vector of shape $(n, 1)$; a mini-batch of $m$ samples is an $(n, m)$ array
# whose columns are the samples. $W^l$ has shape $(n_l, n_{l-1})$ and $b^l$ shape $(n_l, 1)$.

# %% role="locked" grade_id="setup"
# snippet: setup

# %% [markdown]
# The sigmoid and its derivative from assignment 1 are given (read-only); use them freely.

# %% role="locked" grade_id="given_sigmoid"
from solutions.activations import sigmoid, sigmoid_prime

# %% [markdown]
# ## 1. The Hadamard product
#
# Backpropagation keeps multiplying vectors **entry by entry**: "the error of neuron $j$ times the slope
# $\sigma'(z_j)$ of neuron $j$", for every $j$ at once. That operation has a name. For two vectors (or
# matrices) $s$ and $t$ *of the same shape*, the **Hadamard product** (also called the Schur product) is
#
# $$(s \odot t)_j = s_j\, t_j .$$
#
# Two small examples:
#
# $$\begin{bmatrix}1\\2\\3\end{bmatrix} \odot \begin{bmatrix}2\\2\\2\end{bmatrix}
#   = \begin{bmatrix}1\cdot 2\\2\cdot 2\\3\cdot 2\end{bmatrix} = \begin{bmatrix}2\\4\\6\end{bmatrix},
# \qquad
# \begin{bmatrix}1\\2\end{bmatrix} \odot \begin{bmatrix}3\\4\end{bmatrix}
#   = \begin{bmatrix}1\cdot 3\\2\cdot 4\end{bmatrix} = \begin{bmatrix}3\\8\end{bmatrix}.$$
#
# **How it differs from a matrix product.** A matrix product *sums* over a shared index:
# $(AB)_{jk} = \sum_i A_{ji}B_{ik}$. The Hadamard product never sums, so its result always has the shape of
# its inputs. For two $(3, 1)$ columns $s, t$ the matrix product $st$ is not even defined; $s^{\mathsf T}t$ is
# the single number $\sum_j s_j t_j$ (here $1\cdot2+2\cdot2+3\cdot2 = 12$), and $s\,t^{\mathsf T}$ is a
# $3\times3$ matrix (the outer product). None of these is $s \odot t$.
#
# In NumPy, `s * t` is elementwise and `s @ t` is the matrix product — mixing them up is the most common
# bug of this course.
#
# **The broadcasting trap.** NumPy's `*` does not insist on equal shapes: it *broadcasts*. A column of
# shape $(n, 1)$ times a row of shape $(1, n)$ silently becomes an $(n, n)$ matrix (the outer product), and
# an $(n, 1)$ column times a flat $(n,)$ vector does the same. Run the cell below and look at the shapes.
# One mistaken transpose and your "elementwise" product is a full matrix, with no error anywhere — until the
# numbers come out wrong three steps later.

# %%
s = np.array([[1.0], [2.0], [3.0]])      # a column, shape (3, 1)
t = np.array([[2.0], [2.0], [2.0]])
print("s * t   (elementwise):\n", s * t, "  shape", (s * t).shape)
print("s.T @ t (inner product):", s.T @ t, "  shape", (s.T @ t).shape)
print("s * t.T (the broadcasting trap) has shape", (s * t.T).shape, ":\n", s * t.T)
print("s * np.ravel(t) has shape", (s * np.ravel(t)).shape, "as well")

# %% [markdown]
# **Exercise (3 points).** Implement `hadamard(s, t)`: the elementwise product of two arrays of the same
# shape, $(n, 1)$ or $(n, m)$, returned with that shape. If the shapes differ, raise a `ValueError` instead
# of letting NumPy broadcast. Do not modify the inputs.

# %% role="solution" grade_id="hadamard"
from solutions.hadamard import hadamard

# %% role="tests" grade_id="test_hadamard" points=3
checks.expect_close(hadamard(np.array([[1.0], [2.0], [3.0]]), np.array([[2.0], [2.0], [2.0]])),
                    [[2.0], [4.0], [6.0]], "[1, 2, 3]ᵀ ⊙ [2, 2, 2]ᵀ",
                    hint="s ⊙ t multiplies entry by entry, (s ⊙ t)ⱼ = sⱼtⱼ, and never sums: use *, not @")
checks.expect_close(hadamard(np.array([[1.0], [2.0]]), np.array([[3.0], [4.0]])), [[3.0], [8.0]],
                    "[1, 2]ᵀ ⊙ [3, 4]ᵀ")


def _refuses(s_shape, t_shape):
    # True when hadamard raises a ValueError (or fails an assert) for these shapes
    try:
        hadamard(np.ones(s_shape), np.ones(t_shape))
    except (ValueError, AssertionError):
        return True
    except NotImplementedError:
        raise
    except Exception as error:
        raise checks.CheckFailed(f"hadamard raised {type(error).__name__} for shapes {s_shape} and "
                                 f"{t_shape}; the docstring asks for a ValueError") from None
    return False


checks.expect(_refuses((3, 1), (1, 3)),
              "hadamard of shapes (3, 1) and (1, 3) must raise a ValueError: NumPy would broadcast them "
              "into a 3×3 matrix, which is never a Hadamard product")
print("visible Hadamard tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(301)
for shape in [(1, 1), (5, 1), (4, 7), (2, 3)]:
    s, t = rng.standard_normal(shape), rng.standard_normal(shape)
    expected = np.array([[s[r, c] * t[r, c] for c in range(shape[1])] for r in range(shape[0])])
    result = checks.expect_inputs_unchanged(hadamard, s, t, name="hadamard")
    checks.expect_close(result, expected, f"s ⊙ t for s, t of shape {shape}", rtol=1e-12,
                        hint="(s ⊙ t)ⱼ = sⱼtⱼ, with the shape of the inputs")
s32, t32 = rng.standard_normal((3, 4)).astype(np.float32), rng.standard_normal((3, 4)).astype(np.float32)
checks.expect_close(hadamard(s32, t32), s32.astype(float) * t32.astype(float), "s ⊙ t for float32 inputs",
                    rtol=1e-6)
for s_shape, t_shape in [((3, 1), (1, 3)), ((4, 1), (4,)), ((2, 3), (3, 2)), ((2, 3), (2, 1)), ((1, 4), (4, 1))]:
    checks.expect(_refuses(s_shape, t_shape),
                  f"hadamard of shapes {s_shape} and {t_shape} must raise a ValueError instead of broadcasting")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. Weights, and the order of their indices
#
# Write $w^l_{jk}$ for the weight of the connection **from neuron $k$ in layer $l-1$ to neuron $j$ in
# layer $l$**, $b^l_j$ for the bias of neuron $j$ in layer $l$, $z^l_j$ for its weighted input and
# $a^l_j = \sigma(z^l_j)$ for its activation. Then each neuron adds up what comes in:
#
# $$z^l_j = \sum_k w^l_{jk}\, a^{l-1}_k + b^l_j, \qquad a^l_j = \sigma\bigl(z^l_j\bigr).$$
#
# The order $jk$ — *destination first, source second* — looks backwards: the signal travels from $k$ to
# $j$. It is chosen for one reason. Collect the weights into a matrix $W^l$ whose row $j$, column $k$ entry
# is $w^l_{jk}$. Then the sum over $k$ above is exactly row $j$ of a matrix–vector product, and the whole
# layer is
#
# $$z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l) \quad (\sigma \text{ applied to every entry}).$$
#
# Row $j$ of $W^l$ holds every weight *into* neuron $j$; column $k$ holds every weight *out of* neuron $k$
# of the previous layer. $W^l$ has shape $(n_l, n_{l-1})$: rows count the neurons of this layer, columns
# those of the previous one. (With the other index order you would have to write $(W^l)^{\mathsf T}a^{l-1}$
# everywhere.)
#
# **Worked example.** A 2-2-1 network with input $x = a^1 = (1, -1)^{\mathsf T}$ and
#
# $$W^2 = \begin{bmatrix} 1 & 2\\ 3 & -1\end{bmatrix},\quad b^2 = \begin{bmatrix}0.5\\-1\end{bmatrix},\qquad
#   W^3 = \begin{bmatrix} 1 & -1\end{bmatrix},\quad b^3 = \begin{bmatrix}0\end{bmatrix}.$$
#
# Here $w^2_{12} = 2$ is the weight from input neuron 2 to hidden neuron 1. Componentwise,
#
# $$z^2_1 = w^2_{11}a^1_1 + w^2_{12}a^1_2 + b^2_1 = 1\cdot 1 + 2\cdot(-1) + 0.5 = -0.5,\qquad
#   z^2_2 = 3\cdot 1 + (-1)\cdot(-1) - 1 = 3,$$
#
# so $a^2 = (\sigma(-0.5), \sigma(3)) \approx (0.377541, 0.952574)$, then
# $z^3 = a^2_1 - a^2_2 \approx -0.575033$ and the output is $a^3 = \sigma(z^3) \approx 0.360076$.
# Had we mixed up the index order and computed $(W^2)^{\mathsf T}x + b^2$ we would get $(-1.5, 2)$ instead of
# $(-0.5, 3)$ — and for a non-square $W$ the shapes would not even fit.
#
# **In Python.** Lists start at 0 but our layers start at 1, and layer 1 (the input) has no weights. So
# `weights[i]` and `biases[i]` hold $W^{i+2}$ and $b^{i+2}$: `weights[0]` is $W^2$, `weights[1]` is $W^3$, …,
# `weights[-1]` is $W^L$. The entry `weights[i][j, k]` is $w^{i+2}_{j+1,\,k+1}$ (NumPy counts neurons from 0
# as well).
#
# The picture below draws the worked example: each line is one weight, labelled with its $w^l_{jk}$.

# %%
def draw_network(ax, sizes, edge_label=None, paths=(), cost=False, title=""):
    # Layer l is drawn in column l with its neuron 1 on top; each line is one weight w^l_jk.
    # edge_label(l, j, k) gives a label (or None); paths is a list of (colour, edges), an edge being
    # (l, j, k) for w^l_jk or ("C", j) for the line from output neuron j to the cost C.
    pos = {(l, j): (3.5 * (l - 1), 1.6 * ((n + 1) / 2 - j)) for l, n in enumerate(sizes, 1) for j in range(1, n + 1)}
    colours = {}
    for colour, edges in paths:
        for edge in edges:
            colours[edge] = "black" if edge in colours else colour   # shared by several paths
    lines = [((l, j, k), pos[l - 1, k], pos[l, j]) for l in range(2, len(sizes) + 1)
             for j in range(1, sizes[l - 1] + 1) for k in range(1, sizes[l - 2] + 1)]
    if cost:
        pos["C"] = (3.5 * len(sizes) - 1.0, 0.0)
        lines += [(("C", j), pos[len(sizes), j], pos["C"]) for j in range(1, sizes[-1] + 1)]
    for edge, (x0, y0), (x1, y1) in lines:
        colour = colours.get(edge, "0.7")
        ax.plot([x0, x1], [y0, y1], color=colour, lw=1 if colour == "0.7" else 3, zorder=1)
        label = edge_label(*edge) if edge_label and edge[0] != "C" else None
        if label:
            ax.text(x1 - 0.3 * (x1 - x0), y1 - 0.3 * (y1 - y0), label, fontsize=10, ha="center",
                    va="center", bbox=dict(fc="white", ec="none", pad=0.5), zorder=3)
    for node, (x, y) in pos.items():
        ax.add_patch(plt.Circle((x, y), 0.38, fc="white", ec="black", zorder=2))
        text = "$C$" if node == "C" else f"$a^{node[0]}_{node[1]}$"
        ax.text(x, y, text, ha="center", va="center", fontsize=12, zorder=4)
    ax.set_xlim(-0.6, max(x for x, _ in pos.values()) + 0.6)
    ax.set_ylim(-0.8 * max(sizes) - 0.1, 0.8 * max(sizes) + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)


W2_example = np.array([[1.0, 2.0], [3.0, -1.0]])
b2_example = np.array([[0.5], [-1.0]])
W3_example = np.array([[1.0, -1.0]])
b3_example = np.array([[0.0]])
example_weights = {2: W2_example, 3: W3_example}
fig, ax = plt.subplots(figsize=(7, 3.4))
draw_network(ax, [2, 2, 1], edge_label=lambda l, j, k: f"$w^{l}_{{{j}{k}}}={example_weights[l][j - 1, k - 1]:g}$",
             title="The worked example: $w^l_{jk}$ runs from neuron $k$ (left) to neuron $j$ (right)")
plt.show()

x_example = np.array([[1.0], [-1.0]])
z2 = W2_example @ x_example + b2_example
print("z² = W²x + b²          =", z2.ravel())
print("(W²)ᵀx + b² (wrong!)   =", (W2_example.T @ x_example + b2_example).ravel())
print("a² = σ(z²)             =", np.round(sigmoid(z2).ravel(), 6))
z3 = W3_example @ sigmoid(z2) + b3_example
print("z³ =", np.round(z3.ravel(), 6), "  a³ = σ(z³) =", np.round(sigmoid(z3).ravel(), 6))

# %% [markdown]
# ## 3. The forward pass
#
# Starting from $a^1 = x$, apply the layer rule for $l = 2, 3, \dots, L$:
#
# $$z^l = W^l a^{l-1} + b^l, \qquad a^l = \sigma(z^l).$$
#
# The input layer computes nothing: $a^1$ *is* $x$, with no $\sigma$ applied to it.
#
# **Keep everything.** For prediction only the output $a^L$ matters, but backpropagation (next assignment)
# needs every weighted input $z^l$ (for the slopes $\sigma'(z^l)$) and every activation $a^{l-1}$ (for the
# weight gradients). So the forward pass returns two lists:
# `zs` $= [z^2, \dots, z^L]$ ($L-1$ arrays; `zs[i]` is $z^{i+2}$, the same offset as `weights[i]`) and
# `activations` $= [a^1 = x, a^2, \dots, a^L]$ ($L$ arrays; `activations[i]` is $a^{i+1}$). Note the
# off-by-one between them: `zs[i]` and `activations[i + 1]` belong to the same layer, and `activations[i]` is
# the input that `weights[i]` multiplies.
#
# **A mini-batch at once.** Put $m$ samples side by side as the columns of $X$, shape $(n_1, m)$. Because
# column $c$ of $W X$ is $W$ times column $c$ of $X$, the same formula pushes all samples through together:
# $Z^l = W^l A^{l-1} + b^l$ has shape $(n_l, m)$, one column per sample. The bias $b^l$ is a single
# $(n_l, 1)$ column; NumPy broadcasting adds it to *every* column — this is the one broadcast we do want.
# (Adding it as a row, $(1, n_l)$, would broadcast the wrong way and mix neurons with samples.) One sample is
# simply the case $m = 1$, so one function serves both.
#
# **The output activation.** `feedforward` takes an optional `output_activation` applied to the last layer
# only ($a^L = $ `output_activation`$(z^L)$; σ by default). Hidden layers always use σ. Later assignments pass
# a softmax here.
#
# `check_input(weights, x)` (given below) turns `x` into a float64 $(n_1, m)$ array and raises a helpful
# error for a flat vector or a wrong number of rows — call it first.

# %% role="locked" grade_id="given_check_input"
from solutions.network import check_input

# %% [markdown]
# **Exercise (6 points).** Implement `feedforward(weights, biases, x, output_activation=sigmoid)`. It must
# work for any number of layers and any batch size $m \ge 1$, return `(zs, activations)` as described above,
# and not modify its arguments. Use the given `sigmoid`.

# %% role="solution" grade_id="feedforward"
from solutions.network import feedforward


# %% role="tests" grade_id="test_feedforward" points=6
def _forward_parts(result, n_layers):
    # unpack (zs, activations) with messages that say what came back instead
    checks.expect(result is not None, "feedforward returned None — did you forget a `return`?")
    checks.expect(isinstance(result, (tuple, list)) and len(result) == 2,
                  "feedforward should return two lists, (zs, activations) — not only the output aᴸ")
    zs, acts = result
    single = isinstance(zs, np.ndarray) and zs.ndim == 2      # one array instead of a list of them
    checks.expect(not single and len(zs) == n_layers - 1,
                  f"zs should be a list of the L − 1 = {n_layers - 1} arrays z², …, zᴸ "
                  f"(one per layer after the input), not only the last z")
    checks.expect(len(acts) == n_layers,
                  f"activations should be a list of the L = {n_layers} arrays a¹ = x, a², …, aᴸ "
                  f"(got {len(acts)}); remember to keep the input a¹ = x as activations[0]")
    checks.expect(all(np.ndim(v) == 2 for v in list(zs) + list(acts)),
                  "every zˡ and aˡ should be a 2-D (nₗ, m) array: one column per sample")
    return zs, acts


W2, b2 = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[0.5], [-1.0]])   # the worked example
W3, b3 = np.array([[1.0, -1.0]]), np.array([[0.0]])
x = np.array([[1.0], [-1.0]])
# by hand: z² = (1·1 + 2·(−1) + 0.5, 3·1 + (−1)·(−1) − 1) = (−0.5, 3), a² = σ(z²) = 1 / (1 + e^(−z²))
a2_expected = np.array([[1 / (1 + np.exp(0.5))], [1 / (1 + np.exp(-3.0))]])     # ≈ (0.377541, 0.952574)
z3_expected = a2_expected[0:1] - a2_expected[1:2]                                # z³ = 1·a²₁ − 1·a²₂ + 0
a3_expected = 1 / (1 + np.exp(-z3_expected))                                     # ≈ 0.360076
try:
    result = feedforward([W2, W3], [b2, b3], x)
except ValueError as error:
    raise checks.CheckFailed(f"feedforward raised ValueError for the worked example: {error}. Wˡ has shape "
                             "(nₗ, nₗ₋₁), row j holding the weights w_jk into neuron j, so a layer is "
                             "zˡ = Wˡ @ aˡ⁻¹ + bˡ (not Wˡ.T @ aˡ⁻¹)") from None
zs, acts = _forward_parts(result, n_layers=3)
checks.expect_close(acts[0], x, "activations[0] = a¹ (the worked example)",
                    hint="a¹ is the input x itself: the input layer applies no σ")
checks.expect_close(zs[0], [[-0.5], [3.0]], "zs[0] = z² (the worked example)",
                    hint="z² = W²a¹ + b² with w_jk in row j, column k — W² @ x, not W².T @ x, and "
                         "a matrix product @, not *")
checks.expect_close(acts[1], a2_expected, "activations[1] = a² = σ(z²)")
checks.expect_close(zs[1], z3_expected, "zs[1] = z³ = W³a² + b³", hint="layer 3 multiplies a², not x")
checks.expect_close(acts[2], a3_expected, "activations[2] = a³ = σ(z³)")
X = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.5]])   # a mini-batch: 3 samples as columns
zs_b, acts_b = _forward_parts(feedforward([W2, W3], [b2, b3], X), n_layers=3)
checks.expect_shape(zs_b[0], (2, 3), "z² for a mini-batch of m = 3 columns")
checks.expect_close(zs_b[0][:, :1], [[-0.5], [3.0]], "column 1 of z² for the mini-batch",
                    hint="each column is one sample; the (n, 1) bias is added to every column")
checks.expect_shape(acts_b[-1], (1, 3), "aᴸ for a mini-batch of m = 3 columns")
zs_i, acts_i = _forward_parts(feedforward([W2, W3], [b2, b3], x, output_activation=lambda z: z), 3)
checks.expect_close(acts_i[-1], z3_expected, "aᴸ with output_activation = identity",
                    hint="apply output_activation (instead of σ) to the last layer only")
checks.expect_close(acts_i[1], a2_expected, "hidden a² with output_activation = identity",
                    hint="hidden layers always use σ")
print("visible feedforward tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(302)
cases = [([3, 1], 1), ([3, 1], 4), ([4, 5, 2], 1), ([4, 5, 2], 6), ([3, 3, 3], 3), ([2, 3, 3, 2], 5),
         ([5, 4, 3, 2, 1], 1), ([5, 4, 3, 2, 1], 7)]
with checks.trusted(globals(), "sigmoid"):   # random depths and batch sizes
    for number, (sizes, m) in enumerate(cases):
        weights, biases = oracle.random_network(sizes, seed=3020 + number)
        x = 1.5 * rng.standard_normal((sizes[0], m))
        kept = [p.copy() for p in weights + biases]
        result = checks.expect_inputs_unchanged(feedforward, weights, biases, x, name="feedforward")
        checks.expect(all(np.array_equal(p, q) for p, q in zip(weights + biases, kept)),
                      "feedforward changed a weight or a bias in place")
        zs, acts = _forward_parts(result, len(sizes))
        zs_ok, acts_ok = oracle.plain_feedforward(weights, biases, x)
        where = f"for layer sizes {sizes} and a batch of m = {m}"
        checks.expect_close(acts[0], x, f"a¹ {where}", hint="a¹ = x, with no σ")
        for i in range(len(weights)):
            checks.expect_close(zs[i], zs_ok[i], f"zs[{i}] = z^{i + 2} {where}", rtol=1e-10,
                                hint="zˡ = Wˡaˡ⁻¹ + bˡ, bˡ added to every column")
            checks.expect_close(acts[i + 1], acts_ok[i + 1], f"activations[{i + 1}] = a^{i + 2} {where}",
                                rtol=1e-10, hint="aˡ = σ(zˡ)")
    weights, biases = oracle.random_network([3, 4, 3], seed=3030)
    x = rng.standard_normal((3, 4))
    zs, acts = _forward_parts(feedforward(weights, biases, x, output_activation=oracle.plain_softmax), 3)
    zs_ok, acts_ok = oracle.plain_feedforward(weights, biases, x, output_activation=oracle.plain_softmax)
    checks.expect_close(acts[1], acts_ok[1], "hidden a² with a softmax output", rtol=1e-10,
                        hint="hidden layers always use σ")
    checks.expect_close(acts[2], acts_ok[2], "aᴸ = softmax(zᴸ) with output_activation = softmax", rtol=1e-10)
    x32 = rng.standard_normal((3, 2)).astype(np.float32)
    zs, acts = _forward_parts(feedforward(weights, biases, x32), 3)
    checks.expect_close(acts[-1], oracle.plain_feedforward(weights, biases, x32.astype(float))[1][-1],
                        "aᴸ for a float32 input", rtol=1e-6)
### END HIDDEN TESTS

# %% [markdown]
# **Try it.** The cell below pushes a mini-batch through the worked example and checks that each column is
# exactly what the same network gives for that sample alone.

# %%
with checks.when_implemented("the mini-batch demonstration"):
    X = np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.5]])
    zs, acts = feedforward([W2_example, W3_example], [b2_example, b3_example], X)
    print("shapes of zs:         ", [z.shape for z in zs])
    print("shapes of activations:", [a.shape for a in acts])
    print("outputs aᴸ (one per column):", np.round(acts[-1], 6))
    for c in range(X.shape[1]):
        _, one = feedforward([W2_example, W3_example], [b2_example, b3_example], X[:, c:c + 1])
        print(f"sample {c + 1} alone: aᴸ = {one[-1][0, 0]:.6f}")

# %% [markdown]
# ## 4. Two other conventions, as translations
#
# Textbooks and libraries write the same network in other ways. The numbers are the same; only the
# bookkeeping differs. Being able to translate keeps you from "fixing" a correct formula.
#
# ### 4a. The bias folded into the weights
#
# Give every layer an extra input neuron, number 0, whose output is always 1. Its weight into neuron $j$ is
# $w_{j0} = b_j$, because $w_{j0}\cdot 1 = b_j$. Then the bias disappears into the sum:
#
# $$z^l_j = b^l_j + \sum_{k=1}^{n_{l-1}} w^l_{jk}\, a^{l-1}_k = \sum_{k=0}^{n_{l-1}} w^l_{jk}\, a^{l-1}_k
# \quad\text{with } a^{l-1}_0 = 1 .$$
#
# In matrix form, put the bias in front of the weights as column 0 and a 1 on top of the input:
#
# $$\tilde W^l = \bigl[\, b^l \;\big|\; W^l \,\bigr] \ \ \text{(shape } (n_l, 1 + n_{l-1})\text{)},\qquad
#   \tilde a^{l-1} = \begin{bmatrix} 1 \\ a^{l-1}\end{bmatrix},\qquad
#   z^l = \tilde W^l \tilde a^{l-1} = W^l a^{l-1} + b^l .$$
#
# For the worked example, $\tilde W^2 = \begin{bmatrix} 0.5 & 1 & 2\\ -1 & 3 & -1\end{bmatrix}$ and
# $\tilde W^3 = \begin{bmatrix} 0 & 1 & -1\end{bmatrix}$. For a mini-batch, $\tilde A$ gets a whole *row* of
# ones, one per sample. Formulas for the weights then cover the bias for free — which is why some texts do it.
# Watch two translation details when you read them: such texts often write $w_{ij}$ with the *source*
# first (their $w_{ij}$ is our $w_{ji}$), and they may call the weighted input the "activation" and the
# neuron's output $o$ (our $z$ and $a$).
#
# **Exercise (2 points).** Implement `fold_bias(w, b)`, returning $\tilde W = [\,b \mid W\,]$ with the bias as
# column 0 (not the last column). Do not modify the inputs.

# %% role="solution" grade_id="fold_bias"
from solutions.bias_folding import fold_bias

# %% role="tests" grade_id="test_fold_bias" points=2
W, b = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[0.5], [-1.0]])
checks.expect_close(fold_bias(W, b), [[0.5, 1.0, 2.0], [-1.0, 3.0, -1.0]], "W̃² = [b² | W²] (worked example)",
                    hint="the bias is column 0 (the weight w_j0 on the constant input 1), then the columns of W")
print("visible fold_bias tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(304)
for n_out, n_in in [(1, 1), (4, 3), (2, 5), (3, 3)]:
    w, b = rng.standard_normal((n_out, n_in)), rng.standard_normal((n_out, 1))
    expected = np.array([[b[j, 0]] + [w[j, k] for k in range(n_in)] for j in range(n_out)])
    folded = checks.expect_inputs_unchanged(fold_bias, w, b, name="fold_bias")
    checks.expect_close(folded, expected, f"W̃ = [b | W] for W of shape {(n_out, n_in)}", rtol=1e-15,
                        hint="shape (nₗ, 1 + nₗ₋₁): column 0 is b, columns 1… are W")
### END HIDDEN TESTS

# %% [markdown]
# ### The folded forward pass
#
# With folded weights each layer is one product, $a^l = \sigma\bigl(\tilde W^l\, [1; a^{l-1}]\bigr)$. The helper
# `add_constant_input(a)` (given below) puts the row of ones on top of an $(n, m)$ array.
#
# **Exercise (3 points).** Implement `feedforward_folded(folded_weights, x)`: the list holds
# $\tilde W^l$ for $l = 2, \dots, L$, `x` is $(n_1, m)$, and the function returns only the output $a^L$,
# shape $(n_L, m)$, with σ on every layer. It must agree with `feedforward` on the unfolded network.

# %% role="locked" grade_id="given_add_constant_input"
from solutions.bias_folding import add_constant_input

# %% role="solution" grade_id="feedforward_folded"
from solutions.bias_folding import feedforward_folded

# %% role="tests" grade_id="test_feedforward_folded" points=3
folded = [np.array([[0.5, 1.0, 2.0], [-1.0, 3.0, -1.0]]), np.array([[0.0, 1.0, -1.0]])]   # worked example
# by hand: z² = (−0.5, 3), z³ = σ(−0.5) − σ(3), a³ = σ(z³) ≈ 0.360076, with σ(z) = 1 / (1 + e^(−z))
z3 = 1 / (1 + np.exp(0.5)) - 1 / (1 + np.exp(-3.0))
expected = 1 / (1 + np.exp(-z3))
checks.expect_close(feedforward_folded(folded, np.array([[1.0], [-1.0]])), [[expected]],
                    "aᴸ of the folded worked example",
                    hint="each layer is aˡ = σ(W̃ˡ [1; aˡ⁻¹]): the constant 1 goes on top, matching "
                         "the bias in column 0 — use add_constant_input, and return only aᴸ")
out = feedforward_folded(folded, np.array([[1.0, 0.0, 2.0], [-1.0, 1.0, 0.5]]))
checks.expect_shape(out, (1, 3), "aᴸ of the folded network for a mini-batch of m = 3")
checks.expect_close(np.asarray(out)[:, :1], [[expected]], "column 1 of the folded mini-batch output")
print("visible feedforward_folded tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(305)
with checks.trusted(globals(), "sigmoid"):   # random folded networks
    for number, (sizes, m) in enumerate([([3, 1], 1), ([4, 5, 2], 1), ([4, 5, 2], 6), ([2, 3, 3, 2], 4),
                                         ([5, 4, 3, 2, 1], 3)]):
        weights, biases = oracle.random_network(sizes, seed=3050 + number)
        folded = [np.concatenate([b, w], axis=1) for w, b in zip(weights, biases)]
        kept = [f.copy() for f in folded]
        x = rng.standard_normal((sizes[0], m))
        out = checks.expect_inputs_unchanged(feedforward_folded, folded, x, name="feedforward_folded")
        checks.expect(all(np.array_equal(f, g) for f, g in zip(folded, kept)),
                      "feedforward_folded changed a folded weight matrix in place")
        checks.expect_close(out, oracle.plain_feedforward(weights, biases, x)[1][-1],
                            f"aᴸ of the folded network, layer sizes {sizes}, m = {m}", rtol=1e-10,
                            hint="aˡ = σ(W̃ˡ [1; aˡ⁻¹]) for every layer; the result is aᴸ only")
### END HIDDEN TESTS

# %% [markdown]
# ### 4b. Samples as rows
#
# Some notes and libraries store a sample as a **row** $a_{\text{row}} = a^{\mathsf T}$, shape $(1, n)$, and a
# batch as an $(m, n)$ array with one sample per row. Transposing $z = \tilde W \tilde a$ gives
# $z^{\mathsf T} = \tilde a^{\mathsf T}\tilde W^{\mathsf T}$, so a layer becomes
#
# $$z_{\text{row}} = \bigl[\,1,\ a_{\text{row}}\,\bigr]\, B, \qquad
#   B = \tilde W^{\mathsf T} = \begin{bmatrix} b^{\mathsf T} \\ W^{\mathsf T}\end{bmatrix}
#   \quad\text{(shape } (1 + n_{l-1}, n_l)\text{)} .$$
#
# The first row of $B$ is the bias; column $j$ of $B$ holds the weights into neuron $j$. Same numbers,
# transposed — the weights multiply from the right, and every formula of the backward pass will come out
# transposed too. The cell below runs the worked example both ways.

# %%
with checks.when_implemented("the row-convention translation"):
    B2, B3 = fold_bias(W2_example, b2_example).T, fold_bias(W3_example, b3_example).T
    print("B² = [b²ᵀ; W²ᵀ] =\n", B2)
    X_rows = np.array([[1.0, -1.0], [0.0, 1.0], [2.0, 0.5]])   # the three samples, one per row
    a_rows = X_rows
    for B in (B2, B3):
        a_rows = sigmoid(np.hstack([np.ones((a_rows.shape[0], 1)), a_rows]) @ B)
    print("row convention, aᴸ per row:   ", np.round(a_rows.ravel(), 6))
    print("column convention (folded):   ",
          np.round(feedforward_folded([B2.T, B3.T], X_rows.T).ravel(), 6))


# %% [markdown]
# ## 5. The chain rule by hand
#
# Training needs $\partial C / \partial w$ for every weight. Before the general algorithm, differentiate
# three tiny models by hand. The only tool is the chain rule: if $C$ depends on $w$ through $u$, then
# $\dfrac{\partial C}{\partial w} = \dfrac{\partial C}{\partial u}\dfrac{\partial u}{\partial w}$.
#
# ### 5a. One neuron: the logistic least-squares model
#
# One input $x$, one sigmoid neuron with slope $\theta_1$ and intercept $\theta_2$, target $t$:
#
# $$z = \theta_1 x + \theta_2, \qquad y = \sigma(z), \qquad J = \tfrac12 (y - t)^2 .$$
#
# (Here — as in many slides — $y$ is the *prediction* and $t$ the target; in the rest of this course the
# prediction is $a$ and the target is $y$.) Follow $J \leftarrow y \leftarrow z \leftarrow \theta$:
#
# $$\frac{\partial J}{\partial \theta_1} = \underbrace{(y - t)}_{\partial J/\partial y}\;
#   \underbrace{\sigma'(z)}_{\partial y/\partial z}\; \underbrace{x}_{\partial z/\partial \theta_1},
# \qquad
# \frac{\partial J}{\partial \theta_2} = (y - t)\,\sigma'(z)\cdot 1 .$$
#
# *Numbers:* with $x = 0.5$, $\theta_1 = 2$, $\theta_2 = -1$ and $t = 1$ we get $z = 0$, $y = \tfrac12$,
# $\sigma'(0) = \tfrac14$, so $\partial J/\partial\theta_1 = (-\tfrac12)(\tfrac14)(\tfrac12) = -0.0625$ and
# $\partial J/\partial\theta_2 = -0.125$. Both are negative: increasing either parameter raises $y$ toward
# $t$ and lowers $J$. The cell below confirms them with central differences.

# %%
def logistic_loss(theta1, theta2, x, t):
    return 0.5 * (sigmoid(theta1 * x + theta2) - t) ** 2

x, t, theta1, theta2, h = 0.5, 1.0, 2.0, -1.0, 1e-5
z = theta1 * x + theta2
by_hand = ((sigmoid(z) - t) * sigmoid_prime(z) * x, (sigmoid(z) - t) * sigmoid_prime(z))
numeric = ((logistic_loss(theta1 + h, theta2, x, t) - logistic_loss(theta1 - h, theta2, x, t)) / (2 * h),
           (logistic_loss(theta1, theta2 + h, x, t) - logistic_loss(theta1, theta2 - h, x, t)) / (2 * h))
print("by hand:             ∂J/∂θ₁ = %.10f   ∂J/∂θ₂ = %.10f" % by_hand)
print("central differences: ∂J/∂θ₁ = %.10f   ∂J/∂θ₂ = %.10f" % numeric)

# %% [markdown]
# ### 5b. The 1-1-1 chain
#
# Now two sigmoid neurons in a row — a network with one neuron per layer:
#
# ```
# x ──w²,b²──▶ [ z² = w²x + b²,  a² = σ(z²) ] ──w³,b³──▶ [ z³ = w³a² + b³,  a³ = σ(z³) ] ──▶ J = ½(a³ − y)²
# ```
#
# The output-layer parameters are one link away from $J$:
#
# $$\frac{\partial J}{\partial b^3} = (a^3 - y)\,\sigma'(z^3), \qquad
#   \frac{\partial J}{\partial w^3} = (a^3 - y)\,\sigma'(z^3)\, a^2 .$$
#
# A hidden parameter sits further back, so its chain is longer: every link on the way from $w^2$ to $J$
# contributes one factor,
#
# $$\frac{\partial J}{\partial w^2}
#   = \underbrace{(a^3 - y)}_{\partial J/\partial a^3}\;
#     \underbrace{\sigma'(z^3)}_{\partial a^3/\partial z^3}\;
#     \underbrace{w^3}_{\partial z^3/\partial a^2}\;
#     \underbrace{\sigma'(z^2)}_{\partial a^2/\partial z^2}\;
#     \underbrace{x}_{\partial z^2/\partial w^2},
# \qquad
#   \frac{\partial J}{\partial b^2} = (a^3 - y)\,\sigma'(z^3)\, w^3\, \sigma'(z^2) .$$
#
# Notice the shared beginnings: write $\delta^3 = (a^3 - y)\sigma'(z^3)$ and
# $\delta^2 = \delta^3 w^3 \sigma'(z^2)$; then $\partial J/\partial b^l = \delta^l$ and
# $\partial J/\partial w^l = \delta^l \times (\text{the input of the weight})$. These $\delta$'s are the
# "errors" that backpropagation passes backwards.
#
# *Numbers:* $w^2 = 1$, $b^2 = -2$, $w^3 = 4$, $b^3 = -2$, $x = 2$, $y = 0$ give $z^2 = 0$, $a^2 = \tfrac12$,
# $z^3 = 0$, $a^3 = \tfrac12$. So $\delta^3 = \tfrac12\cdot\tfrac14 = 0.125$ and
# $\delta^2 = 0.125\cdot 4\cdot\tfrac14 = 0.125$, hence
# $\partial J/\partial w^2 = 0.25$, $\partial J/\partial b^2 = 0.125$, $\partial J/\partial w^3 = 0.0625$,
# $\partial J/\partial b^3 = 0.125$.
#
# **Exercise (3 points).** Implement `chain_111_gradient(w2, b2, w3, b3, x, y)`, returning the dictionary
# `{'w2': ∂J/∂w², 'b2': ∂J/∂b², 'w3': ∂J/∂w³, 'b3': ∂J/∂b³}` of floats. Use the given `sigmoid` and
# `sigmoid_prime`.

# %% role="solution" grade_id="chain_111_gradient"
from solutions.toy_networks import chain_111_gradient


# %% role="tests" grade_id="test_chain_111_gradient" points=3
def _chain_values(result):
    # the four partial derivatives as floats, in the order w2, b2, w3, b3
    checks.expect(isinstance(result, dict), f"chain_111_gradient should return a dict, got {type(result).__name__}")
    missing = [key for key in ("w2", "b2", "w3", "b3") if key not in result]
    checks.expect(not missing, f"the dict is missing the key(s) {missing}; use 'w2', 'b2', 'w3', 'b3'")
    values = []
    for key in ("w2", "b2", "w3", "b3"):
        value = checks.as_array(result[key], f"result['{key}']")
        checks.expect(value.size == 1, f"result['{key}'] should be one number, got shape {value.shape}")
        values.append(float(value.reshape(-1)[0]))
    return np.array(values)


got = _chain_values(chain_111_gradient(1.0, -2.0, 4.0, -2.0, 2.0, 0.0))   # the worked example
checks.expect_close(got[3], 0.125, "∂J/∂b³ = (a³ − y)σ'(z³) (worked example)",
                    hint="δ³ = (a³ − y)σ'(z³): mind the sign of a³ − y and the σ'(z³) factor")
checks.expect_close(got[2], 0.0625, "∂J/∂w³ = δ³a² (worked example)", hint="the input of w³ is a²")
checks.expect_close(got[1], 0.125, "∂J/∂b² = δ³w³σ'(z²) (worked example)",
                    hint="the chain from b² passes w³ and both slopes σ'(z³) and σ'(z²)")
checks.expect_close(got[0], 0.25, "∂J/∂w² = δ³w³σ'(z²)x (worked example)",
                    hint="the chain ends with ∂z²/∂w² = x")
print("visible chain_111_gradient tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
def _chain_cost(p, x, y):
    # trusted J = ½(σ(w³σ(w²x + b²) + b³) − y)² for p = (w², b², w³, b³)
    a2 = oracle.stable_sigmoid(p[0] * x + p[1])
    return 0.5 * float(oracle.stable_sigmoid(p[2] * a2 + p[3]) - y) ** 2


rng = np.random.default_rng(306)
with checks.trusted(globals(), "sigmoid", "sigmoid_prime"):   # random chains
    for trial in range(8):
        p = rng.standard_normal(4) * 1.5
        x, y = float(rng.uniform(0.5, 2.5) * rng.choice([-1, 1])), float(rng.uniform(0, 1))
        got = _chain_values(chain_111_gradient(p[0], p[1], p[2], p[3], x, y))
        checks.expect_gradient(got, lambda q: _chain_cost(q, x, y), p,
                               f"(∂J/∂w², ∂J/∂b², ∂J/∂w³, ∂J/∂b³) at w² = {p[0]:.3f}, b² = {p[1]:.3f}, "
                               f"w³ = {p[2]:.3f}, b³ = {p[3]:.3f}, x = {x:.3f}, y = {y:.3f}",
                               hint="one factor per link: (a³ − y), σ'(z³), then w³, σ'(z²), and x or 1")
### END HIDDEN TESTS

# %% [markdown]
# ### 5c. Several neurons per layer: the derivative is a sum over paths
#
# Now the 2-2-2 network: two inputs, two hidden neurons, two outputs, and the cost of one sample
# $C = \tfrac12\sum_r (a^3_r - y_r)^2$. Take the first-layer weight $w^2_{11}$ (input 1 → hidden 1). It
# changes $z^2_1$ and hence $a^2_1$ — and $a^2_1$ feeds **both** outputs. So $w^2_{11}$ reaches the cost along
# two paths (drawn below): through $a^3_1$ (blue) and through $a^3_2$ (orange). Each path gives a chain
# product, one factor per link, and because $C$ depends on $a^2_1$ through both outputs, the multivariable
# chain rule **adds** them:
#
# $$\frac{\partial C}{\partial w^2_{11}}
#   = \underbrace{(a^3_1 - y_1)\,\sigma'(z^3_1)\,w^3_{11}\,\sigma'(z^2_1)\,x_1}_{\text{path through } a^3_1}
#   \;+\; \underbrace{(a^3_2 - y_2)\,\sigma'(z^3_2)\,w^3_{21}\,\sigma'(z^2_1)\,x_1}_{\text{path through } a^3_2}.$$
#
# Read each link as a *rate*: how fast the next quantity moves when this one moves. The link from a neuron
# $a^l_u$ to a neuron $a^{l+1}_v$ has rate $\partial a^{l+1}_v / \partial a^l_u = \sigma'(z^{l+1}_v)\, w^{l+1}_{vu}$;
# the first link has rate $\partial a^l_j/\partial w^l_{jk} = \sigma'(z^l_j)\,a^{l-1}_k$; the last one
# $\partial C/\partial a^L_r = a^L_r - y_r$. The rate of a path is the product of its link rates, and in any
# network
#
# $$\frac{\partial C}{\partial w^l_{jk}} \;=\; \sum_{\text{paths } j \to q \to \dots \to p \to r}
#   \frac{\partial C}{\partial a^L_r}\,
#   \frac{\partial a^L_r}{\partial a^{L-1}_p} \cdots
#   \frac{\partial a^{l+1}_q}{\partial a^l_j}\,
#   \frac{\partial a^l_j}{\partial w^l_{jk}} ,$$
#
# the sum running over one neuron in each later layer. This is the "big picture" of backpropagation: a
# small change $\Delta w^l_{jk}$ spreads through every path to the cost, and the total change of $C$ is the
# sum of what arrives along each path.
#
# *Translation.* Slides that number weight matrices by the layer they *leave* call this weight
# $\theta^{(1)}_{11}$ and the output layer's $\theta^{(2)}$; ours are named by the layer they *enter*
# ($W^2$, $W^3$). The numbers are the same.

# %%
blue = [(2, 1, 1), (3, 1, 1), ("C", 1)]
orange = [(2, 1, 1), (3, 2, 1), ("C", 2)]
fig, ax = plt.subplots(figsize=(8, 3.2))
draw_network(ax, [2, 2, 2], cost=True, paths=[("tab:blue", blue), ("tab:orange", orange)],
             edge_label=lambda l, j, k: f"$w^{l}_{{{j}{k}}}$",
             title="$w^2_{11}$ reaches $C$ along two paths (shared first link in black)")
plt.show()

# %% [markdown]
# The number of paths is the product of the sizes of the later layers, the output layer included: 2 here, but
# $100^3 \cdot 10 = 10^7$ for a weight in front of three hidden layers of 100 neurons and an output layer of
# 10 — for *each* of the weights. Summing paths one by one
# is hopeless for real networks; backpropagation (next assignment) gets the same sums by reusing the shared
# tails of the paths, layer by layer. For small networks, though, the path sum is a perfect independent
# check.
#
# **Exercise (3 points).** Implement `weight_gradient_by_paths(weights, biases, x, y, i, j, k)`: the
# derivative of the one-sample quadratic cost $C = \tfrac12\lVert a^L - y\rVert^2$ (sigmoid output) with
# respect to `weights[i][j, k]`, i.e. $w^l_{jk}$ with $l = i + 2$ (and $j, k$ counted from 0), computed by
# summing the chain product of every path. Use your `feedforward` for the $z$'s and $a$'s and the given
# `sigmoid_prime`. `itertools.product` (imported for you below) enumerates one neuron per later layer; when the weight is in
# the output layer there is exactly one path. Return a float.

# %% role="locked" grade_id="given_product"
from itertools import product   # product(range(2), range(3)) runs over all pairs (0, 0), (0, 1), …, (1, 2)

# %% role="solution" grade_id="weight_gradient_by_paths"
from solutions.toy_networks import weight_gradient_by_paths


# %% role="tests" grade_id="test_weight_gradient_by_paths" points=3
def _as_float(value, name):
    value = checks.as_array(value, name)
    checks.expect(value.size == 1, f"{name} should be one number, got shape {value.shape}")
    return float(value.reshape(-1)[0])


W2, b2 = np.array([[0.5, -1.0], [1.5, 0.25]]), np.array([[0.1], [-0.2]])   # the 2-2-2 network
W3, b3 = np.array([[1.0, -2.0], [0.5, 0.75]]), np.array([[0.3], [-0.1]])
x, y = np.array([[1.0], [0.5]]), np.array([[1.0], [0.0]])
# Its forward pass by hand (so that this test does not depend on your feedforward), σ(z) = 1 / (1 + e^(−z)):
# z² = (0.5·1 − 1·0.5 + 0.1, 1.5·1 + 0.25·0.5 − 0.2) = (0.1, 1.425), a² = σ(z²) ≈ (0.524979, 0.806096)
z2 = np.array([[0.1], [1.425]])
a2 = 1 / (1 + np.exp(-z2))
z3 = np.array([[1.0 * a2[0, 0] - 2.0 * a2[1, 0] + 0.3],       # z³₁ = w³₁₁a²₁ + w³₁₂a²₂ + b³₁
               [0.5 * a2[0, 0] + 0.75 * a2[1, 0] - 0.1]])     # z³₂ = w³₂₁a²₁ + w³₂₂a²₂ + b³₂
a3 = 1 / (1 + np.exp(-z3))
slope2, slope3 = a2 * (1 - a2), a3 * (1 - a3)                   # σ'(z) = σ(z)(1 − σ(z))
# ∂C/∂w²₁₁: the two paths of section 5c, through a³₁ (w³₁₁ = 1) and through a³₂ (w³₂₁ = 0.5)
by_paths = ((a3[0, 0] - 1.0) * slope3[0, 0] * 1.0 + (a3[1, 0] - 0.0) * slope3[1, 0] * 0.5) * slope2[0, 0] * 1.0
# ∂C/∂w³₂₁: an output-layer weight has one path, (a³₂ − y₂) σ'(z³₂) a²₁
one_path = (a3[1, 0] - 0.0) * slope3[1, 0] * a2[0, 0]


def _forward_222(weights, biases, x, *rest, **options):
    # a stand-in for feedforward that knows only this network: (zs, activations) worked out above
    return [z2.copy(), z3.copy()], [np.array([[1.0], [0.5]]), a2.copy(), a3.copy()]


with checks.trusted(globals(), feedforward=_forward_222):
    got = _as_float(weight_gradient_by_paths([W2, W3], [b2, b3], x, y, 0, 0, 0), "∂C/∂w²₁₁")
    got_out = _as_float(weight_gradient_by_paths([W2, W3], [b2, b3], x, y, 1, 1, 0), "∂C/∂w³₂₁")
checks.expect_close(got, by_paths, "∂C/∂w²₁₁ in the 2-2-2 network", rtol=1e-9,
                    hint="add the chain products of BOTH paths, through a³₁ and through a³₂, each "
                         "with its σ' factors and ending in σ'(z²₁)·x₁")
checks.expect_close(got_out, one_path, "∂C/∂w³₂₁ (an output-layer weight: one path)", rtol=1e-9,
                    hint="for an output weight the only path is (a³₂ − y₂)σ'(z³₂)a²₁")
print("visible weight_gradient_by_paths tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
def _exact_weight_gradient(weights, biases, x, y, i, j, k):
    # trusted ∂C/∂w_jk of layer i + 2, from the plain forward pass and the loop forms of BP1, BP2, BP4
    zs, acts = oracle.plain_feedforward(weights, biases, x)
    delta = oracle.loop_bp1(acts[-1] - y, zs[-1])
    for layer in range(len(weights) - 2, i - 1, -1):
        delta = oracle.loop_bp2(weights[layer + 1], delta, zs[layer])
    return oracle.loop_bp4(delta, acts[i])[j, k]


rng = np.random.default_rng(307)
with checks.trusted(globals(), "feedforward", "sigmoid", "sigmoid_prime"):
    for number, sizes in enumerate([[2, 2, 2], [3, 4, 2], [2, 3, 2, 2], [1, 2, 3, 2, 1], [3, 1, 2]]):
        weights, biases = oracle.random_network(sizes, seed=3070 + number)
        x, y = rng.standard_normal((sizes[0], 1)), rng.uniform(0, 1, (sizes[-1], 1))
        for i, w in enumerate(weights):
            for j, k in np.ndindex(w.shape):
                got = _as_float(weight_gradient_by_paths(weights, biases, x, y, i, j, k), "∂C/∂w")
                checks.expect_close(got, _exact_weight_gradient(weights, biases, x, y, i, j, k),
                                    f"∂C/∂w^{i + 2}_jk for j, k = {j}, {k} (weights[{i}][{j}, {k}]) "
                                    f"in a network with layer sizes {sizes}", rtol=1e-9, atol=1e-14,
                                    hint="sum over every path: one neuron in each later layer")
    weights, biases = oracle.random_network([2, 3, 2, 2], seed=3079)
    x, y = np.array([[0.8], [-0.6]]), np.array([[1.0], [0.0]])
    got = _as_float(weight_gradient_by_paths(weights, biases, x, y, 0, 1, 0), "∂C/∂w²₂₁")


    def _cost_of_w21(v):
        w = weights[0].copy()
        w[1, 0] = v[0]
        return oracle.plain_cost([w] + weights[1:], biases, x, y, "quadratic")


    checks.expect_gradient([got], _cost_of_w21, [weights[0][1, 0]], "∂C/∂w²₂₁ in a 2-3-2-2 network (6 paths)",
                           hint="sum the chain products of all 3 × 2 paths")
### END HIDDEN TESTS

# %% [markdown]
# **Seeing the two paths.** The cell below prints what each path of the 2-2-2 network contributes to
# $\partial C/\partial w^2_{11}$, their sum, and a central-difference estimate. Neither path alone is the
# derivative; their sum is.

# %%
W2_222, b2_222 = np.array([[0.5, -1.0], [1.5, 0.25]]), np.array([[0.1], [-0.2]])
W3_222, b3_222 = np.array([[1.0, -2.0], [0.5, 0.75]]), np.array([[0.3], [-0.1]])
x_222, y_222 = np.array([[1.0], [0.5]]), np.array([[1.0], [0.0]])


def cost_222(w11):
    W = W2_222.copy()
    W[0, 0] = w11
    a3 = sigmoid(W3_222 @ sigmoid(W @ x_222 + b2_222) + b3_222)
    return 0.5 * float(np.sum((a3 - y_222) ** 2))


hidden_z = W2_222 @ x_222 + b2_222
output_z = W3_222 @ sigmoid(hidden_z) + b3_222
output_a = sigmoid(output_z)
first_link = sigmoid_prime(hidden_z[0, 0]) * x_222[0, 0]          # ∂a²₁/∂w²₁₁ = σ'(z²₁)x₁
path = [(output_a[r, 0] - y_222[r, 0]) * sigmoid_prime(output_z[r, 0]) * W3_222[r, 0] * first_link
        for r in range(2)]                                         # one chain product per output r
print(f"path through a³₁: {path[0]: .8f}")
print(f"path through a³₂: {path[1]: .8f}")
print(f"sum of the paths: {path[0] + path[1]: .8f}")
h = 1e-5
print(f"central difference: {(cost_222(W2_222[0, 0] + h) - cost_222(W2_222[0, 0] - h)) / (2 * h): .8f}")
with checks.when_implemented("the comparison with weight_gradient_by_paths"):
    yours = weight_gradient_by_paths([W2_222, W3_222], [b2_222, b3_222], x_222, y_222, 0, 0, 0)
    print(f"weight_gradient_by_paths: {float(np.squeeze(yours)): .8f}")

# %% [markdown]
# ## Summary
#
# * $s \odot t$ multiplies entry by entry and keeps the shape; a matrix product sums. In NumPy: `*` versus
#   `@` — and insist on equal shapes, because `*` broadcasts $(n,1)$ against $(1,n)$ into $(n,n)$.
# * $w^l_{jk}$ goes from neuron $k$ of layer $l-1$ to neuron $j$ of layer $l$, so a layer is
#   $z^l = W^l a^{l-1} + b^l$; in Python `weights[i]` is $W^{i+2}$.
# * The forward pass keeps every $z^l$ and $a^l$; a mini-batch is the same code with $m$ columns, the bias
#   broadcasting across them.
# * Folding the bias ($\tilde W = [b \mid W]$, input $[1; a]$) and samples as rows ($B = \tilde W^{\mathsf T}$)
#   are the same network in other bookkeeping.
# * A derivative is a chain product of link rates; when a weight reaches the cost along several paths, the
#   products add. Backpropagation computes these sums efficiently — that is assignment 4.
