"""AdamW: Adam with weight decay taken out of the gradient and applied to the weights directly."""

from .adam import Adam
from .base import Optimizer


class AdamW(Adam):
    """theta <- theta * (1 - lr * weight_decay)           (decoupled weight decay)  (1)
    theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)      (Adam's step)             (2)

    with m, v, m_hat, v_hat from the gradient g alone, as in Adam
    (g is taken before (1)). Loshchilov and Hutter (2019) and ``torch.optim.AdamW``,
    which this equals. PyTorch multiplies the decay by the learning rate, so a schedule
    on lr scales the decay too; the paper's Algorithm 2 writes
    theta <- theta - eta_t * (alpha * adam_step + lam * theta),
    with a schedule multiplier eta_t and a base rate alpha: the same as this with
    lr = alpha * eta_t and weight_decay = lam / alpha. Adding weight_decay * theta to g
    instead (L2 regularisation, what ``torch.optim.Adam(weight_decay=...)`` does)
    divides the decay by sqrt(v_hat) like the rest of the gradient: that is Adam with
    L2, not AdamW. Defaults as Adam, weight_decay 1e-2.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01,
                 efficient=False):
        Optimizer.__init__(self, lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                           weight_decay=weight_decay)
        self.efficient = efficient

    def step(self, p, g, t, m, v):
        p *= 1 - self.lr * self.weight_decay  # (1)
        super().step(p, g, t, m, v)  # (2), Adam's step
