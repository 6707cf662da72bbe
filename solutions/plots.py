"""Figures of the course, drawn with matplotlib's object API (no global pyplot state).

Each function returns a :class:`matplotlib.figure.Figure`; save it with
``fig.savefig(path)`` or let Jupyter display it.
"""

import numpy as np
from matplotlib.figure import Figure

from .activations import sigmoid, sigmoid_prime


def plot_training_curves(history, title="Training curves"):
    """Cost and accuracy per epoch, training and test, side by side.

    Parameters
    ----------
    history : History
        From :func:`sgd` (test curves drawn when present).
    title : str

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: cost against epoch, and accuracy (%) against epoch.
    """
    fig = Figure(figsize=(10, 4), layout="constrained")
    ax_cost, ax_acc = fig.subplots(1, 2)
    epochs = history.epochs
    ax_cost.plot(epochs, history.train_cost, marker=".", label="training")
    ax_acc.plot(epochs, 100 * np.asarray(history.train_accuracy), marker=".", label="training")
    if history.test_cost:
        ax_cost.plot(epochs, history.test_cost, marker=".", label="test")
        ax_acc.plot(epochs, 100 * np.asarray(history.test_accuracy), marker=".", label="test")
    ax_cost.set(xlabel="epoch", ylabel="cost C (batch average)", title="Cost")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="Accuracy")
    for ax in (ax_cost, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(title)
    return fig


def plot_saturated_start(runs):
    """Output of a saturated neuron per epoch, one line per cost (the learning slowdown).

    Parameters
    ----------
    runs : dict of str -> SaturatedRun
        e.g. ``{"quadratic": saturated_start(QUADRATIC), "cross-entropy": ...}``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    for name, run in runs.items():
        ax.plot(np.arange(len(run.outputs)), run.outputs, label=name)
    ax.set(xlabel="epoch", ylabel="output a (target 0)", title="Learning from a saturated start")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig


def plot_sigmoid(z_max=8.0):
    """σ(z) and σ'(z) on [−z_max, z_max]: where σ' is small the neuron is saturated.

    Parameters
    ----------
    z_max : float

    Returns
    -------
    matplotlib.figure.Figure
    """
    z = np.linspace(-z_max, z_max, 401)
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.plot(z, sigmoid(z), label="σ(z)")
    ax.plot(z, sigmoid_prime(z), label="σ'(z) = σ(z)(1 − σ(z))")
    ax.set(xlabel="weighted input z", ylabel="value", title="The sigmoid and its derivative")
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
