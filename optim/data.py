"""Real data that needs no download: scikit-learn's handwritten digits, split and standardised.

``load_digits`` ships 1,797 grey 8x8 images of the digits 0-9 inside the scikit-learn package
(the test part of the UCI "optdigits" set). :func:`digits` splits them once, with a fixed seed,
into training, validation and test sets and standardises every pixel with the mean and
standard deviation of the *training* set only, so nothing about the other two leaks into
training. :func:`batches` deals out one epoch of minibatches.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """Inputs ``X_*`` (n, 64) and labels ``y_*`` (n,) of the three sets, and the pixel statistics used."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def digits(seed: int = 0, val: float = 0.2, test: float = 0.2, dtype: type = np.float32) -> Split:
    """The digits in a shuffled train / validation / test split (60 / 20 / 20 by default)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test, n_val = round(test * len(y)), round(val * len(y))
    test_rows, val_rows, train_rows = np.split(order, [n_test, n_test + n_val])
    mean = X[train_rows].mean(axis=0)
    std = X[train_rows].std(axis=0)
    std[std == 0] = 1.0  # a pixel that is blank in every training image stays 0
    scaled = ((X - mean) / std).astype(dtype)  # (1)
    return Split(
        scaled[train_rows], y[train_rows], scaled[val_rows], y[val_rows], scaled[test_rows], y[test_rows], mean, std
    )


def batches(X: np.ndarray, y: np.ndarray, batch_size: int,
            rng: np.random.Generator) -> Iterator[tuple]:
    """One epoch of minibatches ``(X_batch, y_batch)``: every row once, in an order
    drawn from ``rng``.

    The last batch is smaller when ``batch_size`` does not divide the number of rows.
    Two runs whose ``rng`` start from the same seed see the same batches in the same
    order.
    """
    order = rng.permutation(len(y))
    for start in range(0, len(y), batch_size):
        rows = order[start : start + batch_size]
        yield X[rows], y[rows]
