"""Correct answers written differently from the reference: each must earn full marks.

(assignment, function, source). Loops instead of vectorisation, np.multiply and einsum,
other stable forms of σ and softmax, other but correct intermediate shapes — and code
written the way people write it: decorators, module-level caches and constants computed
at top level, callable objects and lambdas, helper code and prints around the function.
"""

VALID_VARIANTS = [
    ("01_sigmoid_neurons", "perceptron_output", '''
def perceptron_output(w, x, b):
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        return int(sum(wi * xi for wi, xi in zip(w, x)) + b > 0)
    return np.array([int(sum(w[k] * x[k, c] for k in range(len(w))) + b > 0) for c in range(x.shape[1])])
'''),
    ("01_sigmoid_neurons", "sigmoid", '''
def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))
'''),
    ("01_sigmoid_neurons", "sigmoid", '''
def sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))
'''),
    ("01_sigmoid_neurons", "sigmoid_prime", '''
def sigmoid_prime(z):
    s = sigmoid(z)
    return np.multiply(s, np.subtract(1, s))
'''),
    ("02_cost_functions", "quadratic_cost", '''
def quadratic_cost(a, y):
    return float(np.mean(0.5 * np.sum((np.asarray(a) - np.asarray(y)) ** 2, axis=0)))
'''),
    ("02_cost_functions", "softmax", '''
def softmax(z):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=0)
    log_norm = np.log(np.sum(np.exp(shifted), axis=0))
    return np.exp(shifted - log_norm)
'''),
    ("02_cost_functions", "categorical_cross_entropy", '''
def categorical_cross_entropy(a, y):
    a = np.clip(a, 1e-12, 1.0)
    return -float(np.einsum("jm,jm->", y, np.log(a))) / a.shape[1]
'''),
    ("03_hadamard_forward", "hadamard", '''
def hadamard(s, t):
    s, t = np.asarray(s), np.asarray(t)
    if s.shape != t.shape:
        raise ValueError("shapes differ")
    return np.multiply(s, t)
'''),
    ("03_hadamard_forward", "feedforward", '''
def feedforward(weights, biases, x, output_activation=sigmoid):
    activations = [np.asarray(x, dtype=float)]
    zs = []
    for layer, (w, b) in enumerate(zip(weights, biases)):
        z = np.dot(w, activations[-1]) + b
        zs.append(z)
        activations.append(output_activation(z) if layer == len(weights) - 1 else sigmoid(z))
    return zs, activations
'''),
    ("04_backpropagation", "bp2_hidden_error", '''
def bp2_hidden_error(w_next, delta_next, z):
    return np.einsum("kj,km->jm", w_next, delta_next) * sigmoid_prime(z)
'''),
    ("04_backpropagation", "bp3_bias_gradient", '''
def bp3_bias_gradient(delta):
    return np.mean(delta, axis=1).reshape(-1, 1)
'''),
    ("04_backpropagation", "bp4_weight_gradient", '''
def bp4_weight_gradient(delta, a_prev):
    m = delta.shape[1]
    return sum(np.outer(delta[:, c], a_prev[:, c]) for c in range(m)) / m
'''),
    ("04_backpropagation", "central_difference", '''
def central_difference(f, x, h=DEFAULT_H):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        step = np.zeros(x.size)
        step[i] = h
        step = step.reshape(x.shape)
        grad.flat[i] = (f(x + step) - f(x - step)) / (2 * h)
    return grad
'''),
    ("05_training", "sgd_step", '''
def sgd_step(weights, biases, x_batch, y_batch, eta, cost):
    grad_b, grad_w = backprop(weights, biases, x_batch, y_batch, cost)
    for i in range(len(weights)):
        np.subtract(weights[i], eta * grad_w[i], out=weights[i])
        np.subtract(biases[i], eta * grad_b[i], out=biases[i])
'''),
    ("01_sigmoid_neurons", "sigmoid", '''
import math


@np.vectorize
def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)
'''),
    ("01_sigmoid_neurons", "sigmoid_prime", '''
_seen = {}   # a module-level cache of earlier answers


def sigmoid_prime(z):
    z = np.asarray(z, dtype=float)
    key = (z.shape, z.tobytes())
    if key not in _seen:
        s = sigmoid(z)
        _seen[key] = s * (1.0 - s)
    return _seen[key][()] if z.ndim == 0 else _seen[key].copy()
'''),
    ("01_sigmoid_neurons", "perceptron_output", '''
THRESHOLD = float(np.zeros(1)[0])      # computed at top level, not a literal
print("perceptron helper loaded")


class Perceptron:
    """A callable object standing in for a function."""

    def __call__(self, w, x, b):
        return (np.asarray(w) @ np.asarray(x) + b > THRESHOLD).astype(int)


perceptron_output = Perceptron()
'''),
    ("01_sigmoid_neurons", "sigmoid_prime", '''
import functools


def _trace(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)
    return wrapper


sigmoid_prime = _trace(lambda z: sigmoid(z) * (1.0 - sigmoid(z)))
'''),
    ("05_training", "learning_rate_sweep", '''
def learning_rate_sweep(etas, epochs=10):
    runs = {}
    for eta in np.asarray(etas, dtype=float):          # numpy floats as the keys
        start = init_network([64, 30, 10], seed=0)
        runs[eta] = sgd(*start, digits.x_train, digits.y_train, epochs, 10, eta, CROSS_ENTROPY,
                        digits.x_test, digits.y_test, seed=0)[2]
    return runs
'''),
    ("05_training", "learning_slowdown", '''
class Run(History):
    """A History of one's own: a subclass of the given one."""


def learning_slowdown(epochs=30, eta=0.15):
    x, y = np.ones((1, 1)), np.zeros((1, 1))
    runs = {}
    for name, cost in [("quadratic", QUADRATIC), ("cross-entropy", CROSS_ENTROPY)]:
        history = sgd([np.array([[2.0]])], [np.array([[2.0]])], x, y, epochs, 1, eta, cost)[2]
        runs[name] = Run(**vars(history))
    return runs
'''),
    ("05_training", "sgd_step", '''
def sgd_step(weights, biases, x_batch, y_batch, eta, cost):
    grad_b, grad_w = backprop(weights, biases, x_batch, y_batch, cost)
    for param, grad in zip(weights + biases, grad_w + grad_b):
        param -= eta * grad
    return weights, biases          # returned as well: updating in place is what counts
'''),    ("06_deep_networks", "local_gradients", '''
RULES = {                            # one backward rule per operation, from the parents' values
    "add": lambda node: tuple(1.0 for _ in node.parents),
    "mul": lambda node: (node.parents[1].data, node.parents[0].data),
    "sigmoid": lambda node: (sigmoid_prime(node.parents[0].data),),
    "log": lambda node: (1 / node.parents[0].data,),
}


def local_gradients(node):
    return RULES[node.op](node) if node.parents else ()
'''),
    ("06_deep_networks", "topological_order", '''
def topological_order(root):
    order, seen, stack = [], set(), [(root, False)]      # an explicit stack instead of recursion
    while stack:
        node, finished = stack.pop()
        if finished:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack.extend((parent, False) for parent in node.parents)
    return order
'''),
    ("06_deep_networks", "backward", '''
def backward(root):
    order = topological_order(root)
    grads = {node: 0.0 for node in order}               # accumulated in a dict, written once at the end
    grads[root] = 1.0
    for node in order[::-1]:
        for parent, local in zip(node.parents, local_gradients(node)):
            grads[parent] = grads[parent] + local * grads[node]
    for node, grad in grads.items():
        node.grad = grad
'''),
    ("06_deep_networks", "network_cost_graph", '''
def network_cost_graph(weights, biases, x, y):
    leaf = np.vectorize(Value, otypes=[object])          # numpy arrays of Values, matrix products of nodes
    w_nodes, b_nodes = [leaf(np.asarray(w, dtype=float)) for w in weights], [leaf(np.asarray(b, dtype=float)) for b in biases]
    a = np.asarray(x, dtype=float)
    for w, b in zip(w_nodes, b_nodes):
        a = np.vectorize(lambda v: v.sigmoid(), otypes=[object])(w @ a + b)
    y = np.asarray(y, dtype=float)
    logs = np.vectorize(lambda v: v.log(), otypes=[object])
    total = np.sum(y * logs(a) + (1 - y) * logs(1 - a))
    return total * (-1.0 / a.shape[1]), [w.tolist() for w in w_nodes], [b.ravel().tolist() for b in b_nodes]
'''),
    ("06_deep_networks", "network_cost_graph", '''
def network_cost_graph(weights, biases, x, y):
    weight_nodes = [[[Value(float(v)) for v in row] for row in w] for w in weights]
    bias_nodes = [[Value(float(v)) for v in b.ravel()] for b in biases]
    total = Value(0.0)                                   # as deep as plain code makes it: one running sum
    for s in range(x.shape[1]):
        a = [float(v) for v in x[:, s]]
        for W, B in zip(weight_nodes, bias_nodes):
            out = []
            for row, b in zip(W, B):
                z = Value(0.0)
                for w, a_k in zip(row, a):
                    z = z + w * a_k
                out.append((z + b).sigmoid())
            a = out
        for a_j, y_j in zip(a, y[:, s]):
            total = total - (1 - y_j) * (1 - a_j).log()
            total = total - y_j * a_j.log()
    return total * (1.0 / x.shape[1]), weight_nodes, bias_nodes
'''),
    ("06_deep_networks", "init_gaussian", '''
def init_gaussian(sizes, seed=0, scaled=True):
    rng = np.random.default_rng(seed)
    pairs = list(zip(sizes[:-1], sizes[1:]))
    biases = [rng.normal(0.0, 1.0, size=(n_out, 1)) for _, n_out in pairs]      # other draws, in another order
    weights = [rng.normal(0.0, 1.0 / np.sqrt(n_in) if scaled else 1.0, size=(n_out, n_in)) for n_in, n_out in pairs]
    return weights, biases
'''),
    ("06_deep_networks", "gradient_norms", '''
def gradient_norms(weights, biases, x, y, cost):
    return [float(np.linalg.norm(g)) for g in backprop(weights, biases, x, y, cost)[0]]    # a list of floats
'''),
    ("06_deep_networks", "relu_prime", '''
def relu_prime(z):
    return np.heaviside(np.asarray(z, dtype=float), 0.0)
'''),
    ("06_deep_networks", "softmax_backward", '''
def softmax_backward(a, grad_a):
    delta = np.empty(np.shape(grad_a))
    for col in range(np.shape(a)[1]):                    # the Jacobian built for every sample
        s = a[:, col]
        jacobian = np.diag(s) - np.outer(s, s)
        delta[:, col] = jacobian.T @ grad_a[:, col]
    return delta
'''),
    ("06_deep_networks", "sgd_step_l2", '''
def sgd_step_l2(weights, biases, x_batch, y_batch, eta, cost, lmbda, n):
    grad_b, grad_w = backprop(weights, biases, x_batch, y_batch, cost)
    for w, grad in zip(weights, grad_w):
        w -= eta * (grad + lmbda / n * w)                # the regularised gradient, then the plain step
    for b, grad in zip(biases, grad_b):
        b -= eta * grad
'''),
    ("06_deep_networks", "tanh_prime", '''
def tanh_prime(z):
    t = np.tanh(z)
    return (1.0 - t) * (1.0 + t)                         # 1 − t² factored (1/cosh² would warn of overflow far out)
'''),
    ("06_deep_networks", "l2_cost", '''
def l2_cost(weights, biases, x, y, cost, lmbda, n):
    penalty = 0.0
    for w in weights:                                    # a loop over every weight, one at a time
        for value in np.ravel(w):
            penalty += value * value
    return total_cost(weights, biases, x, y, cost) + 0.5 * lmbda * penalty / n
'''),
    ("06_deep_networks", "backprop_with_activation", '''
def backprop_with_activation(weights, biases, x, y, f, f_prime):
    m = x.shape[1]                                       # one sample at a time, the per-sample gradients averaged
    grad_b = [np.zeros(b.shape) for b in biases]
    grad_w = [np.zeros(w.shape) for w in weights]
    for col in range(m):
        a, zs, activations = x[:, [col]], [], [x[:, [col]]]
        for w, b in zip(weights, biases):
            zs.append(w @ a + b)
            a = f(zs[-1])
            activations.append(a)
        delta = (a - y[:, [col]]) * f_prime(zs[-1])
        for i in range(len(weights) - 1, -1, -1):
            grad_b[i] += delta / m
            grad_w[i] += delta @ activations[i].T / m
            if i > 0:
                delta = (weights[i].T @ delta) * f_prime(zs[i - 1])
    return grad_b, grad_w
'''),
]
