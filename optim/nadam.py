"""NAdam: Adam with Nesterov's look-ahead, in PyTorch's form with a warming-up momentum."""

import numpy as np

from .base import Optimizer


class NAdam(Optimizer):
    """mu_t    = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))  (momentum schedule) (1)
    mu_prod <- mu_prod * mu_t          (= mu_1 * mu_2 * ... * mu_t)                  (2)
    m       <- beta1 * m + (1 - beta1) * g
    v       <- beta2 * v + (1 - beta2) * g * g                                       (3)
    theta   <- theta - lr * (1 - mu_t) / (1 - mu_prod) * g / (sqrt(v_hat) + eps)
               - lr * mu_{t+1} / (1 - mu_prod * mu_{t+1}) * m / (sqrt(v_hat) + eps)  (4)

    with v_hat = v / (1 - beta2**t): today's gradient, plus tomorrow's momentum applied
    now (Nesterov). Dozat (2016) and ``torch.optim.NAdam``, which this equals. Defaults
    lr 2e-3, beta1 0.9, beta2 0.999, eps 1e-8, momentum_decay 4e-3 (0.96 per 250 steps).
    A huge momentum_decay makes mu_t = beta1 for every t: Dozat's constant-momentum
    form. The often quoted one-line form,
    beta1 * m_hat + (1 - beta1) * g / (1 - beta1**t), is neither.
    """

    def __init__(self, lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8,
                 momentum_decay=0.004):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         momentum_decay=momentum_decay)

    def init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p),
                "mu_prod": np.ones_like(p)}

    def step(self, p, g, t, m, v, mu_prod):
        b1, b2, psi = self.beta1, self.beta2, self.momentum_decay
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))  # (1)
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_prod *= mu  # (2)
        m += (1 - b1) * (g - m)  # (3), as a lerp
        v[...] = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v / (1 - b2**t)) + self.eps
        p -= self.lr * (1 - mu) / (1 - mu_prod) * g / denom  # (4)
        p -= self.lr * mu_next / (1 - mu_prod * mu_next) * m / denom
