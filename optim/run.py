"""Run an optimizer on a surface: one path, or a whole batch of paths at numpy speed.

Hyperparameters given as arrays with a trailing axis of length 1 (see :func:`settings`)
make a batch: ``trajectory(Momentum(**settings(lr=..., momentum=...)), surface)`` runs every
combination at once, and its ``path`` and ``losses`` carry the grid's shape.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .base import RANGES, Optimizer
from .surfaces import Surface


@dataclass
class Trajectory:
    """Where an optimizer went: ``path[k]`` is the point after k steps (``path[0]`` the start).

    ``path`` has shape (steps + 1, *batch, 2) and ``losses`` (steps + 1, *batch). A run that
    diverged (left the region |x|, |y| < ``blowup`` or met a non-finite gradient) is frozen
    and reads ``nan`` from the step it diverged on.
    """

    path: np.ndarray
    losses: np.ndarray
    diverged: np.ndarray
    surface: Surface

    @property
    def final_loss(self) -> np.ndarray:
        return self.losses[-1]

    @property
    def gap(self) -> np.ndarray:
        """Loss above the surface's lowest minimum, step by step (nan once diverged)."""
        return self.losses - self.surface.min_loss

    def converged(self, tol: float = 1e-6) -> np.ndarray:
        """True where the final loss is within ``tol`` of the surface's minimum."""
        with np.errstate(invalid="ignore"):
            return ~self.diverged & (self.gap[-1] < tol)

    def steps_to(self, tol: float) -> np.ndarray:
        """The first step whose loss is within ``tol`` of the minimum (inf if never)."""
        with np.errstate(invalid="ignore"):
            reached = self.gap < tol
        return np.where(reached.any(axis=0), np.argmax(reached, axis=0), np.inf)


def settings(**axes) -> dict[str, np.ndarray]:
    """A grid of hyperparameter settings, ready to pass to an optimizer.

    ``settings(lr=[0.1, 0.2, 0.3], momentum=[0, 0.9])`` returns arrays of shape (3, 2, 1):
    every combination, with a trailing axis that broadcasts against the (x, y) axis.
    """
    grids = np.meshgrid(*[np.asarray(v, dtype=float) for v in axes.values()], indexing="ij")
    return {name: grid[..., None] for name, grid in zip(axes, grids)}


def batch_shape(optimizer: Optimizer) -> tuple[int, ...]:
    """The batch an optimizer's array hyperparameters ask for (their shape without the last axis)."""
    shapes = [v.shape[:-1] for n in RANGES if isinstance(v := getattr(optimizer, n, None), np.ndarray) and v.ndim]
    return np.broadcast_shapes(*shapes) if shapes else ()


def trajectory(
    optimizer: Optimizer,
    surface: Surface,
    start=None,
    steps: int = 100,
    seed: int = 0,
    blowup: float = 1e6,
) -> Trajectory:
    """Run a fresh ``optimizer`` for ``steps`` steps on ``surface`` from ``start``.

    ``start`` defaults to the surface's own; it may be a batch of points (shape (..., 2)).
    The batch is the broadcast of the start's and the hyperparameters' shapes. ``seed`` feeds
    the gradient noise of stochastic surfaces.
    """
    if optimizer.t:
        raise ValueError(f"pass a fresh optimizer: this one has already taken {optimizer.t} steps")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    start = np.asarray(surface.start if start is None else start, dtype=float)
    if start.shape[-1:] != (2,):
        raise ValueError(f"start must have a last axis of length 2 (x, y), got shape {start.shape}")
    shape = np.broadcast_shapes(start.shape[:-1], batch_shape(optimizer)) + (2,)
    xy = np.broadcast_to(start, shape).copy()
    params = {"xy": xy}
    gradient = surface.oracle(np.random.default_rng(seed))
    path = np.empty((steps + 1,) + shape)
    path[0] = xy
    diverged_at = np.full(shape[:-1], steps + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            g = gradient(xy)
            bad = ~(np.isfinite(g).all(axis=-1) & (np.abs(xy) < blowup).all(axis=-1))
            diverged_at = np.where(bad & (diverged_at > k), k, diverged_at)
            if bad.any():
                g = np.where(bad[..., None], 0.0, g)  # freeze: a diverged run no longer steers
            optimizer.update(params, {"xy": g})
            path[k + 1] = xy
        # The last point may itself lie outside the region.
        bad = ~(np.isfinite(xy).all(axis=-1) & (np.abs(xy) < blowup).all(axis=-1))
        diverged_at = np.where(bad & (diverged_at > steps), steps, diverged_at)
        step_index = np.arange(steps + 1).reshape((-1,) + (1,) * (len(shape) - 1))
        path[step_index >= diverged_at] = np.nan
        losses = surface.loss(path)
    return Trajectory(path=path, losses=losses, diverged=diverged_at <= steps, surface=surface)
