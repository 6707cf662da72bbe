"""Costs, their gradients and output errors: hand values, central differences, stability."""

import warnings

import numpy as np
import pytest

from backprop_kit.checks import GRADIENT_TOLERANCE as GRAD_TOL
from grader.oracle import central_gradient, plain_sigmoid, plain_softmax, rel_error
from solutions import (
    CROSS_ENTROPY,
    QUADRATIC,
    SOFTMAX_CROSS_ENTROPY,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    categorical_cross_entropy,
    quadratic_cost,
    quadratic_cost_gradient,
    softmax,
)

RNG = np.random.default_rng(11)


def test_quadratic_hand_value_and_batch_average():
    a = np.array([[0.5], [0.2]])
    y = np.array([[1.0], [0.0]])
    assert quadratic_cost(a, y) == pytest.approx(0.5 * (0.25 + 0.04), rel=1e-15)
    a2 = np.hstack([a, np.array([[1.0], [0.0]])])  # second sample is perfect: cost 0
    y2 = np.hstack([y, np.array([[1.0], [0.0]])])
    assert quadratic_cost(a2, y2) == pytest.approx(0.145 / 2, rel=1e-15)


def test_quadratic_gradient_sign_and_numeric():
    a = RNG.random((4, 1))
    y = RNG.random((4, 1))
    numeric = central_gradient(lambda v: quadratic_cost(v, y), a)
    assert rel_error(quadratic_cost_gradient(a, y), numeric) <= GRAD_TOL
    # the slide's y − a has the wrong sign: it disagrees completely
    assert rel_error(y - a, numeric) > 0.9


def test_binary_cross_entropy_hand_values():
    assert binary_cross_entropy(np.array([[0.8]]), np.array([[1.0]])) == pytest.approx(-np.log(0.8), rel=1e-14)
    assert binary_cross_entropy(np.array([[0.8]]), np.array([[0.0]])) == pytest.approx(-np.log(0.2), rel=1e-14)


def test_binary_cross_entropy_gradient_numeric():
    a = 0.05 + 0.9 * RNG.random((3, 1))
    y = RNG.random((3, 1))
    numeric = central_gradient(lambda v: binary_cross_entropy(v, y), a)
    assert rel_error(binary_cross_entropy_gradient(a, y), numeric) <= GRAD_TOL


def test_cross_entropy_finite_when_outputs_saturate():
    a = np.array([[0.0, 1.0, 0.0, 1.0]])
    y = np.array([[0.0, 1.0, 1.0, 0.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        right = binary_cross_entropy(a[:, :2], y[:, :2])
        wrong = binary_cross_entropy(a, y)
        cat = categorical_cross_entropy(np.array([[1.0], [0.0]]), np.array([[0.0], [1.0]]))
    assert right == pytest.approx(0.0, abs=1e-12)
    assert np.isfinite(wrong) and wrong > 10
    assert np.isfinite(cat) and cat > 10


@pytest.mark.parametrize("cost, kind", [(QUADRATIC, "quadratic"), (CROSS_ENTROPY, "cross-entropy"),
                                        (SOFTMAX_CROSS_ENTROPY, "softmax")])
def test_output_error_is_dC_dz(cost, kind):
    """δᴸ = ∂Cₓ/∂zᴸ, checked by differentiating the cost of the output activation in z."""
    z = RNG.standard_normal((5, 1)) * 2
    if kind == "softmax":
        y = np.eye(5)[:, [2]]
        act = plain_softmax
    else:
        y = RNG.random((5, 1))
        act = plain_sigmoid
    numeric = central_gradient(lambda v: cost.value(act(v), y), z)
    delta = cost.output_error(z, cost.output_activation(z), y)
    assert rel_error(delta, numeric) <= GRAD_TOL


def test_cross_entropy_output_error_has_no_sigma_prime():
    z = np.array([[6.0]])  # saturated output, target 0
    a = CROSS_ENTROPY.output_activation(z)
    y = np.zeros((1, 1))
    assert CROSS_ENTROPY.output_error(z, a, y)[0, 0] == pytest.approx(a[0, 0], rel=1e-15)
    # the quadratic cost's δᴸ carries σ'(z) ≈ 0.0025 and is ~400× smaller
    assert QUADRATIC.output_error(z, a, y)[0, 0] < a[0, 0] / 300


def test_softmax_hand_value_columns_and_stability():
    np.testing.assert_allclose(softmax(np.array([[0.0], [np.log(3.0)]])), [[0.25], [0.75]], rtol=1e-14)
    z = np.array([[1000.0, -1000.0], [1001.0, -999.0], [999.0, -1001.0]])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        p = softmax(z)
    np.testing.assert_allclose(p.sum(axis=0), 1.0, rtol=1e-15)
    np.testing.assert_allclose(p[:, 0], p[:, 1], rtol=1e-14)  # shift invariance
    np.testing.assert_allclose(p, plain_softmax(z), rtol=1e-14)


def test_categorical_cross_entropy_hand_value():
    a = np.array([[0.25, 0.5], [0.75, 0.5]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    expected = -(np.log(0.75) + np.log(0.5)) / 2
    assert categorical_cross_entropy(a, y) == pytest.approx(expected, rel=1e-14)


def test_costs_are_batch_averages():
    a = 0.05 + 0.9 * RNG.random((3, 6))
    y = (RNG.random((3, 6)) > 0.5).astype(float)
    for value in (quadratic_cost, binary_cross_entropy):
        per_sample = [value(a[:, [j]], y[:, [j]]) for j in range(6)]
        assert value(a, y) == pytest.approx(np.mean(per_sample), rel=1e-14)
