"""MNIST: download once, verify, cache, load in the column convention.

MNIST (70,000 handwritten digits, 28 x 28 grey pixels) is too large to ship
with the course, so :func:`load_mnist` downloads its four gzip files on first
use and keeps them in a cache folder. Every file is checked against a SHA-256
digest both when it is downloaded and every time it is loaded.

Where things live
-----------------
Cache folder (first that is set):
    1. the ``cache_dir`` argument;
    2. the environment variable ``BACKPROP_DATA_DIR``;
    3. ``$XDG_CACHE_HOME/backprop-course/mnist``;
    4. ``~/.cache/backprop-course/mnist``.

The files are stored directly in that folder under their usual names.

Download location (first that is set):
    1. the ``base_url`` argument;
    2. the environment variable ``BACKPROP_MNIST_URL``;
    3. :data:`DEFAULT_BASE_URL`.

A location can be an ``http://``, ``https://`` or ``file://`` URL, or a plain
path to a local folder that holds the four files. On a machine without
network access, either copy the four files into the cache folder, or point
``BACKPROP_MNIST_URL`` at a folder that holds them; or use the bundled
:func:`datasets.load_digits`, which needs no download at all.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException
from pathlib import Path

import numpy as np

from .errors import ChecksumError, DatasetArgumentError, DatasetError, DownloadError, IdxFormatError
from .idx import read_idx
from .split import DataSplit, one_hot

__all__ = [
    "DEFAULT_BASE_URL",
    "MNIST_FILES",
    "MNIST_SHA256",
    "load_mnist",
    "mnist_cache_dir",
    "mnist_base_url",
]

#: Public mirror of the original MNIST files.
DEFAULT_BASE_URL = "https://storage.googleapis.com/cvdf-datasets/mnist/"

#: Role -> file name of the four MNIST files.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

#: File name -> SHA-256 of the gzip file: the published checksums of the
#: standard MNIST files.
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}

IMAGE_SHAPE = (28, 28)
N_FEATURES = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
N_CLASSES = 10
MAX_PIXEL = 255
_CHUNK = 1 << 20


def load_mnist(cache_dir=None, base_url=None, checksums=None, download=True, timeout=60.0) -> DataSplit:
    """Load MNIST, downloading and caching its files the first time.

    Parameters
    ----------
    cache_dir : str or os.PathLike, optional
        Folder that holds (or will hold) the four ``.gz`` files. Default: see
        :func:`mnist_cache_dir`.
    base_url : str, optional
        URL of the folder to download from (``https://``, ``http://`` or
        ``file://``), or a local folder path. Default: see
        :func:`mnist_base_url`.
    checksums : mapping of str to str, optional
        File name -> expected hex SHA-256, replacing :data:`MNIST_SHA256`.
        Must name all four files of :data:`MNIST_FILES`. Useful for a mirror
        with other files of the same format (the tests use tiny ones).
    download : bool, default True
        If False, never touch the network: use the cache or fail.
    timeout : float, default 60.0
        Seconds to wait for the server before giving up on a download.

    Returns
    -------
    DataSplit
        The standard split, in the files' order (no shuffling):
        ``x_train`` (784, 60000) and ``x_test`` (784, 10000), float64
        ``pixel / 255`` in [0, 1], one image per column with the pixels in
        row-major order (``x[:, j].reshape(28, 28)`` is image ``j``);
        ``y_train`` (10, 60000) and ``y_test`` (10, 10000) one-hot.
        Arrays are Fortran-ordered. The training inputs take about 380 MB.

    Raises
    ------
    DownloadError
        If a file is missing from the cache and cannot be downloaded (no
        network, bad URL, HTTP error), or is missing and ``download=False``.
    ChecksumError
        If a downloaded file has the wrong SHA-256 (it is not kept), or a
        cached one does and ``download=False``.
    IdxFormatError
        If a file passes its checksum but is not a well-formed IDX file.
    DatasetError
        For any other problem (cache folder not writable, inconsistent
        files); all of the above are subclasses of it.

    Notes
    -----
    A download goes to a temporary file in the cache folder, is verified and
    only then renamed to its final name, so the cache never holds a partial
    or unverified file under that name, even if the download is interrupted
    (KeyboardInterrupt included). A cached file whose checksum no longer
    matches is deleted and downloaded again.
    """
    folder = Path(cache_dir).expanduser() if cache_dir is not None else mnist_cache_dir()
    base = mnist_base_url(base_url)
    sums = _checksum_table(checksums)
    paths = {
        role: _cached_file(folder, name, base, sums[name], download, timeout)
        for role, name in MNIST_FILES.items()
    }
    x_train, labels_train = _read_pair(paths["train_images"], paths["train_labels"])
    x_test, labels_test = _read_pair(paths["test_images"], paths["test_labels"])
    return DataSplit(
        x_train=x_train,
        y_train=one_hot(labels_train, N_CLASSES),
        x_test=x_test,
        y_test=one_hot(labels_test, N_CLASSES),
    )


def mnist_cache_dir() -> Path:
    """The folder MNIST is cached in when no ``cache_dir`` is given.

    Returns
    -------
    pathlib.Path
        ``$BACKPROP_DATA_DIR`` if set (used as is), else
        ``$XDG_CACHE_HOME/backprop-course/mnist``, else
        ``~/.cache/backprop-course/mnist``. The folder may not exist yet.
    """
    explicit = os.environ.get("BACKPROP_DATA_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return root / "backprop-course" / "mnist"


def mnist_base_url(base_url=None) -> str:
    """The URL of the folder to download MNIST from, ending in ``/``.

    Parameters
    ----------
    base_url : str or os.PathLike, optional
        Taken if given; else ``$BACKPROP_MNIST_URL``; else
        :data:`DEFAULT_BASE_URL`. A local folder path (no URL scheme) is
        turned into a ``file://`` URL.

    Returns
    -------
    str
    """
    if base_url is None:
        base_url = os.environ.get("BACKPROP_MNIST_URL") or DEFAULT_BASE_URL
    base = os.fspath(base_url)
    scheme = urllib.parse.urlsplit(base).scheme
    if len(scheme) <= 1:  # no scheme, or a Windows drive letter: a local path
        base = Path(base).expanduser().resolve().as_uri()
    return base if base.endswith("/") else base + "/"


def _checksum_table(checksums) -> dict:
    """The expected SHA-256 of every MNIST file, checked for completeness."""
    if checksums is None:
        return dict(MNIST_SHA256)
    table = {name: str(value).lower() for name, value in dict(checksums).items()}
    missing = [name for name in MNIST_FILES.values() if name not in table]
    if missing:
        raise DatasetArgumentError(
            f"checksums must give a SHA-256 for each MNIST file; missing: "
            f"{', '.join(missing)}."
        )
    return table


def _cached_file(folder: Path, name: str, base: str, expected: str, download: bool, timeout: float) -> Path:
    """Return the path of a verified copy of ``name`` in ``folder``, fetching it if needed."""
    target = folder / name
    if target.is_file():
        actual = _sha256_of(target)
        if actual == expected:
            return target
        if not download:
            raise ChecksumError(
                f"The cached file {target} has sha256 {actual}, expected "
                f"{expected}: it is corrupt or a different file. Delete it, or "
                f"call load_mnist(download=True) to replace it."
            )
        target.unlink()
    elif not download:
        raise DownloadError(
            f"{name} is not in the cache folder {folder} and download=False. "
            f"Call load_mnist(download=True), copy the four MNIST files into "
            f"that folder, or use the bundled datasets.load_digits() instead."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatasetError(
            f"Cannot create the MNIST cache folder {folder} ({error}). Pass "
            f"cache_dir=... or set BACKPROP_DATA_DIR to a writable folder."
        ) from error
    _download(base + name, target, expected, timeout)
    return target


def _download(url: str, target: Path, expected: str, timeout: float) -> None:
    """Fetch ``url`` into ``target`` through a verified temporary file.

    The temporary file lives in ``target``'s folder (so the final rename is
    atomic) and is removed on every failure, interruptions included.
    """
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as error:
        raise DatasetError(
            f"Cannot write to the MNIST cache folder {target.parent} ({error}). "
            f"Pass cache_dir=... or set BACKPROP_DATA_DIR to a writable folder."
        ) from error
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    while True:
                        chunk = response.read(_CHUNK)
                        if not chunk:
                            break
                        digest.update(chunk)
                        out.write(chunk)
            except (urllib.error.URLError, HTTPException, TimeoutError, ConnectionError, ValueError) as error:
                raise _download_error(url, target.parent, error) from error
        actual = digest.hexdigest()
        if actual != expected:
            raise ChecksumError(
                f"The downloaded file {target.name} from {url} has sha256 "
                f"{actual}, expected {expected}. It was not kept. The mirror "
                f"may serve a damaged or different file: try again later or "
                f"set BACKPROP_MNIST_URL to another mirror."
            )
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise


def _download_error(url: str, folder: Path, error: BaseException) -> DownloadError:
    """The error to raise when ``url`` could not be fetched."""
    if isinstance(error, urllib.error.HTTPError):
        reason = f"HTTP error {error.code} {error.reason}"
        error.close()
    elif isinstance(error, urllib.error.URLError):
        reason = str(error.reason)
    else:
        reason = f"{type(error).__name__}: {error}"
    return DownloadError(
        f"MNIST could not be downloaded from {url} ({reason}). This machine may "
        f"have no network access. If you have a local copy of the four MNIST "
        f".gz files, either set BACKPROP_MNIST_URL to the folder that holds them "
        f"(a path or a file:// URL), or copy them into the cache folder {folder} "
        f"(choose another with cache_dir=... or BACKPROP_DATA_DIR). To work "
        f"offline, use the bundled data set instead: datasets.load_digits()."
    )


def _sha256_of(path: Path) -> str:
    """Hex SHA-256 of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_pair(images_path: Path, labels_path: Path):
    """Read matching image and label files and check they fit together.

    Returns
    -------
    x : numpy.ndarray, shape (784, N), float64, Fortran-ordered
        Images as columns, scaled to [0, 1].
    labels : numpy.ndarray of uint8, shape (N,)
    """
    images = read_idx(images_path)
    labels = read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise IdxFormatError(
            f"{images_path} should hold uint8 images of shape (N, 28, 28); it "
            f"holds {images.dtype} values of shape {images.shape}."
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise IdxFormatError(
            f"{labels_path} should hold uint8 labels of shape (N,); it holds "
            f"{labels.dtype} values of shape {labels.shape}."
        )
    if labels.shape[0] != images.shape[0]:
        raise IdxFormatError(
            f"{images_path} holds {images.shape[0]} images but {labels_path} "
            f"holds {labels.shape[0]} labels; they must be equal."
        )
    if labels.size and labels.max() >= N_CLASSES:
        raise IdxFormatError(
            f"{labels_path} holds the label {labels.max()}; MNIST labels are 0..9."
        )
    count = images.shape[0]
    x = np.empty((N_FEATURES, count), dtype=np.float64, order="F")
    np.divide(images.reshape(count, N_FEATURES).T, MAX_PIXEL, out=x)
    return x, labels
