"""The syllabus's toy models: hand-derived derivatives and the sum over paths."""

import numpy as np
import pytest

from backprop_kit.checks import GRADIENT_TOLERANCE as GRAD_TOL
from grader.oracle import central_gradient, rel_error
from solutions import (
    QUADRATIC,
    backprop,
    chain_111_cost,
    chain_111_gradient,
    gradients_by_paths,
    logistic_least_squares,
    logistic_least_squares_gradient,
    weight_gradient_by_paths,
)


@pytest.mark.parametrize("theta1, theta2, x, t", [(0.5, -0.3, 1.7, 1.0), (-2.0, 0.4, 0.3, 0.0), (1.0, 1.0, -2.5, 0.6)])
def test_logistic_least_squares_hand_gradient(theta1, theta2, x, t):
    numeric = central_gradient(lambda th: logistic_least_squares(th[0], th[1], x, t), np.array([theta1, theta2]))
    assert rel_error(logistic_least_squares_gradient(theta1, theta2, x, t), numeric) <= GRAD_TOL


def test_logistic_least_squares_hand_value():
    # θ = (0, 0): σ(0) = 1/2, J = ½(½ − 1)² = 1/8; ∂J/∂θ₂ = (½ − 1)·¼ = −1/8, ∂J/∂θ₁ = x·(−1/8)
    assert logistic_least_squares(0.0, 0.0, 3.0, 1.0) == 0.125
    np.testing.assert_allclose(logistic_least_squares_gradient(0.0, 0.0, 3.0, 1.0), (-0.375, -0.125), rtol=1e-15)


def test_chain_111_hand_gradient_matches_numeric_and_backprop():
    p = {"w2": 0.8, "b2": -0.4, "w3": -1.3, "b3": 0.2}
    x, y = 0.9, 0.25
    names = ["w2", "b2", "w3", "b3"]
    hand = chain_111_gradient(**p, x=x, y=y)
    numeric = central_gradient(lambda v: chain_111_cost(*v, x, y), np.array([p[n] for n in names]))
    assert rel_error([hand[n] for n in names], numeric) <= GRAD_TOL
    net = [np.array([[p["w2"]]]), np.array([[p["w3"]]])], [np.array([[p["b2"]]]), np.array([[p["b3"]]])]
    gb, gw = backprop(*net, np.array([[x]]), np.array([[y]]), QUADRATIC)
    np.testing.assert_allclose([gw[0][0, 0], gb[0][0, 0], gw[1][0, 0], gb[1][0, 0]],
                               [hand[n] for n in names], rtol=1e-13)


def test_two_two_two_paths_equal_backprop():
    """The 2-2-2 network without biases: each hidden weight has 2 paths to the cost."""
    rng = np.random.default_rng(5)
    net = [rng.standard_normal((2, 2)), rng.standard_normal((2, 2))], [np.zeros((2, 1)), np.zeros((2, 1))]
    x, y = rng.standard_normal((2, 1)), rng.random((2, 1))
    _, gw = backprop(*net, x, y, QUADRATIC)
    for by_paths, by_backprop in zip(gradients_by_paths(*net, x, y), gw):
        np.testing.assert_allclose(by_paths, by_backprop, rtol=1e-12)


def test_two_two_two_single_weight_by_hand():
    """∂J/∂w₁₁² written out as the blue path plus the orange path."""
    w2 = np.array([[0.5, -0.2], [0.3, 0.8]])
    w3 = np.array([[1.1, -0.7], [0.4, 0.9]])
    net = [w2, w3], [np.zeros((2, 1)), np.zeros((2, 1))]
    x, y = np.array([[0.6], [-0.4]]), np.array([[1.0], [0.0]])
    sig = lambda v: 1 / (1 + np.exp(-v))
    z2 = w2 @ x
    a2 = sig(z2)
    z3 = w3 @ a2
    a3 = sig(z3)
    dsig = lambda v: sig(v) * (1 - sig(v))
    blue = (a3[0, 0] - y[0, 0]) * dsig(z3[0, 0]) * w3[0, 0] * dsig(z2[0, 0]) * x[0, 0]
    orange = (a3[1, 0] - y[1, 0]) * dsig(z3[1, 0]) * w3[1, 0] * dsig(z2[0, 0]) * x[0, 0]
    assert weight_gradient_by_paths(*net, x, y, 0, 0, 0) == pytest.approx(blue + orange, rel=1e-13)


def test_paths_in_a_deeper_network():
    rng = np.random.default_rng(6)
    sizes = [3, 3, 4, 2]
    net = ([rng.standard_normal((o, i)) for i, o in zip(sizes, sizes[1:])],
           [rng.standard_normal((o, 1)) for o in sizes[1:]])
    x, y = rng.standard_normal((3, 1)), rng.random((2, 1))
    _, gw = backprop(*net, x, y, QUADRATIC)
    for by_paths, by_backprop in zip(gradients_by_paths(*net, x, y), gw):
        np.testing.assert_allclose(by_paths, by_backprop, rtol=1e-11, atol=1e-15)
