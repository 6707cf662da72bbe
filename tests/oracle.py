"""Independent oracles for the tests: a plain forward pass and central differences
written from the formulas, sharing no code with ``solutions``."""

import math

import numpy as np

H = 1e-5
GRAD_TOL = 1e-7


def plain_sigmoid(z):
    """σ by the textbook formula, elementwise in Python floats (fine for |z| < 700)."""
    return np.vectorize(lambda v: 1.0 / (1.0 + math.exp(-v)))(z)


def plain_softmax(z):
    out = np.empty_like(z, dtype=float)
    for col in range(z.shape[1]):
        e = [math.exp(v - max(z[:, col])) for v in z[:, col]]
        out[:, col] = [v / sum(e) for v in e]
    return out


def plain_cost(weights, biases, x, y, kind):
    """Batch-average cost of a sigmoid network, one sample (column) at a time."""
    m = x.shape[1]
    total = 0.0
    for col in range(m):
        a = x[:, col : col + 1]
        for i, (w, b) in enumerate(zip(weights, biases)):
            z = w @ a + b
            last = i == len(weights) - 1
            a = plain_softmax(z) if (last and kind == "softmax") else plain_sigmoid(z)
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


def rel_error(g, g_hat):
    """max|g − ĝ| / max(1e-8, max(|g| + |ĝ|)), as in the course's numerics policy."""
    g, g_hat = np.asarray(g, float), np.asarray(g_hat, float)
    return float(np.max(np.abs(g - g_hat)) / max(1e-8, float(np.max(np.abs(g) + np.abs(g_hat)))))


def numeric_network_gradients(weights, biases, x, y, kind):
    """Central-difference gradients of plain_cost for every weight and bias."""
    grad_w = []
    for i in range(len(weights)):
        grad_w.append(central_gradient(
            lambda p: plain_cost(weights[:i] + [p] + weights[i + 1:], biases, x, y, kind), weights[i]))
    grad_b = []
    for i in range(len(biases)):
        grad_b.append(central_gradient(
            lambda p: plain_cost(weights, biases[:i] + [p] + biases[i + 1:], x, y, kind), biases[i]))
    return grad_b, grad_w
