"""AdaGrad: one learning rate per coordinate, shrunk by the gradients seen so far."""

import numpy as np

from .base import Optimizer


class AdaGrad(Optimizer):
    """h     <- h + g * g                    (sum of squared past gradients)        (1)
    theta <- theta - lr * g / (sqrt(h) + eps)                                  (2)

    eps sits outside the root, as in the seed and in
    ``torch.optim.Adagrad(lr=lr, eps=eps)``, which this equals. The seed's eps is 1e-7;
    PyTorch's default is 1e-10.
    """

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr=lr, eps=eps)

    def init_state(self, p):
        return {"h": np.zeros_like(p)}

    def step(self, p, g, t, h):
        h += g * g  # (1)
        p -= self.lr * g / (np.sqrt(h) + self.eps)  # (2)
