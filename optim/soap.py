"""SOAP: Adam run in the slowly rotating eigenbasis of Shampoo's two factors."""

import numpy as np

from .base import Optimizer, check_hyperparameter
from .linalg import check_matrices, eigenbasis, refine_eigenbasis, transpose


def rotate(x, Q_L, Q_R, back=False):
    """Q_L^T x Q_R (into the eigenbasis), or Q_L x Q_R^T (back); a side without Q stays."""
    if Q_L is not None:
        x = (Q_L if back else transpose(Q_L)) @ x
    if Q_R is not None:
        x = x @ (transpose(Q_R) if back else Q_R)
    return x


class SOAP(Optimizer):
    """L     <- b L + (1 - b) G G^T,  R <- b R + (1 - b) G^T G,  b = shampoo_beta  (1)
    t = 1: Q_L, Q_R = eigenvectors of L and R (largest first); no step        (2)
    G'    = Q_L^T G Q_R                                                     (3)
    m     <- beta1 m + (1 - beta1) G',  v <- beta2 v + (1 - beta2) G' * G'  (4)
    theta <- theta - lr_s * Q_L (m / (sqrt(v) + eps)) Q_R^T,                (5)
             lr_s = lr * sqrt(1 - beta2**s) / (1 - beta1**s),  s = t - 1
    theta <- (1 - lr * weight_decay) theta                                 (6)
    every k steps: Q <- QR(L Q_sorted), Q's columns sorted by q^T L q       (7)
    m <- Q_L'^T Q_L m Q_R^T Q_R';  v: only its rows/columns sorted as Q    (8)

    Vyas et al. (2024) as in their soap.py: (3)-(6) use the basis of the
    previous step, then (1) adds this G, and (7)-(8) run when s is a
    multiple of k = update_every (one step of power iteration, not eigh).
    m and v live in the rotated basis; (8) rotates m into the new one, v is
    not rotated. A side longer than max_precond_dim keeps Q = I.
    Defaults (the authors'): lr 3e-3, betas 0.95, shampoo_beta None (= beta2),
    eps 1e-8, weight_decay 0.01, update_every 10, max_precond_dim 10000.
    """

    # (1)-(8) mix the entries of a matrix: never run it on slices
    elementwise = False

    def __init__(self, lr=3e-3, beta1=0.95, beta2=0.95, shampoo_beta=None, eps=1e-8,
                 weight_decay=0.01, update_every=10, max_precond_dim=10000):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         weight_decay=weight_decay)
        if shampoo_beta is not None:
            try:
                shampoo_beta = check_hyperparameter("beta2", shampoo_beta)
            except (TypeError, ValueError) as error:
                raise type(error)(str(error).replace("beta2", "shampoo_beta")) from None
        if int(update_every) != update_every or update_every < 1:
            raise ValueError("update_every must be a whole number >= 1, "
                             f"got {update_every!r}")
        self.shampoo_beta, self.update_every = shampoo_beta, update_every
        self.max_precond_dim = max_precond_dim

    def init_state(self, p):
        state = {"m": np.zeros_like(p), "v": np.zeros_like(p)}
        for side, n in (("L", p.shape[-2]), ("R", p.shape[-1])):
            if n <= self.max_precond_dim:
                state[side] = np.zeros(p.shape[:-2] + (n, n), dtype=p.dtype)
                state["Q_" + side] = np.zeros_like(state[side])
        return state

    def step(self, p, g, t, m, v, L=None, R=None, Q_L=None, Q_R=None):
        b1, b2, s = self.beta1, self.beta2, t - 1
        if t > 1:
            G = rotate(g, Q_L, Q_R)  # (3)
            m += (1 - b1) * (G - m)  # (4)
            v[...] = b2 * v + (1 - b2) * G * G  # (4)
            lr_s = self.lr * np.sqrt(1 - b2**s) / (1 - b1**s)  # (5)
            p -= lr_s * rotate(m / (np.sqrt(v) + self.eps), Q_L, Q_R, back=True)
            p -= self.lr * self.weight_decay * p  # (6)
        b = b2 if self.shampoo_beta is None else self.shampoo_beta
        refresh = t > 1 and s % self.update_every == 0
        if refresh:
            m[...] = rotate(m, Q_L, Q_R, back=True)  # (8): out of the old basis
        for axis, X, Q, gram in ((-2, L, Q_L, lambda: g @ transpose(g)),
                                 (-1, R, Q_R, lambda: transpose(g) @ g)):
            if X is None:
                continue
            X += (1 - b) * (gram() - X)  # (1)
            if t == 1:
                Q[...] = eigenbasis(X)  # (2)
            elif refresh:
                Q[...], order = refine_eigenbasis(X, Q)  # (7)
                order = np.expand_dims(order, -3 - axis)  # (8): sort v alike
                v[...] = np.take_along_axis(v, order, axis)
        if refresh:
            m[...] = rotate(m, Q_L, Q_R)  # (8): into the new one

    def _checked(self, params, grads, scheduled):
        grads = super()._checked(params, grads, scheduled)
        beta = self.shampoo_beta if self.shampoo_beta is not None else \
            scheduled.get("beta2", self.beta2)
        check_matrices("SOAP", params, {"shampoo_beta (or beta2)": beta})
        return grads
