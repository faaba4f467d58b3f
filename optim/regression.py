"""Least squares on real data as a 2-D surface, with minibatch gradients.

The loss of fitting y ~ w1 x1 + w2 x2 by mean squared error,

    f(w) = 1/(2N) sum_i (x_i . w - y_i)^2,

is a quadratic in w = (w1, w2), so it plots like the other surfaces; its minibatch gradient
(1/m) sum_{i in B} (x_i . w - y_i) x_i is the estimate stochastic gradient descent uses. The
data are scikit-learn's bundled diabetes set (442 patients; Efron et al. 2004): no download.
"""

from __future__ import annotations

import numpy as np

from .surfaces import Surface


class LeastSquares(Surface):
    """Mean squared error of a linear fit with two weights, and minibatch gradients.

    ``batch_size=None`` gives the exact (full-batch) gradient. ``replace=False`` samples
    without replacement: each run walks through a fresh random permutation of the data,
    epoch after epoch (random reshuffling); ``replace=True`` draws every example
    independently. Batched runs (a batch of points) draw their own minibatches.
    """

    def __init__(self, X, y, batch_size: int | None = None, replace: bool = False, name: str = "least squares"):
        X, y = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
        if X.ndim != 2 or X.shape[1] != 2 or y.shape != X.shape[:1]:
            raise ValueError(f"X must have shape (N, 2) and y shape (N,), got {X.shape} and {y.shape}")
        if batch_size is not None and not 1 <= batch_size <= len(y):
            raise ValueError(f"batch_size must be between 1 and N = {len(y)}, got {batch_size}")
        self.X, self.y = X, y
        self.batch_size, self.replace = batch_size, replace
        self.hessian = X.T @ X / len(y)
        self._xy, self._yy = X.T @ y / len(y), y @ y / len(y)  # f is a quadratic in w: keep its coefficients
        self.eigenvalues = np.linalg.eigvalsh(self.hessian)
        self.solution = np.linalg.solve(X.T @ X, X.T @ y)
        self.minima = (tuple(self.solution),)
        self.name = name if batch_size is None else f"{name}, batch {batch_size}"
        self.formula = r"\frac{1}{2N}\sum_i (x_i^{T} w - y_i)^2"
        w1, w2 = self.solution
        self.xlim, self.ylim = (w1 - 1.5, w1 + 1.5), (w2 - 1.0, w2 + 1.0)
        self.axis_labels = (r"weight $w_1$", r"weight $w_2$")
        self.start = (w1 - 1.2, w2 + 0.8)

    def f(self, x, y):
        # 1/(2N) |X w - y|^2 = 1/2 w^T H w - w^T (X^T y / N) + 1/2 (y^T y / N)
        (a, b), (_, c) = self.hessian
        return 0.5 * (a * x * x + 2 * b * x * y + c * y * y) - self._xy[0] * x - self._xy[1] * y + 0.5 * self._yy

    def df(self, x, y):
        (a, b), (_, c) = self.hessian
        return a * x + b * y - self._xy[0], b * x + c * y - self._xy[1]

    def example_grads(self, w) -> np.ndarray:
        """Per-example gradients (x_i . w - y_i) x_i at one point w: shape (N, 2)."""
        return (self.X @ np.asarray(w, dtype=float) - self.y)[:, None] * self.X

    def minibatch_grad(self, w, index) -> np.ndarray:
        """Mean gradient over the examples ``index`` (shape (..., m)) at points ``w``
        (shape (..., 2))."""
        x, y = self.X[index], self.y[index]  # (..., m, 2), (..., m)
        residual = x[..., 0] * w[..., None, 0] + x[..., 1] * w[..., None, 1] - y
        return (residual[..., None] * x).mean(axis=-2)

    def oracle(self, rng):
        if self.batch_size is None:
            return self.grad
        n, m = len(self.y), self.batch_size
        order, cursor = None, n  # without replacement: a permutation per run, walked m at a time

        def gradient(w):
            nonlocal order, cursor
            batch = w.shape[:-1]
            if self.replace:
                return self.minibatch_grad(w, rng.integers(0, n, size=batch + (m,)))
            if cursor + m > n:  # a new epoch (a last partial batch is dropped)
                order = rng.permuted(np.broadcast_to(np.arange(n), batch + (n,)), axis=-1)
                cursor = 0
            index = order[..., cursor : cursor + m]
            cursor += m
            return self.minibatch_grad(w, index)

        return gradient


def diabetes(features=("bmi", "s5"), **kwargs) -> LeastSquares:
    """Disease progression against two standardised measurements of scikit-learn's diabetes data.

    Default: body-mass index (``bmi``) and log serum triglycerides (``s5``). Inputs and target
    are standardised, so no intercept is needed.
    """
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    columns = [data.feature_names.index(f) for f in features]
    X = data.data[:, columns]
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = (data.target - data.target.mean()) / data.target.std()
    problem = LeastSquares(X, y, name="diabetes: " + " & ".join(features), **kwargs)
    problem.axis_labels = tuple(f"weight of {f}" for f in features)
    return problem
