"""The measurements of the sixth assignment: a saturated start, and L2 regularisation on a
small training set.

They run on the bundled digits (or any data in the column convention) and take a second or
two each.
"""

import numpy as np

from .costs import CROSS_ENTROPY
from .initialisation import init_gaussian
from .network import copy_parameters, total_cost
from .regularisation import sgd_step_l2
from .training import History, accuracy, minibatches, record_epoch, sgd_step


def enlarge_digits(x, k=2):
    """The 8 × 8 digit images drawn on an 8k × 8k grid, every pixel repeated k × k times.

    The same information in (8k)² inputs instead of 64: a way to see what the number of
    inputs per neuron does to a network, with nothing else changed.

    Parameters
    ----------
    x : ndarray, shape (64, N)
        Images as columns, pixels in row-major order.
    k : int

    Returns
    -------
    ndarray, shape (64 k², N), Fortran-ordered
    """
    images = np.asarray(x).T.reshape(-1, 8, 8)
    return np.asfortranarray(np.kron(images, np.ones((1, k, k))).reshape(len(images), -1).T)


def first_epoch_costs(weights, biases, x, y, eta=0.5, every=10, seed=0):
    """Train one epoch (mini-batches of 10, cross-entropy) and record the training cost as it goes.

    Parameters
    ----------
    weights, biases : list of ndarray
        The start (not modified).
    x : ndarray, shape (n₁, N)
    y : ndarray, shape (n_L, N)
    eta : float
    every : int
        Record the cost after every ``every`` mini-batch steps.
    seed : int
        Seed of the shuffling.

    Returns
    -------
    costs : ndarray
        The batch-average cost on all of x before training, then after every ``every`` steps.
    final_accuracy : float
        The accuracy on x after the epoch.
    """
    weights, biases = copy_parameters(weights, biases)
    costs = [total_cost(weights, biases, x, y, CROSS_ENTROPY)]
    batches = minibatches(x, y, np.random.default_rng(seed).permutation(x.shape[1]), 10)
    for step, (x_batch, y_batch) in enumerate(batches, start=1):
        sgd_step(weights, biases, x_batch, y_batch, eta, CROSS_ENTROPY)
        if step % every == 0:
            costs.append(total_cost(weights, biases, x, y, CROSS_ENTROPY))
    return np.array(costs), accuracy(weights, biases, x, y)


def train_l2(x, y, x_test, y_test, lmbda, epochs=150, eta=1.0, seed=0):
    """Train init_gaussian([n₁, 30, n_L]) with :func:`sgd_step_l2` (mini-batches of 10,
    cross-entropy, n = the number of columns of x) and record every epoch.

    Parameters
    ----------
    x, y : ndarray, shapes (n₁, n) and (n_L, n)
        The whole training set.
    x_test, y_test : ndarray
        Held-out data, measured after each epoch.
    lmbda : float
        λ ≥ 0.
    epochs : int
    eta : float
    seed : int
        Seed of the start and of the shuffling.

    Returns
    -------
    weights : list of ndarray
        The trained weights.
    history : History
        Cost C₀ (without the penalty) and accuracy per epoch, on x and on x_test.
    """
    x, y = np.asfortranarray(x, dtype=float), np.asfortranarray(y, dtype=float)
    n_train = x.shape[1]
    weights, biases = init_gaussian([x.shape[0], 30, y.shape[0]], seed=seed)
    rng, history = np.random.default_rng(seed), History()
    for _ in range(epochs):
        for x_batch, y_batch in minibatches(x, y, rng.permutation(n_train), 10):
            sgd_step_l2(weights, biases, x_batch, y_batch, eta, CROSS_ENTROPY, lmbda, n_train)
        record_epoch(history, weights, biases, CROSS_ENTROPY, (x, y), (x_test, y_test))
    return weights, history
