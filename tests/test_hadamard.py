"""The Hadamard product, with the worked examples of the syllabus."""

import numpy as np
import pytest

from solutions import hadamard


def test_worked_examples():
    np.testing.assert_array_equal(hadamard(np.array([[1], [2], [3]]), np.array([[2], [2], [2]])),
                                  np.array([[2], [4], [6]]))
    np.testing.assert_array_equal(hadamard(np.array([[1], [2]]), np.array([[3], [4]])), np.array([[3], [8]]))


def test_batch_is_elementwise_not_matrix_product():
    s = np.arange(6.0).reshape(3, 2)
    t = np.arange(6.0, 12.0).reshape(3, 2)
    out = hadamard(s, t)
    assert out.shape == (3, 2)
    for j in range(3):
        for k in range(2):
            assert out[j, k] == s[j, k] * t[j, k]


def test_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(ValueError, match="same shape"):
        hadamard(np.ones((3, 1)), np.ones((1, 3)))
