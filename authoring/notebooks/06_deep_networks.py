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
# # Assignment 6 — Why deep sigmoid networks are hard, and how backpropagation generalises
#
# **Learning objectives.** After this notebook you can
# 1. differentiate any formula built from $+$, $\times$, $\sigma$ and $\ln$ in reverse mode: a graph of numbers,
#    the local gradient of each operation, a topological order, and one backward pass;
# 2. prove that this backward pass, run on the course's network, computes exactly BP1–BP4 — and recognise BP2 as
#    the multiply and add nodes of one layer;
# 3. derive why a neuron's starting weights must shrink with its number of inputs, and measure saturation with
#    histograms of $z^l$ and first-epoch cost curves;
# 4. explain with BP2 unrolled why the early layers of a deep sigmoid network learn slowly, and measure it layer
#    by layer;
# 5. put tanh and ReLU into BP1 and BP2, and read a failing gradient check at ReLU's kink;
# 6. derive $\delta^L = J^T\nabla_a C_x$ for a softmax output layer and train a softmax network end to end;
# 7. add L2 regularisation to the cost, derive the weight-decay step, and read its effect on training and test
#    curves.
#
# **Time.** About 4 hours: an hour and a half of reading and derivations (on paper alongside), two hours of
# coding, half an hour for the experiments. Every experiment runs in a second or two.
#
# **How this works.** Fill in every cell that says `# YOUR CODE HERE` (delete the `raise NotImplementedError()`).
# After each function a test cell checks it; the graded version runs more tests on inputs you do not see. Each
# test uses known-good versions of everything *else* (the test of `backward` uses known-good local gradients and
# a known-good topological order), so a mistake costs only its own cell.
# Points: `local_gradients` 3, `topological_order` 2, `backward` 3, `network_cost_graph` 4, `init_gaussian` 2,
# `gradient_norms` 2, `tanh_prime` 1, `relu_prime` 1, `backprop_with_activation` 4, `softmax_backward` 3,
# `l2_cost` 2, `sgd_step_l2` 3 — 30 in all.
#
# **Conventions** (as in every assignment). Layers $l = 1,\dots,L$, layer 1 is the input, $a^1 = x$.
# $W^l$ has shape $(n_l, n_{l-1})$, entry $w^l_{jk}$ connects neuron $k$ of layer $l-1$ to neuron $j$ of layer
# $l$; $b^l$ has shape $(n_l, 1)$; $z^l = W^l a^{l-1} + b^l$, $a^l = \sigma(z^l)$. `weights[i]`, `biases[i]` hold
# layer $i+2$. A sample is a column, a mini-batch of $m$ samples an $(n, m)$ array. The cost is the batch average
# $C = \frac1m\sum_x C_x$; $\delta^l = \partial C_x/\partial z^l$ is per sample. The four equations are
# BP1 $\delta^L = \nabla_a C_x \odot \sigma'(z^L)$, BP2 $\delta^l = ((W^{l+1})^T\delta^{l+1}) \odot \sigma'(z^l)$,
# BP3 $\partial C_x/\partial b^l = \delta^l$, BP4 $\partial C_x/\partial W^l = \delta^l (a^{l-1})^T$.

# %% role="locked" grade_id="setup"
# snippet: setup

# %% [markdown]
# ## 0. What you already have
#
# The read-only cells below hold the building blocks of assignments 1–5: σ, σ', the Hadamard product, BP1–BP4,
# the costs, the forward pass, `backprop`, `total_cost`, and the training loop `sgd` with its helpers. Run
# them; you need not read them again.

# %% role="locked" grade_id="given_equations"
from solutions.activations import sigmoid, sigmoid_prime


from solutions.hadamard import hadamard


from solutions.backprop_equations import bp1_output_error, bp2_hidden_error, bp3_bias_gradient, bp4_weight_gradient

# %% role="locked" grade_id="given_costs"
# snippet: given_costs

# %% role="locked" grade_id="given_network"
from solutions.network import check_input, feedforward, backprop, total_cost, copy_parameters

# %% role="locked" grade_id="given_training"
from dataclasses import field


from solutions.training import History, accuracy, minibatches, record_epoch, sgd_step, sgd

# %% role="locked" grade_id="given_data"
from datasets import load_digits

digits = load_digits()   # digits.x_train (64, 1500), digits.y_train (10, 1500), digits.x_test (64, 297), digits.y_test (10, 297)

# %% [markdown]
# ## 1. Backpropagation on a graph of numbers
#
# Assignment 4 derived BP1–BP4 for one particular formula, the cost of a sigmoid network. Libraries such as
# PyTorch differentiate *any* formula you write, without anyone deriving equations for it. They do it with the
# same chain rule, applied not to layers but to the individual operations of the formula. This section builds
# such a differentiator for numbers (scalars), in the spirit of Andrej Karpathy's micrograd, and then shows that
# on our network it does exactly what BP1–BP4 do.
#
# ### The graph
#
# Every intermediate number of a computation becomes a **node**: its value, the nodes it was computed from (its
# *parents*) and the operation that combined them. The given class `Value` below is such a node; the four
# operations are
#
# | operation | node value $v$ | made by |
# |---|---|---|
# | `"add"` | $u_1 + u_2 + \dots + u_k$ | `a + b`, or `value_sum([a, b, c])` (one node with $k$ parents) |
# | `"mul"` | $u_1 u_2$ | `a * b` |
# | `"sigmoid"` | $\sigma(u)$ | `a.sigmoid()` |
# | `"log"` | $\ln u$ | `a.log()` |
#
# A node without parents (`op == ""`) is a **leaf**: an input, a parameter or a constant. Plain numbers in a
# formula become leaves by themselves, so `1 - u` and `2.0 * u` are graphs too (subtraction is built as
# $u_1 + (-1)\cdot u_2$). Nodes compare by identity, so they can go into sets and be dictionary keys.
#
# *Example.* $L = \ln\sigma(ab + c)$ with $a = 2$, $b = -3$, $c = 6$ is the graph
#
# $$a, b \;\xrightarrow{\ \mathrm{mul}\ }\; ab = -6 \;\xrightarrow{\ \mathrm{add}\ (c)\ }\; z = 0
# \;\xrightarrow{\ \mathrm{sigmoid}\ }\; s = \tfrac12 \;\xrightarrow{\ \mathrm{log}\ }\; L = \ln\tfrac12 .$$

# %% role="locked" grade_id="given_autodiff"
import math


from solutions.autodiff import Value, as_value, value_sum


# %%
a, b, c = Value(2.0), Value(-3.0), Value(6.0)
L = (a * b + c).sigmoid().log()
print(L, "   its parent:", L.parents[0], "   whose parent:", L.parents[0].parents[0])
print("leaves:", a, b, c)

# %% [markdown]
# ### The chain rule, one node at a time
#
# Call the node we differentiate the **root** $r$ (later: the cost). For any node $u$, the root depends on $u$
# only through the nodes that *use* $u$ — its children $v_1, \dots, v_K$. The multivariable chain rule of
# assignment 4 gives
#
# $$\frac{\partial r}{\partial u} \;=\; \sum_{i=1}^{K} \frac{\partial r}{\partial v_i}\,\frac{\partial v_i}{\partial u}.$$
#
# Two kinds of factors appear. $\partial r/\partial v_i$ is the gradient of a child, known once that child is
# finished. $\partial v_i/\partial u$ is a **local gradient**: it depends only on the operation of $v_i$ and on
# the values next to it, never on the rest of the graph:
#
# * add, $v = u_1 + \dots + u_k$: $\;\partial v/\partial u_i = 1$ for every parent;
# * mul, $v = u_1u_2$: $\;\partial v/\partial u_1 = u_2$ and $\partial v/\partial u_2 = u_1$ — each factor's
#   derivative is the *other* factor;
# * sigmoid, $v = \sigma(u)$: $\;\partial v/\partial u = \sigma'(u) = \sigma(u)(1 - \sigma(u)) = v(1 - v)$ —
#   from the node's own value $v$, as in assignment 1 (not $u(1 - u)$);
# * log, $v = \ln u$: $\;\partial v/\partial u = 1/u$.
#
# In the example: $\partial L/\partial s = 1/s = 2$, $\partial s/\partial z = s(1 - s) = \tfrac14$, so
# $\partial L/\partial z = \tfrac12$; the add node passes that on unchanged, $\partial L/\partial c =
# \partial L/\partial(ab) = \tfrac12$; the mul node multiplies by the other factor,
# $\partial L/\partial a = \tfrac12 b = -1.5$ and $\partial L/\partial b = \tfrac12 a = 1$.
#
# **Exercise (3 points).** Implement `local_gradients(node)`: the tuple of $\partial v/\partial u_i$, one entry
# per parent in the order of `node.parents` (a leaf has none: return `()`). Use the values `.data` of the node and
# of its parents.

# %% role="solution" grade_id="local_gradients"
from solutions.autodiff import local_gradients

# %% role="tests" grade_id="test_local_gradients" points=3
a, b = Value(2.0), Value(-3.0)
cases = [(a * b, (-3.0, 2.0), "mul: v = u₁u₂ has ∂v/∂u₁ = u₂, ∂v/∂u₂ = u₁ (each factor's derivative is the other factor)"),
         (a + b, (1.0, 1.0), "add: ∂v/∂uᵢ = 1 for every parent"),
         (value_sum([a, b, Value(0.5)]), (1.0, 1.0, 1.0), "add with 3 parents: one 1 per parent"),
         (Value(0.0).sigmoid(), (0.25,), "sigmoid: ∂v/∂u = σ'(u) = v(1 − v) with v = σ(u) the node's own value"),
         (Value(4.0).log(), (0.25,), "log: ∂v/∂u = 1/u"),
         (a, (), "a leaf has no parents: return ()")]
for node, expected, rule in cases:
    checks.expect_close(local_gradients(node), expected, f"local_gradients of the {node.op or 'leaf'} node {node}",
                        rtol=1e-12, hint=rule)
print("visible local_gradients tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(601)
forward = {"add": lambda u: float(np.sum(u)), "mul": lambda u: float(u[0] * u[1]),
           "sigmoid": lambda u: float(oracle.stable_sigmoid(u[0])), "log": lambda u: float(np.log(u[0]))}
rules = {"add": "add: ∂v/∂uᵢ = 1 for every parent", "mul": "mul: ∂(u₁u₂)/∂u₁ = u₂ and ∂(u₁u₂)/∂u₂ = u₁",
         "sigmoid": "sigmoid: σ'(u) = v(1 − v) with v = σ(u) the node's own value (not u(1 − u))",
         "log": "log: ∂(ln u)/∂u = 1/u"}
for trial in range(6):
    u = [Value(float(v)) for v in rng.uniform(0.2, 3.0, 3) * rng.choice([-1.0, 1.0], 3)]
    positive = Value(float(rng.uniform(0.05, 5.0)))
    for node in [u[0] * u[1], u[2] * u[2], u[0] + u[1], value_sum(u), value_sum([u[1]] * 4 + [u[0]]),
                 u[trial % 3].sigmoid(), positive.log(), (u[0] * u[1]).sigmoid()]:
        got = checks.as_array(local_gradients(node), f"local_gradients of a {node.op} node")
        inputs = np.array([p.data for p in node.parents])
        numeric = oracle.central_gradient(forward[node.op], inputs)
        checks.expect_shape(got, (len(node.parents),), f"local_gradients of a {node.op} node with "
                            f"{len(node.parents)} parents", hint="one entry per parent, in the order of node.parents")
        checks.expect_close(got, oracle.graph_local_gradients(node), f"local_gradients of the {node.op} node {node} "
                            f"(parents {[round(p.data, 4) for p in node.parents]})", rtol=1e-9, hint=rules[node.op])
        checks.expect_close(got, numeric, f"local_gradients of the {node.op} node {node} against central differences",
                            rtol=1e-6, atol=1e-9, hint=rules[node.op])
# far from zero: σ' of a saturated node is tiny but not 0, and the log's 1/u is large for a small u
for z in (-30.0, -8.0, 12.0):
    node = Value(z).sigmoid()
    checks.expect_close(local_gradients(node), oracle.graph_local_gradients(node), f"local_gradients of σ({z})",
                        rtol=1e-6, atol=0, hint=rules["sigmoid"])
checks.expect_close(local_gradients(Value(1e-3).log()), (1000.0,), "local_gradients of ln(0.001)", rtol=1e-12,
                    hint=rules["log"])
checks.expect(len(local_gradients(Value(7.0))) == 0, "a leaf has no parents: local_gradients(leaf) should be ()")
### END HIDDEN TESTS

# %% snippet="random_graph"
def random_recipe(rng, n_leaves, n_ops):
    # how to build a random graph: (operation, indices of the nodes it uses); nodes 0..n_leaves−1 are the leaves
    recipe = []
    for k in range(n_ops):
        size = n_leaves + k
        op = ["add", "mul", "sigmoid", "log", "sum"][int(rng.integers(5))]
        recipe.append((op, [int(i) for i in rng.integers(0, size, 3)]))
    return recipe


def build_graph(recipe, leaf_values):
    # the leaves and the root of the graph the recipe describes, the root adding up every operation's node
    leaves = [Value(float(v)) for v in leaf_values]
    nodes = list(leaves)
    for op, (i, j, k) in recipe:
        if op == "add":
            node = nodes[i] + nodes[j]
        elif op == "mul":
            node = (nodes[i] * nodes[j]).sigmoid()       # keeps every value in (0, 1): no blow-up
        elif op == "sigmoid":
            node = nodes[i].sigmoid()
        elif op == "log":
            node = (nodes[i] * nodes[i] + 0.5).log()     # ln of a positive number
        else:
            node = value_sum([nodes[i], nodes[j], nodes[k]])
        nodes.append(node)
    return leaves, value_sum(nodes[len(leaves):])


# %% [markdown]
# ### In which order?
#
# The rule above needs $\partial r/\partial v_i$ of *every* child before it can finish $u$. So the nodes must be
# visited from the root backwards, each node only after all the nodes that use it. Reversed, that is a
# **topological order**: a list of all the nodes the root depends on in which every node comes after its parents
# (leaves early, the root last).
#
# A depth-first search builds one: to *visit* a node, first visit each of its parents, then append the node. A
# node can be reached along several paths — in $f = x\cdot x + x$ the leaf $x$ is a parent of the mul node
# (twice) and of the add node — so keep a set of the nodes already visited and skip them: every node must appear
# **exactly once**. For $f$ the only valid order is $[x,\ x\cdot x,\ f]$.
#
# **Exercise (2 points).** Implement `topological_order(root)`: the list of the nodes themselves (not copies),
# each once, each after its parents, `root` last. A recursive helper function inside yours is the shortest way.

# %% role="solution" grade_id="topological_order"
from solutions.autodiff import topological_order

# %% role="tests" grade_id="test_topological_order" points=2
def check_order(order, nodes, what):
    # `nodes` lists every node of the graph, the root last
    checks.expect(isinstance(order, list), f"topological_order({what}) should return a list, got {type(order).__name__}")
    ids = [id(node) for node in order]
    checks.expect(len(ids) == len(set(ids)), f"topological_order({what}): a node is listed more than once. A node "
                  "reached by several paths must appear exactly once: keep a set of the visited nodes")
    checks.expect(set(ids) == {id(node) for node in nodes},
                  f"topological_order({what}) should list the {len(nodes)} nodes of the graph themselves (the root and "
                  f"everything it depends on), it listed {len(order)}")
    place = {i: k for k, i in enumerate(ids)}
    for node in order:
        checks.expect(all(place[id(p)] < place[id(node)] for p in node.parents),
                      f"topological_order({what}): the node {node} comes before one of its parents. Append a node "
                      "after visiting all its parents: parents first, the root last")

x = Value(3.0)
xx = x * x
f = xx + x
order = topological_order(f)
check_order(order, [x, xx, f], "x·x + x")
checks.expect(order == [x, xx, f], "for f = x·x + x the only valid order is [x, x·x, f]")
a, b, c = Value(2.0), Value(-3.0), Value(6.0)
ab = a * b
z = ab + c
s = z.sigmoid()
L = s.log()
check_order(topological_order(L), [a, b, ab, c, z, s, L], "ln σ(ab + c)")
check_order(topological_order(a), [a], "a leaf")
print("visible topological_order tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
# snippet: random_graph
rng = np.random.default_rng(602)
for n_leaves, n_ops in [(2, 4), (3, 10), (4, 18), (2, 25)]:
    _, root = build_graph(random_recipe(rng, n_leaves, n_ops), rng.uniform(0.5, 1.5, n_leaves))
    order = topological_order(root)
    ok, problem = oracle.is_topological_order(order, root)
    checks.expect(ok, f"topological_order of a random graph of {len(oracle.graph_topological_order(root))} nodes: "
                      f"{problem}. Every node once (a set of visited nodes), each after its parents, the root last")
# a long chain, and a node used by everything after it
u = Value(0.3)
chain = u
for _ in range(10):
    chain = (chain * u).sigmoid()
ok, problem = oracle.is_topological_order(topological_order(chain), chain)
checks.expect(ok, f"topological_order of a chain of 21 nodes that all use the leaf u: {problem}")
### END HIDDEN TESTS

# %% [markdown]
# ### The backward pass
#
# Now the whole algorithm — reverse-mode automatic differentiation:
#
# 1. `order = topological_order(root)`; set every node's `grad` to 0, then `root.grad = 1` ($\partial r/\partial r$);
# 2. for each node in **reversed** order (the root first): for each parent and its local gradient,
#    `parent.grad += local * node.grad`.
#
# When a node's turn comes, every child has already added its term $\frac{\partial r}{\partial v_i}
# \frac{\partial v_i}{\partial u}$ to its `grad`: the sum of the chain rule is complete. The `+=` is essential:
# a node used twice gets one term per use. In $f = x\cdot x + x$ at $x = 3$ the add node gives $x$ a 1, the mul
# node gives it $x = 3$ twice (once per factor), so $\partial f/\partial x = 3 + 3 + 1 = 7 = 2x + 1$. Writing
# `parent.grad = …` would keep only the last term. Resetting every `grad` to 0 first makes a second call give the
# same result instead of adding to the first.
#
# The work is one visit per node and one local gradient per edge: about as much as computing the formula
# itself. Compare the $2P$ cost evaluations of finite differences in assignment 4.
#
# **Exercise (3 points).** Implement `backward(root)`: set `grad` of every node of the root's graph to
# $\partial\,\text{root}/\partial\,\text{node}$, using your `topological_order` and `local_gradients` (the test
# swaps in known-good versions of both). It changes the nodes in place and returns nothing.

# %% role="solution" grade_id="backward"
from solutions.autodiff import backward

# %% role="tests" grade_id="test_backward" points=3
checks.may_update_in_place("backward")   # setting the nodes' grads is backward's job
with checks.trusted(globals(), "topological_order", "local_gradients"):
    a, b, c = Value(2.0), Value(-3.0), Value(6.0)
    L = (a * b + c).sigmoid().log()
    backward(L)
    checks.expect_close([a.grad, b.grad, c.grad], [-1.5, 1.0, 0.5], "[∂L/∂a, ∂L/∂b, ∂L/∂c] for L = ln σ(ab + c) at "
                        "(2, −3, 6)", rtol=1e-12, hint="go through the nodes in reversed topological order (the root "
                        "first, with grad 1) and do parent.grad += local gradient × node.grad")
    checks.expect(L.grad == 1.0, f"the root's grad should be ∂L/∂L = 1, it is {L.grad}")
    x = Value(3.0)
    f = x * x + x
    backward(f)
    checks.expect_close(x.grad, 7.0, "∂f/∂x for f = x·x + x at x = 3 (2x + 1)", rtol=1e-12,
                        hint="a node used several times gets one term per use: add them up with parent.grad += …, "
                             "do not overwrite")
    backward(f)
    checks.expect_close(x.grad, 7.0, "∂f/∂x after calling backward(f) a second time", rtol=1e-12,
                        hint="set every node's grad to 0 before the pass, or a second call adds to the first")
print("visible backward tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
# snippet: random_graph
rng = np.random.default_rng(603)
with checks.trusted(globals(), "topological_order", "local_gradients"):
    for n_leaves, n_ops in [(2, 3), (3, 8), (4, 14), (3, 20)]:
        recipe, values = random_recipe(rng, n_leaves, n_ops), rng.uniform(0.5, 1.5, n_leaves)
        leaves, root = build_graph(recipe, values)
        for node in oracle.graph_topological_order(root):
            node.grad = 5.0                                    # left over from an earlier pass
        backward(root)
        numeric = oracle.central_gradient(lambda v: build_graph(recipe, v)[1].data, values)
        where = f"a random graph of {len(oracle.graph_topological_order(root))} nodes"
        checks.expect(root.grad == 1.0, f"{where}: the root's grad should be 1, it is {root.grad}")
        error = checks.gradient_error([leaf.grad for leaf in leaves], numeric)
        checks.expect(error <= 1e-7, f"{where}: the leaves' grads disagree with central differences (relative error "
                      f"{error:.1e} > 1e-7). Start from grads 0 and root.grad = 1, visit the nodes in reversed "
                      "topological order and add up parent.grad += local gradient × node.grad (one term per use)")
    # two roots sharing a leaf: each backward pass gives the gradients of its own root only
    x = Value(0.7)
    g, h = (x * x).log(), x.sigmoid()
    backward(g)
    backward(h)
    checks.expect_close(x.grad, oracle.plain_sigmoid_prime(0.7), "∂h/∂x after backward(g) then backward(h) "
                        "(h = σ(x), g = ln x² share the leaf x)", rtol=1e-9,
                        hint="set the grads of the root's graph to 0 before the pass")
### END HIDDEN TESTS

# %% [markdown]
# ## 2. The network as a graph: reverse mode *is* BP1–BP4
#
# Write the cost of the course's network with Values: every weight $w^l_{jk}$ and bias $b^l_j$ a leaf, and for
# each sample (column) $x$
#
# $$z^l_j = \sum_k w^l_{jk}\,a^{l-1}_k + b^l_j \quad(\text{mul and add nodes}),\qquad a^l_j = \sigma(z^l_j)
# \quad(\text{a sigmoid node}),$$
#
# then the binary cross-entropy $C = -\frac1m\sum_x\sum_j\bigl[y_j\ln a^L_j + (1 - y_j)\ln(1 - a^L_j)\bigr]$ with
# log, mul and add nodes. All samples share the parameter leaves. Run `backward` from $C$. What does it compute?
#
# **Claim.** For every sample $x$, the grad of the node $z^l_j$ (of that sample's part of the graph) is
# $\frac1m\delta^l_j$, and the grads of the leaves are $\partial C/\partial b^l$ and $\partial C/\partial W^l$ as
# BP1–BP4 give them. *Proof*, layer by layer from the output. Every grad carries the factor $\frac1m$ of the
# average, from the last mul node of the cost; we leave it out below and put it back at the end.
#
# * **BP1.** The log, mul and add nodes of the cost give $a^L_j$ the grad $\partial C_x/\partial a^L_j$. The
#   sigmoid node multiplies by its local gradient $\sigma'(z^L_j)$: the grad of $z^L_j$ is
#   $\frac{\partial C_x}{\partial a^L_j}\sigma'(z^L_j) = \delta^L_j$. (For cross-entropy it comes out as
#   $a^L_j - y_j$: the graph does not know the cancellation of assignment 2, it just arrives at it.)
# * **BP2 is the mul and add nodes of one layer.** $a^l_j$ is used by the $n_{l+1}$ mul nodes $w^{l+1}_{kj}a^l_j$,
#   one per neuron $k$ of the next layer. Each sits under an add node $z^{l+1}_k$ with grad $\delta^{l+1}_k$; the
#   add node passes $\delta^{l+1}_k$ on unchanged, the mul node multiplies by the other factor $w^{l+1}_{kj}$, and
#   the `+=` adds the $n_{l+1}$ terms up: $a^l_j$ gets $\sum_k w^{l+1}_{kj}\delta^{l+1}_k = ((W^{l+1})^T\delta^{l+1})_j$.
#   The sigmoid node multiplies by $\sigma'(z^l_j)$: $z^l_j$ gets
#   $((W^{l+1})^T\delta^{l+1})_j\,\sigma'(z^l_j) = \delta^l_j$. The transpose of BP2 is nothing but "sum over the
#   nodes that *use* $a^l_j$".
# * **BP3 and BP4.** The leaf $b^l_j$ is a parent of the add node $z^l_j$ (local gradient 1): it gets $\delta^l_j$.
#   The leaf $w^l_{jk}$ is a factor of the mul node $w^l_{jk}a^{l-1}_k$, under $z^l_j$: it gets
#   $a^{l-1}_k\,\delta^l_j$.
# * **The batch.** A parameter leaf is used by all $m$ samples' parts of the graph, so its `+=` adds up the $m$
#   per-sample terms, each carrying the factor $\frac1m$: $\frac1m\sum_x\delta^l_{jx}$ and
#   $\frac1m\sum_x a^{l-1}_{kx}\delta^l_{jx}$ — BP3 and BP4 for the batch. $\blacksquare$
#
# So backpropagation is reverse-mode differentiation, organised by layers: BP2 does with one matrix product what
# the graph does with $n_l n_{l+1}$ mul nodes. What the graph buys is generality — any formula, no derivation;
# what the layers buy is speed — a few large NumPy operations instead of a Python call per number.
#
# **Exercise (4 points).** Implement `network_cost_graph(weights, biases, x, y)`: build the graph of this cost
# from new leaves for every weight and bias (the inputs $x$ and targets $y$ are plain numbers) and return the cost
# node together with the leaves, as nested lists: `weight_nodes[i][j][k]` is the leaf of $w^{i+2}_{jk}$ and
# `bias_nodes[i][j]` that of $b^{i+2}_j$. The given `value_sum` keeps the graph shallow (one add node for
# $\sum_k w_{jk}a_k + b_j$). The test runs a known-good backward pass on your graph, so your `backward` is not
# needed here. (Your graph is graded as data, which takes paths of up to about 60 nodes from the cost down
# to a leaf; the hidden tests' networks are small, so even sums built one `+` at a time fit.)

# %% role="locked" grade_id="given_node_gradients"
from solutions.autodiff_network import node_gradients

# %% role="solution" grade_id="network_cost_graph"
from solutions.autodiff_network import network_cost_graph

# %% role="tests" grade_id="test_network_cost_graph" points=4
def run_graph(weights, biases, x, y, label):
    result = network_cost_graph(weights, biases, x, y)
    checks.expect(isinstance(result, tuple) and len(result) == 3,
                  f"{label}: network_cost_graph should return (cost, weight_nodes, bias_nodes)")
    cost, weight_nodes, bias_nodes = result
    checks.expect(isinstance(cost, Value), f"{label}: the cost should be a Value (a node), got {type(cost).__name__}")
    for i, (w, b) in enumerate(zip(weights, biases)):
        layer = f"layer {i + 2}"
        checks.expect(len(weight_nodes[i]) == w.shape[0] and all(len(row) == w.shape[1] for row in weight_nodes[i])
                      and len(bias_nodes[i]) == b.shape[0], f"{label}: weight_nodes[{i}] should be {w.shape[0]} lists "
                      f"of {w.shape[1]} leaves (W of {layer} is {w.shape}) and bias_nodes[{i}] a list of {b.shape[0]}")
        leaves = [v for row in weight_nodes[i] for v in row] + list(bias_nodes[i])
        checks.expect(all(isinstance(v, Value) and not v.parents for v in leaves),
                      f"{label}: weight_nodes[{i}] and bias_nodes[{i}] should hold leaves (Values without parents)")
        checks.expect_close([[v.data for v in row] for row in weight_nodes[i]], w, f"{label}: the leaves of W of {layer}",
                            rtol=0, atol=0, hint="weight_nodes[i][j][k] holds w_jk of weights[i]")
        checks.expect_close([[v.data] for v in bias_nodes[i]], b, f"{label}: the leaves of b of {layer}", rtol=0, atol=0)
    return cost, weight_nodes, bias_nodes

hint = ("C = −(1/m) Σₓ Σⱼ [yⱼ ln aⱼ + (1 − yⱼ) ln(1 − aⱼ)] with zˡ = Wˡaˡ⁻¹ + bˡ, aˡ = σ(zˡ), the leaves you return "
        "being the ones the cost is built from")
# the 1-1-1 chain of assignment 4: w² = b² = 0, w³ = 2, b³ = −1, x = 2, y = 1 gives a² = a³ = ½ and C = ln 2
chain_w, chain_b = [np.array([[0.0]]), np.array([[2.0]])], [np.array([[0.0]]), np.array([[-1.0]])]
for x, y, label in [([[2.0]], [[1.0]], "the 1-1-1 chain, one sample"),
                    ([[2.0]], [[0.25]], "the 1-1-1 chain, y = ¼ (a³ = ½: both logs count, C is still ln 2)"),
                    ([[2.0, 2.0]], [[1.0, 1.0]], "the 1-1-1 chain, the same sample twice (m = 2)")]:
    cost, w_nodes, b_nodes = run_graph(chain_w, chain_b, np.array(x), np.array(y), label)
    checks.expect_close(cost.data, np.log(2.0), f"{label}: the cost", rtol=1e-12,
                        hint="C is the batch average: −(1/m) Σₓ Σⱼ [...]; with the same sample twice it is the "
                             "cost of one")
    with checks.trusted(globals(), "backward"):
        backward(cost)
    # δ³ = a³ − y = ½ − y, δ² = w³δ³σ'(z²) = δ³/2:  ∂C/∂b³ = δ³, ∂C/∂w³ = a²δ³ = δ³/2, ∂C/∂b² = δ³/2,
    # ∂C/∂w² = xδ² = δ³ (y = 1: −½, −¼, −¼, −½)
    d3 = 0.5 - y[0][0]
    checks.expect_close([w_nodes[0][0][0].grad, b_nodes[0][0].grad, w_nodes[1][0][0].grad, b_nodes[1][0].grad],
                        [d3, d3 / 2, d3 / 2, d3], f"{label}: [∂C/∂w², ∂C/∂b², ∂C/∂w³, ∂C/∂b³] after a backward "
                        "pass", rtol=1e-9, hint=hint)
print("visible network_cost_graph tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(604)
for sizes, m in [([2, 3, 2], 2), ([3, 2, 1], 1), ([2, 2, 2, 2], 2), ([1, 3, 2], 3)]:
    weights, biases = oracle.random_network(sizes, seed=sizes[1] + m)
    x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
    label = f"network {'-'.join(map(str, sizes))}, m = {m}"
    cost, w_nodes, b_nodes = checks.expect_inputs_unchanged(lambda xx, yy: run_graph(weights, biases, xx, yy, label),
                                                            x, y, name="network_cost_graph (on x, y)")
    checks.expect_close(cost.data, oracle.plain_cost(weights, biases, x, y, "cross-entropy"), f"{label}: the cost",
                        rtol=1e-10, hint=hint)
    oracle.graph_backward(cost)
    numeric_b, numeric_w = oracle.numeric_network_gradients(weights, biases, x, y, "cross-entropy")
    for i in range(len(weights)):
        for got, want, name in [([[v.grad for v in row] for row in w_nodes[i]], numeric_w[i], f"∂C/∂W of layer {i + 2}"),
                                ([[v.grad] for v in b_nodes[i]], numeric_b[i], f"∂C/∂b of layer {i + 2}")]:
            error = checks.gradient_error(got, want)
            checks.expect(error <= 1e-7, f"{label}: after a known-good backward pass the leaves' grads ({name}) "
                                         f"disagree with central differences of the cost (relative error {error:.1e}). "
                                         f"{hint}")
### END HIDDEN TESTS

# %% [markdown]
# The claim, measured: the graph's gradients against the given `backprop` (BP1–BP4 in matrix form) on a 3-4-2
# network and a batch of 5 samples.

# %%
with checks.when_implemented("the comparison with BP1–BP4"):
    rng = np.random.default_rng(6)
    weights = [rng.normal(0, 0.6, (4, 3)), rng.normal(0, 0.6, (2, 4))]
    biases = [rng.normal(0, 0.6, (4, 1)), rng.normal(0, 0.6, (2, 1))]
    x, y = rng.standard_normal((3, 5)), np.eye(2)[:, rng.integers(0, 2, 5)]
    cost, weight_nodes, bias_nodes = network_cost_graph(weights, biases, x, y)
    backward(cost)
    grad_b, grad_w = backprop(weights, biases, x, y, CROSS_ENTROPY)
    print(f"the graph has {len(topological_order(cost))} nodes; C = {cost.data:.12f}, "
          f"total_cost = {total_cost(weights, biases, x, y, CROSS_ENTROPY):.12f}")
    for i in range(2):
        print(f"layer {i + 2}: largest difference to backprop  ∂C/∂W {np.max(np.abs(node_gradients(weight_nodes[i]) - grad_w[i])):.1e}"
              f",  ∂C/∂b {np.max(np.abs(node_gradients(bias_nodes[i]) - grad_b[i])):.1e}")

# %% [markdown]
# And BP2 on its own, one layer at a time: take $z^l$ as leaves, build $a^l = \sigma(z^l)$ and
# $z^{l+1} = W^{l+1}a^l + b^{l+1}$ from nodes, and make the root $r = \sum_k \delta^{l+1}_k z^{l+1}_k$ for a given
# $\delta^{l+1}$ — a root whose gradient with respect to $z^{l+1}$ is exactly $\delta^{l+1}$. The backward pass
# through the mul, add and sigmoid nodes then leaves $\delta^l$ in the grads of $z^l$.

# %%
with checks.when_implemented("BP2 as one layer of the graph"):
    rng = np.random.default_rng(7)
    W3, b3 = rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
    z2, delta3 = rng.standard_normal((3, 1)), rng.standard_normal((2, 1))
    z_leaves = [Value(float(v)) for v in z2[:, 0]]
    a2 = [z.sigmoid() for z in z_leaves]
    z3 = [value_sum([W3[k, j] * a2[j] for j in range(3)] + [b3[k, 0]]) for k in range(2)]
    r = value_sum([delta3[k, 0] * z3[k] for k in range(2)])
    backward(r)
    print("grads of the z² leaves:", np.round([z.grad for z in z_leaves], 12))
    print("BP2, ((W³)ᵀδ³) ⊙ σ'(z²):", np.round(bp2_hidden_error(W3, delta3, z2)[:, 0], 12))

# %% [markdown]
# ## 3. Initialisation: saturated neurons at the start
#
# Before we train anything deeper, look at where training *starts*. A neuron of layer $l$ adds up $n_{l-1}$
# weighted inputs, $z_j = \sum_k w_{jk}a_k + b_j$. Draw the weights independently with mean 0 and variance
# $s^2$, the bias with variance 1. The terms are independent with mean 0, so their variances add:
#
# $$\operatorname{Var} z_j = \sum_{k=1}^{n_{l-1}} \operatorname{Var}(w_{jk})\,a_k^2 + \operatorname{Var} b_j
# = s^2\sum_k a_k^2 + 1 .$$
#
# With $s^2 = 1$ (weights from $N(0, 1)$) the sum grows with the number of inputs: a hidden neuron fed by 100
# sigmoid neurons, about half of them near 1, has $\operatorname{Var} z_j$ of several tens, a standard deviation
# of 6 or 7. Then $|z_j| > 4$ is common, where $\sigma'(z_j) < 0.018$: the neuron is **saturated**, and by BP2 its error
# $\delta_j$ carries that tiny factor — it barely learns, however wrong it is. Choosing
# $s^2 = 1/n_{l-1}$, i.e. weights from $N(0, 1/n_{l-1})$ with standard deviation $1/\sqrt{n_{l-1}}$, makes
# $s^2\sum_k a_k^2$ an *average* of the $a_k^2$, at most 1, whatever the width of the layer. (The bias is one term,
# not a sum of $n_{l-1}$, so it keeps variance 1.)
#
# **Exercise (2 points).** Implement `init_gaussian(sizes, seed, scaled)`: seeded random parameters in the
# course's layout, weights from $N(0, 1/n_{l-1})$ when `scaled` is true and from $N(0, 1)$ otherwise, biases from
# $N(0, 1)$ in both cases. Use one generator `np.random.default_rng(seed)`. (`rng.standard_normal` draws
# $N(0, 1)$ numbers in any shape; multiplying them by $s$ gives $N(0, s^2)$.) The rest of this notebook uses it to make networks.

# %% role="solution" grade_id="init_gaussian"
from solutions.initialisation import init_gaussian

# %% role="tests" grade_id="test_init_gaussian" points=2
result = init_gaussian([2500, 400, 3], seed=1, scaled=True)
checks.expect(isinstance(result, tuple) and len(result) == 2, "init_gaussian should return (weights, biases)")
weights, biases = result
checks.expect(len(weights) == 2 and len(biases) == 2, "a 3-layer network has weights and biases for layers 2 and 3")
for i, (n_in, n_out) in enumerate([(2500, 400), (400, 3)]):
    checks.expect_shape(weights[i], (n_out, n_in), f"weights[{i}] (W of layer {i + 2})", hint="Wˡ is (nₗ, nₗ₋₁)")
    checks.expect_shape(biases[i], (n_out, 1), f"biases[{i}] (b of layer {i + 2})", hint="bˡ is a column (nₗ, 1)")
spread = float(np.std(weights[0]))
checks.expect(abs(spread - 1 / 50) < 0.0005, f"with scaled=True the weights of a layer with nₗ₋₁ = 2500 inputs should "
              f"have standard deviation 1/√2500 = 0.02, they have {spread:.4f}: draw from N(0, 1/nₗ₋₁), i.e. multiply "
              "N(0, 1) draws by 1/√nₗ₋₁ (the number of inputs of each neuron)")
checks.expect(abs(float(np.std(biases[0])) - 1) < 0.2, "the biases should come from N(0, 1) (not scaled)")
unscaled = init_gaussian([2500, 400, 3], seed=1, scaled=False)[0][0]
checks.expect(abs(float(np.std(unscaled)) - 1) < 0.01, "with scaled=False the weights should come from N(0, 1)")
again = init_gaussian([2500, 400, 3], seed=1, scaled=True)[0][0]
checks.expect(np.array_equal(again, weights[0]), "the same seed should give the same network: use np.random.default_rng(seed)")
print("visible init_gaussian tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
for sizes, seed in [([900, 300, 200, 2], 3), ([64, 1000, 10], 4), ([5, 3], 5)]:
    weights, biases = init_gaussian(sizes, seed=seed)          # the default: scaled
    checks.expect(len(weights) == len(sizes) - 1 == len(biases), f"init_gaussian({sizes}) should give "
                  f"{len(sizes) - 1} weight matrices and as many bias columns")
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        checks.expect_shape(weights[i], (n_out, n_in), f"weights[{i}] for sizes {sizes}")
        checks.expect_shape(biases[i], (n_out, 1), f"biases[{i}] for sizes {sizes}")
        count = n_in * n_out  # every tolerance below is 6 standard errors of its statistic for `count` draws
        if count >= 10_000:
            spread, centre = float(np.std(weights[i])), float(np.mean(weights[i]))
            checks.expect(abs(spread * np.sqrt(n_in) - 1) < 6 / np.sqrt(2 * count)
                          and abs(centre) * np.sqrt(n_in) < 6 / np.sqrt(count),
                          f"weights[{i}] of sizes {sizes}: standard deviation {spread:.4f} and mean {centre:.4f}, "
                          f"expected 1/√{n_in} = {1 / np.sqrt(n_in):.4f} and 0. Scale by 1/√nₗ₋₁ with nₗ₋₁ = "
                          f"{n_in}, the number of inputs of each neuron of layer {i + 2} (not nₗ = {n_out}, and "
                          "not 1/nₗ₋₁, which is the variance)")
            beyond = float(np.mean(np.abs(weights[i]) > 2 / np.sqrt(n_in)))  # P(|N(0, 1)| > 2) = 0.0455
            checks.expect(abs(beyond - 0.0455) < 6 * np.sqrt(0.0455 * 0.9545 / count),
                          f"weights[{i}] of sizes {sizes}: {beyond:.2%} of them lie beyond two standard deviations, "
                          "a Gaussian has 4.55 %: draw them from a normal distribution (rng.standard_normal), not "
                          "a uniform one")
        if count >= 10_000 and n_in >= 400:
            rows = weights[i][:2]
            checks.expect(abs(float(np.corrcoef(rows)[0, 1])) < 6 / np.sqrt(n_in), f"weights[{i}]: the entries "
                          "should be independent draws (two rows look alike)")
        if n_out >= 200:
            checks.expect(abs(float(np.std(biases[i])) - 1) < 6 / np.sqrt(2 * n_out),
                          f"biases[{i}] of sizes {sizes} should be N(0, 1)")
    other = init_gaussian(sizes, seed=seed + 100)[0][0]
    checks.expect(not np.array_equal(other, weights[0]), "another seed should give another network")
# layers of the same shape must not repeat each other's numbers (one generator for the whole network)
weights, biases = init_gaussian([50, 40, 40, 40], seed=9)
for name, layers in [("weights", weights), ("biases", biases)]:
    checks.expect(not np.array_equal(layers[1], layers[2]), f"{name} of layers 3 and 4 (both {layers[1].shape}) start "
                  "out identical: make one generator, np.random.default_rng(seed), before the loop over layers and "
                  "draw every layer from it (a new generator per layer with the same seed repeats the same numbers)")
big = init_gaussian([400, 600], seed=7, scaled=False)
checks.expect(abs(float(np.std(big[0][0])) - 1) < 0.01 and abs(float(np.std(big[1][0])) - 1) < 6 / np.sqrt(2 * 600),
              "with scaled=False: weights and biases from N(0, 1)")
checks.expect(np.array_equal(init_gaussian([30, 20, 5])[0][1], init_gaussian([30, 20, 5], seed=0, scaled=True)[0][1]),
              "the defaults should be seed=0, scaled=True")
### END HIDDEN TESTS

# %% [markdown]
# **Experiment: the histograms.** A $[64, 100, 100, 10]$ network on the 1,500 training digits: the weighted
# inputs of both hidden layers under the two initialisations, with the fraction of saturated neurons
# ($|z| > 4$). Layer 2 has 64 inputs (pixels in $[0, 1]$), layer 3 has 100 (sigmoid outputs): under $N(0, 1)$ the
# spread grows with the number of inputs, as the variance formula says; under $N(0, 1/n_{l-1})$ it does not.

# %%
with checks.when_implemented("the histograms of zˡ"):
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
    for ax, scaled, name in [(axes[0], False, "N(0, 1)"), (axes[1], True, "N(0, 1/nₗ₋₁)")]:
        weights, biases = init_gaussian([64, 100, 100, 10], seed=1, scaled=scaled)
        zs, _ = feedforward(weights, biases, digits.x_train)
        for l in (2, 3):
            z = zs[l - 2].ravel()
            ax.hist(z, bins=np.linspace(-25, 25, 101), histtype="step", density=True,
                    label=f"z{'²³'[l - 2]}: std {z.std():.1f}, {np.mean(np.abs(z) > 4):.0%} with |z| > 4")
        ax.axvspan(-4, 4, color="0.9")
        ax.set(xlabel="weighted input z", title=f"weights from {name}")
        ax.legend(fontsize=8)
    axes[0].set_ylabel("density")
    plt.show()

# %% [markdown]
# **Experiment: the first epoch.** Does the saturated start slow learning down? We train $[n, 30, 10]$ networks
# for one epoch (150 mini-batches of 10, cross-entropy, $\eta = 0.5$) from both starts and record the training
# cost every 10 steps: once on the digits as they are ($n = 64$ pixels), once on the same digits drawn on a
# 16 × 16 grid (each pixel repeated 2 × 2: $n = 256$ inputs, the same information).

# %% role="locked" grade_id="given_first_epoch"
from solutions.deep_experiments import enlarge_digits, first_epoch_costs

# %%
with checks.when_implemented("the first-epoch experiment"):
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for ax, x in [(axes[0], digits.x_train), (axes[1], enlarge_digits(digits.x_train))]:
        for scaled, name in [(False, "N(0, 1)"), (True, "N(0, 1/nₗ₋₁)")]:
            runs = [first_epoch_costs(*init_gaussian([x.shape[0], 30, 10], seed=seed, scaled=scaled), x, digits.y_train)
                    for seed in range(3)]
            costs = np.mean([c for c, _ in runs], axis=0)
            ax.semilogy(10 * np.arange(len(costs)), costs, marker=".", label=name)
            print(f"n = {x.shape[0]:3d}, weights {name:13s}: training cost {costs[0]:5.2f} → {costs[-1]:.3f}, "
                  f"training accuracy after one epoch {np.mean([acc for _, acc in runs]):.1%} (mean of 3 seeds)")
        ax.set(xlabel="mini-batch steps", ylabel="training cost (log scale)", title=f"{x.shape[0]} inputs")
        ax.grid(alpha=0.3)
        ax.legend()
    plt.show()

# %% [markdown]
# What you should see, and how to read it. Both starts begin with a high cost — sigmoid outputs near ½ or
# saturated at wrong values — and the $N(0, 1)$ start much higher. With 256 inputs the saturated start is also
# the slower one: after one epoch its cost is clearly above the scaled start's, and its training accuracy about
# 8 points lower. With only 64 inputs the two end the epoch at about the same accuracy, and $N(0, 1)$ even at the
# lower cost. Saturation is not the only effect of large weights:
# by BP2, $\delta^l$ is $(W^{l+1})^T\delta^{l+1}$ damped by $\sigma'(z^l)$, and larger $W^{l+1}$ also *amplify*
# the error passed back. Which effect wins depends on how far into saturation the neurons are — and that grows
# with $\sqrt{n_{l-1}}$. Networks with hundreds of inputs per neuron (the 784 pixels of MNIST) are firmly on the
# side where the scaled start wins, which is why it is the default. Measure before you believe a rule.
#
# ## 4. Vanishing gradients: why the early layers learn slowly
#
# Even from a good start, deep sigmoid networks have a second problem. Unroll BP2 from the output down to
# layer $l$. Writing $\Sigma'(z) = \operatorname{diag}(\sigma'(z))$ (so that $\Sigma'(z)\,v = \sigma'(z)\odot v$),
#
# $$\delta^l = \Sigma'(z^l)\,(W^{l+1})^T\,\Sigma'(z^{l+1})\,(W^{l+2})^T\cdots\Sigma'(z^{L-1})\,(W^L)^T\,\delta^L .$$
#
# Every layer between $l$ and the output contributes one factor $\Sigma'(z)$ and one transposed weight matrix.
# Since $\sigma'(z) = \sigma(z)(1 - \sigma(z)) \le \tfrac14$ (the maximum, at $z = 0$), each $\Sigma'$ shrinks a
# vector to at most a quarter of its length, and in the product
#
# $$\lVert\delta^l\rVert \;\le\; \prod_{k=l+1}^{L}\Bigl(\tfrac14\,\lVert W^k\rVert\Bigr)\,\lVert\delta^L\rVert$$
#
# (with $\lVert W\rVert$ the largest factor by which $W^T$ can stretch a vector) the quarters pile up. With weights
# of a moderate size, $\frac14\lVert W^k\rVert < 1$ and the error shrinks geometrically on its way back: by BP3
# and BP4, $\partial C/\partial b^l = \delta^l$ and $\partial C/\partial W^l = \delta^l(a^{l-1})^T$, so the
# early layers get the shortest steps. In the sum-over-paths picture of assignment 4: every path from an early
# weight to the cost multiplies more rates $\sigma'(z)\,w$, each typically well below 1. (Large weights could make
# the factors exceed 1 — then the gradients *explode* instead, the same instability in the other direction.)
#
# Following Nielsen, we measure how fast layer $l$ learns by the length of its bias gradient,
# $\lVert\partial C/\partial b^l\rVert = \sqrt{\sum_j (\partial C/\partial b^l_j)^2}$.
#
# **Exercise (2 points).** Implement `gradient_norms(weights, biases, x, y, cost)`: one call of the given
# `backprop`, then the length of every layer's bias gradient, as an array in the order of `biases` (layer 2
# first).

# %% role="solution" grade_id="gradient_norms"
from solutions.vanishing import gradient_norms

# %% role="tests" grade_id="test_gradient_norms" points=2
calls = []
def fixed_gradients(weights, biases, x, y, cost):
    calls.append((x, y, cost))
    return [np.array([[3.0], [-4.0]]), np.array([[1.0], [2.0], [-2.0]])], [np.ones((2, 4)), np.ones((3, 2))]
w0, b0 = [np.zeros((2, 4)), np.zeros((3, 2))], [np.zeros((2, 1)), np.zeros((3, 1))]
x0, y0 = np.ones((4, 5)), np.zeros((3, 5))
with checks.trusted(globals(), backprop=fixed_gradients):
    norms = gradient_norms(w0, b0, x0, y0, QUADRATIC)
checks.expect(len(calls) == 1, f"gradient_norms should call backprop once, it made {len(calls)} calls")
checks.expect(calls[0][2] == QUADRATIC and np.array_equal(calls[0][0], x0) and np.array_equal(calls[0][1], y0),
              "pass x, y and the cost to backprop unchanged")
checks.expect_close(norms, [5.0, 3.0], "the norms for ∂C/∂b² = (3, −4) and ∂C/∂b³ = (1, 2, −2)", rtol=1e-12,
                    hint="‖∂C/∂bˡ‖ = √(Σⱼ (∂C/∂bˡⱼ)²), the length of the bias gradient (the square root of the sum "
                         "of squares), one per layer, layer 2 first")
print("visible gradient_norms tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(605)
def numeric_backprop(weights, biases, x, y, cost):
    return oracle.numeric_network_gradients(list(weights), list(biases), np.asarray(x, dtype=float),
                                            np.asarray(y, dtype=float), cost.name)
for sizes, m, cost in [([3, 4, 3, 2], 4, CROSS_ENTROPY), ([2, 5, 2], 1, QUADRATIC), ([4, 2, 2, 2, 3], 3, QUADRATIC)]:
    weights, biases = oracle.random_network(sizes, seed=sizes[1])
    x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
    grad_b, _ = numeric_backprop(weights, biases, x, y, cost)
    with checks.trusted(globals(), backprop=numeric_backprop):
        norms = checks.as_array(gradient_norms(weights, biases, x, y, cost), "gradient_norms")
    expected = [float(np.sqrt(sum(v * v for v in g.ravel()))) for g in grad_b]
    checks.expect_shape(norms, (len(sizes) - 1,), f"gradient_norms for a {len(sizes)}-layer network",
                        hint="one length per layer 2..L, as a flat array")
    checks.expect_close(norms, expected, f"gradient_norms for network {'-'.join(map(str, sizes))}, m = {m}, "
                        f"{cost.name}", rtol=1e-6, hint="the Euclidean length √(Σⱼ (∂C/∂bˡⱼ)²) of each layer's bias "
                        "gradient (not squared, not of the weights' gradient), input side first")
### END HIDDEN TESTS

# %% [markdown]
# **Experiment.** Sigmoid networks with 1 to 4 hidden layers of 30 neurons, started with `init_gaussian`
# (scaled), on 1,000 training digits with the cross-entropy cost: the length of each layer's bias gradient,
# averaged over 5 starts.

# %%
with checks.when_implemented("the vanishing-gradient measurement"):
    x, y = digits.x_train[:, :1000], digits.y_train[:, :1000]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for depth in (1, 2, 3, 4):
        sizes = [64] + [30] * depth + [10]
        norms = np.mean([gradient_norms(*init_gaussian(sizes, seed=seed), x, y, CROSS_ENTROPY) for seed in range(5)],
                        axis=0)
        ax.semilogy(range(2, len(sizes) + 1), norms, "o-", label=f"{depth} hidden layer{'s' * (depth > 1)}")
        print(f"{'-'.join(map(str, sizes)):>20s}: ‖∂C/∂bˡ‖ = {np.array2string(norms, precision=4)}, "
              f"ratio from one layer to the next ≈ {np.exp(np.mean(np.diff(np.log(norms)))):.1f}")
    ax.set(xlabel="layer l (2 = first hidden layer, last = output)", ylabel="‖∂C/∂bˡ‖ (log scale)",
           title="How fast each layer learns, at the start")
    ax.grid(alpha=0.3)
    ax.legend()
    plt.show()

# %% [markdown]
# Each layer learns about five times more slowly than the layer after it: in the network with four hidden layers
# the first one gets a gradient some 500 times shorter than the output layer's. A factor of about 5 per layer is
# what $\sigma'(z)$ — at most ¼, about 0.2 on average here — predicts when $(W^{l+1})^T$ leaves the length of a
# vector about unchanged on average, as weights of variance $1/n_l$ do, whatever the widths: each of the $n_l$
# entries of $(W^{l+1})^Tv$ then has variance $\lVert v\rVert^2/n_l$, so $E\lVert (W^{l+1})^Tv\rVert^2 = \lVert v\rVert^2$. Training
# such a network for an epoch or two changes the early layers hardly at all: they stay close to their random
# start while the late layers adapt. The next section tries activations whose derivative is not capped at ¼.
#
# ## 5. Other activations in the same equations: tanh and ReLU
#
# Nothing in the derivations of BP1–BP4 used the formula of σ — only that $a^l_j = \sigma(z^l_j)$ depends on
# $z^l_j$ alone. For any elementwise activation $a^l = f(z^l)$ the same chain rule gives
#
# $$\text{BP1: } \delta^L = \nabla_a C_x \odot f'(z^L), \qquad
# \text{BP2: } \delta^l = \bigl((W^{l+1})^T\delta^{l+1}\bigr)\odot f'(z^l),$$
#
# and BP3, BP4 do not mention the activation at all. Two popular choices:
#
# * **tanh**, $\tanh z = \dfrac{e^z - e^{-z}}{e^z + e^{-z}} = 2\sigma(2z) - 1$, values in $(-1, 1)$. From
#   $\tanh = \sinh/\cosh$ and the quotient rule,
#   $\tanh'(z) = \dfrac{\cosh^2 z - \sinh^2 z}{\cosh^2 z} = 1 - \tanh^2 z$: at most 1 (at $z = 0$), four times
#   $\sigma'(0)$; like σ it saturates for large $|z|$.
#   *Example:* $\tanh(\tfrac12\ln 3) = \frac{3 - 1}{3 + 1} = \tfrac12$, so $\tanh'(\tfrac12\ln 3) = \tfrac34$.
# * **ReLU**, $\operatorname{ReLU}(z) = \max(z, 0)$: slope 1 for $z > 0$, 0 for $z < 0$. On its active side
#   $f' = 1$ exactly — BP2 passes the error back without shrinking it — but a neuron with $z < 0$ for every
#   sample passes nothing back at all. At $z = 0$ there is a kink and no derivative; implementations pick a value
#   (we take 0).
#
# **Exercise (1 point).** Implement `tanh_prime(z)` for scalars and arrays of any shape (`np.tanh` is allowed),
# without overflow warnings for large $|z|$ (at $z = \pm 1000$ the answer is 0).

# %% role="locked" grade_id="given_other_activations"
from solutions.other_activations import tanh, relu

# %% role="solution" grade_id="tanh_prime"
from solutions.other_activations import tanh_prime

# %% role="tests" grade_id="test_tanh_prime" points=1
checks.expect_close(tanh_prime(0.0), 1.0, "tanh'(0)", rtol=1e-12, hint="tanh'(z) = 1 − tanh²(z)")
checks.expect_close(tanh_prime(np.array([[0.5 * np.log(3.0)], [-0.5 * np.log(3.0)]])), [[0.75], [0.75]],
                    "tanh'(±½ ln 3)", rtol=1e-12, hint="tanh(½ ln 3) = ½, and tanh'(z) = 1 − tanh²(z) = ¾ (mind the "
                                                       "square)")
print("visible tanh_prime tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(606)
for shape in [(5,), (3, 4), (2, 1, 3)]:
    z = rng.uniform(-4, 4, shape)
    got = checks.as_array(tanh_prime(z), "tanh_prime")
    checks.expect_shape(got, shape, f"tanh'(z) for z of shape {shape}")
    checks.expect_close(got, 4.0 / (np.exp(z) + np.exp(-z)) ** 2, f"tanh'(z) for z of shape {shape}", rtol=1e-9,
                        hint="tanh'(z) = 1 − tanh²(z) = 1/cosh²(z)")
    checks.expect_gradient(got, lambda v: float(np.sum(np.tanh(v))), z, "tanh'(z)", hint="1 − tanh²(z)")
with checks.no_warnings("tanh_prime at z = ±1000"):
    big = checks.as_array(tanh_prime(np.array([-1000.0, 1000.0, 40.0])), "tanh_prime")
checks.expect_close(big, [0.0, 0.0, 0.0], "tanh' at z = −1000, 1000, 40", rtol=0, atol=1e-30)
### END HIDDEN TESTS

# %% [markdown]
# **Exercise (1 point).** Implement `relu_prime(z)`: 1.0 where $z > 0$, 0.0 where $z \le 0$ (the value 0 at the
# kink is our convention), for scalars and arrays of any shape, as floats.

# %% role="solution" grade_id="relu_prime"
from solutions.other_activations import relu_prime

# %% role="tests" grade_id="test_relu_prime" points=1
checks.expect_close(relu_prime(np.array([-2.0, 0.0, 0.5, 3.0])), [0.0, 0.0, 1.0, 1.0], "ReLU'(z) at z = −2, 0, 0.5, 3",
                    rtol=0, atol=0, hint="the slope of max(z, 0): 1 for z > 0, 0 for z < 0, and 0 at the kink z = 0 "
                                         "(the derivative, not ReLU itself)")
checks.expect_close(relu_prime(-1.5), 0.0, "ReLU'(−1.5)", rtol=0, atol=0)
slopes = np.asarray(relu_prime(np.array([-1.0, 2.0])))
checks.expect(slopes.dtype.kind == "f", f"ReLU'(z) should be floats (0.0 and 1.0), got an array of dtype {slopes.dtype}: "
              "z > 0 gives booleans, which numpy will not negate; write (z > 0).astype(float) or "
              "np.where(z > 0, 1.0, 0.0)")
print("visible relu_prime tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(607)
for shape in [(7,), (3, 5), (2, 2, 2)]:
    z = rng.uniform(-3, 3, shape)
    got = checks.as_array(relu_prime(z), "relu_prime")
    checks.expect_shape(got, shape, f"ReLU'(z) for z of shape {shape}")
    checks.expect_close(got, np.array([1.0 if v > 0 else 0.0 for v in z.ravel()]).reshape(shape),
                        f"ReLU'(z) for z of shape {shape}", rtol=0, atol=0, hint="0 or 1: the slope of max(z, 0), "
                        "not its value")
checks.expect_close(relu_prime(np.array([[0.0, 1e-300, -1e-300, 12.0]])), [[0.0, 1.0, 0.0, 1.0]],
                    "ReLU' at 0, ±1e-300 and 12", rtol=0, atol=0, hint="1 for every z > 0 however small, 0 at z = 0")
checks.expect_close(relu_prime(np.array([-3, 0, 2])), [0.0, 0.0, 1.0], "ReLU' of an integer array", rtol=0, atol=0)
for z in [np.array([[-1.0, 0.0, 2.0]]), np.array([-3, 0, 2])]:
    kind = np.asarray(relu_prime(z)).dtype
    checks.expect(kind.kind == "f", f"ReLU'(z) for z of dtype {z.dtype} should be floats, got dtype {kind}: "
                  "(z > 0).astype(float) or np.where(z > 0, 1.0, 0.0)")
### END HIDDEN TESTS

# %% [markdown]
# **Exercise (4 points).** Implement `backprop_with_activation(weights, biases, x, y, f, f_prime)`: the
# gradients of the batch-average quadratic cost $C = \frac1m\sum_x\frac12\lVert a^L - y\rVert^2$ of a network
# in which *every* layer, the output layer included, computes $a^l = f(z^l)$. Write the forward pass yourself
# (keep every $z^l$ and $a^l$), then BP1 and BP2 with `f_prime` in place of σ', and use the given
# `bp3_bias_gradient`, `bp4_weight_gradient` and `hadamard`. Return `grad_b, grad_w` like `backprop`.
#
# *Worked example* (the 1-1-1 chain with $f = \tanh$): $w^2 = b^2 = 0$, $w^3 = 1$, $b^3 = \frac12\ln 3$, $x = 2$,
# $y = 1$. Forward: $z^2 = 0$, $a^2 = 0$, $z^3 = \frac12\ln 3$, $a^3 = \frac12$. Backward:
# $\delta^3 = (\frac12 - 1)\tanh'(z^3) = -\frac12\cdot\frac34 = -0.375$, $\delta^2 = w^3\delta^3\tanh'(0) = -0.375$.
# So $\partial C/\partial b^3 = -0.375$, $\partial C/\partial w^3 = a^2\delta^3 = 0$, $\partial C/\partial b^2 =
# -0.375$, $\partial C/\partial w^2 = x\,\delta^2 = -0.75$.

# %% role="solution" grade_id="backprop_with_activation"
from solutions.backprop_activation import backprop_with_activation

# %% role="tests" grade_id="test_backprop_with_activation" points=4
# the 1-1-1 chain with f(z) = z², f'(z) = 2z (the test's own activation, so that your tanh' and ReLU' cost nothing
# here): w² = 1, b² = 0, w³ = ½, b³ = −1, x = 2, y = 0. Forward: z² = 2, a² = 4, z³ = 1, a³ = 1.
# Backward: δ³ = (1 − 0)·2 = 2, δ² = w³δ³·f'(z²) = ½·2·4 = 4; ∂C/∂w² = x δ² = 8, ∂C/∂w³ = a² δ³ = 8.
chain_w, chain_b = [np.array([[1.0]]), np.array([[0.5]])], [np.array([[0.0]]), np.array([[-1.0]])]
result = backprop_with_activation(chain_w, chain_b, np.array([[2.0]]), np.array([[0.0]]), np.square, lambda z: 2.0 * z)
checks.expect(isinstance(result, tuple) and len(result) == 2, "backprop_with_activation should return (grad_b, grad_w)")
grad_b, grad_w = result
checks.expect_close([np.ravel(g)[0] for g in grad_b], [4.0, 2.0], "[∂C/∂b², ∂C/∂b³] for the chain with f(z) = z²",
                    rtol=1e-12, hint="BP1 δᴸ = (aᴸ − y) ⊙ f'(zᴸ) and BP2 δˡ = ((Wˡ⁺¹)ᵀδˡ⁺¹) ⊙ f'(zˡ), with f' = f_prime "
                                     "(not σ'), and aˡ = f(zˡ) in the forward pass")
checks.expect_close([np.ravel(g)[0] for g in grad_w], [8.0, 8.0], "[∂C/∂w², ∂C/∂w³] for the chain with f(z) = z²",
                    rtol=1e-12, hint="BP4: ∂C/∂Wˡ = δˡ(aˡ⁻¹)ᵀ with aˡ⁻¹ = f(zˡ⁻¹), not zˡ⁻¹ (and a¹ = x)")
print("visible backprop_with_activation tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(608)
def known_tanh_prime(z):
    return 1.0 - np.tanh(z) ** 2

def softplus(z):
    return np.logaddexp(0.0, z)                         # ln(1 + eᶻ), whose derivative is σ(z)

activations = {"tanh": (np.tanh, known_tanh_prime), "ReLU": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0) * 1.0),
               "softplus": (softplus, oracle.stable_sigmoid)}
for k, (sizes, m, name) in enumerate([([3, 4, 2], 3, "tanh"), ([2, 3, 3, 2], 2, "ReLU"), ([3, 2, 4, 2], 4, "softplus"),
                                       ([2, 4, 1], 1, "tanh"), ([4, 3, 3], 2, "softplus")]):
    f, f_prime = activations[name]
    weights, biases = oracle.random_network(sizes, seed=620 + k)
    x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
    label = f"network {'-'.join(map(str, sizes))}, m = {m}, f = {name}"
    grad_b, grad_w = checks.expect_inputs_unchanged(lambda xx, yy: backprop_with_activation(weights, biases, xx, yy,
                                                                                            f, f_prime),
                                                    x, y, name="backprop_with_activation (on x, y)")
    numeric_b, numeric_w = oracle.numeric_parameter_gradients(
        lambda ws, bs: oracle.plain_activation_cost(ws, bs, x, y, f), weights, biases)
    for i in range(len(weights)):
        for got, want, what in [(grad_b[i], numeric_b[i], f"∂C/∂b of layer {i + 2}"),
                                (grad_w[i], numeric_w[i], f"∂C/∂W of layer {i + 2}")]:
            got = checks.as_array(got, f"{label}: {what}")
            checks.expect_shape(got, np.shape(want), f"{label}: {what}", hint="grad_b[i], grad_w[i] have the shapes "
                                "of biases[i], weights[i]")
            error = checks.gradient_error(got, want)
            checks.expect(error <= 1e-7, f"{label}: {what} disagrees with central differences of the quadratic cost "
                                         f"(relative error {error:.1e} > 1e-7). Use f in the forward pass of every "
                                         "layer and f'(zˡ) = f_prime(zˡ) in BP1 and BP2 (not σ'); the cost is "
                                         "(1/m) Σₓ ½‖aᴸ − y‖²")
### END HIDDEN TESTS

# %% [markdown]
# **Experiment: the three activations in a deep network.** The same measurement as in section 4 — the length of
# each layer's bias gradient at the start — for a network with four hidden layers of 30, now with the quadratic
# cost and the same activation in every layer, computed by your `backprop_with_activation`.

# %%
with checks.when_implemented("the comparison of activations"):
    x, y = digits.x_train[:, :500], digits.y_train[:, :500]
    sizes = [64, 30, 30, 30, 30, 10]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, f, f_prime in [("sigmoid", sigmoid, sigmoid_prime), ("tanh", tanh, tanh_prime), ("ReLU", relu, relu_prime)]:
        norms = np.mean([[np.linalg.norm(g) for g in backprop_with_activation(*init_gaussian(sizes, seed=seed), x, y,
                                                                               f, f_prime)[0]] for seed in range(5)],
                        axis=0)
        ax.semilogy(range(2, len(sizes) + 1), norms, "o-", label=name)
        print(f"{name:>7s}: ‖∂C/∂bˡ‖ = {np.array2string(norms, precision=4)}")
    ax.set(xlabel="layer l", ylabel="‖∂C/∂bˡ‖ (log scale)", title="Gradient lengths by layer, four hidden layers")
    ax.grid(alpha=0.3)
    ax.legend()
    plt.show()

# %% [markdown]
# With σ the gradient shrinks by about 5 per layer; with tanh (slope up to 1) and ReLU (slope exactly 1 on the
# active side) by less than 2. That is one reason deep networks today mostly use ReLU-like activations in their
# hidden layers.
#
# ### The gradient check at ReLU's kink
#
# ReLU brings a new situation for the gradient check of assignment 4: a point where the function has no
# derivative. Below, a 2-2-1 ReLU network and one sample with $z^2_1 = 0$ exactly. Backprop uses our convention
# $\operatorname{ReLU}'(0) = 0$; the central difference $\bigl(C(b + h) - C(b - h)\bigr)/2h$ for $b^2_1$ straddles
# the kink — on the right of it the neuron is active, on the left it is not — and measures the *average* of the
# two one-sided slopes.

# %% role="locked" grade_id="given_gradcheck"
from solutions.gradcheck import DEFAULT_H, central_difference, relative_error

# %%
with checks.when_implemented("the gradient check at the kink"):
    weights = [np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, 0.5]])]
    x, y = np.array([[1.0], [1.0]]), np.array([[2.0]])
    for b2, where in [([[0.0], [0.3]], "z²₁ = 0, on the kink"), ([[0.2], [0.3]], "z²₁ = 0.2, away from it")]:
        biases = [np.array(b2), np.array([[0.1]])]
        grad_b, _ = backprop_with_activation(weights, biases, x, y, relu, relu_prime)
        def cost_of_b2(b):
            return 0.5 * float(np.sum((relu(weights[1] @ relu(weights[0] @ x + b) + biases[1]) - y) ** 2))
        numeric = central_difference(cost_of_b2, biases[0])
        print(f"{where}: backprop ∂C/∂b² = {grad_b[0].ravel()}, central differences {np.round(numeric.ravel(), 8)}, "
              f"relative error {relative_error(grad_b[0], numeric):.1e}")

# %% [markdown]
# On the kink the check fails loudly (relative error far above $10^{-7}$), although nothing is wrong with the code:
# the derivative does not exist there, backprop reports the left slope 0, the central difference reports the mean
# of 0 and the right slope. Away from the kink the two agree to rounding. So when a gradient check of a ReLU
# network fails, look at the $z$ values first: if some lie within $h$ of 0, the failure may be the kink, not a bug
# (move the test point, or check with inputs where no $|z| < h$). For training the kink does not matter: $z$ is
# almost never exactly 0 in floating point, and where it is, any value in $[0, 1]$ is a *subgradient* of ReLU —
# the slope of a line through the kink that stays below the function — so the convention 0 is as good as any.
#
# ## 6. A softmax output layer, backpropagated
#
# With a softmax output $a^L_j = e^{z^L_j}/\sum_k e^{z^L_k}$ every output depends on every weighted input, so
# BP1's shortcut (one $\sigma'(z_j)$ per output) no longer applies. Go back to the chain rule over all outputs:
#
# $$\delta^L_j = \frac{\partial C_x}{\partial z^L_j} = \sum_k \frac{\partial C_x}{\partial a^L_k}\,
# \frac{\partial a^L_k}{\partial z^L_j} = \bigl(J^T\nabla_a C_x\bigr)_j,\qquad
# J_{kj} = \frac{\partial a_k}{\partial z_j} = a_k\bigl(\mathbb 1[k = j] - a_j\bigr)$$
#
# (the Jacobian of assignment 2: $J = \operatorname{diag}(a) - a a^T$, which is symmetric). Multiplying out,
#
# $$\delta^L_j = a_j\frac{\partial C_x}{\partial a_j} - a_j\sum_k a_k\frac{\partial C_x}{\partial a_k}, \qquad\text{i.e.}\qquad
# \boxed{\delta^L = a \odot \bigl(\nabla_a C_x - (a^T\nabla_a C_x)\,\mathbb 1\bigr)} .$$
#
# The first term is the "diagonal" part an elementwise activation would have; the second, one number per sample,
# is what couples the outputs. For the categorical cross-entropy $C_x = -\sum_j y_j\ln a_j$: $\nabla_a C_x = -y/a$
# (elementwise), $a^T\nabla_a C_x = -\sum_j y_j = -1$ (the $y_j$ of a label add up to 1), and $\delta^L = a\odot(-y/a + 1) = a - y$ — the same simple
# output error as sigmoid with binary cross-entropy.
#
# *Worked example.* $a = (\frac12, \frac14, \frac14)$ and $\nabla_a C_x = (1, 0, 0)$: $a^T\nabla_a C_x = \frac12$,
# so $\delta = a\odot(\frac12, -\frac12, -\frac12) = (0.25, -0.125, -0.125)$ — the three entries add up to 0,
# as they must (adding the same number to every $z_j$ does not change a softmax).
#
# **Exercise (3 points).** Implement `softmax_backward(a, grad_a)`: $\delta^L$ from the softmax outputs and
# $\nabla_a C_x$, both $(n_L, m)$, one column per sample, without building $J$.

# %% role="locked" grade_id="given_softmax"
from solutions.costs import softmax, categorical_cross_entropy


from solutions.costs import SOFTMAX_CROSS_ENTROPY

# %% role="solution" grade_id="softmax_backward"
from solutions.softmax_layer import softmax_backward

# %% role="tests" grade_id="test_softmax_backward" points=3
a = np.array([[0.5], [0.25], [0.25]])
hint = ("δᴸ = Jᵀ∇ₐCₓ = a ⊙ (∇ₐCₓ − (aᵀ∇ₐCₓ)𝟙): every output depends on every zⱼ, so besides the diagonal term "
        "aⱼ ∂Cₓ/∂aⱼ there is −aⱼ Σₖ aₖ ∂Cₓ/∂aₖ, a sum down each column (sample)")
checks.expect_close(softmax_backward(a, np.array([[1.0], [0.0], [0.0]])), [[0.25], [-0.125], [-0.125]],
                    "δᴸ for a = (½, ¼, ¼), ∇ₐCₓ = (1, 0, 0)", rtol=1e-12, hint=hint)
checks.expect_close(softmax_backward(a, np.array([[-2.0], [0.0], [0.0]])), [[-0.5], [0.25], [0.25]],
                    "δᴸ for the cross-entropy gradient ∇ₐCₓ = −y/a with y = (1, 0, 0)", rtol=1e-12,
                    hint="for the cross-entropy the result is a − y. " + hint)
print("visible softmax_backward tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(609)
for n, m in [(3, 1), (4, 5), (10, 3), (2, 2)]:
    z, grad_a = rng.standard_normal((n, m)), rng.standard_normal((n, m))
    a = oracle.plain_softmax(z)
    got = checks.expect_inputs_unchanged(softmax_backward, a, grad_a, name="softmax_backward")
    checks.expect_close(got, oracle.softmax_jacobian_product(a, grad_a), f"δᴸ for n_L = {n}, m = {m}", rtol=1e-9,
                        hint=hint)
    # δᴸ really is ∂Cₓ/∂zᴸ, for a cost with ∇ₐCₓ = c + a (each column its own sample)
    c = rng.standard_normal((n, m))
    checks.expect_gradient(softmax_backward(a, c + a),
                           lambda v: float(np.sum(c * oracle.plain_softmax(v)) + 0.5 * np.sum(oracle.plain_softmax(v) ** 2)),
                           z, f"δᴸ against central differences of Cₓ(softmax(zᴸ)), n_L = {n}, m = {m}", hint=hint)
    y = np.eye(n)[:, rng.integers(0, n, m)]
    checks.expect_close(softmax_backward(a, -y / a), a - y, f"δᴸ for the categorical cross-entropy, n_L = {n}, m = {m}",
                        rtol=1e-9, atol=1e-12, hint="with ∇ₐCₓ = −y/a it must come out as a − y. " + hint)
# backpropagated end to end: the given backprop with your δᴸ for a softmax output layer, against central
# differences of the categorical cross-entropy of the whole network
via_yours = Cost("softmax output, δᴸ from softmax_backward", categorical_cross_entropy, softmax,
                 lambda z, a, y: softmax_backward(a, -y / a))
for sizes, m in [([3, 4, 3], 4), ([2, 3, 5], 2)]:
    weights, biases = oracle.random_network(sizes, seed=sum(sizes) + m)
    x, y = rng.standard_normal((sizes[0], m)), np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    grad_b, grad_w = backprop(weights, biases, x, y, via_yours)
    numeric_b, numeric_w = oracle.numeric_network_gradients(weights, biases, x, y, "softmax")
    for i in range(len(weights)):
        for got, want, name in [(grad_w[i], numeric_w[i], "∂C/∂W"), (grad_b[i], numeric_b[i], "∂C/∂b")]:
            error = checks.gradient_error(got, want)
            checks.expect(error <= 1e-7, f"backprop of a {'-'.join(map(str, sizes))} network with a softmax output "
                                         f"and your δᴸ: {name} of layer {i + 2} disagrees with central differences "
                                         f"(relative error {error:.1e}). " + hint)
### END HIDDEN TESTS

# %% [markdown]
# **Experiment: end to end.** The given `backprop` takes a `Cost`, so a softmax output layer needs nothing but a
# cost whose output activation is `softmax` and whose output error is $\delta^L$. We make one from your
# `softmax_backward` with $\nabla_a C_x = -y/a$, check the whole backpropagation against central differences,
# and train a $[64, 30, 10]$ network on the digits with it, next to the sigmoid output layer with binary
# cross-entropy of assignment 5. (The given `SOFTMAX_CROSS_ENTROPY` uses $\delta^L = a - y$ directly, which is
# what you showed it equals.)

# %%
SOFTMAX_VIA_JACOBIAN = Cost("softmax + cross-entropy, δᴸ = Jᵀ∇ₐC", categorical_cross_entropy, softmax,
                            lambda z, a, y: softmax_backward(a, -y / a))

with checks.when_implemented("the softmax experiment"):
    rng = np.random.default_rng(8)
    weights, biases = init_gaussian([4, 5, 3], seed=8)
    x, y = rng.standard_normal((4, 6)), np.eye(3)[:, rng.integers(0, 3, 6)]
    grad_b, grad_w = backprop(weights, biases, x, y, SOFTMAX_VIA_JACOBIAN)
    for i in range(2):
        numeric = central_difference(lambda w: total_cost(weights[:i] + [w] + weights[i + 1:], biases, x, y,
                                                          SOFTMAX_VIA_JACOBIAN), weights[i])
        print(f"∂C/∂W of layer {i + 2}: relative error against central differences {relative_error(grad_w[i], numeric):.1e}")
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for cost in (CROSS_ENTROPY, SOFTMAX_VIA_JACOBIAN):
        trained_w, trained_b, history = sgd(*init_gaussian([64, 30, 10], seed=0), digits.x_train, digits.y_train, 10,
                                            10, 0.3, cost, digits.x_test, digits.y_test, seed=0)
        ax.plot(history.epochs, 100 * np.array(history.test_accuracy), marker=".", label=cost.name)
        out = feedforward(trained_w, trained_b, digits.x_test[:, :3], cost.output_activation)[1][-1]
        print(f"{cost.name}: test accuracy {history.test_accuracy[-1]:.1%}; the outputs of 3 test images sum to "
              f"{np.round(out.sum(axis=0), 3)}")
    ax.set(xlabel="epoch", ylabel="test accuracy (%)", title="[64, 30, 10] on the digits, η = 0.3")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    plt.show()

# %% [markdown]
# Both output layers learn the digits about equally well. The softmax outputs sum to 1 for every image, so they
# can be read as the network's probabilities of the ten classes; the ten sigmoid outputs are ten separate yes/no
# answers and need not.
#
# ## 7. L2 regularisation: weight decay
#
# A network with many weights and few training samples can learn the training set by heart: its training
# accuracy reaches 100 % while its test accuracy stalls and its test cost starts to rise — **overfitting**. L2
# regularisation adds a penalty on large weights to the cost,
#
# $$C = C_0 + \frac{\lambda}{2n}\sum_l\lVert W^l\rVert^2 = C_0 + \frac{\lambda}{2n}\sum_{l, j, k}\bigl(w^l_{jk}\bigr)^2,$$
#
# with $C_0$ the cost so far, $\lambda \ge 0$ the **regularisation parameter** and $n$ the size of the *whole*
# training set. The biases are not penalised: a bias does not multiply an input, so a large one cannot make the
# network sensitive to small changes of its input. The extra term is a sum of squares, so
#
# $$\frac{\partial C}{\partial w^l_{jk}} = \frac{\partial C_0}{\partial w^l_{jk}} + \frac{\lambda}{n}w^l_{jk},
# \qquad \frac{\partial C}{\partial b^l_j} = \frac{\partial C_0}{\partial b^l_j}$$
#
# — backprop is unchanged, one term is added to BP4. A gradient step on $C$ becomes
#
# $$W^l \;\leftarrow\; W^l - \eta\Bigl(\frac{\partial C_0}{\partial W^l} + \frac\lambda n W^l\Bigr)
# = \Bigl(1 - \frac{\eta\lambda}{n}\Bigr)W^l - \eta\,\frac{\partial C_0}{\partial W^l},\qquad
# b^l \;\leftarrow\; b^l - \eta\,\frac{\partial C_0}{\partial b^l}:$$
#
# every step first shrinks the weights by the factor $1 - \eta\lambda/n$ — **weight decay** — then takes the
# ordinary step. On a mini-batch, $\partial C_0/\partial W^l$ is estimated by the batch average (our `backprop`);
# the penalty is a property of the weights, not of the samples, so its gradient is the same for every batch and
# keeps $n$, not the batch size $m$. (Nielsen writes the same step as
# $w \to (1 - \frac{\eta\lambda}{n})w - \frac\eta m\sum_x\partial C_x/\partial w$.)
#
# *Example.* $\eta = 0.1$, $\lambda = 2$, $n = 4$: the decay factor is $1 - 0.1\cdot 2/4 = 0.95$. A weight
# $w = 2$ with $\partial C_0/\partial w = 0.5$ becomes $0.95\cdot 2 - 0.1\cdot 0.5 = 1.85$ (without
# regularisation: 1.95).
#
# **Exercise (2 points).** Implement `l2_cost(weights, biases, x, y, cost, lmbda, n)`: the regularised cost
# $C_0 + \frac{\lambda}{2n}\sum_l\lVert W^l\rVert^2$, with $C_0$ = `total_cost(weights, biases, x, y, cost)`.
# (`lambda` is a Python keyword, hence `lmbda`.)

# %% role="solution" grade_id="l2_cost"
from solutions.regularisation import l2_cost

# %% role="tests" grade_id="test_l2_cost" points=2
def fixed_cost(weights, biases, x, y, cost):
    return 1.5                                       # a stand-in for total_cost: C₀ = 1.5
W, B = [np.array([[1.0, 2.0], [0.0, -1.0]]), np.array([[3.0, 0.0]])], [np.array([[5.0], [5.0]]), np.array([[5.0]])]
with checks.trusted(globals(), total_cost=fixed_cost):
    got = l2_cost(W, B, np.ones((2, 3)), np.ones((1, 3)), QUADRATIC, 0.2, 10)
# Σ w² = 1 + 4 + 0 + 1 + 9 = 15, and λ/2n = 0.2/20 = 0.01
checks.expect_close(got, 1.65, "the regularised cost for C₀ = 1.5, Σ w² = 15, λ = 0.2, n = 10", rtol=1e-12,
                    hint="C = C₀ + (λ/2n) Σₗ ‖Wˡ‖²: mind the ½, square every weight of every layer, and leave the "
                         "biases bˡ out of the penalty")
print("visible l2_cost tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(610)
def plain_total_cost(weights, biases, x, y, cost):
    return oracle.plain_cost(list(weights), list(biases), np.asarray(x, dtype=float), np.asarray(y, dtype=float),
                             cost.name)
for sizes, m, cost, lmbda, n in [([3, 4, 2], 5, CROSS_ENTROPY, 5.0, 1000), ([2, 3, 3, 1], 2, QUADRATIC, 0.5, 7),
                                 ([4, 2], 1, QUADRATIC, 0.0, 50)]:
    weights, biases = oracle.random_network(sizes, seed=sizes[1])
    x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
    squares = sum(float(v * v) for w in weights for v in w.ravel())
    expected = oracle.plain_cost(weights, biases, x, y, cost.name) + lmbda * squares / (2 * n)
    with checks.trusted(globals(), total_cost=plain_total_cost):
        got = l2_cost(weights, biases, x, y, cost, lmbda, n)
    checks.expect_close(got, expected, f"the regularised cost (network {'-'.join(map(str, sizes))}, λ = {lmbda}, "
                        f"n = {n}, {cost.name})", rtol=1e-10, hint="C₀ from total_cost with the cost given, plus "
                        "(λ/2n) Σ w² over the weights only (not the biases bˡ)")
### END HIDDEN TESTS

# %% [markdown]
# **Exercise (3 points).** Implement `sgd_step_l2(weights, biases, x_batch, y_batch, eta, cost, lmbda, n)`: one
# step on the regularised cost, updating the arrays **in place** like `sgd_step` of assignment 5 — the gradients
# from one call of `backprop` (at the parameters before the step), then
# $W^l \leftarrow (1 - \eta\lambda/n)W^l - \eta\,\partial C_0/\partial W^l$ and
# $b^l \leftarrow b^l - \eta\,\partial C_0/\partial b^l$.

# %% role="solution" grade_id="sgd_step_l2"
from solutions.regularisation import sgd_step_l2

# %% role="tests" grade_id="test_sgd_step_l2" points=3
checks.may_update_in_place("sgd_step_l2")   # updating the caller's arrays is its job
def fixed_gradients(weights, biases, x, y, cost):
    return [np.array([[0.2], [0.4]])], [np.array([[0.5, 0.0], [0.0, -1.0]])]      # ∂C₀/∂b², ∂C₀/∂W²
W, B = [np.array([[1.0, 2.0], [3.0, 4.0]])], [np.array([[1.0], [-1.0]])]
with checks.trusted(globals(), backprop=fixed_gradients):
    sgd_step_l2(W, B, np.ones((2, 2)), np.zeros((2, 2)), 0.1, QUADRATIC, 2.0, 4)    # a batch of m = 2, n = 4
# decay 1 − ηλ/n = 1 − 0.1·2/4 = 0.95: W ← 0.95 W − 0.1 ∂C₀/∂W, b ← b − 0.1 ∂C₀/∂b
checks.expect_close(W[0], [[0.9, 1.9], [2.85, 3.9]], "W² after one regularised step (η = 0.1, λ = 2, n = 4)",
                    rtol=1e-12, hint="Wˡ ← (1 − ηλ/n)Wˡ − η ∂C₀/∂Wˡ, with n the size of the training set passed in "
                                     "(not the batch size m), updated in place")
checks.expect_close(B[0], [[0.98], [-1.04]], "b² after one regularised step", rtol=1e-12,
                    hint="the biases are not regularised: bˡ ← bˡ − η ∂C₀/∂bˡ, no decay")
print("visible sgd_step_l2 tests passed")

### BEGIN HIDDEN TESTS
from grader import checks, oracle
rng = np.random.default_rng(611)
def numeric_backprop(weights, biases, x, y, cost):
    return oracle.numeric_network_gradients(list(weights), list(biases), np.asarray(x, dtype=float),
                                            np.asarray(y, dtype=float), cost.name)
for sizes, m, cost, eta, lmbda, n in [([3, 4, 2], 5, CROSS_ENTROPY, 0.5, 3.0, 60), ([2, 3, 3, 2], 1, QUADRATIC, 2.0, 0.4, 3),
                                      ([4, 3], 3, CROSS_ENTROPY, 0.7, 0.0, 10), ([2, 5, 3], 4, QUADRATIC, 1.5, 8.0, 12)]:
    weights, biases = oracle.random_network(sizes, seed=sizes[1] + 611)
    x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
    grad_b, grad_w = numeric_backprop(weights, biases, x, y, cost)
    expected_w = [(1 - eta * lmbda / n) * w - eta * g for w, g in zip(weights, grad_w)]
    expected_b = [b - eta * g for b, g in zip(biases, grad_b)]
    with checks.trusted(globals(), backprop=numeric_backprop):
        checks.expect_inputs_unchanged(lambda xb, yb: sgd_step_l2(weights, biases, xb, yb, eta, cost, lmbda, n), x, y,
                                       name="sgd_step_l2 (on x_batch, y_batch)")
    where = f"network {'-'.join(map(str, sizes))}, m = {m}, η = {eta}, λ = {lmbda}, n = {n}"
    for i in range(len(weights)):
        checks.expect_close(weights[i], expected_w[i], f"W of layer {i + 2} after one step ({where})", rtol=1e-9,
                            hint="Wˡ ← (1 − ηλ/n)Wˡ − η ∂C₀/∂Wˡ: the decay uses n, the size of the training set, not "
                                 "the batch size m; gradients taken before the step; in place")
        checks.expect_close(biases[i], expected_b[i], f"b of layer {i + 2} after one step ({where})", rtol=1e-9,
                            hint="the biases are not regularised: bˡ ← bˡ − η ∂C₀/∂bˡ (no decay factor)")
### END HIDDEN TESTS

# %% [markdown]
# **Experiment: overfitting, and what λ does about it.** First a check that the step and the cost belong together:
# the gradient of your `l2_cost` by central differences against `backprop`'s $\partial C_0/\partial W$ plus
# $\frac\lambda n W$. Then a $[64, 30, 10]$ network trained on only $n = 100$ training digits for 150 epochs
# ($\eta = 1$, mini-batches of 10), once with $\lambda = 0$ and once with $\lambda = 0.1$, measured after every
# epoch on those 100 and on the 297 test digits. The given `train_l2` runs the loop with your `sgd_step_l2`.

# %% role="locked" grade_id="given_train_l2"
from solutions.deep_experiments import train_l2

# %%
with checks.when_implemented("the regularisation experiment"):
    rng = np.random.default_rng(9)
    weights, biases = init_gaussian([3, 4, 2], seed=9)
    x, y, lmbda, n = rng.standard_normal((3, 5)), np.eye(2)[:, rng.integers(0, 2, 5)], 2.0, 5
    numeric = central_difference(lambda w: l2_cost([w, weights[1]], biases, x, y, CROSS_ENTROPY, lmbda, n), weights[0])
    analytic = backprop(weights, biases, x, y, CROSS_ENTROPY)[1][0] + lmbda / n * weights[0]
    print(f"∂C/∂W²: backprop + (λ/n)W against central differences of l2_cost: relative error "
          f"{relative_error(analytic, numeric):.1e}")
    fig, (ax_cost, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.8))
    for lmbda, style in [(0.0, "-"), (0.1, "--")]:
        trained, history = train_l2(digits.x_train[:, :100], digits.y_train[:, :100], digits.x_test, digits.y_test, lmbda)
        for name, costs, accs in [("training", history.train_cost, history.train_accuracy),
                                  ("test", history.test_cost, history.test_accuracy)]:
            ax_cost.plot(history.epochs, costs, style, label=f"{name}, λ = {lmbda}")
            ax_acc.plot(history.epochs, 100 * np.array(accs), style, label=f"{name}, λ = {lmbda}")
        best = int(np.argmin(history.test_cost)) + 1
        print(f"λ = {lmbda}: Σ‖Wˡ‖² = {sum(float(np.sum(w ** 2)) for w in trained):7.1f}; test cost lowest after "
              f"epoch {best} ({min(history.test_cost):.3f}), {history.test_cost[-1]:.3f} after 150; test accuracy "
              f"{history.test_accuracy[-1]:.1%}, training accuracy {history.train_accuracy[-1]:.0%}")
    ax_cost.set(xlabel="epoch", ylabel="cost C₀ (without the penalty)", title="Cost", ylim=(0, 2))
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy", ylim=(60, 101))
    for ax in (ax_cost, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    plt.show()

# %% [markdown]
# Without regularisation the network learns the 100 training images perfectly; its test cost is lowest after a
# few dozen epochs and then climbs: the network grows ever more confident on the training images, including in
# its mistakes on the test set — its weights keep growing. With $\lambda = 0.1$ the sum of the squared weights
# (the printed $\sum\lVert W^l\rVert^2$) stays about half as large and the test cost stays near its lowest
# value instead of climbing. The test *accuracy* moves much less than the test cost on so small a problem (here
# not at all); on larger networks and data sets (Nielsen's MNIST experiments) regularisation also buys accuracy.
# Try $\lambda = 3$: too strong a penalty keeps the weights so small that the network cannot fit even its
# training set (it gets about half of it right).
#
# ## Summary
#
# * Reverse-mode differentiation: every operation knows its local gradients; visiting the nodes in reversed
#   topological order and adding up parent.grad += local × node.grad gives every ∂root/∂node in one pass.
# * On the network's cost graph this pass *is* BP1–BP4: BP2's $(W^{l+1})^T$ is the sum over the mul nodes that use
#   $a^l_j$, its $\sigma'(z^l)$ the sigmoid node's local gradient, and the batch average is one multiply node by
#   $\frac1m$ at the top, whose local gradient $\frac1m$ reaches every sample's part of the graph: the average over
#   the batch in BP3 and BP4.
# * $\operatorname{Var} z_j = s^2\sum_k a_k^2 + 1$: weights from $N(0, 1/n_{l-1})$ keep neurons out of saturation
#   however many inputs they have; how much a saturated start costs depends on how many inputs that is.
# * Unrolled BP2 multiplies one $\sigma'(z) \le \frac14$ per layer: in deep sigmoid networks the early layers'
#   gradients vanish (about 5× per layer here). tanh and ReLU enter BP1 and BP2 through $f'$ and shrink them less;
#   at ReLU's kink a gradient check fails without a bug.
# * A softmax output layer: $\delta^L = a\odot(\nabla_a C_x - (a^T\nabla_a C_x)\mathbb 1)$, which is $a - y$ for
#   the categorical cross-entropy; backpropagation needs nothing else.
# * L2 regularisation adds $\frac\lambda n W^l$ to $\partial C/\partial W^l$: each step decays the weights by
#   $1 - \eta\lambda/n$ (with $n$ the training-set size), which keeps them small and the test cost from rising.
