"""Momentum (the heavy ball), written as in the seed: the velocity carries the learning rate."""

import numpy as np

from .base import Optimizer


class Momentum(Optimizer):
    """v     <- momentum * v - lr * g                                             (1)
    theta <- theta + v                                                        (2)

    v is -lr / (1 - momentum) times an exponential moving average of the gradients.
    Equals ``torch.optim.SGD(lr=lr, momentum=momentum)`` while lr is constant; PyTorch
    keeps the learning rate out of its buffer
    (b <- momentum * b + g; theta <- theta - lr * b).
    """

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr=lr, momentum=momentum)

    def init_state(self, p):
        return {"v": np.zeros_like(p)}

    def step(self, p, g, t, v):
        v[...] = self.momentum * v - self.lr * g  # (1)
        p += v  # (2)
