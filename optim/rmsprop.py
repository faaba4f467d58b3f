"""RMSProp: AdaGrad with a leaky average of squared gradients instead of their sum."""

import numpy as np

from .base import Optimizer


class RMSprop(Optimizer):
    """h     <- decay_rate * h + (1 - decay_rate) * g * g                         (1)
    theta <- theta - lr * g / (sqrt(h) + eps)                                  (2)

    Equals ``torch.optim.RMSprop(lr=lr, alpha=decay_rate, eps=eps)`` (eps outside the
    root; the seed's eps is 1e-7, PyTorch's default 1e-8), including PyTorch's two
    variants:
    ``centered=True`` divides by an estimate of the standard deviation of g instead of
    its root mean square, with g_avg a leaky average of g:
    theta <- theta - lr * g / (sqrt(h - g_avg**2) + eps)                         (7)
    ``momentum > 0`` accumulates the scaled gradients in a buffer b:
    b <- momentum * b + g / (sqrt(h) + eps);  theta <- theta - lr * b           (8)
    """

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7, momentum=0.0,
                 centered=False):
        super().__init__(lr=lr, decay_rate=decay_rate, eps=eps, momentum=momentum)
        self.centered = centered

    def init_state(self, p):
        return {"h": np.zeros_like(p), "g_avg": np.zeros_like(p), "b": np.zeros_like(p)}

    def step(self, p, g, t, h, g_avg, b):
        rho = self.decay_rate
        h[...] = rho * h + (1 - rho) * g * g  # (1)
        if self.centered:
            # the same leaky average, written as a lerp
            g_avg += (1 - rho) * (g - g_avg)
            scaled = g / (np.sqrt(h - g_avg**2) + self.eps)  # (7)
        else:
            scaled = g / (np.sqrt(h) + self.eps)
        # with momentum 0, b is the scaled gradient of (2)
        b[...] = self.momentum * b + scaled  # (8)
        p -= self.lr * b  # (2)
