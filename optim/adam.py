"""Adam: momentum (first moment) and RMSProp (second moment), both bias-corrected."""

import numpy as np

from .base import Optimizer


class Adam(Optimizer):
    """m     <- beta1 * m + (1 - beta1) * g                        (1)
    v     <- beta2 * v + (1 - beta2) * g * g                    (2)
    m_hat = m / (1 - beta1**t),  v_hat = v / (1 - beta2**t)     (3)
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)           (4)

    m and v are leaky averages of g and g * g (momentum's and RMSProp's);
    (3) removes their bias towards the zero start. This is Algorithm 1 of
    Kingma and Ba (2015) and torch.optim.Adam (eps after the correction).
    efficient=True takes the order of the end of their Section 2, as the
    seed article (with eps = 1e-7) and Keras do:
    lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)             (5)
    theta <- theta - lr_t * m / (sqrt(v) + eps)
    that is (4) with eps / sqrt(1 - beta2**t) for eps: 31.6x at t = 1.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, efficient=False):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
        self.efficient = efficient

    def init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def step(self, p, g, t, m, v):
        b1, b2 = self.beta1, self.beta2
        m += (1 - b1) * (g - m)  # (1): m + (1-b1)(g-m) = b1 m + (1-b1) g
        v[...] = b2 * v + (1 - b2) * g * g  # (2)
        if self.efficient:
            lr_t = self.lr * np.sqrt(1 - b2**t) / (1 - b1**t)  # (5)
            p -= lr_t * m / (np.sqrt(v) + self.eps)  # (5)
        else:
            m_hat = m / (1 - b1**t)  # (3)
            v_hat = v / (1 - b2**t)  # (3)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # (4)
