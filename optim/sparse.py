"""Rare features: a linear model whose inputs are active with very different frequencies.

Feature j is +1 or -1 (at random) in a fraction ``frequencies[j]`` of the examples and 0
in the others, like the words of a vocabulary in documents. The targets are exact,
y = X w_true, and the loss is half the mean squared error over the whole fixed data set, so
the gradients are exact (no minibatches) and the minimum is 0 at w_true. The Hessian
A = X^T X / n is close to diag(frequencies): a rare feature is a direction of small curvature.
Since y = X w_true, the loss is 1/2 (w - w_true)^T A (w - w_true) and the gradient
A (w - w_true): computed that way, a step costs a few multiplications and stays accurate
down to losses far below 1e-16.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import Optimizer
from .run import Trajectory, batch_shape


class RareFeatures:
    """Least squares on ``examples`` rows of sparse +-1 features; ``w_true`` drawn from N(0, 1)."""

    name = "rare features"
    min_loss = 0.0

    def __init__(self, frequencies: Sequence[float] = (1.0, 0.3, 0.1, 0.03, 0.01), examples: int = 4000,
                 seed: int = 0):
        rng = np.random.default_rng(seed)
        self.frequencies = np.asarray(frequencies, dtype=float)
        active = rng.random((examples, self.frequencies.size)) < self.frequencies
        self.X = np.where(active, rng.choice([-1.0, 1.0], size=active.shape), 0.0)
        self.w_true = rng.standard_normal(self.frequencies.size)
        self.y = self.X @ self.w_true
        self.hessian = self.X.T @ self.X / examples

    def loss(self, w: np.ndarray) -> np.ndarray:
        """Half the mean squared error, mean((X w - y)**2) / 2, of the weights ``w`` (shape (..., features))."""
        error = w - self.w_true
        return 0.5 * np.einsum("...i,ij,...j->...", error, self.hessian, error)

    def grad(self, w: np.ndarray) -> np.ndarray:
        """The exact gradient X^T (X w - y) / n, with the shape of ``w``."""
        return (w - self.w_true) @ self.hessian

    def fit(self, optimizer: Optimizer, steps: int = 100) -> Trajectory:
        """Run a fresh ``optimizer`` from w = 0; ``path[k]`` holds the weights after k steps.

        Array hyperparameters (see :func:`optim.run.settings`) make a batch of runs, as on a surface.
        """
        if optimizer.t:
            raise ValueError(f"pass a fresh optimizer: this one has already taken {optimizer.t} steps")
        w = np.zeros(batch_shape(optimizer) + self.frequencies.shape)
        path = np.empty((steps + 1,) + w.shape)
        path[0] = w
        for k in range(steps):
            optimizer.update({"w": w}, {"w": self.grad(w)})
            path[k + 1] = w
        return Trajectory(path=path, losses=self.loss(path), diverged=np.zeros(w.shape[:-1], bool), surface=self)
