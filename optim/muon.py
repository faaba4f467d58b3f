"""Muon: momentum for weight matrices, orthogonalised so that every direction takes the same step."""

import math

import numpy as np

from .base import Optimizer

#: The step's scale for a rows x cols matrix: Jordan's, or Moonshot's (the size of an AdamW step).
ADJUST_LR = {"original": lambda rows, cols: math.sqrt(max(1, rows / cols)),
             "match_rms_adamw": lambda rows, cols: 0.2 * math.sqrt(max(rows, cols))}


class Muon(Optimizer):
    """B     <- momentum * B + (1 - momentum) * G     (momentum, as Adam's m)          (1)
    U     = G + momentum * (B - G) if nesterov else B                             (2)
    X     = U / max(||U||_F, eps)       (all singular values now <= 1)            (3)
    X     <- a X + (b A + c A A) X,  A = X X^T,   ns_steps times (Newton-Schulz)    (4)
    theta <- theta * (1 - lr * weight_decay) - lr * sqrt(max(1, rows / cols)) * X   (5)

    (4) pushes every singular value of X towards 1 (into about 0.7 .. 1.2 in 5 steps) and keeps
    the singular vectors: if U = P S Q^T, X ~ P Q^T. It runs on U's transpose when U has more
    rows than columns. Jordan et al. (2024) and ``torch.optim.Muon``, which this equals, except
    that PyTorch runs (4) in bfloat16 and this in the parameter's precision (PyTorch's docs write
    B <- momentum * B + G; its code, like Jordan's, uses (1)). A parameter must be a matrix, or
    a stack of them (the last two axes). Defaults (PyTorch's): lr 1e-3, momentum 0.95, nesterov
    True, weight_decay 0.1, eps 1e-7, (a, b, c) = (3.4445, -4.7750, 2.0315), ns_steps 5;
    adjust_lr="match_rms_adamw" (Liu et al. 2025) scales by 0.2 * sqrt(max(rows, cols)) instead.
    """

    elementwise = False  # (3) and (4) mix the entries of a matrix: never run it on slices

    def __init__(self, lr=1e-3, momentum=0.95, weight_decay=0.1, nesterov=True, eps=1e-7,
                 ns_coefficients=(3.4445, -4.7750, 2.0315), ns_steps=5, adjust_lr="original"):
        super().__init__(lr=lr, momentum=momentum, weight_decay=weight_decay, eps=eps)
        if adjust_lr not in ADJUST_LR:
            raise ValueError(f"adjust_lr must be one of {sorted(ADJUST_LR)}, got {adjust_lr!r}")
        self.nesterov, self.adjust_lr = nesterov, adjust_lr
        self.ns_coefficients, self.ns_steps = ns_coefficients, ns_steps

    def init_state(self, p):
        return {"B": np.zeros_like(p)}

    def step(self, p, g, t, B):
        B += (1 - self.momentum) * (g - B)  # (1), as a lerp
        U = g + self.momentum * (B - g) if self.nesterov else B  # (2)
        tall = p.shape[-2] > p.shape[-1]
        X = U.swapaxes(-1, -2) if tall else U
        X = X / np.maximum(np.linalg.norm(X, axis=(-2, -1), keepdims=True), self.eps)  # (3)
        a, b, c = self.ns_coefficients
        for _ in range(self.ns_steps):
            A = X @ X.swapaxes(-1, -2)
            X = a * X + (b * A + c * A @ A) @ X  # (4)
        scale = ADJUST_LR[self.adjust_lr](*p.shape[-2:])
        p *= 1 - self.lr * self.weight_decay  # (5)
        p -= self.lr * scale * (X.swapaxes(-1, -2) if tall else X)

    def _checked(self, params, grads, scheduled):
        grads = super()._checked(params, grads, scheduled)
        for key, p in params.items():
            if p.ndim < 2:
                raise ValueError(f"Muon updates matrices, but parameter {key!r} has shape {p.shape}: "
                                 "give it two axes, or optimise it with another method (e.g. AdamW)")
        return grads
