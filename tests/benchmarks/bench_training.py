"""Benchmark: one epoch of the reference mini-batch training against the textbook
per-example algorithm, and against the bare matrix multiplications of the epoch.

MNIST-shaped seeded random data (50,000 samples × 784 inputs, 10 classes), network
[784, 30, 10], η = 3.0, cross-entropy. Everything is measured in this one run, side by
side; the figures are printed, never asserted (shared machines are noisy).

Run: ``make bench`` (or ``python tests/benchmarks/bench_training.py [--repeats N]``).
"""

import argparse
import time

import numpy as np

from solutions import CROSS_ENTROPY, init_network, sgd, sigmoid, sigmoid_prime

SIZES = (784, 30, 10)
N_SAMPLES, ETA, SEED = 50_000, 3.0, 0


def make_data():
    """Seeded MNIST-shaped data: x (784, 50000) in [0, 1), one-hot y (10, 50000)."""
    rng = np.random.default_rng(SEED)
    x = np.asfortranarray(rng.random((SIZES[0], N_SAMPLES)))  # sample columns contiguous, like the loaders
    y = np.eye(SIZES[-1])[:, rng.integers(0, SIZES[-1], N_SAMPLES)]
    return x, y


def textbook_backprop(weights, biases, x, y):
    """Per-sample backprop as in the textbook: x (784, 1), y (10, 1), cross-entropy δᴸ = a − y."""
    activation, activations, zs = x, [x], []
    for w, b in zip(weights, biases):
        z = np.dot(w, activation) + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    delta = activations[-1] - y
    nabla_b, nabla_w = [None] * len(weights), [None] * len(weights)
    nabla_b[-1], nabla_w[-1] = delta, np.dot(delta, activations[-2].T)
    for layer in range(2, len(SIZES)):
        delta = np.dot(weights[-layer + 1].T, delta) * sigmoid_prime(zs[-layer])
        nabla_b[-layer], nabla_w[-layer] = delta, np.dot(delta, activations[-layer - 1].T)
    return nabla_b, nabla_w


def textbook_epoch(net, x, y, batch_size):
    """One epoch, same shuffling as the reference: one backprop call per sample, gradients summed."""
    weights, biases = [w.copy() for w in net[0]], [b.copy() for b in net[1]]
    order = np.random.default_rng(SEED).permutation(x.shape[1])
    for start in range(0, x.shape[1], batch_size):
        batch = order[start : start + batch_size]
        nabla_b = [np.zeros(b.shape) for b in biases]
        nabla_w = [np.zeros(w.shape) for w in weights]
        for j in batch:
            db, dw = textbook_backprop(weights, biases, x[:, j : j + 1], y[:, j : j + 1])
            nabla_b = [nb + d for nb, d in zip(nabla_b, db)]
            nabla_w = [nw + d for nw, d in zip(nabla_w, dw)]
        scale = ETA / len(batch)
        weights = [w - scale * nw for w, nw in zip(weights, nabla_w)]
        biases = [b - scale * nb for b, nb in zip(biases, nabla_b)]
    return weights, biases


def reference_epoch(net, x, y, batch_size):
    """One epoch of the reference :func:`solutions.sgd` (mini-batch matrix form)."""
    weights, biases, _ = sgd(*net, x, y, epochs=1, batch_size=batch_size, eta=ETA, cost=CROSS_ENTROPY,
                             seed=SEED, monitor=False)
    return weights, biases


def matmul_only_epoch(net, x, y, batch_size):
    """Just the epoch's matrix products: W²X, W³A², (W³)ᵀδ³, δ³(A²)ᵀ, δ²Xᵀ per mini-batch."""
    w2, w3 = net[0]
    for start in range(0, x.shape[1], batch_size):
        xb = x[:, start : start + batch_size]
        a2 = w2 @ xb
        d3 = w3 @ a2
        d2 = w3.T @ d3
        d3 @ a2.T
        d2 @ xb.T


def best_time(fn, repeats, *args):
    """Smallest wall time of `repeats` calls (the least disturbed run), and the last result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def agreement(net, x, y, n=200):
    """Largest |weight difference| between the two algorithms after one epoch on n samples.

    Compared on a short prefix only: SGD with η = 3 on random labels is chaotic, so over a
    full epoch even a 1e-15 change of one weight grows to O(1e-3..1) differences.
    """
    x, y = np.asfortranarray(x[:, :n]), y[:, :n]
    ref_w, _ = reference_epoch(net, x, y, 10)
    book_w, _ = textbook_epoch(net, x, y, 10)
    return max(float(np.max(np.abs(a - b))) for a, b in zip(ref_w, book_w))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the best is kept")
    args = parser.parse_args(argv)
    x, y = make_data()
    net = init_network(SIZES, seed=SEED)
    print(f"one epoch, {N_SAMPLES} samples, sizes {list(SIZES)}, eta {ETA}; best of {args.repeats}")
    print(f"same updates: max |weight difference| after {200} samples = {agreement(net, x, y):.1e}")
    for batch_size in (10, 128):
        t_ref, _ = best_time(reference_epoch, args.repeats, net, x, y, batch_size)
        t_book, _ = best_time(textbook_epoch, max(1, args.repeats - 1), net, x, y, batch_size)
        line = (f"mini-batch {batch_size:3d}: per-example textbook {t_book:6.3f} s   matrix form {t_ref:6.3f} s   "
                f"speed-up {t_book / t_ref:5.1f}x")
        if batch_size == 10:
            print(line + "   (target >= 10x)")
        else:
            t_mm, _ = best_time(matmul_only_epoch, args.repeats, net, x, y, batch_size)
            print(line)
            print(f"mini-batch {batch_size:3d}: matrix products alone {t_mm:6.3f} s   "
                  f"matrix form / products {t_ref / t_mm:5.2f}x   (target <= 2x)")


if __name__ == "__main__":
    main()
