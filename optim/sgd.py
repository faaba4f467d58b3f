"""Stochastic gradient descent: step against the (minibatch) gradient."""

from .base import Optimizer


class SGD(Optimizer):
    """theta <- theta - lr * g                                                    (1)

    With the exact gradient this is plain gradient descent; with a minibatch estimate of
    it, stochastic gradient descent. Same as ``torch.optim.SGD(lr=lr)``.
    """

    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def step(self, p, g, t):
        p -= self.lr * g  # (1)
