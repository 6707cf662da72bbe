"""Bias folded into the weights (constant input 1) and the row-vector convention."""

import numpy as np

from grader.oracle import central_gradient, plain_cost, rel_error
from solutions import (
    QUADRATIC,
    add_constant_input,
    backprop,
    feedforward,
    feedforward_folded,
    feedforward_rows,
    fold_bias,
    init_network,
    to_row_convention,
    unfold_bias,
)


def test_fold_and_unfold_round_trip():
    w, b = np.arange(6.0).reshape(2, 3), np.array([[10.0], [20.0]])
    folded = fold_bias(w, b)
    np.testing.assert_array_equal(folded, [[10, 0, 1, 2], [20, 3, 4, 5]])
    w2, b2 = unfold_bias(folded)
    np.testing.assert_array_equal(w2, w)
    np.testing.assert_array_equal(b2, b)
    np.testing.assert_array_equal(add_constant_input(np.array([[2.0, 3.0]])), [[1, 1], [2, 3]])


def test_folded_network_computes_the_same_function():
    net = init_network([5, 4, 3, 2], seed=3)
    x = np.random.default_rng(3).standard_normal((5, 9))
    folded = [fold_bias(w, b) for w, b in zip(*net)]
    np.testing.assert_allclose(feedforward_folded(folded, x), feedforward(*net, x)[1][-1], rtol=1e-13)


def test_row_convention_is_the_transpose():
    net = init_network([5, 4, 3], seed=4)
    x = np.random.default_rng(4).standard_normal((5, 6))
    rows = [to_row_convention(w, b) for w, b in zip(*net)]
    assert rows[0].shape == (6, 4)
    np.testing.assert_allclose(feedforward_rows(rows, x.T), feedforward(*net, x)[1][-1].T, rtol=1e-13)


def test_gradient_of_folded_weights_is_bias_gradient_beside_weight_gradient():
    """∂C/∂W̃ = [∂C/∂b | ∂C/∂W]: w₀ = b gets exactly the bias gradient (BP3 is BP4 with a = 1)."""
    net = init_network([3, 4, 2], seed=5)
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((3, 4)), rng.random((2, 4))
    gb, gw = backprop(*net, x, y, QUADRATIC)
    for i in range(2):
        def cost_of_folded(wf, i=i):
            w, b = unfold_bias(wf)
            weights = net[0][:i] + [w] + net[0][i + 1:]
            biases = net[1][:i] + [b] + net[1][i + 1:]
            return plain_cost(weights, biases, x, y, "quadratic")
        numeric = central_gradient(cost_of_folded, fold_bias(net[0][i], net[1][i]))
        assert rel_error(fold_bias(gw[i], gb[i]), numeric) <= 1e-7
