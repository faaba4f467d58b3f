"""Lion: the sign of an interpolated momentum, found by program search."""

import numpy as np

from .base import Optimizer


class Lion(Optimizer):
    """c     = beta1 * m + (1 - beta1) * g                   (1)  this step's direction
    theta <- theta - lr * (sign(c) + weight_decay * theta)   (2)
    m     <- beta2 * m + (1 - beta2) * g                     (3)  the momentum kept

    Algorithm 2 of Chen et al. (2023, arXiv:2302.06675): the step uses the
    old m, which is updated last. Every coordinate moves by exactly lr (plus
    the decay): the update has the size of a sign. Not in torch.optim.
    Defaults: the paper's beta1 0.9 and beta2 0.99; lr 1e-4, weight_decay 0
    (take lr 3-10x smaller and weight_decay 3-10x larger than for AdamW).
    """

    def __init__(self, lr=1e-4, beta1=0.9, beta2=0.99, weight_decay=0.0):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, weight_decay=weight_decay)

    def init_state(self, p):
        return {"m": np.zeros_like(p)}

    def step(self, p, g, t, m):
        c = self.beta1 * m + (1 - self.beta1) * g  # (1)
        p -= self.lr * (np.sign(c) + self.weight_decay * p)  # (2)
        m[...] = self.beta2 * m + (1 - self.beta2) * g  # (3)
