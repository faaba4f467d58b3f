"""Prodigy: Adam whose step size d estimates the distance to the solution, online."""

import math

import numpy as np

from .base import Optimizer, check_hyperparameter

#: Prodigy's own hyperparameters (not in base.RANGES): name -> (is it valid, what it must be).
OWN = {"beta3": (lambda a: (a >= 0) & (a < 1), "in [0, 1)"),
       "d0": (lambda a: np.isfinite(a) & (a > 0), "a finite number > 0"),
       "d_coef": (lambda a: np.isfinite(a) & (a > 0), "a finite number > 0"),
       "growth_rate": (lambda a: a >= 1, "a number >= 1 (math.inf: no limit)")}
HYPER = ("lr", "beta1", "beta2", "eps", "weight_decay", *OWN)


class Prodigy(Optimizer):
    """g     <- g + weight_decay * theta           (decouple=False)   (1)
    dlr   = lr * d * c,  c = sqrt(1 - beta2**k) / (1 - beta1**k)
            (c = 1 unless use_bias_correction)                         (2)
    r     <- beta3 * r + (d / d0) * dlr * <g, theta_0 - theta>         (3)
    s     <- beta3 * s + (d / d0) * dlr * g   (d / d0 * d: safeguard)  (4)
    m     <- beta1 * m + (1 - beta1) * d * g
    v     <- beta2 * v + (1 - beta2) * d**2 * g * g                    (5)
    d_hat = d_coef * r / ||s||_1,  d_max <- max(d_max, d_hat)          (6)
    d     <- min(d_max, growth_rate * d)  (from d0: max(d0, d_hat))    (7)
    theta <- theta - weight_decay * dlr * theta  (decouple=True)
    theta <- theta - dlr * m / (sqrt(v) + d * eps)                     (8)

    r, ||s||_1 and so d are sums over ALL parameters: one d per run. d, dlr
    and the moments use the d of before (7); only eps in (8) the new one.
    k counts the steps taken (1 on the first). Mishchenko and Defazio
    (2024), Algorithm 3 (Adam version), as coded in prodigyopt 1.1.2:
    step by step the same, including its quirks (beta1 = 0 steps with
    dlr * d_new * g; a step with ||s||_1 = 0 or lr = 0 changes nothing).
    Array hyperparameters of shape (*batch, 1, ...) run one Prodigy per
    batch entry (parameters of shape (*batch, ...)). Defaults
    (prodigyopt's): lr 1 (a multiplier of d), betas (0.9, 0.999), beta3
    sqrt(beta2), eps 1e-8, weight_decay 0, decouple True, d0 1e-6,
    d_coef 1, growth_rate inf, no bias correction, no safeguard, slice_p 1.
    """

    elementwise = False  # (3), (4) and (6) sum over every entry

    def __init__(self, lr=1.0, beta1=0.9, beta2=0.999, beta3=None, eps=1e-8,
                 weight_decay=0.0, decouple=True, use_bias_correction=False,
                 safeguard_warmup=False, d0=1e-6, d_coef=1.0,
                 growth_rate=math.inf, slice_p=1):
        super().__init__(lr=lr, beta1=beta1, beta2=beta2, eps=eps,
                         weight_decay=weight_decay)
        beta3 = np.sqrt(self.beta2) if beta3 is None else beta3
        for name, value in dict(beta3=beta3, d0=d0, d_coef=d_coef,
                                growth_rate=growth_rate).items():
            array = np.asarray(value, dtype=np.float64)
            if np.isnan(array).any() or not OWN[name][0](array).all():
                raise ValueError(f"{name} must be {OWN[name][1]}, got {value!r}")
            setattr(self, name, float(array) if array.ndim == 0 else array)
        if int(slice_p) != slice_p or slice_p < 1:
            raise ValueError(f"slice_p must be a whole number >= 1, got {slice_p!r}")
        self.decouple, self.use_bias_correction = decouple, use_bias_correction
        self.safeguard_warmup, self.slice_p = safeguard_warmup, int(slice_p)
        self.d = self.d_max = self.d_hat = self.r = self.k = None  # per run

    def init_state(self, p):
        flat = p.reshape(self.batch + (-1,))[..., ::self.slice_p]
        return {"m": np.zeros_like(p), "v": np.zeros_like(p),
                "s": np.zeros_like(flat), "p0": flat.copy()}

    def update(self, params, grads):
        t = self.t + 1
        scheduled = {n: check_hyperparameter(n, s(t))
                     for n, s in self.schedules.items()}
        grads = self._checked(params, grads, scheduled)
        for name, value in scheduled.items():
            setattr(self, name, value)
        self.t = t
        if self.d is None:
            self.d = self.d_max = self.d_hat = self.run(self.d0) + 0.0
            self.r, self.k = 0.0 * self.d, np.zeros(self.batch, dtype=int)
        for key, p in params.items():
            if key not in self.state:
                self.state[key] = self.init_state(p)
        self.prodigy_step(params, grads)

    def prodigy_step(self, params, grads):
        b1, b2, b3, wd = (self.run(getattr(self, n)) for n in
                          ("beta1", "beta2", "beta3", "weight_decay"))
        lr, d, d0, k = self.run(self.lr), self.d, self.run(self.d0), self.k + 1
        c = np.sqrt(1 - b2**k) / (1 - b1**k) if self.use_bias_correction else 1
        dlr = d * lr * c  # (2)
        r, s_norm, new = b3 * self.r, 0.0, {}
        for key, p in params.items():
            st, e = self.state[key], lambda x, p=p: self.expand(x, p)  # noqa: E731
            g = grads[key] + (0 if self.decouple else e(wd) * p)  # (1)
            flat = self.batch + (-1,)
            g_s = g.reshape(flat)[..., ::self.slice_p]
            p_s = p.reshape(flat)[..., ::self.slice_p]
            r = r + (d / d0) * dlr * np.sum(g_s * (st["p0"] - p_s), axis=-1)  # (3)
            weight = (d / d0) * (d if self.safeguard_warmup else dlr)
            s = st["s"] * self.expand(b3, g_s) + self.expand(weight, g_s) * g_s  # (4)
            s_norm = s_norm + np.abs(s).sum(axis=-1)
            m = st["m"] * e(b1) + e(d * (1 - b1)) * g  # (5)
            v = st["v"] * e(b2) + e(d * d * (1 - b2)) * g * g  # (5)
            new[key] = g, s, m, v
        active = (s_norm > 0) & (lr > 0)  # prodigyopt returns early otherwise
        with np.errstate(divide="ignore", invalid="ignore"):
            d_hat = np.where(active, self.run(self.d_coef) * r / s_norm, d)  # (6)
        d_max = np.where(active, np.maximum(self.d_max, d_hat), self.d_max)  # (6)
        d_new = np.where(d == d0, np.maximum(d, d_hat), d)  # (7)
        d_new = np.where(active, np.minimum(d_max, d_new * self.run(self.growth_rate)),
                         d)  # (7)
        for key, p in params.items():
            g, s, m, v = new[key]
            st, e = self.state[key], lambda x, p=p: self.expand(x, p)  # noqa: E731
            keep = e(active)
            denom = np.sqrt(v) + e(d_new) * self.eps  # (8)
            step = p - e(wd * dlr) * p if self.decouple else p  # (8)
            direction = np.where(e(b1) > 0, m, e(d_new) * g)  # beta1 = 0: dlr d_new g
            step = step - e(dlr) * (direction / denom)  # (8)
            for old, value in ((p, step), (st["m"], m), (st["v"], v)):
                np.copyto(old, value.astype(old.dtype, copy=False), where=keep)
            np.copyto(st["s"], s.astype(p.dtype, copy=False),
                      where=self.expand(active, s))
        self.r = np.where(active, r, self.r)
        self.d, self.d_max, self.d_hat = d_new, d_max, d_hat
        self.k = np.where(active, k, self.k)

    # --- one d per run: the batch of runs that array hyperparameters ask for ---
    batch = ()

    def run(self, value):
        """A hyperparameter or global quantity as one number per run (self.batch)."""
        full = np.broadcast_to(value, self._full)
        return full[(Ellipsis,) + (0,) * (len(self._full) - len(self.batch))]

    def expand(self, value, p):
        """A per-run quantity (shape self.batch) broadcast against parameter p."""
        value = np.asarray(value)
        return value.reshape(value.shape + (1,) * (p.ndim - value.ndim))

    def _checked(self, params, grads, scheduled):
        grads = super()._checked(params, grads, scheduled)
        shapes = [np.shape(scheduled.get(n, getattr(self, n))) for n in HYPER]
        full = np.broadcast_shapes(*shapes)
        batch = full
        while batch and batch[-1] == 1:
            batch = batch[:-1]
        if self.d is not None and batch != self.batch:
            raise ValueError(f"the hyperparameters ask for a batch of runs {batch}, "
                             f"but this Prodigy has been running {self.batch}")
        for key, p in params.items():
            if p.ndim <= len(batch) or p.shape[:len(batch)] != batch:
                raise ValueError(
                    f"Prodigy keeps one d per run: array hyperparameters ask for a "
                    f"batch of runs {batch} (their shape without trailing 1s), so "
                    f"parameter "
                    f"{key!r} must have shape {batch} + (its own axes), got {p.shape}")
        object.__setattr__(self, "_full", full)
        object.__setattr__(self, "batch", batch)
        return grads
