"""Trusted, deliberately plain implementations used as oracles by the hidden tests and the
test suite: written straight from the formulas (elementwise where that is clearer) and
sharing no code with ``solutions``. Small inputs only: clarity over speed.

They live on the trusted side of grading only: nothing here is shipped to students or
importable by their code while it is graded."""

import math

import numpy as np

from backprop_kit.checks import gradient_error as rel_error  # noqa: F401  (the course's relative error)

H = 1e-5


def plain_sigmoid(z):
    """σ by the textbook formula 1 / (1 + e^{−z}) (fine for |z| < 700, where e^{−z} cannot overflow)."""
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def stable_sigmoid(z):
    """σ(z) = exp(−log(1 + e^{−z})), via np.logaddexp: no overflow for any z."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def plain_softmax(z):
    out = np.empty_like(z, dtype=float)
    for col in range(z.shape[1]):
        e = [math.exp(v - max(z[:, col])) for v in z[:, col]]
        out[:, col] = [v / sum(e) for v in e]
    return out


def plain_cost(weights, biases, x, y, kind, activation=None):
    """Batch-average cost of a network, one sample (column) at a time: every layer applies
    ``activation`` (default σ), except a ``"softmax"`` cost's output layer, which applies softmax."""
    activation = activation or plain_sigmoid
    m = x.shape[1]
    total = 0.0
    for col in range(m):
        a = x[:, col : col + 1]
        for i, (w, b) in enumerate(zip(weights, biases)):
            z = w @ a + b
            last = i == len(weights) - 1
            a = plain_softmax(z) if (last and kind == "softmax") else activation(z)
        t = y[:, col : col + 1]
        if kind == "quadratic":
            total += 0.5 * float(np.sum((a - t) ** 2))
        elif kind == "cross-entropy":
            total -= float(np.sum(t * np.log(a) + (1 - t) * np.log(1 - a)))
        else:
            total -= float(np.sum(t * np.log(a)))
    return total / m


def central_gradient(f, x, h=H):
    """Central differences of a scalar function f at x (x is copied)."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + h
        up = f(x)
        x[idx] = old - h
        down = f(x)
        x[idx] = old
        g[idx] = (up - down) / (2 * h)
    return g


def numeric_parameter_gradients(cost, weights, biases):
    """Central-difference gradients of cost(weights, biases) -> float, in backprop's layout
    (grad_b, grad_w)."""
    grad_b = [central_gradient(lambda p, i=i: cost(weights, biases[:i] + [p] + biases[i + 1:]), b)
              for i, b in enumerate(biases)]
    grad_w = [central_gradient(lambda p, i=i: cost(weights[:i] + [p] + weights[i + 1:], biases), w)
              for i, w in enumerate(weights)]
    return grad_b, grad_w


def numeric_network_gradients(weights, biases, x, y, kind):
    """Central-difference gradients of plain_cost for every weight and bias."""
    return numeric_parameter_gradients(lambda ws, bs: plain_cost(ws, bs, x, y, kind), weights, biases)


def plain_sigmoid_prime(z):
    """σ'(z) = σ(z)(1 − σ(z)), elementwise."""
    s = plain_sigmoid(z)
    return s * (1 - s)


def loop_bp1(grad_a, z):
    """BP1 by indices: δⱼ = ∂C/∂aⱼ · σ'(zⱼ) for every sample column."""
    out = np.zeros(np.shape(z))
    for j, c in np.ndindex(out.shape):
        out[j, c] = grad_a[j, c] * plain_sigmoid_prime(z[j, c])
    return out


def loop_bp2(w_next, delta_next, z):
    """BP2 by indices: δⱼ = Σₖ w_kj δₖ σ'(zⱼ)."""
    out = np.zeros(np.shape(z))
    for j, c in np.ndindex(out.shape):
        out[j, c] = sum(w_next[k, j] * delta_next[k, c] for k in range(w_next.shape[0])) * plain_sigmoid_prime(z[j, c])
    return out


def loop_bp3(delta):
    """BP3 averaged over the batch: ∂C/∂bⱼ = (1/m) Σₓ δⱼₓ, shape (n, 1)."""
    return np.array([[sum(row) / len(row)] for row in np.asarray(delta, dtype=float)])


def loop_bp4(delta, a_prev):
    """BP4 averaged over the batch: ∂C/∂w_jk = (1/m) Σₓ a_kₓ δ_jₓ."""
    m = delta.shape[1]
    out = np.zeros((delta.shape[0], a_prev.shape[0]))
    for j, k in np.ndindex(out.shape):
        out[j, k] = sum(a_prev[k, c] * delta[j, c] for c in range(m)) / m
    return out


def random_network(sizes, seed):
    """Seeded random parameters: weights[i] (sizes[i+1], sizes[i]) ~ N(0, 1), biases[i] (sizes[i+1], 1)."""
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    biases = [rng.standard_normal((n_out, 1)) for n_out in sizes[1:]]
    return weights, biases


def plain_feedforward(weights, biases, x, output_activation=None):
    """Forward pass one sample (column) and one neuron at a time: zⱼˡ = Σₖ w_jkˡ aₖˡ⁻¹ + bⱼˡ.

    Hidden layers use σ; the last layer uses ``output_activation`` (σ when None).

    Parameters
    ----------
    weights : list of ndarray, weights[i] = W^{i+2} of shape (n_{i+2}, n_{i+1})
    biases : list of ndarray, biases[i] = b^{i+2} of shape (n_{i+2}, 1)
    x : ndarray (n_1, m)
        m samples as columns.
    output_activation : callable (n_L, 1) -> (n_L, 1), optional

    Returns
    -------
    zs : list of ndarray, zs[i] = z^{i+2} of shape (n_{i+2}, m)
    activations : list of ndarray, activations[i] = a^{i+1} (activations[0] = x)
    """
    x = np.asarray(x, dtype=float)
    zs = [np.zeros((w.shape[0], x.shape[1])) for w in weights]
    acts = [x.copy()] + [np.zeros_like(z) for z in zs]
    for col in range(x.shape[1]):
        a = x[:, col]
        for i, (w, b) in enumerate(zip(weights, biases)):
            z = np.array([sum(w[j, k] * a[k] for k in range(w.shape[1])) + b[j, 0] for j in range(w.shape[0])])
            zs[i][:, col] = z
            if i == len(weights) - 1 and output_activation is not None:
                a = np.asarray(output_activation(z.reshape(-1, 1)), dtype=float).ravel()
            else:
                a = stable_sigmoid(z)
            acts[i + 1][:, col] = a
    return zs, acts


def strict_hadamard(s, t):
    """s ⊙ t for two arrays of one shape: no broadcasting (which could turn two small inputs
    into a huge result)."""
    s, t = np.asarray(s, dtype=float), np.asarray(t, dtype=float)
    if s.shape != t.shape:
        raise ValueError(f"s ⊙ t needs two arrays of one shape, got {s.shape} and {t.shape}")
    return s * t


def graph_local_gradients(node):
    """∂node/∂parent for each parent of a computational-graph node, from the parents' values:
    add → 1 each, mul → the other factor, sigmoid → σ'(u) of its input u, log → 1/u."""
    inputs = [float(p.data) for p in node.parents]
    if not inputs:
        return ()
    if node.op == "add":
        return tuple(1.0 for _ in inputs)
    if node.op == "mul" and len(inputs) == 2:
        return (inputs[1], inputs[0])
    if node.op == "sigmoid" and len(inputs) == 1:
        return (float(plain_sigmoid_prime(inputs[0])),)
    if node.op == "log" and len(inputs) == 1:
        return (1.0 / inputs[0],)
    raise ValueError(f"a node with operation {node.op!r} and {len(inputs)} parents")


def graph_topological_order(root):
    """The nodes the root depends on, each once, parents before children (Kahn's algorithm on
    the reversed edges; no recursion)."""
    seen, stack, nodes = {id(root)}, [root], []
    while stack:
        node = stack.pop()
        nodes.append(node)
        for parent in node.parents:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    uses = {id(n): 0 for n in nodes}           # how many edges leave each node towards the root
    for node in nodes:
        for parent in node.parents:
            uses[id(parent)] += 1
    ready, reverse = [root], []
    while ready:
        node = ready.pop()
        reverse.append(node)
        for parent in node.parents:
            uses[id(parent)] -= 1
            if uses[id(parent)] == 0:
                ready.append(parent)
    return reverse[::-1]


def graph_backward(root):
    """Set ``grad`` of every node of the root's graph to ∂root/∂node (reverse mode)."""
    order = graph_topological_order(root)
    grads = {id(n): 0.0 for n in order}
    grads[id(root)] = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, graph_local_gradients(node)):
            grads[id(parent)] += local * grads[id(node)]
    for node in order:
        node.grad = grads[id(node)]


def is_topological_order(order, root):
    """(True, "") if ``order`` lists every node the root depends on exactly once, each after its
    parents and the root last; else (False, what is wrong)."""
    expected = {id(n) for n in graph_topological_order(root)}
    ids = [id(n) for n in order]
    if len(ids) != len(set(ids)):
        return False, "a node is listed more than once"
    if set(ids) != expected:
        missing, extra = len(expected - set(ids)), len(set(ids) - expected)
        return False, f"{missing} node(s) of the graph are missing and {extra} listed node(s) are not in it"
    position = {i: k for k, i in enumerate(ids)}
    for node in order:
        if any(position[id(p)] > position[id(node)] for p in node.parents):
            return False, "a node comes before one of its parents"
    if ids[-1] != id(root):
        return False, "the root is not last"
    return True, ""


def plain_activation_cost(weights, biases, x, y, f):
    """Batch-average quadratic cost of a network whose every layer uses activation f."""
    return plain_cost(weights, biases, x, y, "quadratic", activation=f)


def softmax_jacobian_product(a, grad_a):
    """Jᵀ∇ₐC per column, with the softmax Jacobian J_kj = a_k(𝟙[k = j] − a_j) built entry by entry."""
    a, grad_a = np.asarray(a, dtype=float), np.asarray(grad_a, dtype=float)
    out = np.zeros_like(a)
    n = a.shape[0]
    for col in range(a.shape[1]):
        jac = [[a[k, col] * ((1.0 if k == j else 0.0) - a[j, col]) for j in range(n)] for k in range(n)]
        for j in range(n):
            out[j, col] = sum(jac[k][j] * grad_a[k, col] for k in range(n))
    return out


#: Known-good building blocks by the name of the function students write; a test that
#: grades one idea swaps these in for the others (``checks.trusted(globals(), "sigmoid")``).
KNOWN_GOOD = {
    "sigmoid": stable_sigmoid,
    "sigmoid_prime": plain_sigmoid_prime,
    "hadamard": strict_hadamard,
    "softmax": plain_softmax,
    "feedforward": plain_feedforward,
    "bp1_output_error": loop_bp1,
    "bp2_hidden_error": loop_bp2,
    "bp3_bias_gradient": loop_bp3,
    "bp4_weight_gradient": loop_bp4,
    "local_gradients": graph_local_gradients,
    "topological_order": graph_topological_order,
    "backward": graph_backward,
}
