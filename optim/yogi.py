"""Yogi: Adam whose second moment moves by a fixed fraction of g**2, up or down."""

import numpy as np

from .base import Optimizer


class Yogi(Optimizer):
    """m     <- beta1 * m + (1 - beta1) * g                                       (1)
    v     <- v - (1 - beta2) * sign(v - g * g) * g * g   (additive, not a lerp)  (2)
    theta <- theta - lr * m / (sqrt(v) + eps)                                   (3)

    Algorithm 2 of Zaheer et al. (2018), as transcribed in tests/test_papers.py: m
    starts at 0, v at v0, and there is no bias correction, so with v0 ~ 0 the first
    steps on a constant gradient are (1 - beta1**t) / sqrt(min(t * (1 - beta2), 1))
    times Adam's (3.2 at t = 1, 6.5 at t = 10 with the default betas). The paper
    suggests starting v from squared gradients at the start point, averaged over a large
    minibatch. When gradients get small, Adam's v falls by (1 - beta2) * (v - g*g), fast
    if v is large, and its effective learning rate lr / sqrt(v) climbs; Yogi's v falls
    by only (1 - beta2) * g*g, so the effective learning rate grows slowly (the paper's
    "controlled increase").
    Defaults lr 1e-2, beta1 0.9, beta2 0.999, eps 1e-3, v0 1e-6: those of
    TensorFlow Addons' Yogi (which multiplies lr by sqrt(1 - beta2**t) / (1 - beta1**t))
    and optax's (which starts m at 1e-6 too and divides m and v by 1 - beta**t as Adam
    does); neither is this form.
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
