"""Yogi: Adam whose second moment moves by a fixed fraction of g**2, up or down."""

import numpy as np

from .base import Optimizer


class Yogi(Optimizer):
    """m     <- beta1 * m + (1 - beta1) * g                                       (1)
    v     <- v - (1 - beta2) * sign(v - g * g) * g * g   (additive, not a lerp)  (2)
    theta <- theta - lr * m / (sqrt(v) + eps)                                   (3)

    Algorithm 2 of Zaheer et al. (2018): m starts at 0, v at v0, and there is no bias
    correction, so with v0 ~ 0 the first steps are (1 - beta1**t) / sqrt(1 - beta2**t) times
    Adam's (3.2 at t = 1, about 6.5 around t = 10 with the default betas). When gradients get
    small, Adam's v falls by (1 - beta2) * (v - g*g), fast if v is large, and its effective
    learning rate lr / sqrt(v) shoots up; Yogi's v falls by only (1 - beta2) * g*g, so the
    effective learning rate grows slowly (the paper's "controlled increase").
    Defaults lr 1e-2, beta1 0.9, beta2 0.999, eps 1e-3 (the paper's experiments) and v0 1e-6
    (TensorFlow Addons' and optax's Yogi, which also add Adam's bias correction: not this).
    """

    def __init__(self, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-3, v0=1e-6):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps, v0=v0)

    def init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.full_like(p, self.v0)}

    def step(self, p, g, t, m, v):
        g2 = g * g
        m[...] = self.beta1 * m + (1 - self.beta1) * g  # (1)
        v -= (1 - self.beta2) * np.sign(v - g2) * g2  # (2)
        p -= self.lr * m / (np.sqrt(v) + self.eps)  # (3)
