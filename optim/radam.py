"""RAdam: Adam that waits, with plain momentum steps, until its variance estimate is reliable."""

import numpy as np

from .base import Optimizer


class RAdam(Optimizer):
    """m       <- beta1 * m + (1 - beta1) * g                       (m, v as Adam)
    v       <- beta2 * v + (1 - beta2) * g * g                                   (1)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t   = rho_inf - 2 * t * beta2**t / (1 - beta2**t)                        (2)
    r_t     = sqrt((rho_t - 4) (rho_t - 2) rho_inf
                   / ((rho_inf - 4) (rho_inf - 2) rho_t))                        (3)
    theta   <- theta - lr * m_hat * r_t * sqrt(1 - beta2**t) / (sqrt(v) + eps)   (4)
               if rho_t > 5; otherwise (momentum without adaptation)
    theta   <- theta - lr * m_hat                                                (5)

    with m_hat = m / (1 - beta1**t). rho_t is the length of the simple moving average
    that v approximates (1 at t = 1, rising to rho_inf); under the paper's scaled
    inverse chi-square model the variance of 1 / sqrt(v_hat) is infinite for rho_t <= 2,
    its first-order approximation for rho_t <= 4, and r_t scales it down to its value at
    rho_inf. Liu et al. (2020) rectify when rho_t > 4; their code
    (github.com/LiyuanLucasLiu/RAdam) when rho_t >= 5 and ``torch.optim.RAdam``, which
    this equals, when rho_t > 5: the same steps, as rho_t is never exactly 5. eps is
    added to sqrt(v) before the bias correction, as in Adam's "efficient" form. Defaults
    lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p)}

    def step(self, p, g, t, m, v):
        b1, b2 = self.beta1, self.beta2
        m += (1 - b1) * (g - m)  # (1), as a lerp
        v[...] = b2 * v + (1 - b2) * g * g
        rho_inf = 2 / (1 - b2) - 1  # (2)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        # r is only used where rho_t > 5
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.sqrt(np.divide((rho_t - 4) * (rho_t - 2) * rho_inf,
                                  (rho_inf - 4) * (rho_inf - 2) * rho_t))  # (3)
        adaptive = np.where(rho_t > 5,
                            r * np.sqrt(1 - b2**t) / (np.sqrt(v) + self.eps), 1.0)
        p -= self.lr * m / (1 - b1**t) * adaptive  # (4) where rho_t > 5, else (5)
