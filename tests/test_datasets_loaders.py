"""Tests of the bundled digits, the synthetic sets, one_hot and train_test_split."""

import hashlib
import re
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import datasets
from datasets import DataSplit, DatasetArgumentError, DatasetError
from datasets.digits import read_digits_npz
from datasets.split import split_indices

DATA_DIR = Path(datasets.__file__).parent / "data"
DIGITS_NPZ = DATA_DIR / "digits.npz"


def assert_valid_split(split, n_features, n_classes, m_train, m_test):
    """Shapes, dtypes, memory layout and one-hot structure of a DataSplit."""
    assert split.x_train.shape == (n_features, m_train)
    assert split.x_test.shape == (n_features, m_test)
    assert split.y_train.shape == (n_classes, m_train)
    assert split.y_test.shape == (n_classes, m_test)
    assert split.n_features == n_features
    assert split.n_classes == n_classes
    for name in ("x_train", "y_train", "x_test", "y_test"):
        array = getattr(split, name)
        assert array.dtype == np.float64, name
        assert array.flags.f_contiguous, f"{name} should be Fortran-ordered"
        assert np.all(np.isfinite(array)), name
    for y, labels in ((split.y_train, split.labels_train), (split.y_test, split.labels_test)):
        assert set(np.unique(y)) <= {0.0, 1.0}
        np.testing.assert_array_equal(y.sum(axis=0), np.ones(y.shape[1]))
        assert labels.shape == (y.shape[1],)
        assert np.issubdtype(labels.dtype, np.integer)
        np.testing.assert_array_equal(y[labels, np.arange(y.shape[1])], 1.0)


def column_multiset(x, labels):
    """Multiset of (sample column, label) pairs, to compare splits with the full set."""
    return Counter((col.tobytes(), int(label)) for col, label in zip(np.ascontiguousarray(x.T), labels))


# --- digits ---------------------------------------------------------------------------------


def test_digits_default_split_shapes_and_types():
    data = datasets.load_digits()
    assert_valid_split(data, n_features=64, n_classes=10, m_train=1500, m_test=297)


def test_digits_inputs_are_pixels_over_16_in_unit_interval():
    data = datasets.load_digits()
    both = np.hstack([data.x_train, data.x_test])
    assert both.min() == 0.0 and both.max() == 1.0
    scaled = both * 16
    np.testing.assert_array_equal(scaled, np.round(scaled))  # 17 grey levels 0/16 .. 16/16


def test_digits_every_class_in_both_sets():
    data = datasets.load_digits()
    assert set(data.labels_train) == set(range(10))
    assert set(data.labels_test) == set(range(10))


def test_digits_same_seed_gives_identical_arrays():
    a = datasets.load_digits(seed=3)
    b = datasets.load_digits(seed=3)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_digits_different_seed_gives_different_split():
    a = datasets.load_digits(seed=0)
    b = datasets.load_digits(seed=1)
    assert a.x_test.shape == b.x_test.shape
    assert not np.array_equal(a.x_test, b.x_test)
    assert not np.array_equal(a.labels_train, b.labels_train)


def test_digits_split_is_a_partition_of_the_bundled_images():
    # Read the file directly: every (image, label) pair must land in exactly one of the two sets.
    with np.load(DIGITS_NPZ) as archive:
        images, labels = archive["images"], archive["labels"]
    full = column_multiset(images.T.astype(np.float64) / 16, labels)
    data = datasets.load_digits(seed=5)
    train = column_multiset(data.x_train, data.labels_train)
    test = column_multiset(data.x_test, data.labels_test)
    assert train + test == full
    assert sum(train.values()) == 1500 and sum(test.values()) == 297


def test_digits_custom_test_size():
    data = datasets.load_digits(test_size=500, seed=2)
    assert data.x_train.shape == (64, 1297)
    assert data.x_test.shape == (64, 500)


def test_bundled_file_matches_documented_facts():
    with np.load(DIGITS_NPZ) as archive:
        assert sorted(archive.files) == ["images", "labels"]
        images, labels = archive["images"], archive["labels"]
    assert images.dtype == np.uint8 and images.shape == (1797, 64)
    assert labels.dtype == np.uint8 and labels.shape == (1797,)
    assert images.max() == 16
    # Class counts of the UCI optdigits test set, as stated in data/README.md.
    np.testing.assert_array_equal(np.bincount(labels), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])


def test_readme_and_code_state_the_sha256_of_the_bundled_file():
    actual = hashlib.sha256(DIGITS_NPZ.read_bytes()).hexdigest()
    readme = (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert actual in re.findall(r"[0-9a-f]{64}", readme)
    assert datasets.digits.DIGITS_SHA256 == actual


def test_digits_corrupt_file_raises_dataset_error(tmp_path):
    raw = bytearray(DIGITS_NPZ.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    broken = tmp_path / "digits.npz"
    broken.write_bytes(bytes(raw))
    actual = hashlib.sha256(bytes(raw)).hexdigest()
    with pytest.raises(DatasetError) as caught:
        read_digits_npz(broken)
    message = str(caught.value)
    assert actual in message and datasets.digits.DIGITS_SHA256 in message
    assert str(broken) in message


def test_digits_missing_file_raises_dataset_error(tmp_path):
    with pytest.raises(DatasetError, match="reinstall"):
        read_digits_npz(tmp_path / "nothing-here.npz")


def test_digits_file_with_wrong_contents_raises_dataset_error(tmp_path):
    path = tmp_path / "digits.npz"
    np.savez_compressed(path, images=np.zeros((10, 64), np.uint8), labels=np.zeros(10, np.uint8))
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatasetError, match="shape"):
        read_digits_npz(path, expected_sha256=sha)


# --- synthetic sets -------------------------------------------------------------------------

SYNTHETIC = [
    # (generator, keyword arguments, n_classes, m_train, m_test)
    (datasets.xor, {}, 2, 300, 100),
    (datasets.two_moons, {}, 2, 300, 100),
    (datasets.spirals, {}, 3, 450, 150),
    (datasets.spirals, {"n_samples": 250, "n_arms": 5, "test_size": 50}, 5, 200, 50),
    (datasets.xor, {"n_samples": 41, "test_size": 11}, 2, 30, 11),
]


@pytest.mark.parametrize("make, kwargs, n_classes, m_train, m_test", SYNTHETIC)
def test_synthetic_shapes_and_classes(make, kwargs, n_classes, m_train, m_test):
    data = make(**kwargs)
    assert_valid_split(data, n_features=2, n_classes=n_classes, m_train=m_train, m_test=m_test)
    assert set(data.labels_train) == set(range(n_classes))
    assert set(data.labels_test) == set(range(n_classes))


@pytest.mark.parametrize("make", [datasets.xor, datasets.two_moons, datasets.spirals])
def test_synthetic_same_seed_same_data_other_seed_other_data(make):
    a, b, c = make(seed=7), make(seed=7), make(seed=8)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(a.x_train, c.x_train)


@pytest.mark.parametrize("make", [datasets.xor, datasets.two_moons, datasets.spirals])
def test_synthetic_noise_changes_the_points(make):
    quiet, noisy = make(noise=0.0, seed=0), make(noise=0.3, seed=0)
    assert not np.allclose(quiet.x_train, noisy.x_train)


@pytest.mark.parametrize("make", [datasets.xor, datasets.two_moons])
def test_synthetic_classes_balanced(make):
    data = make(n_samples=400, seed=0)
    counts = np.bincount(np.concatenate([data.labels_train, data.labels_test]))
    np.testing.assert_array_equal(counts, [200, 200])


def test_xor_without_noise_sits_on_the_corners_with_xor_labels():
    data = datasets.xor(noise=0.0)
    x = np.hstack([data.x_train, data.x_test])
    labels = np.concatenate([data.labels_train, data.labels_test])
    assert set(map(tuple, x.T)) == {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(labels, x[0].astype(int) ^ x[1].astype(int))


def test_two_moons_without_noise_lies_on_the_two_half_circles():
    data = datasets.two_moons(noise=0.0)
    x = np.hstack([data.x_train, data.x_test])
    labels = np.concatenate([data.labels_train, data.labels_test])
    upper, lower = x[:, labels == 0], x[:, labels == 1]
    np.testing.assert_allclose(np.hypot(upper[0], upper[1]), 1.0, rtol=0, atol=1e-12)
    assert np.all(upper[1] >= -1e-12)
    np.testing.assert_allclose(np.hypot(lower[0] - 1.0, lower[1] - 0.5), 1.0, rtol=0, atol=1e-12)
    assert np.all(lower[1] <= 0.5 + 1e-12)


def test_spirals_without_noise_follow_their_arms():
    n_arms = 4
    data = datasets.spirals(n_samples=200, n_arms=n_arms, noise=0.0, test_size=40)
    x = np.hstack([data.x_train, data.x_test])
    labels = np.concatenate([data.labels_train, data.labels_test])
    radius = np.hypot(x[0], x[1])
    assert np.all((radius >= 0.05 - 1e-12) & (radius <= 1.0 + 1e-12))
    # angle = 2 pi k / n_arms + 4 r  (mod 2 pi)
    offset = np.arctan2(x[1], x[0]) - 2 * np.pi * labels / n_arms - 4 * radius
    np.testing.assert_allclose(np.cos(offset), 1.0, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(np.bincount(labels), [50, 50, 50, 50])


@pytest.mark.parametrize(
    "call",
    [
        lambda: datasets.xor(noise=-0.1),
        lambda: datasets.two_moons(noise=float("nan")),
        lambda: datasets.spirals(n_arms=1),
        lambda: datasets.xor(n_samples=2),
        lambda: datasets.two_moons(n_samples=100, test_size=100),
        lambda: datasets.spirals(test_size=-1),
        lambda: datasets.xor(seed=-5),
        lambda: datasets.load_digits(test_size=1797),
        lambda: datasets.load_digits(test_size=1.5),
    ],
)
def test_bad_generator_arguments_raise_value_errors(call):
    with pytest.raises(DatasetArgumentError) as caught:
        call()
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, DatasetError)


# --- one_hot ---------------------------------------------------------------------------------


def test_one_hot_value():
    expected = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 0.0, 1.0]])
    y = datasets.one_hot([2, 0, 1, 2], 3)
    assert y.dtype == np.float64
    np.testing.assert_array_equal(y, expected)


def test_one_hot_accepts_whole_floats_and_empty_input():
    np.testing.assert_array_equal(datasets.one_hot(np.array([1.0, 0.0]), 2), [[0.0, 1.0], [1.0, 0.0]])
    assert datasets.one_hot(np.array([], dtype=int), 4).shape == (4, 0)


@pytest.mark.parametrize(
    "labels, n_classes, fragment",
    [
        ([0, 3], 3, "labels[1] is 3"),
        ([0, -1], 3, "labels[1] is -1"),
        ([0.0, 1.5], 3, "whole numbers"),
        ([0.0, float("nan")], 3, "whole numbers"),
        (["a", "b"], 3, "integers"),
        ([[0, 1]], 3, "1-d"),
        ([0, 1], 0, "n_classes"),
        ([0, 1], 2.0, "n_classes"),
    ],
)
def test_one_hot_errors_say_what_is_wrong(labels, n_classes, fragment):
    with pytest.raises(ValueError) as caught:
        datasets.one_hot(labels, n_classes)
    assert isinstance(caught.value, DatasetError)
    assert fragment in str(caught.value)


# --- train_test_split ------------------------------------------------------------------------


def test_train_test_split_keeps_each_column_with_its_label():
    m = 50
    x = np.vstack([np.arange(m), 10.0 * np.arange(m)])  # column j encodes j
    labels = np.arange(m) % 3
    data = datasets.train_test_split(x, labels, 3, test_size=12, seed=4)
    assert_valid_split(data, n_features=2, n_classes=3, m_train=38, m_test=12)
    for xs, ls in ((data.x_train, data.labels_train), (data.x_test, data.labels_test)):
        index = xs[0].astype(int)
        np.testing.assert_array_equal(xs[1], 10.0 * index)
        np.testing.assert_array_equal(ls, index % 3)
    together = np.concatenate([data.x_train[0], data.x_test[0]])
    np.testing.assert_array_equal(np.sort(together), np.arange(m))


def test_train_test_split_fraction_and_zero():
    x = np.ones((2, 40))
    labels = np.zeros(40, dtype=int)
    assert datasets.train_test_split(x, labels, 1, 0.25, 0).x_test.shape == (2, 10)
    assert datasets.train_test_split(x, labels, 1, 0, 0).x_test.shape == (2, 0)


def test_train_test_split_rows_for_samples_is_reported():
    x = np.zeros((30, 4))  # 30 samples as rows: the wrong convention
    with pytest.raises(DatasetArgumentError, match=r"x\.T"):
        datasets.train_test_split(x, np.zeros(30, dtype=int), 2, 5, 0)


def test_split_indices_partition_and_determinism():
    train, test = split_indices(100, 30, seed=9)
    assert len(train) == 70 and len(test) == 30
    assert not set(train) & set(test)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(100))
    again_train, again_test = split_indices(100, 30, seed=9)
    np.testing.assert_array_equal(train, again_train)
    np.testing.assert_array_equal(test, again_test)
    assert not np.array_equal(test, split_indices(100, 30, seed=10)[1])


def test_datasplit_rejects_mismatched_shapes():
    with pytest.raises(DatasetArgumentError, match="sample columns"):
        DataSplit(np.zeros((2, 5)), np.zeros((3, 4)), np.zeros((2, 1)), np.zeros((3, 1)))
    with pytest.raises(DatasetArgumentError, match="2-d"):
        DataSplit(np.zeros(5), np.zeros((3, 5)), np.zeros((2, 1)), np.zeros((3, 1)))


def test_datasplit_repr_is_short():
    text = repr(datasets.load_digits())
    assert text == "DataSplit(n_features=64, n_classes=10, m_train=1500, m_test=297)"
