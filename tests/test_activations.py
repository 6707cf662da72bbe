"""σ, σ' and the perceptron: hand values, derivatives, stability at extreme inputs."""

import warnings

import numpy as np
import pytest

from backprop_kit.checks import GRADIENT_TOLERANCE as GRAD_TOL
from grader.oracle import central_gradient, plain_sigmoid, rel_error
from solutions import perceptron_output, sigmoid, sigmoid_neuron_output, sigmoid_prime


def test_sigmoid_hand_values():
    assert sigmoid(0) == 0.5
    assert sigmoid(0.0) == 0.5
    # σ(ln 3) = 1 / (1 + 1/3) = 0.75 and σ(−z) = 1 − σ(z)
    assert np.isclose(sigmoid(np.log(3.0)), 0.75, rtol=0, atol=1e-15)
    z = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(sigmoid(-z), 1 - sigmoid(z), rtol=0, atol=1e-15)


def test_sigmoid_matches_textbook_formula_in_safe_range():
    z = np.linspace(-40, 40, 240).reshape(3, -1)
    np.testing.assert_allclose(sigmoid(z), plain_sigmoid(z), rtol=1e-13, atol=1e-300)


def test_sigmoid_shapes_and_scalars():
    assert np.ndim(sigmoid(1.5)) == 0
    for shape in [(5,), (4, 1), (3, 7)]:
        assert sigmoid(np.zeros(shape)).shape == shape
        assert sigmoid_prime(np.zeros(shape)).shape == shape
    assert sigmoid(np.float32(2.0)).dtype == np.float64


def test_sigmoid_stable_at_extremes_without_warnings():
    z = np.array([-1000.0, -745.0, -710.0, 710.0, 1000.0, -np.inf, np.inf])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        s = sigmoid(z)
        d = sigmoid_prime(z)
    assert not np.any(np.isnan(s)) and not np.any(np.isnan(d))
    np.testing.assert_allclose(s, [0, 0, 0, 1, 1, 0, 1], rtol=0, atol=1e-300)
    assert np.all(s >= 0) and np.all(s <= 1)
    np.testing.assert_allclose(d, 0.0, rtol=0, atol=1e-300)
    assert sigmoid(-1000) == 0.0 and sigmoid(1000) == 1.0


def test_sigmoid_prime_hand_values():
    assert sigmoid_prime(0) == 0.25
    s = 1 / (1 + np.exp(-2.0))
    assert np.isclose(sigmoid_prime(2.0), s * (1 - s), rtol=1e-14, atol=0)
    # the common slip z(1 − z) is not the derivative
    assert not np.isclose(sigmoid_prime(2.0), 2.0 * (1 - 2.0))


def test_sigmoid_prime_agrees_with_central_differences():
    z = np.linspace(-10, 10, 81)
    numeric = central_gradient(lambda v: float(np.sum(plain_sigmoid(v))), z)
    assert rel_error(sigmoid_prime(z), numeric) <= GRAD_TOL


def test_sigmoid_prime_peaks_at_zero_and_saturates():
    z = np.linspace(-20, 20, 401)
    d = sigmoid_prime(z)
    assert d.max() == 0.25 and z[np.argmax(d)] == 0.0
    assert sigmoid_prime(10.0) < 5e-5 and sigmoid_prime(-10.0) < 5e-5


def test_perceptron_step_rule_and_gate():
    w, b = np.array([1.0, 1.0]), -1.5
    inputs = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    np.testing.assert_array_equal(perceptron_output(w, inputs, b), [0, 0, 0, 1])
    # w·x + b = 0 is on the "0" side of the rule (output 1 only when > 0)
    assert perceptron_output(np.array([1.0]), np.array([1.0]), -1.0) == 0


@pytest.mark.parametrize("scale", [10.0, 100.0, 1000.0])
def test_sigmoid_neuron_tends_to_perceptron_when_scaled(scale):
    rng = np.random.default_rng(3)
    w, b = rng.standard_normal(4), 0.3
    x = rng.standard_normal((4, 50))
    step = perceptron_output(w, x, b)
    smooth = sigmoid_neuron_output(scale * w, x, scale * b)
    margin = np.abs(w @ x + b)
    # the gap to the step closes like e^{-scale·margin}
    assert np.all(np.abs(smooth - step) <= np.exp(-scale * margin) + 1e-15)
