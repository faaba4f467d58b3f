"""Shampoo: a preconditioner for a weight matrix from two small factors, one per side."""

import numpy as np

from .base import Optimizer
from .linalg import check_matrices, inverse_root, transpose

GRAFTS = (None, "adagrad", "rmsprop")


class Shampoo(Optimizer):
    """L     <- L + G G^T,  R <- R + G^T G,  L_0 = eps I,  R_0 = eps I      (1)
    (beta2 given: L <- beta2 L + (1 - beta2) G G^T, and so R; Anil et al.)
    P_L   = L^(-1/4),  P_R = R^(-1/4)  at t = k, 2k, ...;  I before  (2)
    S     = P_L G P_R                                                (3)
    S     <- S ||D||_F / ||S||_F,  D = G / (sqrt(H) + graft_eps)      (4)
    theta <- theta - lr * S                                          (5)

    (1)-(3), (5) with beta2=None, k = update_every = 1 and no graft are
    Algorithm 1 of Gupta et al. (2018) for a matrix. (4) is Anil et al.'s
    (2020) grafting: S keeps its direction and takes the Frobenius norm of
    the diagonal method's step D; H <- H + G*G ("adagrad") or
    H <- beta2 H + (1 - beta2) G*G ("rmsprop"). A side longer than
    max_precond_dim gets P = I and the other side P = (.)^(-1/2).
    Defaults: lr 1e-3 and eps 1e-6 (pytorch_optimizer's; Anil et al.'s
    matrix_epsilon is 1e-6 too), beta2 None (the paper's sums), update_every
    1, graft None, graft_eps 1e-10 (Anil et al.'s diagonal_epsilon),
    max_precond_dim 4096 (their skip_preconditioning_dim_size_gt).
    """

    # (1)-(4) mix the entries of a matrix: never run it on slices
    elementwise = False

    def __init__(self, lr=1e-3, eps=1e-6, beta2=None, update_every=1, graft=None,
                 graft_eps=1e-10, max_precond_dim=4096):
        super().__init__(lr=lr, eps=eps, **({} if beta2 is None else {"beta2": beta2}))
        if graft not in GRAFTS or (graft == "rmsprop" and beta2 is None):
            raise ValueError(f"graft must be one of {GRAFTS} ('rmsprop' needs beta2), "
                             f"got {graft!r}")
        if int(update_every) != update_every or update_every < 1:
            raise ValueError("update_every must be a whole number >= 1, "
                             f"got {update_every!r}")
        self.update_every, self.graft, self.graft_eps = update_every, graft, graft_eps
        self.max_precond_dim = max_precond_dim

    def init_state(self, p):
        state = {}
        for side, n in (("L", p.shape[-2]), ("R", p.shape[-1])):
            if n <= self.max_precond_dim:
                eye = np.broadcast_to(np.eye(n, dtype=p.dtype), p.shape[:-2] + (n, n))
                state[side] = (self.eps * eye).astype(p.dtype)  # (1)
                state["P_" + side] = eye.copy()  # (2)
        if self.graft:
            state["H"] = np.zeros_like(p)
        return state

    def step(self, p, g, t, L=None, R=None, P_L=None, P_R=None, H=None):
        beta2 = getattr(self, "beta2", None)  # None: sums
        keep, new = (1.0, 1.0) if beta2 is None else (beta2, 1 - beta2)
        sides = [(X, P, gram) for X, P, gram in ((L, P_L, lambda: g @ transpose(g)),
                                                 (R, P_R, lambda: transpose(g) @ g))
                 if X is not None]
        for X, P, gram in sides:
            X[...] = keep * X + new * gram()  # (1)
            if t % self.update_every == 0:  # (2); X >= eps keep**t I but for round-off
                P[...] = inverse_root(X, 2 * len(sides), self.eps * keep**t)
        S = g if P_L is None else P_L @ g  # (3)
        S = S if P_R is None else S @ P_R  # (3)
        if H is not None:
            H[...] = H + g * g if self.graft == "adagrad" else keep * H + new * g * g
            D = g / (np.sqrt(H) + self.graft_eps)
            norms = [np.linalg.norm(x, axis=(-2, -1), keepdims=True) for x in (D, S)]
            S = S * norms[0] / (norms[1] + 1e-16)  # (4)
        p -= self.lr * S  # (5)

    def _checked(self, params, grads, scheduled):
        grads = super()._checked(params, grads, scheduled)
        factors = {n: scheduled.get(n, getattr(self, n, None))
                   for n in ("eps", "beta2")}
        check_matrices("Shampoo", params, factors)
        return grads
