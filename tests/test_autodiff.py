"""Reverse-mode differentiation on scalars: local gradients, topological order and the backward
pass against central differences, and the network's cost graph against BP1–BP4."""

import math

import numpy as np
import pytest

from grader import oracle
from solutions import (CROSS_ENTROPY, Value, backprop, backward, bp2_hidden_error, local_gradients,
                       network_cost_graph, node_gradients, topological_order, total_cost, value_sum)

FORWARD = {"add": lambda u: float(np.sum(u)), "mul": lambda u: float(u[0] * u[1]),
           "sigmoid": lambda u: float(oracle.stable_sigmoid(u[0])), "log": lambda u: float(np.log(u[0]))}


def random_graph(rng, n_leaves, n_ops):
    """A recipe for a random graph (each operation uses earlier nodes) and a builder from leaf values."""
    recipe = [(["add", "mul", "sigmoid", "log", "sum"][int(rng.integers(5))],
               [int(i) for i in rng.integers(0, n_leaves + k, 3)]) for k in range(n_ops)]

    def build(values):
        nodes = [Value(float(v)) for v in values]
        leaves = list(nodes)
        for op, (i, j, k) in recipe:
            nodes.append({"add": lambda: nodes[i] + nodes[j], "mul": lambda: nodes[i] * nodes[j] * 0.5,
                          "sigmoid": lambda: nodes[i].sigmoid(), "log": lambda: (nodes[i] * nodes[i] + 0.5).log(),
                          "sum": lambda: value_sum([nodes[i], nodes[j], nodes[k]])}[op]())
        return leaves, value_sum(nodes[len(leaves):])

    return build


def test_arithmetic_with_numbers_builds_nodes():
    a = Value(2.0)
    for node, value in [(1 - a, -1.0), (a - 0.5, 1.5), (-a, -2.0), (np.float64(3.0) * a, 6.0), (a + 1, 3.0),
                        (2 * a, 4.0)]:
        assert isinstance(node, Value) and node.data == value
        assert node.op in ("add", "mul")
    s = value_sum([a, a, 1.0])
    assert s.data == 5.0 and s.op == "add" and len(s.parents) == 3 and s.parents[0] is a
    assert Value(0.0).sigmoid().data == 0.5 and Value(math.e).log().data == pytest.approx(1.0, rel=1e-15)
    assert {a, Value(2.0)} != {a} and len({a, a}) == 1      # nodes compare by identity


def test_local_gradients_agree_with_central_differences():
    rng = np.random.default_rng(1)
    for _ in range(20):
        u = [Value(float(v)) for v in rng.uniform(0.1, 3.0, 3) * rng.choice([-1, 1], 3)]
        positive = Value(float(rng.uniform(0.1, 5)))
        for node in [u[0] * u[1], u[1] * u[1], u[0] + u[2], value_sum(u + [u[0]]), u[2].sigmoid(), positive.log()]:
            inputs = np.array([p.data for p in node.parents])
            numeric = oracle.central_gradient(FORWARD[node.op], inputs)
            assert oracle.rel_error(np.array(local_gradients(node)), numeric) < 1e-8, node
    assert local_gradients(Value(4.0)) == ()


def test_the_order_of_a_diamond_is_unique_and_shared_nodes_appear_once():
    x = Value(3.0)
    xx = x * x
    f = xx + x
    assert topological_order(f) == [x, xx, f]


@pytest.mark.parametrize("seed", range(5))
def test_random_graphs_are_ordered_parents_first(seed):
    rng = np.random.default_rng(seed)
    _, root = random_graph(rng, 3, 25)(rng.uniform(0.5, 1.5, 3))
    ok, problem = oracle.is_topological_order(topological_order(root), root)
    assert ok, problem


@pytest.mark.parametrize("seed", range(5))
def test_backward_gives_the_gradient_of_the_root(seed):
    rng = np.random.default_rng(10 + seed)
    build, values = random_graph(rng, 4, 20), rng.uniform(0.5, 1.5, 4)
    leaves, root = build(values)
    backward(root)
    numeric = oracle.central_gradient(lambda v: build(v)[1].data, values)
    assert oracle.rel_error(np.array([leaf.grad for leaf in leaves]), numeric) < 1e-7
    assert root.grad == 1.0
    first = [leaf.grad for leaf in leaves]
    backward(root)                                  # a second pass starts from 0 again
    assert [leaf.grad for leaf in leaves] == first


def test_a_node_used_several_times_adds_up_its_paths():
    x = Value(3.0)
    f = x * x + x
    backward(f)
    assert x.grad == 7.0                            # 2x + 1
    a, b, c = Value(2.0), Value(-3.0), Value(6.0)
    L = (a * b + c).sigmoid().log()
    backward(L)
    assert [a.grad, b.grad, c.grad] == pytest.approx([-1.5, 1.0, 0.5], rel=1e-12)


@pytest.mark.parametrize("sizes, m", [([3, 4, 2], 5), ([2, 3, 3, 2], 1), ([1, 2, 1], 3)])
def test_the_cost_graph_gives_what_bp1_to_bp4_give(sizes, m):
    rng = np.random.default_rng(sum(sizes) + m)
    weights, biases = oracle.random_network(sizes, seed=m)
    x, y = rng.standard_normal((sizes[0], m)), rng.uniform(0, 1, (sizes[-1], m))
    cost, weight_nodes, bias_nodes = network_cost_graph(weights, biases, x, y)
    assert cost.data == pytest.approx(total_cost(weights, biases, x, y, CROSS_ENTROPY), rel=1e-12)
    backward(cost)
    grad_b, grad_w = backprop(weights, biases, x, y, CROSS_ENTROPY)
    numeric_b, numeric_w = oracle.numeric_network_gradients(weights, biases, x, y, "cross-entropy")
    for i in range(len(weights)):
        assert node_gradients(weight_nodes[i]).shape == weights[i].shape
        assert node_gradients(bias_nodes[i]).shape == biases[i].shape
        np.testing.assert_allclose(node_gradients(weight_nodes[i]), grad_w[i], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(node_gradients(bias_nodes[i]), grad_b[i], rtol=1e-10, atol=1e-14)
        assert oracle.rel_error(node_gradients(weight_nodes[i]), numeric_w[i]) < 1e-7


def test_one_layer_of_the_graph_is_bp2():
    """Leaves z², then a² = σ(z²), z³ = W³a² + b³ as nodes, and a root r = Σₖ δ³ₖ z³ₖ: the
    backward pass leaves ((W³)ᵀδ³) ⊙ σ'(z²) in the grads of z²."""
    rng = np.random.default_rng(3)
    w3, b3, z2, delta3 = (rng.standard_normal(shape) for shape in [(2, 4), (2, 1), (4, 1), (2, 1)])
    z_leaves = [Value(float(v)) for v in z2[:, 0]]
    a2 = [z.sigmoid() for z in z_leaves]
    z3 = [value_sum([w3[k, j] * a2[j] for j in range(4)] + [b3[k, 0]]) for k in range(2)]
    backward(value_sum([delta3[k, 0] * z3[k] for k in range(2)]))
    np.testing.assert_allclose([z.grad for z in z_leaves], oracle.loop_bp2(w3, delta3, z2)[:, 0], rtol=1e-12)
    np.testing.assert_allclose([z.grad for z in z_leaves], bp2_hidden_error(w3, delta3, z2)[:, 0], rtol=1e-12)


def test_the_known_good_autodiff_of_the_grader_agrees():
    rng = np.random.default_rng(4)
    build, values = random_graph(rng, 3, 15), rng.uniform(0.5, 1.5, 3)
    leaves, root = build(values)
    oracle.graph_backward(root)
    theirs = [leaf.grad for leaf in leaves]
    backward(root)
    assert oracle.rel_error(np.array(theirs), np.array([leaf.grad for leaf in leaves])) < 1e-12
    assert oracle.is_topological_order(oracle.graph_topological_order(root), root) == (True, "")
    assert not oracle.is_topological_order(topological_order(root)[::-1], root)[0]
