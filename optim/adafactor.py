"""Adafactor: Adam's second moment kept as one row and one column factor per matrix,
and steps measured relative to the size of the parameters."""

import math

import numpy as np

from .base import Optimizer

#: Where eps1 goes: PyTorch's (a floor under the denominators) or the paper's (added
#: to G * G before the factors are taken: Shazeer and Stern's Algorithm 4, their code).
CONVENTIONS = ("pytorch", "paper")


def rms(x, axes):
    """The root mean square over `axes`, kept as axes of length 1."""
    return np.sqrt(np.mean(x * x, axis=axes, keepdims=True))


class Adafactor(Optimizer):
    """beta2_t = 1 - t**beta2_decay                                  (1)
    alpha_t = max(eps2, RMS(theta)) * min(lr, 1 / sqrt(t))         (2)
    theta  <- (1 - lr * weight_decay) * theta                      (3)
    R <- beta2_t R + (1 - beta2_t) mean_j(G*G)   (row means)       (4)
    C <- beta2_t C + (1 - beta2_t) mean_i(G*G)   (column means)    (4)
    V = R C / max(mean_i R, eps1)  for a matrix; for a vector      (5)
    V <- beta2_t V + (1 - beta2_t) G*G
    U = G / max(sqrt(V), eps1)                                     (6)
    theta <- theta - alpha_t * U / max(1, RMS(U) / d)              (7)

    (5) is the rank-one matrix nearest to the full second moment in
    I-divergence; it needs m + n numbers for an m x n matrix, not m n.
    (1) makes the average cover a window that grows with t (beta2_1 = 0),
    so there is no bias correction. (2) is the relative step size: the
    step is a fraction of the parameter's RMS (before the decay (3)), at
    most lr. (7) clips the RMS of the update U at d. A parameter of two
    or more axes is factored over its last two, and RMS is taken over all
    of its entries, as PyTorch does. This is torch.optim.Adafactor (whose
    defaults these are: lr 1e-2, beta2_decay -0.8, eps1 None = the
    dtype's machine epsilon, eps2 1e-3, d 1, weight_decay 0). With
    convention="paper", eps1 (default 1e-30) is added to G*G in (4) and
    (5) and the max(..., eps1) are dropped: Shazeer and Stern (2018),
    Algorithms 4 and 5, and their code; with lr = 1e-2 and no weight
    decay that is their method. Array hyperparameters (lr, weight_decay)
    run a batch of settings: the axes along which they vary index
    separate problems, and the parameter is the axes after them.
    """

    # (4) and (5) mix the entries of a matrix: never run it on slices
    elementwise = False

    def __init__(self, lr=1e-2, beta2_decay=-0.8, eps1=None, eps2=1e-3, d=1.0,
                 weight_decay=0.0, convention="pytorch"):
        super().__init__(lr=lr, weight_decay=weight_decay)
        if convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {CONVENTIONS}, "
                             f"got {convention!r}")
        self.convention = convention
        self.beta2_decay = _number("beta2_decay", beta2_decay, -math.inf, 0.0, "<= 0")
        self.eps1 = eps1 if eps1 is None else _number("eps1", eps1, 0, math.inf, ">= 0")
        self.eps2 = _number("eps2", eps2, 0.0, math.inf, ">= 0")
        self.d = _number("d", d, 1.0, math.inf, ">= 1")

    def axes(self, p):
        """The parameter's own axes: those after the last axis along which lr or
        weight_decay varies (the axes before it index separate problems)."""
        batch = 0
        for value in (self.lr, self.weight_decay):
            if isinstance(value, np.ndarray):
                start = p.ndim - value.ndim
                batch = max([batch] + [start + i + 1 for i, n in enumerate(value.shape)
                                       if n > 1])
        return tuple(range(batch - p.ndim, 0))

    def init_state(self, p):
        if len(self.axes(p)) < 2:
            return {"V": np.zeros_like(p)}
        rows, cols = list(p.shape), list(p.shape)
        rows[-1], cols[-2] = 1, 1
        return {"R": np.zeros(rows, p.dtype), "C": np.zeros(cols, p.dtype)}

    def step(self, p, g, t, V=None, R=None, C=None):
        axes = self.axes(p)
        eps1 = self.eps1
        if eps1 is None:
            paper = self.convention == "paper"
            eps1 = 1e-30 if paper else float(np.finfo(p.dtype).eps)
        inside, floor = (eps1, 0.0) if self.convention == "paper" else (0.0, eps1)
        mix = t**self.beta2_decay  # (1): 1 - beta2_t
        rho = np.minimum(self.lr, t**-0.5)
        alpha = np.maximum(self.eps2, rms(p, axes)) * rho  # (2)
        p *= 1 - self.lr * self.weight_decay  # (3)
        g2 = g * g + inside
        if R is not None:
            R += mix * (g2.mean(axis=-1, keepdims=True) - R)  # (4)
            C += mix * (g2.mean(axis=-2, keepdims=True) - C)  # (4)
            V = R * C / np.maximum(R.mean(axis=-2, keepdims=True), floor)  # (5)
        else:
            V += mix * (g2 - V)  # (5)
        U = g / np.sqrt(np.maximum(V, floor * floor))  # (6)
        p -= alpha * U / np.maximum(1.0, rms(U, axes) / self.d)  # (7)


def _number(name, value, low, high, expected):
    """A hyperparameter that must be one number (these cannot be batched or scheduled)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"{name} must be a single number, got {type(value).__name__} "
                        "(only lr and weight_decay may be arrays or schedules)")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be a finite number {expected}, got {value!r}")
    return float(value)
