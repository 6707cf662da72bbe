"""The sixth assignment's reference: initialisation, gradient lengths by layer, tanh and ReLU in
BP1/BP2, the softmax output error and L2 regularisation — and the numbers its text states."""

import warnings

import numpy as np
import pytest

from datasets import load_digits
from grader import oracle
from solutions import (CROSS_ENTROPY, QUADRATIC, backprop, backprop_with_activation, enlarge_digits,
                       first_epoch_costs, gradient_norms, init_gaussian, l2_cost, relu, relu_prime, sgd_step,
                       sgd_step_l2, sigmoid, sigmoid_prime, softmax, softmax_backward, tanh, tanh_prime, train_l2)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


def test_init_gaussian_has_the_stated_spread():
    weights, biases = init_gaussian([1600, 300, 200], seed=2)
    assert [w.shape for w in weights] == [(300, 1600), (200, 300)] and [b.shape for b in biases] == [(300, 1), (200, 1)]
    for w, n_in in zip(weights, [1600, 300]):
        assert abs(np.std(w) * np.sqrt(n_in) - 1) < 0.02
    assert abs(np.std(np.concatenate(biases)) - 1) < 0.1
    assert abs(np.std(init_gaussian([1600, 300], seed=2, scaled=False)[0][0]) - 1) < 0.01
    assert np.array_equal(init_gaussian([5, 4], seed=3)[0][0], init_gaussian([5, 4], seed=3)[0][0])
    assert not np.array_equal(init_gaussian([5, 4], seed=3)[0][0], init_gaussian([5, 4], seed=4)[0][0])


def test_the_variance_of_z_follows_the_formula():
    """Var zⱼ = s² Σₖ aₖ² + 1 for one input a: measured over many random networks."""
    a = np.random.default_rng(0).uniform(0, 1, (100, 1))
    for scaled, s2 in [(False, 1.0), (True, 1 / 100)]:
        z = np.concatenate([w @ a + b for w, b in (
            (ws[0], bs[0]) for ws, bs in (init_gaussian([100, 500], seed=s, scaled=scaled) for s in range(20)))])
        assert np.var(z) == pytest.approx(s2 * float(np.sum(a ** 2)) + 1, rel=0.05)


def test_gradient_norms_are_the_lengths_of_the_bias_gradients():
    rng = np.random.default_rng(5)
    weights, biases = oracle.random_network([3, 4, 3, 2], seed=5)
    x, y = rng.standard_normal((3, 4)), rng.uniform(0, 1, (2, 4))
    numeric_b, _ = oracle.numeric_network_gradients(weights, biases, x, y, "quadratic")
    np.testing.assert_allclose(gradient_norms(weights, biases, x, y, QUADRATIC),
                               [np.sqrt(sum(v * v for v in g.ravel())) for g in numeric_b], rtol=1e-6)


def test_gradients_vanish_by_about_five_per_layer_in_a_deep_sigmoid_network(digits):
    """The notebook's measurement: each layer's bias gradient is 4 to 6 times shorter than the next one's."""
    sizes = [64, 30, 30, 30, 30, 10]
    x, y = digits.x_train[:, :1000], digits.y_train[:, :1000]
    norms = np.mean([gradient_norms(*init_gaussian(sizes, seed=s), x, y, CROSS_ENTROPY) for s in range(5)], axis=0)
    ratios = norms[1:] / norms[:-1]
    assert np.all(ratios > 3.5) and 4 < np.exp(np.mean(np.log(ratios))) < 6


def test_tanh_and_relu_derivatives():
    z = np.random.default_rng(6).uniform(-3, 3, (4, 5))
    assert oracle.rel_error(tanh_prime(z), oracle.central_gradient(lambda v: float(np.sum(np.tanh(v))), z)) < 1e-8
    assert tanh_prime(0.5 * np.log(3.0)) == pytest.approx(0.75, rel=1e-12)
    away = z[np.abs(z) > 1e-3]
    assert oracle.rel_error(relu_prime(away), oracle.central_gradient(lambda v: float(np.sum(relu(v))), away)) < 1e-9
    assert relu_prime(0.0) == 0.0 and relu_prime(1e-300) == 1.0 and relu_prime(-2) == 0.0
    assert tanh(0.3) == pytest.approx(2 * sigmoid(0.6) - 1, rel=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.all(tanh_prime(np.array([-1000.0, 1000.0])) == 0.0)


@pytest.mark.parametrize("name", ["tanh", "relu", "sigmoid"])
def test_backprop_with_activation_agrees_with_central_differences(name):
    f, f_prime = {"tanh": (tanh, tanh_prime), "relu": (relu, relu_prime), "sigmoid": (sigmoid, sigmoid_prime)}[name]
    rng = np.random.default_rng(7)
    weights, biases = oracle.random_network([3, 4, 3, 2], seed=7)
    x, y = rng.standard_normal((3, 5)), rng.uniform(0, 1, (2, 5))
    grad_b, grad_w = backprop_with_activation(weights, biases, x, y, f, f_prime)
    numeric_b, numeric_w = oracle.numeric_parameter_gradients(
        lambda ws, bs: oracle.plain_activation_cost(ws, bs, x, y, f), weights, biases)
    for got, want in zip(grad_b + grad_w, numeric_b + numeric_w):
        assert oracle.rel_error(got, want) < 1e-7
    if name == "sigmoid":          # with σ it is the course's backprop with the quadratic cost
        for got, want in zip(grad_b + grad_w, sum(backprop(weights, biases, x, y, QUADRATIC), [])):
            np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_the_gradient_check_fails_at_relus_kink_only():
    weights, x, y = [np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, 0.5]])], np.ones((2, 1)), np.array([[2.0]])
    for b1, kink in [(0.0, True), (0.2, False)]:
        biases = [np.array([[b1], [0.3]]), np.array([[0.1]])]
        grad_b, _ = backprop_with_activation(weights, biases, x, y, relu, relu_prime)
        numeric = oracle.central_gradient(lambda b: oracle.plain_activation_cost(weights, [b, biases[1]], x, y, relu),
                                          biases[0])
        error = oracle.rel_error(grad_b[0], numeric)
        assert (error > 0.1) if kink else (error < 1e-9)
    assert numeric[0, 0] != 0 and grad_b[0][0, 0] != 0   # away from the kink the neuron is active


def test_softmax_backward_is_the_transposed_jacobian():
    rng = np.random.default_rng(8)
    z, grad_a, c = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    a = softmax(z)
    np.testing.assert_allclose(softmax_backward(a, grad_a), oracle.softmax_jacobian_product(a, grad_a), rtol=1e-12)
    numeric = oracle.central_gradient(lambda v: float(np.sum(c * oracle.plain_softmax(v))), z)
    assert oracle.rel_error(softmax_backward(a, c), numeric) < 1e-8
    y = np.eye(5)[:, [0, 3, 4]]
    np.testing.assert_allclose(softmax_backward(a, -y / a), a - y, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(softmax_backward(a, grad_a).sum(axis=0), 0, atol=1e-12)


def test_the_l2_step_is_gradient_descent_on_the_l2_cost():
    rng = np.random.default_rng(9)
    weights, biases = oracle.random_network([3, 4, 2], seed=9)
    x, y, eta, lmbda, n = rng.standard_normal((3, 6)), rng.uniform(0, 1, (2, 6)), 0.3, 2.0, 20
    numeric_b, numeric_w = oracle.numeric_parameter_gradients(
        lambda ws, bs: l2_cost(ws, bs, x, y, CROSS_ENTROPY, lmbda, n), weights, biases)
    stepped = [p.copy() for p in weights], [p.copy() for p in biases]
    sgd_step_l2(*stepped, x, y, eta, CROSS_ENTROPY, lmbda, n)
    for got, start, grad in zip(stepped[0] + stepped[1], weights + biases, numeric_w + numeric_b):
        np.testing.assert_allclose(got, start - eta * grad, rtol=1e-8, atol=1e-10)
    plain = [p.copy() for p in weights], [p.copy() for p in biases]
    sgd_step(*plain, x, y, eta, CROSS_ENTROPY)
    zero = [p.copy() for p in weights], [p.copy() for p in biases]
    sgd_step_l2(*zero, x, y, eta, CROSS_ENTROPY, 0.0, n)
    assert all(np.array_equal(p, q) for p, q in zip(plain[0] + plain[1], zero[0] + zero[1]))


def test_the_penalty_leaves_the_biases_out():
    weights, biases = [np.array([[1.0, 2.0]])], [np.array([[10.0]])]
    x, y = np.zeros((2, 1)), np.zeros((1, 1))
    assert l2_cost(weights, biases, x, y, QUADRATIC, 4.0, 2) == pytest.approx(
        0.5 * float(sigmoid(10.0)) ** 2 + 4.0 / 4 * 5.0, rel=1e-12)


def test_the_first_epoch_from_a_saturated_start_is_slower_with_256_inputs(digits):
    """The notebook's claim: with 256 inputs the N(0, 1) start ends its first epoch at a higher cost."""
    x = enlarge_digits(digits.x_train)
    assert x.shape == (256, 1500) and np.array_equal(x[[0, 1, 16, 17], 0], np.repeat(digits.x_train[0, 0], 4))
    final = {scaled: np.mean([first_epoch_costs(*init_gaussian([256, 30, 10], seed=s, scaled=scaled), x,
                                                digits.y_train)[0][-1] for s in range(3)]) for scaled in (False, True)}
    assert final[True] < 0.9 * final[False]


def test_regularisation_keeps_the_weights_small_and_the_test_cost_down(digits):
    runs = {lmbda: train_l2(digits.x_train[:, :100], digits.y_train[:, :100], digits.x_test, digits.y_test, lmbda)
            for lmbda in (0.0, 0.1)}
    squares = {lmbda: sum(float(np.sum(w ** 2)) for w in weights) for lmbda, (weights, _) in runs.items()}
    assert squares[0.1] < 0.6 * squares[0.0]
    plain, regularised = runs[0.0][1], runs[0.1][1]
    assert plain.train_accuracy[-1] == 1.0
    assert plain.test_cost[-1] > 1.1 * min(plain.test_cost)              # overfitting: the test cost climbs again
    assert regularised.test_cost[-1] < 0.9 * plain.test_cost[-1]
