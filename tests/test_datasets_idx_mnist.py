"""Tests of the IDX reader and the MNIST download/cache, without any network access.

The tests write small IDX files themselves (with struct, independently of the
reader), serve them from a folder through file:// URLs or a local HTTP server
on 127.0.0.1, and pass their own checksums to load_mnist.
"""

import contextlib
import functools
import gzip
import hashlib
import http.server
import os
import socket
import struct
import threading
import urllib.request

import numpy as np
import pytest

import datasets
from datasets import ChecksumError, DatasetError, DownloadError, IdxFormatError, load_mnist, read_idx
from datasets.mnist import MNIST_FILES, MNIST_SHA256, mnist_base_url, mnist_cache_dir

TYPE_CODES = {"u1": 0x08, "i1": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


def idx_bytes(array, dtype="u1"):
    """Encode ``array`` as an IDX file: 00 00 code ndim, big-endian sizes, big-endian values."""
    array = np.asarray(array)
    header = bytes([0, 0, TYPE_CODES[dtype], array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(dtype).tobytes(order="C")


def sha256(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def no_real_cache_or_network(tmp_path, monkeypatch):
    """Make sure no test can touch the user's cache or the default mirror."""
    monkeypatch.setenv("BACKPROP_DATA_DIR", str(tmp_path / "default-cache-must-stay-unused"))
    monkeypatch.setenv("BACKPROP_MNIST_URL", (tmp_path / "default-mirror-does-not-exist").as_uri())


class Mirror:
    """A folder holding four small MNIST-format gzip files, and their checksums."""

    def __init__(self, folder, n_train=20, n_test=7, seed=0):
        rng = np.random.default_rng(seed)
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.train_images = rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8)
        self.train_labels = rng.integers(0, 10, n_train, dtype=np.uint8)
        self.test_images = rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8)
        self.test_labels = rng.integers(0, 10, n_test, dtype=np.uint8)
        self.checksums = {}
        for role, name in MNIST_FILES.items():
            self.write(name, gzip.compress(idx_bytes(getattr(self, role)), mtime=0))

    def write(self, name, data):
        """Replace file ``name`` with ``data`` and record its checksum."""
        (self.folder / name).write_bytes(data)
        self.checksums[name] = sha256(data)

    @property
    def url(self):
        return self.folder.as_uri() + "/"


@pytest.fixture
def mirror(tmp_path):
    return Mirror(tmp_path / "mirror")


def files_in(folder):
    """Every entry of ``folder`` (hidden ones included); empty if it does not exist."""
    return sorted(os.listdir(folder)) if folder.exists() else []


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def http_server(folder):
    """Serve ``folder`` over HTTP on 127.0.0.1; yields the base URL."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --- read_idx --------------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("shape", [(17,), (5, 28, 28), (2, 3, 4, 5)])
def test_read_idx_round_trip_ubyte(tmp_path, compress, shape):
    array = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    data = idx_bytes(array)
    path = tmp_path / ("a.idx.gz" if compress else "a.idx")
    path.write_bytes(gzip.compress(data) if compress else data)
    result = read_idx(path)
    assert result.dtype == np.uint8 and result.shape == shape
    np.testing.assert_array_equal(result, array)
    result[...] = 0  # a fresh, writable array


@pytest.mark.parametrize("dtype", ["i1", ">i2", ">i4", ">f4", ">f8"])
def test_read_idx_round_trip_other_type_codes(tmp_path, dtype):
    array = np.array([[-3, 0, 7], [120, -128, 5]]).astype(dtype)
    path = tmp_path / "b.idx"
    path.write_bytes(idx_bytes(array, dtype))
    result = read_idx(path)
    assert result.dtype == np.dtype(dtype).newbyteorder("=")
    np.testing.assert_array_equal(result, array)


def test_read_idx_recognises_gzip_by_content_not_name(tmp_path):
    array = np.arange(6, dtype=np.uint8)
    raw_named_gz = tmp_path / "raw.gz"
    raw_named_gz.write_bytes(idx_bytes(array))
    gz_named_raw = tmp_path / "packed.idx"
    gz_named_raw.write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(raw_named_gz), array)
    np.testing.assert_array_equal(read_idx(gz_named_raw), array)


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_truncated_file_names_sizes(tmp_path, compress):
    data = idx_bytes(np.zeros((4, 28, 28), np.uint8))[:-10]  # 3136 value bytes expected, 3126 present
    path = tmp_path / "short.idx"
    path.write_bytes(gzip.compress(data) if compress else data)
    with pytest.raises(IdxFormatError) as caught:
        read_idx(path)
    message = str(caught.value)
    assert str(path) in message and "truncated" in message
    assert "3136 bytes of values" in message and "holds 3126" in message
    assert "(4, 28, 28)" in message


def test_read_idx_trailing_bytes_names_sizes(tmp_path):
    path = tmp_path / "long.idx"
    path.write_bytes(idx_bytes(np.zeros(10, np.uint8)) + b"\x00\x01\x02")
    with pytest.raises(IdxFormatError) as caught:
        read_idx(path)
    message = str(caught.value)
    assert str(path) in message and "longer than its header says" in message
    assert "10 bytes of values" in message and "holds 13" in message


def test_read_idx_bad_magic(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x01\x00\x08\x01" + struct.pack(">I", 2) + b"\x00\x00")
    with pytest.raises(IdxFormatError, match="00 00") as caught:
        read_idx(path)
    assert str(path) in str(caught.value)


def test_read_idx_html_page_is_recognised(tmp_path):
    path = tmp_path / "page.gz"
    path.write_bytes(b"<!DOCTYPE html><html>Not Found</html>")
    with pytest.raises(IdxFormatError, match="HTML"):
        read_idx(path)


def test_read_idx_unknown_type_code(tmp_path):
    path = tmp_path / "code.idx"
    path.write_bytes(b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(IdxFormatError, match="0x07"):
        read_idx(path)


@pytest.mark.parametrize("data", [b"", b"\x00\x00", b"\x00\x00\x08\x03" + struct.pack(">I", 5)])
def test_read_idx_truncated_header(tmp_path, data):
    path = tmp_path / "header.idx"
    path.write_bytes(data)
    with pytest.raises(IdxFormatError, match="short|truncated"):
        read_idx(path)


def test_read_idx_corrupt_gzip(tmp_path):
    packed = bytearray(gzip.compress(idx_bytes(np.arange(200, dtype=np.uint8) % 7)))
    packed[12:20] = b"\xff" * 8  # damage the deflate stream
    damaged = tmp_path / "damaged.gz"
    damaged.write_bytes(bytes(packed))
    cut = tmp_path / "cut.gz"
    cut.write_bytes(bytes(packed[: len(packed) // 2]))
    for path in (damaged, cut):
        with pytest.raises(IdxFormatError, match="gzip") as caught:
            read_idx(path)
        assert str(path) in str(caught.value)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(DatasetError, match="nope.idx"):
        read_idx(tmp_path / "nope.idx")


# --- load_mnist: happy paths -----------------------------------------------------------------


def assert_matches_mirror(data, mirror):
    assert data.x_train.shape == (784, 20) and data.x_test.shape == (784, 7)
    assert data.y_train.shape == (10, 20) and data.y_test.shape == (10, 7)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        assert getattr(data, name).dtype == np.float64
        assert getattr(data, name).flags.f_contiguous
    # column j is image j, pixels row by row, divided by 255
    np.testing.assert_array_equal(data.x_train[:, 3], mirror.train_images[3].ravel() / 255.0)
    np.testing.assert_array_equal(data.x_train, mirror.train_images.reshape(20, 784).T / 255.0)
    np.testing.assert_array_equal(data.x_test, mirror.test_images.reshape(7, 784).T / 255.0)
    np.testing.assert_array_equal(data.labels_train, mirror.train_labels)
    np.testing.assert_array_equal(data.labels_test, mirror.test_labels)
    np.testing.assert_array_equal(data.y_train.sum(axis=0), 1.0)


def test_load_mnist_from_file_mirror(tmp_path, mirror):
    cache = tmp_path / "cache"
    data = load_mnist(cache_dir=cache, base_url=mirror.url, checksums=mirror.checksums)
    assert_matches_mirror(data, mirror)
    assert files_in(cache) == sorted(MNIST_FILES.values())  # the four files, no temporary leftovers
    for name in MNIST_FILES.values():
        assert (cache / name).read_bytes() == (mirror.folder / name).read_bytes()


def test_load_mnist_over_http(tmp_path, mirror):
    cache = tmp_path / "cache"
    with http_server(mirror.folder) as url:
        data = load_mnist(cache_dir=cache, base_url=url, checksums=mirror.checksums, timeout=5)
    assert_matches_mirror(data, mirror)


def test_load_mnist_accepts_a_plain_folder_path(tmp_path, mirror):
    data = load_mnist(cache_dir=tmp_path / "cache", base_url=str(mirror.folder), checksums=mirror.checksums)
    assert_matches_mirror(data, mirror)


def test_load_mnist_reuses_the_cache(tmp_path, mirror):
    cache = tmp_path / "cache"
    load_mnist(cache_dir=cache, base_url=mirror.url, checksums=mirror.checksums)
    gone = (tmp_path / "mirror-is-gone").as_uri()
    again = load_mnist(cache_dir=cache, base_url=gone, checksums=mirror.checksums, download=False)
    assert_matches_mirror(again, mirror)
    # with download allowed, a verified cache still means no fetch at all
    third = load_mnist(cache_dir=cache, base_url=gone, checksums=mirror.checksums)
    assert_matches_mirror(third, mirror)


def test_load_mnist_respects_environment_variables(tmp_path, mirror, monkeypatch):
    cache = tmp_path / "env-cache"
    monkeypatch.setenv("BACKPROP_DATA_DIR", str(cache))
    monkeypatch.setenv("BACKPROP_MNIST_URL", mirror.url)
    data = load_mnist(checksums=mirror.checksums)
    assert_matches_mirror(data, mirror)
    assert files_in(cache) == sorted(MNIST_FILES.values())


def test_cache_folder_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_DATA_DIR", str(tmp_path / "explicit"))
    assert mnist_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("BACKPROP_DATA_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert mnist_cache_dir() == tmp_path / "xdg" / "backprop-course" / "mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert mnist_cache_dir() == tmp_path / "home" / ".cache" / "backprop-course" / "mnist"


def test_base_url_defaults(tmp_path, monkeypatch):
    monkeypatch.delenv("BACKPROP_MNIST_URL")
    assert mnist_base_url() == "https://storage.googleapis.com/cvdf-datasets/mnist/"
    monkeypatch.setenv("BACKPROP_MNIST_URL", "https://example.org/mnist")
    assert mnist_base_url() == "https://example.org/mnist/"
    assert mnist_base_url("http://localhost:8000/x/") == "http://localhost:8000/x/"
    assert mnist_base_url(tmp_path) == tmp_path.resolve().as_uri() + "/"


def test_default_checksum_table_covers_the_four_files():
    assert set(MNIST_SHA256) == set(MNIST_FILES.values())
    assert all(len(value) == 64 and int(value, 16) >= 0 for value in MNIST_SHA256.values())


# --- load_mnist: failures --------------------------------------------------------------------


def test_wrong_checksum_keeps_nothing_in_the_cache(tmp_path, mirror):
    cache = tmp_path / "cache"
    name = MNIST_FILES["train_images"]
    wrong = dict(mirror.checksums, **{name: "0" * 64})
    with pytest.raises(ChecksumError) as caught:
        load_mnist(cache_dir=cache, base_url=mirror.url, checksums=wrong)
    message = str(caught.value)
    assert name in message and "0" * 64 in message and mirror.checksums[name] in message
    assert files_in(cache) == []


def test_every_checksum_wrong_raises_dataset_error(tmp_path, mirror):
    cache = tmp_path / "cache"
    wrong = {name: "f" * 64 for name in MNIST_FILES.values()}
    with pytest.raises(DatasetError, match="sha256"):
        load_mnist(cache_dir=cache, base_url=mirror.url, checksums=wrong)
    assert files_in(cache) == []


def test_truncated_file_with_matching_checksum_fails_in_the_parser(tmp_path, mirror):
    name = MNIST_FILES["train_images"]
    mirror.write(name, gzip.compress(idx_bytes(mirror.train_images)[:-100]))
    with pytest.raises(IdxFormatError, match="truncated") as caught:
        load_mnist(cache_dir=tmp_path / "cache", base_url=mirror.url, checksums=mirror.checksums)
    assert name in str(caught.value)


def test_corrupt_cached_file_is_downloaded_again(tmp_path, mirror):
    cache = tmp_path / "cache"
    load_mnist(cache_dir=cache, base_url=mirror.url, checksums=mirror.checksums)
    name = MNIST_FILES["test_labels"]
    (cache / name).write_bytes(b"garbage")
    data = load_mnist(cache_dir=cache, base_url=mirror.url, checksums=mirror.checksums)
    assert_matches_mirror(data, mirror)
    assert (cache / name).read_bytes() == (mirror.folder / name).read_bytes()
    assert files_in(cache) == sorted(MNIST_FILES.values())


def test_corrupt_cached_file_without_download_raises(tmp_path, mirror):
    cache = tmp_path / "cache"
    load_mnist(cache_dir=cache, base_url=mirror.url, checksums=mirror.checksums)
    name = MNIST_FILES["train_labels"]
    (cache / name).write_bytes(b"garbage")
    with pytest.raises(ChecksumError) as caught:
        load_mnist(cache_dir=cache, base_url=mirror.url, checksums=mirror.checksums, download=False)
    assert name in str(caught.value) and sha256(b"garbage") in str(caught.value)


def test_empty_cache_without_download_raises(tmp_path, mirror):
    with pytest.raises(DownloadError, match="download=False") as caught:
        load_mnist(cache_dir=tmp_path / "cache", base_url=mirror.url, checksums=mirror.checksums, download=False)
    assert "load_digits" in str(caught.value)
    assert files_in(tmp_path / "cache") == []


@pytest.mark.parametrize("kind", ["missing-folder", "closed-port"])
def test_unreachable_mirror_gives_actionable_error(tmp_path, mirror, kind):
    if kind == "missing-folder":
        url = (tmp_path / "no-such-mirror").as_uri() + "/"
    else:
        url = f"http://127.0.0.1:{closed_port()}/mnist/"
    cache = tmp_path / "cache"
    with pytest.raises(DownloadError) as caught:
        load_mnist(cache_dir=cache, base_url=url, checksums=mirror.checksums, timeout=5)
    message = str(caught.value)
    assert "could not be downloaded from " + url in message
    assert "network" in message
    assert "BACKPROP_MNIST_URL" in message and "cache_dir" in message
    assert "datasets.load_digits()" in message
    assert files_in(cache) == []


def test_http_error_is_reported(tmp_path, mirror):
    empty = tmp_path / "empty-site"
    empty.mkdir()
    with http_server(empty) as url:
        with pytest.raises(DownloadError, match="404") as caught:
            load_mnist(cache_dir=tmp_path / "cache", base_url=url, checksums=mirror.checksums, timeout=5)
    assert "load_digits" in str(caught.value)
    assert files_in(tmp_path / "cache") == []


def test_interrupted_download_leaves_no_temporary_file(tmp_path, mirror, monkeypatch):
    class InterruptedResponse:
        def __init__(self):
            self.calls = 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, size=-1):
            self.calls += 1
            if self.calls == 1:
                return b"partial data"
            raise KeyboardInterrupt

    monkeypatch.setattr(urllib.request, "urlopen", lambda url, timeout=None: InterruptedResponse())
    cache = tmp_path / "cache"
    with pytest.raises(KeyboardInterrupt):
        load_mnist(cache_dir=cache, base_url=mirror.url, checksums=mirror.checksums)
    assert cache.exists() and files_in(cache) == []


def test_mismatched_image_and_label_counts(tmp_path, mirror):
    mirror.write(MNIST_FILES["test_labels"], gzip.compress(idx_bytes(mirror.test_labels[:5])))
    with pytest.raises(IdxFormatError, match="7 images") as caught:
        load_mnist(cache_dir=tmp_path / "cache", base_url=mirror.url, checksums=mirror.checksums)
    assert "5 labels" in str(caught.value)


def test_images_of_the_wrong_size_are_rejected(tmp_path, mirror):
    mirror.write(MNIST_FILES["train_images"], gzip.compress(idx_bytes(np.zeros((20, 27, 28), np.uint8))))
    with pytest.raises(IdxFormatError, match=r"\(N, 28, 28\)"):
        load_mnist(cache_dir=tmp_path / "cache", base_url=mirror.url, checksums=mirror.checksums)


def test_incomplete_checksum_table_is_rejected(tmp_path, mirror):
    partial = {MNIST_FILES["train_images"]: mirror.checksums[MNIST_FILES["train_images"]]}
    with pytest.raises(ValueError, match="t10k-labels-idx1-ubyte.gz"):
        load_mnist(cache_dir=tmp_path / "cache", base_url=mirror.url, checksums=partial)


def test_errors_are_dataset_errors():
    for error in (ChecksumError, DownloadError, IdxFormatError, datasets.DatasetArgumentError):
        assert issubclass(error, DatasetError)
