"""AdaMax: Adam with the root mean square of past gradients replaced by their (decayed) maximum."""

import numpy as np

from .base import Optimizer


class AdaMax(Optimizer):
    """m     <- beta1 * m + (1 - beta1) * g                                       (1)
    u     <- max(beta2 * u, |g| + eps)     (the infinity norm, decayed)         (2)
    theta <- theta - lr / (1 - beta1**t) * m / u                               (3)

    Algorithm 2 of Kingma and Ba (2015, section 7.1) and ``torch.optim.Adamax``, which
    this equals. u needs no bias correction; the paper has no eps (eps = 0 here is the
    paper's algorithm), PyTorch adds it inside the max so that u > 0. Defaults lr 2e-3,
    beta1 0.9, beta2 0.999 (the paper's), eps 1e-8.
    """

    def __init__(self, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def init_state(self, p):
        return {"m": np.zeros_like(p), "u": np.zeros_like(p)}

    def step(self, p, g, t, m, u):
        m += (1 - self.beta1) * (g - m)  # (1), as a lerp
        u[...] = np.maximum(self.beta2 * u, np.abs(g) + self.eps)  # (2)
        p -= self.lr / (1 - self.beta1**t) * m / u  # (3)
