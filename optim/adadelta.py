"""AdaDelta: RMSProp whose step size is a leaky average of the past steps themselves."""

import numpy as np

from .base import Optimizer


class AdaDelta(Optimizer):
    """h     <- rho * h + (1 - rho) * g * g         (leaky average of g**2)        (1)
    d     <- sqrt(s + eps) / sqrt(h + eps) * g    (units of theta, not of g)    (2)
    s     <- rho * s + (1 - rho) * d * d         (leaky average of d**2)        (3)
    theta <- theta - lr * d                                                   (4)

    Algorithm 1 of Zeiler (2012), with eps inside both roots, and
    ``torch.optim.Adadelta``, which this equals; the paper has no lr (that is lr = 1),
    and s keeps the unscaled d. eps starts the method (the first step is about
    sqrt(eps / (1 - rho))); with eps = 0 it never moves. Defaults lr 1.0, rho 0.9,
    eps 1e-6 (PyTorch's; the paper uses rho 0.95).
    """

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6):
        super().__init__(lr=lr, rho=rho, eps=eps)

    def init_state(self, p):
        return {"h": np.zeros_like(p), "s": np.zeros_like(p)}

    def step(self, p, g, t, h, s):
        rho = self.rho
        h[...] = rho * h + (1 - rho) * g * g  # (1)
        d = np.sqrt(s + self.eps) / np.sqrt(h + self.eps) * g  # (2)
        s[...] = rho * s + (1 - rho) * d * d  # (3)
        p -= self.lr * d  # (4)
