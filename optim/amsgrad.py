"""AMSGrad: Adam whose denominator never shrinks, so no step is larger than the theory allows."""

import numpy as np

from .base import Optimizer


class AMSGrad(Optimizer):
    """m     <- beta1 * m + (1 - beta1) * g                                       (1)
    v     <- beta2 * v + (1 - beta2) * g * g                                   (2)
    v_max <- max(v_max, v)             (the largest v so far, elementwise)      (3)
    theta <- theta - lr / (1 - beta1**t) * m / (sqrt(v_max / (1 - beta2**t)) + eps)  (4)

    Reddi, Kale and Kumar (2018) in the form of ``torch.optim.Adam(amsgrad=True)``,
    which this equals: the max is taken of the raw v and only then bias-corrected
    (taking the max of the corrected v is another method); the paper's Algorithm 2 has
    no bias correction at all. Defaults as Adam: lr 1e-3, beta1 0.9, beta2 0.999,
    eps 1e-8.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps)

    def init_state(self, p):
        return {"m": np.zeros_like(p), "v": np.zeros_like(p), "v_max": np.zeros_like(p)}

    def step(self, p, g, t, m, v, v_max):
        b1, b2 = self.beta1, self.beta2
        m += (1 - b1) * (g - m)  # (1), as a lerp
        v[...] = b2 * v + (1 - b2) * g * g  # (2)
        np.maximum(v_max, v, out=v_max)  # (3)
        p -= (self.lr / (1 - b1**t) * m
              / (np.sqrt(v_max / (1 - b2**t)) + self.eps))  # (4)
