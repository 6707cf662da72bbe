"""Train the reference network on the bundled digits and save its training curves.

Run with ``python -m solutions.demo [--out DIR]`` (``make demo`` does this).
"""

import argparse
import time
from pathlib import Path

from datasets import load_digits

from .costs import CROSS_ENTROPY
from .network import init_network
from .plots import plot_training_curves
from .training import sgd

#: The seeded reference run: [64, 30, 10], cross-entropy, mini-batches of 10, η = 1.
SIZES = (64, 30, 10)
EPOCHS, BATCH_SIZE, ETA, SEED = 30, 10, 1.0, 0


def train_reference(epochs=EPOCHS):
    """Train the reference network on the digits with the seeded settings above.

    Returns
    -------
    weights, biases : list of ndarray
    history : History
    """
    data = load_digits()
    return sgd(*init_network(SIZES, seed=SEED), data.x_train, data.y_train, epochs, BATCH_SIZE, ETA,
               CROSS_ENTROPY, data.x_test, data.y_test, seed=SEED)


def main(argv=None):
    """Command-line entry point: train, print a summary, write the PNG."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("build/demo"), help="output folder (default: build/demo)")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help=f"epochs to train (default: {EPOCHS})")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    *_, history = train_reference(args.epochs)
    seconds = time.perf_counter() - start
    print(f"Trained {list(SIZES)} on the UCI digits: {args.epochs} epochs, mini-batch {BATCH_SIZE}, "
          f"eta {ETA}, cross-entropy, in {seconds:.1f} s")
    print(f"final test accuracy {100 * history.test_accuracy[-1]:.1f}%, "
          f"training cost {history.train_cost[-1]:.4f}")
    args.out.mkdir(parents=True, exist_ok=True)
    png = args.out / "training_curves.png"
    plot_training_curves(history, title=f"{list(SIZES)} on the digits").savefig(png, dpi=100)
    print(f"training curves written to {png.resolve()}")


if __name__ == "__main__":
    main()
