"""Mini-batch SGD: learning on the digits, determinism, the learning slowdown, plots."""

import matplotlib.figure
import numpy as np
import pytest

from datasets import load_digits, xor
from solutions import (
    CROSS_ENTROPY,
    QUADRATIC,
    SOFTMAX_CROSS_ENTROPY,
    accuracy,
    init_network,
    plot_saturated_start,
    plot_sigmoid,
    plot_training_curves,
    saturated_start,
    sgd,
)
from solutions.demo import BATCH_SIZE, EPOCHS, ETA, SEED, SIZES, main, train_reference


@pytest.fixture(scope="module")
def reference_run():
    return train_reference()


def test_reference_run_reaches_97_percent_on_digits(reference_run):
    assert (SIZES, EPOCHS, BATCH_SIZE, ETA, SEED) == ((64, 30, 10), 30, 10, 1.0, 0)
    weights, biases, history = reference_run
    data = load_digits()
    assert history.test_accuracy[-1] >= 0.97
    assert accuracy(weights, biases, data.x_test, data.y_test) == history.test_accuracy[-1]
    assert len(history.train_cost) == len(history.test_accuracy) == EPOCHS
    # learning happened: the cost fell by more than 5× over the run
    assert history.train_cost[-1] < history.train_cost[0] / 5


def test_sgd_is_deterministic_and_leaves_the_start_untouched():
    data = xor(seed=1)
    start = init_network([2, 6, 2], seed=2)
    keep = [w.copy() for w in start[0]]
    a_w, _, a_hist = sgd(*start, data.x_train, data.y_train, 5, 8, 2.0, CROSS_ENTROPY, data.x_test, data.y_test, seed=3)
    _, _, b_hist = sgd(*start, data.x_train, data.y_train, 5, 8, 2.0, CROSS_ENTROPY, data.x_test, data.y_test, seed=3)
    _, _, c_hist = sgd(*start, data.x_train, data.y_train, 5, 8, 2.0, CROSS_ENTROPY, data.x_test, data.y_test, seed=4)
    assert a_hist == b_hist
    assert a_hist.train_cost != c_hist.train_cost  # another shuffling seed, another run
    for w, k in zip(start[0], keep):
        np.testing.assert_array_equal(w, k)
    assert not np.array_equal(a_w[0], keep[0])


def test_sgd_step_size_on_one_sample_is_eta_times_gradient():
    """With one sample and one neuron the update is w ← w − η(a − y)x exactly (cross-entropy)."""
    weights, biases = [np.array([[0.5, -0.25]])], [np.array([[0.1]])]
    x, y = np.array([[2.0], [1.0]]), np.array([[1.0]])
    a = 1 / (1 + np.exp(-(0.5 * 2 - 0.25 + 0.1)))
    trained_w, trained_b, _ = sgd(weights, biases, x, y, epochs=1, batch_size=1, eta=0.3, cost=CROSS_ENTROPY, monitor=False)
    np.testing.assert_allclose(trained_w[0], [[0.5 - 0.3 * (a - 1) * 2, -0.25 - 0.3 * (a - 1)]], rtol=1e-14)
    np.testing.assert_allclose(trained_b[0], [[0.1 - 0.3 * (a - 1)]], rtol=1e-14)


def test_sgd_softmax_learns_spirals_better_than_chance():
    from datasets import spirals
    data = spirals(seed=0)
    *_, hist = sgd(*init_network([2, 30, data.n_classes], seed=0), data.x_train, data.y_train, 60, 10, 1.0,
                  SOFTMAX_CROSS_ENTROPY, data.x_test, data.y_test, seed=0)
    assert hist.train_accuracy[-1] > 1.5 / data.n_classes


def test_sgd_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="y_train"):
        sgd(*init_network([2, 3, 2]), np.zeros((2, 5)), np.zeros((2, 4)), 1, 2, 1.0)


def test_cross_entropy_learns_faster_from_a_saturated_start():
    quad = saturated_start(QUADRATIC, epochs=50)
    ce = saturated_start(CROSS_ENTROPY, epochs=50)
    assert quad.outputs[0] == ce.outputs[0] == pytest.approx(1 / (1 + np.exp(-4.0)), rel=1e-14)
    # after 30 epochs cross-entropy has cut its cost by > 90 %, the quadratic cost by < 2 %
    assert ce.costs[30] / ce.costs[0] < 0.1
    assert quad.costs[30] / quad.costs[0] > 0.98
    assert ce.outputs[30] < 0.3 < 0.9 < quad.outputs[30]
    # both still head the right way
    assert np.all(np.diff(quad.outputs) < 0) and np.all(np.diff(ce.outputs) < 0)


def test_training_curves_figure(reference_run, tmp_path):
    *_, history = reference_run
    fig = plot_training_curves(history)
    assert isinstance(fig, matplotlib.figure.Figure)
    ax_cost, ax_acc = fig.axes
    assert ax_cost.get_xlabel() == "epoch" and "cost" in ax_cost.get_ylabel()
    assert "accuracy" in ax_acc.get_ylabel()
    assert [t.get_text() for t in ax_cost.get_legend().get_texts()] == ["training", "test"]
    np.testing.assert_array_equal(ax_cost.lines[0].get_ydata(), history.train_cost)
    np.testing.assert_allclose(ax_acc.lines[1].get_ydata(), 100 * np.array(history.test_accuracy))
    path = tmp_path / "curves.png"
    fig.savefig(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_other_figures():
    runs = {"quadratic": saturated_start(QUADRATIC, epochs=5), "cross-entropy": saturated_start(CROSS_ENTROPY, epochs=5)}
    fig = plot_saturated_start(runs)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == list(runs)
    assert len(plot_sigmoid().axes[0].lines) == 2


def test_demo_writes_the_png(tmp_path, capsys):
    main(["--out", str(tmp_path), "--epochs", "2"])
    out = capsys.readouterr().out
    png = tmp_path / "training_curves.png"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert str(png.resolve()) in out and "test accuracy" in out
