"""Convergence rates on a quadratic, from the eigenvalues of each method's iteration.

On f = 1/2 sum_i lam_i c_i^2 every method of the momentum family acts on each curvature
lam independently, as a small linear recurrence. Its per-step rate is the spectral radius
of that recurrence: the error shrinks like rate**t (rate < 1) or grows (rate > 1).
All functions broadcast over their arguments.
"""

from __future__ import annotations

import numpy as np


def _largest_root(b, c):
    """max |z| over the roots of z^2 - b z + c = 0."""
    b, c = np.broadcast_arrays(np.asarray(b, dtype=float), np.asarray(c, dtype=float))
    root = np.sqrt((b * b - 4 * c).astype(complex))
    return np.maximum(np.abs((b + root) / 2), np.abs((b - root) / 2))


def rate_gd(lr, lam):
    """Gradient descent: c <- (1 - lr lam) c."""
    return np.abs(1 - np.asarray(lr) * lam)


def rate_momentum(lr, momentum, lam):
    """Heavy ball: c_{t+1} = (1 + momentum - lr lam) c_t - momentum c_{t-1}.

    Characteristic polynomial z^2 - (1 + momentum - lr lam) z + momentum; converges iff
    0 < lr lam < 2 (1 + momentum).
    """
    return _largest_root(1 + np.asarray(momentum) - np.asarray(lr) * lam, momentum)


def rate_nesterov(lr, momentum, lam):
    """Nesterov: c_{t+1} = (1 + momentum)(1 - lr lam) c_t - momentum (1 - lr lam) c_{t-1}.

    Converges iff 0 < lr lam < 2 (1 + momentum) / (1 + 2 momentum).
    """
    shrink = 1 - np.asarray(lr) * lam
    return _largest_root((1 + np.asarray(momentum)) * shrink, np.asarray(momentum) * shrink)


def worst_rate(rate, eigenvalues, *hyper):
    """The rate on a quadratic: the slowest of its curvature directions."""
    return np.max([rate(*hyper, lam) for lam in np.ravel(eigenvalues)], axis=0)


def optimal_gd(lam_min: float, lam_max: float) -> tuple[float, float]:
    """Best constant lr for gradient descent and its rate (kappa - 1) / (kappa + 1)."""
    return 2 / (lam_min + lam_max), (lam_max - lam_min) / (lam_max + lam_min)


def optimal_momentum(lam_min: float, lam_max: float) -> tuple[float, float, float]:
    """Polyak's optimal heavy ball: (lr, momentum, rate) = (4/(sqrt L + sqrt m)^2, r^2, r),
    with r = (sqrt kappa - 1) / (sqrt kappa + 1)."""
    s_min, s_max = np.sqrt(lam_min), np.sqrt(lam_max)
    r = (s_max - s_min) / (s_max + s_min)
    return 4 / (s_max + s_min) ** 2, r * r, r
