"""BP1–BP4 one by one, and backprop as a whole against independent central differences."""

import numpy as np
import pytest

from backprop_kit.checks import GRADIENT_TOLERANCE as GRAD_TOL
from grader.oracle import numeric_network_gradients, plain_sigmoid, rel_error
from solutions import (
    CROSS_ENTROPY,
    QUADRATIC,
    SOFTMAX_CROSS_ENTROPY,
    backprop,
    backprop_per_example,
    bp1_output_error,
    bp2_hidden_error,
    bp3_bias_gradient,
    bp4_weight_gradient,
    feedforward,
    init_network,
)

COSTS = {"quadratic": QUADRATIC, "cross-entropy": CROSS_ENTROPY, "softmax": SOFTMAX_CROSS_ENTROPY}


def sp(z):
    s = plain_sigmoid(z)
    return s * (1 - s)


def problem(sizes, m, kind, seed):
    rng = np.random.default_rng(seed)
    net = init_network(sizes, seed=seed)
    x = rng.standard_normal((sizes[0], m))
    if kind == "softmax":
        y = np.eye(sizes[-1])[:, rng.integers(0, sizes[-1], m)]
    else:
        y = rng.random((sizes[-1], m))
    return net, x, y


def test_bp1_elementwise():
    rng = np.random.default_rng(0)
    g, z = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    expected = np.array([[g[j, c] * sp(z[j, c]) for c in range(4)] for j in range(3)])
    np.testing.assert_allclose(bp1_output_error(g, z), expected, rtol=1e-13)


def test_bp2_index_form():
    """δⱼˡ = Σₖ w_kjˡ⁺¹ δₖˡ⁺¹ σ'(zⱼˡ), written with explicit indices."""
    rng = np.random.default_rng(1)
    w_next, d_next, z = rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((3, 2))
    expected = np.zeros((3, 2))
    for c in range(2):
        for j in range(3):
            expected[j, c] = sum(w_next[k, j] * d_next[k, c] for k in range(4)) * sp(z[j, c])
    np.testing.assert_allclose(bp2_hidden_error(w_next, d_next, z), expected, rtol=1e-12)


def test_bp3_averages_over_samples():
    delta = np.array([[1.0, 3.0], [-2.0, 4.0]])
    np.testing.assert_array_equal(bp3_bias_gradient(delta), [[2.0], [1.0]])
    assert bp3_bias_gradient(delta[:, :1]).shape == (2, 1)


def test_bp4_index_form():
    """∂C/∂w_jkˡ = (1/m) Σₓ a_kˡ⁻¹ δ_jˡ."""
    rng = np.random.default_rng(2)
    delta, a_prev = rng.standard_normal((3, 5)), rng.standard_normal((4, 5))
    expected = np.zeros((3, 4))
    for j in range(3):
        for k in range(4):
            expected[j, k] = np.mean([a_prev[k, c] * delta[j, c] for c in range(5)])
    np.testing.assert_allclose(bp4_weight_gradient(delta, a_prev), expected, rtol=1e-12)


def test_feedforward_keeps_every_layer_for_sample_and_batch():
    net, x, _ = problem([4, 5, 3, 2], 6, "quadratic", 3)
    zs, activations = feedforward(*net, x)
    assert [a.shape for a in activations] == [(4, 6), (5, 6), (3, 6), (2, 6)]
    assert [z.shape for z in zs] == [(5, 6), (3, 6), (2, 6)]
    np.testing.assert_array_equal(activations[0], x)
    for col in range(6):
        _, single = feedforward(*net, x[:, [col]])
        for a_batch, a_one in zip(single, activations):
            np.testing.assert_allclose(a_one[:, [col]], a_batch, rtol=1e-14)
    # z = W a + b by hand for the first layer, first sample
    z = [sum(net[0][0][j, k] * x[k, 0] for k in range(4)) + net[1][0][j, 0] for j in range(5)]
    np.testing.assert_allclose(zs[0][:, 0], z, rtol=1e-13)


def test_wrong_input_shape_is_explained():
    net = init_network([4, 3, 2])
    with pytest.raises(ValueError, match=r"columns of shape \(4, m\)"):
        feedforward(*net, np.ones(4))
    with pytest.raises(ValueError, match=r"\(4, m\)"):
        feedforward(*net, np.ones((1, 4)))
    with pytest.raises(ValueError, match="targets"):
        backprop(*net, np.ones((4, 3)), np.ones((3, 2)), QUADRATIC)


CASES = [
    ([3, 2], 1), ([3, 2], 5),
    ([4, 5, 3], 1), ([4, 5, 3], 7),
    ([2, 6, 4, 3], 1), ([2, 6, 4, 3], 4),
    ([5, 3, 4, 3, 2], 1), ([5, 3, 4, 3, 2], 3),
]


@pytest.mark.parametrize("kind", list(COSTS))
@pytest.mark.parametrize("sizes, m", CASES)
def test_backprop_matches_central_differences(sizes, m, kind):
    net, x, y = problem(sizes, m, kind, seed=len(sizes) * 10 + m)
    grad_b, grad_w = backprop(*net, x, y, COSTS[kind])
    num_b, num_w = numeric_network_gradients(*net, x, y, kind)
    for layer, (g, n) in enumerate(zip(grad_b + grad_w, num_b + num_w)):
        assert g.shape == n.shape
        assert rel_error(g, n) <= GRAD_TOL, f"{kind} {sizes} m={m} array {layer}: {rel_error(g, n):.2e}"


@pytest.mark.parametrize("kind", list(COSTS))
@pytest.mark.parametrize("sizes, m", [([4, 5, 3], 8), ([6, 7, 5, 4], 13), ([64, 30, 10], 32)])
def test_per_example_equals_matrix_form(sizes, m, kind):
    net, x, y = problem(sizes, m, kind, seed=m)
    batch_b, batch_w = backprop(*net, x, y, COSTS[kind])
    loop_b, loop_w = backprop_per_example(*net, x, y, COSTS[kind])
    for g_batch, g_loop in zip(batch_b + batch_w, loop_b + loop_w):
        np.testing.assert_allclose(g_batch, g_loop, rtol=1e-12, atol=1e-12 * np.abs(g_loop).max())


def test_backprop_leaves_inputs_untouched():
    net, x, y = problem([3, 4, 2], 5, "quadratic", 4)
    before = [a.copy() for a in net[0] + net[1] + [x, y]]
    backprop(*net, x, y, QUADRATIC)
    for b, a in zip(before, net[0] + net[1] + [x, y]):
        np.testing.assert_array_equal(a, b)


def test_init_is_seeded_and_shaped():
    (wa, ba), (wb, bb), (wc, _) = init_network([5, 4, 3], seed=7), init_network([5, 4, 3], seed=7), init_network([5, 4, 3], seed=8)
    assert [w.shape for w in wa] == [(4, 5), (3, 4)]
    assert [v.shape for v in ba] == [(4, 1), (3, 1)]
    for u, v in zip(wa + ba, wb + bb):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(wa[0], wc[0])
    with pytest.raises(ValueError):
        init_network([5])
