"""Reverse-mode automatic differentiation on scalars: a computational graph and its backward pass.

A :class:`Value` is one node of the graph: a number (``data``), the nodes it was computed
from (``parents``), the operation that computed it (``op``) and, after a backward pass, the
derivative of the graph's root with respect to it (``grad``). Four operations make every
node the course needs:

* ``"add"``     v = u₁ + u₂ + … + uₖ        (any number of parents)
* ``"mul"``     v = u₁ u₂
* ``"sigmoid"`` v = σ(u)
* ``"log"``     v = ln u

A leaf (``op == ""``, no parents) is an input, a parameter or a constant.

The backward pass applies the multivariable chain rule once per node, from the root back
to the leaves (a reversed topological order, so a node is finished before its parents):

    ∂r/∂u = Σ over the children v of u  of  ∂r/∂v · ∂v/∂u,

where ∂v/∂u is the *local* gradient of v's operation (:func:`local_gradients`). A node
used twice receives one term per use: the ``+=`` in :func:`backward`.
"""

import math
from dataclasses import dataclass

from .activations import sigmoid


@dataclass(eq=False, repr=False)
class Value:
    """A scalar node of a computational graph.

    Attributes
    ----------
    data : float
        The node's value, computed in the forward pass.
    parents : tuple of Value
        The nodes ``data`` was computed from (empty for a leaf); a node may appear twice
        (``x * x``).
    op : str
        The operation: ``"add"``, ``"mul"``, ``"sigmoid"``, ``"log"``, or ``""`` for a leaf.
    grad : float
        ∂root/∂(this node) after :func:`backward` ran on the graph's root; 0 before.

    Nodes compare by identity (``eq=False``), so they can be kept in sets and dict keys.
    Arithmetic with plain numbers turns the number into a leaf: ``2 * v``, ``1 - v`` and
    ``v + 0.5`` are graphs too. Subtraction and negation are built from ``"add"`` and
    ``"mul"`` nodes (``u − v = u + (−1)·v``).
    """

    data: float
    parents: tuple = ()
    op: str = ""
    grad: float = 0.0

    __array_ufunc__ = None  # numpy numbers defer to Value's own operators (np.float64(2) * v is a Value)

    def __add__(self, other):
        other = as_value(other)
        return Value(self.data + other.data, (self, other), "add")

    def __radd__(self, other):
        return as_value(other) + self

    def __mul__(self, other):
        other = as_value(other)
        return Value(self.data * other.data, (self, other), "mul")

    def __rmul__(self, other):
        return as_value(other) * self

    def __neg__(self):
        return self * -1.0

    def __sub__(self, other):
        return self + (-as_value(other))

    def __rsub__(self, other):
        return as_value(other) + (-self)

    def sigmoid(self):
        """σ of this node, as a new node."""
        return Value(float(sigmoid(self.data)), (self,), "sigmoid")

    def log(self):
        """ln of this node (which must be positive), as a new node."""
        return Value(math.log(self.data), (self,), "log")

    def __repr__(self):
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}, op={self.op!r})"


def as_value(x):
    """``x`` itself if it is a :class:`Value`, else a new leaf holding ``float(x)``."""
    return x if isinstance(x, Value) else Value(float(x))


def value_sum(values):
    """One ``"add"`` node whose parents are all of ``values``: u₁ + u₂ + … + uₖ.

    Python's ``sum`` would chain k − 1 binary additions (a graph k nodes deep); one node
    with k parents keeps the graph shallow and has the same gradient, 1 for every parent.

    Parameters
    ----------
    values : sequence of Value or float, length ≥ 1

    Returns
    -------
    Value
    """
    parents = tuple(as_value(v) for v in values)
    if not parents:
        raise ValueError("value_sum needs at least one value")
    return Value(math.fsum(p.data for p in parents), parents, "add")


def local_gradients(node):
    """The local gradients ∂v/∂uᵢ of one node v with respect to each of its parents uᵢ.

    * add:     v = Σᵢ uᵢ   → ∂v/∂uᵢ = 1 for every parent
    * mul:     v = u₁u₂    → (u₂, u₁): each factor's derivative is the *other* factor
    * sigmoid: v = σ(u)    → σ'(u) = σ(u)(1 − σ(u)) = v(1 − v), from the node's own value
    * log:     v = ln u    → 1/u
    * a leaf has no parents → ()

    Parameters
    ----------
    node : Value

    Returns
    -------
    tuple of float
        One entry per parent, in the order of ``node.parents``.
    """
    if not node.parents:
        return ()
    if node.op == "add":
        return (1.0,) * len(node.parents)
    if node.op == "mul":
        a, b = node.parents
        return (b.data, a.data)
    if node.op == "sigmoid":
        s = node.data
        return (s * (1.0 - s),)
    if node.op == "log":
        (a,) = node.parents
        return (1.0 / a.data,)
    raise ValueError(f"unknown operation {node.op!r}")


def topological_order(root):
    """Every node the root depends on (the root included), each listed once and after all
    of its parents: leaves come early, the root comes last.

    A depth-first search: a node is appended once all its parents are, and a set of the
    nodes already visited makes a node reached by several paths appear once.

    Parameters
    ----------
    root : Value

    Returns
    -------
    list of Value
        The nodes themselves (not copies); ``order[-1] is root``.
    """
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order


def backward(root):
    """Set every node's ``grad`` to ∂root/∂node by reverse-mode differentiation.

    All gradients start at 0 and ∂root/∂root = 1. Then, in reversed topological order
    (each node after all the nodes that use it), a node passes its gradient on to each
    parent: parent.grad += (∂node/∂parent) · node.grad — the chain rule, one term per use
    of the parent, so the gradients of shared nodes add up over all their paths.

    Parameters
    ----------
    root : Value
        Usually a cost. Its graph is changed in place (only the ``grad`` fields).

    Returns
    -------
    None
    """
    order = topological_order(root)
    for node in order:
        node.grad = 0.0
    root.grad = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, local_gradients(node)):
            parent.grad += local * node.grad
