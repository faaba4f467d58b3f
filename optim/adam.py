"""Adam: momentum (first moment) and RMSProp (second moment), both bias-corrected."""

import numpy as np

from .base import Optimizer


class Adam(Optimizer):
    """m     <- beta1 * m + (1 - beta1) * g          (first moment)                (1)
    v     <- beta2 * v + (1 - beta2) * g * g      (second moment)               (2)
    m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)   (bias correction)  (3)
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)                          (4)

    Algorithm 1 of Kingma and Ba (2015), and ``torch.optim.Adam``. ``efficient=True`` takes
    the reordering at the end of their section 2, used by the seed article:
    lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t);  theta <- theta - lr_t * m / (sqrt(v) + eps)   (5)
    which is (4) with eps replaced by eps / sqrt(1 - beta2**t).
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, efficient=False):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        self.efficient = efficient

    def init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def step(self, p, g, t, m, v):
        b1, b2 = self.beta1, self.beta2
        m += (1 - b1) * (g - m)  # (1), as a lerp: beta1 * m + (1 - beta1) * g
        v[...] = b2 * v + (1 - b2) * g * g  # (2)
        if self.efficient:
            lr_t = self.lr * np.sqrt(1 - b2**t) / (1 - b1**t)
            p -= lr_t * m / (np.sqrt(v) + self.eps)  # (5)
        else:
            m_hat = m / (1 - b1**t)  # (3)
            v_hat = v / (1 - b2**t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # (4)
