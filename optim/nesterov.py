"""Nesterov's accelerated gradient, in the form that needs no look-ahead gradient."""

import numpy as np

from .base import Optimizer


class Nesterov(Optimizer):
    """phi <- phi + momentum**2 * v - (1 + momentum) * lr * g                       (3)
    v   <- momentum * v - lr * g                                                 (1)

    The parameters hold the look-ahead point phi = theta + momentum * v, so the gradient
    g is taken where Nesterov's method wants it and no second evaluation is needed
    (Bengio et al. 2013). The parameter step reads v before v is renewed. Equals
    ``torch.optim.SGD(lr=lr, momentum=momentum, nesterov=True)`` while lr is constant.
    """

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr=lr, momentum=momentum)

    def init_state(self, p):
        return {"v": np.zeros_like(p)}

    def step(self, p, g, t, v):
        p += self.momentum**2 * v - (1 + self.momentum) * self.lr * g  # (3)
        v[...] = self.momentum * v - self.lr * g  # (1)
