"""Mini-batch stochastic gradient descent, with a per-epoch history.

One epoch: shuffle the training columns (seeded), cut them into mini-batches of
``batch_size`` columns, and for each batch take one gradient step

    Wˡ ← Wˡ − η ∂C/∂Wˡ,   bˡ ← bˡ − η ∂C/∂bˡ,

where C is the mini-batch's *average* cost (so this is Nielsen's η/m Σₓ ∇Cₓ step).
"""

from dataclasses import dataclass, field

import numpy as np

from .costs import CROSS_ENTROPY
from .network import backprop, check_input, copy_parameters, feedforward, total_cost


@dataclass
class History:
    """Per-epoch measurements of a training run (index e is after epoch e + 1).

    Attributes
    ----------
    train_cost, train_accuracy, test_cost, test_accuracy : list of float
        Batch-average cost and fraction of correctly classified samples on the whole
        training and test sets. The test lists stay empty without test data, and all
        four stay empty when monitoring is off.
    """

    train_cost: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    test_cost: list = field(default_factory=list)
    test_accuracy: list = field(default_factory=list)

    @property
    def epochs(self):
        """Epoch numbers 1..E of the recorded measurements."""
        return list(range(1, len(self.train_cost) + 1))


def accuracy(weights, biases, x, y, cost=CROSS_ENTROPY):
    """Fraction of samples whose largest output is the position of the 1 in y.

    Parameters
    ----------
    weights, biases : list of ndarray
    x : ndarray, shape (n₁, N)
        N samples, one column each (a whole data set, or any part of it).
    y : ndarray, shape (n_L, N), one-hot columns
    cost : Cost
        Supplies the output activation.

    Returns
    -------
    float in [0, 1]
    """
    _, activations = feedforward(weights, biases, x, cost.output_activation)
    return float(np.mean(np.argmax(activations[-1], axis=0) == np.argmax(y, axis=0)))


def sgd_step(weights, biases, x_batch, y_batch, eta, cost):
    """One gradient-descent step on one mini-batch, updating the parameters in place.

    Wˡ ← Wˡ − η ∂C/∂Wˡ and bˡ ← bˡ − η ∂C/∂bˡ, with C the batch-average cost (backprop
    already divides by m, so η is not divided again).

    Parameters
    ----------
    weights, biases : list of ndarray
        Updated in place.
    x_batch : ndarray, shape (n₁, m)
    y_batch : ndarray, shape (n_L, m)
    eta : float
        Learning rate η.
    cost : Cost
    """
    grad_b, grad_w = backprop(weights, biases, x_batch, y_batch, cost)
    for param, grad in zip(weights + biases, grad_w + grad_b):
        param -= eta * grad


def minibatches(x, y, order, batch_size):
    """Yield the mini-batches of one epoch: columns ``order[0:k]``, ``order[k:2k]``, …

    The columns are gathered into two buffers allocated once and reused, so an epoch
    does not allocate (and page-fault in) a fresh array per mini-batch; each yielded
    pair is therefore only valid until the next one is requested.

    Parameters
    ----------
    x : ndarray, shape (n₁, N)
        All N training samples, one column each.
    y : ndarray, shape (n_L, N)
    order : ndarray of int, shape (N,)
        A permutation of the sample indices 0..N−1.
    batch_size : int

    Yields
    ------
    x_batch : ndarray, shape (n₁, k)
    y_batch : ndarray, shape (n_L, k)
        k = batch_size, except possibly for the last batch.
    """
    # Row r of x.T is sample r; with x Fortran-ordered these rows are contiguous.
    x_rows, y_rows = np.asfortranarray(x).T, np.asfortranarray(y).T
    x_buf = np.empty((batch_size, x.shape[0]))
    y_buf = np.empty((batch_size, y.shape[0]))
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        k = len(batch)
        np.take(x_rows, batch, axis=0, out=x_buf[:k])
        np.take(y_rows, batch, axis=0, out=y_buf[:k])
        yield x_buf[:k].T, y_buf[:k].T


def sgd(weights, biases, x_train, y_train, epochs, batch_size, eta, cost=CROSS_ENTROPY,
        x_test=None, y_test=None, seed=0, monitor=True):
    """Train by mini-batch SGD and record cost and accuracy after every epoch.

    Parameters
    ----------
    weights, biases : list of ndarray
        Starting parameters; not modified (training works on copies).
    x_train : ndarray, shape (n₁, N)
        The N training samples, one column each.
    y_train : ndarray, shape (n_L, N)
    epochs : int
    batch_size : int
        Samples per mini-batch; the last batch of an epoch may be smaller.
    eta : float
        Learning rate η.
    cost : Cost
    x_test, y_test : ndarray, optional
        Held-out data, measured after each epoch (never trained on).
    seed : int
        Seed of the shuffling; the same seed gives the same run.
    monitor : bool
        Record the history (costs a forward pass over the data per epoch).

    Returns
    -------
    weights, biases : list of ndarray
        The trained parameters (new arrays).
    history : History
    """
    x_train = np.asfortranarray(check_input(weights, x_train))  # sample columns contiguous
    y_train = np.asfortranarray(y_train, dtype=np.float64)
    n_samples = x_train.shape[1]
    if y_train.shape != (weights[-1].shape[0], n_samples):
        raise ValueError(f"y_train must have shape {(weights[-1].shape[0], n_samples)}, got {y_train.shape}")
    if batch_size < 1 or epochs < 0:
        raise ValueError(f"need batch_size ≥ 1 and epochs ≥ 0, got {batch_size} and {epochs}")
    weights, biases = copy_parameters(weights, biases)
    rng = np.random.default_rng(seed)
    history = History()
    for _ in range(epochs):
        for x_batch, y_batch in minibatches(x_train, y_train, rng.permutation(n_samples), batch_size):
            sgd_step(weights, biases, x_batch, y_batch, eta, cost)
        if monitor:
            record_epoch(history, weights, biases, cost, (x_train, y_train), (x_test, y_test))
    return weights, biases, history


def record_epoch(history, weights, biases, cost, train, test):
    """Append the cost and accuracy on the training and (if given) test data to ``history``.

    Parameters
    ----------
    history : History
    weights, biases : list of ndarray
    cost : Cost
    train, test : tuple (x, y)
        Inputs (n₁, N) and one-hot targets (n_L, N) of a whole data set; ``test`` may be
        (None, None).
    """
    for (x, y), costs, accuracies in [(train, history.train_cost, history.train_accuracy),
                                      (test, history.test_cost, history.test_accuracy)]:
        if x is not None:
            costs.append(total_cost(weights, biases, x, y, cost))
            accuracies.append(accuracy(weights, biases, x, y, cost))


@dataclass
class SaturatedRun:
    """One single-neuron run from a saturated start.

    Attributes
    ----------
    outputs : ndarray, shape (epochs + 1,)
        The neuron's output a before training and after each epoch.
    costs : ndarray, shape (epochs + 1,)
        The cost (of the run's own cost function) at the same moments.
    """

    outputs: np.ndarray
    costs: np.ndarray


def saturated_start(cost, epochs=300, eta=0.15, w=2.0, b=2.0):
    """Train one sigmoid neuron, input 1 → target 0, from a badly wrong start.

    With w = b = 2 the neuron outputs σ(4) ≈ 0.98 where 0 is wanted. Under the
    quadratic cost δ = (a − y)σ'(z) is tiny because σ'(4) ≈ 0.018, so learning starts
    very slowly; under cross-entropy δ = a − y and the neuron learns fastest exactly
    when it is most wrong (Nielsen, ch. 3).

    Parameters
    ----------
    cost : Cost
        ``QUADRATIC`` or ``CROSS_ENTROPY``.
    epochs : int
    eta : float
    w, b : float
        Starting weight and bias.

    Returns
    -------
    SaturatedRun
    """
    weights, biases = [np.array([[w]])], [np.array([[b]])]
    x, y = np.ones((1, 1)), np.zeros((1, 1))
    outputs, costs = [], []
    for epoch in range(epochs + 1):
        if epoch:
            sgd_step(weights, biases, x, y, eta, cost)
        _, activations = feedforward(weights, biases, x, cost.output_activation)
        outputs.append(float(activations[-1][0, 0]))
        costs.append(total_cost(weights, biases, x, y, cost))
    return SaturatedRun(np.array(outputs), np.array(costs))
