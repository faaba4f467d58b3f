"""Muon: momentum for weight matrices, orthogonalised so that every direction takes the same step."""

import math

import numpy as np

from .base import Optimizer

#: The step's scale for a layer of fan_in inputs and fan_out outputs: Jordan's, or Moonshot's
#: (the size of an AdamW step).
ADJUST_LR = {"original": lambda fan_out, fan_in: math.sqrt(max(1, fan_out / fan_in)),
             "match_rms_adamw": lambda fan_out, fan_in: 0.2 * math.sqrt(max(fan_out, fan_in))}

#: Which axis of a weight matrix is the layer's output: PyTorch's (out, in), for y = W x, or
#: (in, out), for y = x W as in optim.nn.
LAYOUTS = ("out_in", "in_out")


class Muon(Optimizer):
    """B     <- momentum * B + (1 - momentum) * G               (1)  as Adam's m
    U     = G + momentum * (B - G)  (B if not nesterov)         (2)  look-ahead
    X     = U / max(||U||_F, eps)                               (3)  all s_i <= 1
    X     <- a X + (b A + c A A) X,  A = X X^T                  (4)  ns_steps times
    theta <- (1 - lr * weight_decay) * theta - lr * alpha * X   (5)

    (4) is a Newton-Schulz step: it keeps X's singular vectors and maps each
    singular value to a s + b s^3 + c s^5, so for U = P S Q^T, X ~ P Q^T with
    singular values in about 0.7 .. 1.2 after 5 steps. It runs on U's
    transpose when U has more rows than columns. alpha = ADJUST_LR[adjust_lr]
    is sqrt(max(1, fan_out / fan_in)) ("original", Jordan's) or
    0.2 * sqrt(max(fan_out, fan_in)) ("match_rms_adamw", Liu et al. 2025);
    `layout` says which axis holds the outputs: "out_in" (PyTorch's, y = W x)
    or "in_out" (y = x W, as in optim.nn). Jordan et al. (2024); equals
    torch.optim.Muon, except that PyTorch runs (4) in bfloat16 and this in
    the parameter's precision. (PyTorch's docs write B <- momentum * B + G;
    its code, like Jordan's, uses (1); (3) divides the difference away.) A
    parameter must be a matrix, or a stack of them (the last two axes).
    Defaults (PyTorch's): lr 1e-3, momentum 0.95, nesterov True,
    weight_decay 0.1, eps 1e-7, (a, b, c) = (3.4445, -4.7750, 2.0315),
    ns_steps 5, adjust_lr "original", layout "out_in".
    """

    # (3) and (4) mix the entries of a matrix: never run it on slices
    elementwise = False

    def __init__(self, lr=1e-3, momentum=0.95, weight_decay=0.1, nesterov=True,
                 eps=1e-7, ns_coefficients=(3.4445, -4.7750, 2.0315), ns_steps=5,
                 adjust_lr="original", layout="out_in"):
        super().__init__(lr=lr, momentum=momentum, weight_decay=weight_decay, eps=eps)
        if adjust_lr not in ADJUST_LR:
            raise ValueError(f"adjust_lr must be one of {sorted(ADJUST_LR)}, "
                             f"got {adjust_lr!r}")
        if layout not in LAYOUTS:
            raise ValueError(f"layout must be one of {LAYOUTS} (which axis is the "
                             f"layer's output), got {layout!r}")
        self.nesterov, self.adjust_lr, self.layout = nesterov, adjust_lr, layout
        self.ns_coefficients, self.ns_steps = ns_coefficients, ns_steps

    def init_state(self, p):
        return {"B": np.zeros_like(p)}

    def step(self, p, g, t, B):
        B += (1 - self.momentum) * (g - B)  # (1), as a lerp
        U = g + self.momentum * (B - g) if self.nesterov else B  # (2)
        tall = p.shape[-2] > p.shape[-1]
        X = U.swapaxes(-1, -2) if tall else U
        X = X / np.maximum(np.linalg.norm(X, axis=(-2, -1), keepdims=True),
                           self.eps)  # (3)
        a, b, c = self.ns_coefficients
        for _ in range(self.ns_steps):
            A = X @ X.swapaxes(-1, -2)
            X = a * X + (b * A + c * A @ A) @ X  # (4)
        rows, cols = p.shape[-2:]
        scale = ADJUST_LR[self.adjust_lr](
            *((rows, cols) if self.layout == "out_in" else (cols, rows)))
        p *= 1 - self.lr * self.weight_decay  # (5)
        p -= self.lr * scale * (X.swapaxes(-1, -2) if tall else X)

    def _checked(self, params, grads, scheduled):
        grads = super()._checked(params, grads, scheduled)
        for key, p in params.items():
            if p.ndim < 2:
                raise ValueError(f"Muon updates matrices, but parameter {key!r} has "
                                 f"shape {p.shape}: give it two axes, or optimise it "
                                 "with another method (e.g. AdamW)")
        return grads
