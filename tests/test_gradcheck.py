"""Finite differences, the relative error, and the network gradient checker."""

import numpy as np
import pytest

from solutions import (
    QUADRATIC,
    GradientCheck,
    central_difference,
    check_gradients,
    forward_difference,
    init_network,
    relative_error,
)
import solutions.gradcheck as gradcheck


def f(x):
    return float(np.sum(np.sin(x) * x**3))


def df(x):
    return np.cos(x) * x**3 + 3 * x**2 * np.sin(x)


def test_central_is_second_order_forward_is_first_order():
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    errors = {}
    for h in (1e-2, 1e-3):
        errors[h] = (np.max(np.abs(forward_difference(f, x, h) - df(x))),
                     np.max(np.abs(central_difference(f, x, h) - df(x))))
    # shrinking h tenfold shrinks the forward error ~10× and the central error ~100×
    assert 7 < errors[1e-2][0] / errors[1e-3][0] < 13
    assert 70 < errors[1e-2][1] / errors[1e-3][1] < 130
    assert np.max(np.abs(central_difference(f, x) - df(x))) < 1e-8


def test_finite_differences_do_not_modify_the_point():
    x = np.array([1.0, 2.0, 3.0])
    keep = x.copy()
    central_difference(f, x)
    forward_difference(f, x)
    np.testing.assert_array_equal(x, keep)


def test_relative_error_formula():
    g = np.array([1.0, -2.0])
    g_hat = np.array([1.0, -2.1])
    assert relative_error(g, g_hat) == pytest.approx(0.1 / 4.1, rel=1e-14)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.zeros(2), np.array([1e-9, 0.0])) == pytest.approx(1e-9 / 1e-8)
    with pytest.raises(ValueError, match="shapes"):
        relative_error(np.zeros(2), np.zeros(3))


def test_checker_counts_evaluations_and_passes_on_backprop():
    sizes = [3, 4, 2]
    net = init_network(sizes, seed=1)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((3, 5)), rng.random((2, 5))
    result = check_gradients(*net, x, y, QUADRATIC)
    n_params = 3 * 4 + 4 + 4 * 2 + 2
    assert result.cost_evaluations == 2 * n_params
    assert result.passed() and result.max_error <= 1e-7
    assert set(result.errors) == {"b2", "W2", "b3", "W3"}


def test_checker_catches_a_wrong_gradient(monkeypatch):
    net = init_network([3, 4, 2], seed=2)
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((3, 4)), rng.random((2, 4))
    true_backprop = gradcheck.backprop

    def summed_not_averaged(*args):  # forgets the 1/m of the batch average
        gb, gw = true_backprop(*args)
        return [4 * g for g in gb], [4 * g for g in gw]

    monkeypatch.setattr(gradcheck, "backprop", summed_not_averaged)
    result = check_gradients(*net, x, y, QUADRATIC)
    assert isinstance(result, GradientCheck)
    assert not result.passed()
    assert result.max_error > 0.5


def test_one_gradient_threshold_for_the_notebooks_and_the_grader():
    """The threshold the notebooks show (from solutions) is the one the trusted checks apply (the
    student kit's): the numerics policy's 1e-7 on the relative error."""
    from backprop_kit.checks import GRADIENT_TOLERANCE
    assert gradcheck.GRADIENT_TOLERANCE == GRADIENT_TOLERANCE == 1e-7
