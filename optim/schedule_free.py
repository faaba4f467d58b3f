"""Schedule-Free SGD and AdamW: no decay schedule; an average of the iterates instead."""

import math

import numpy as np

from .base import Optimizer


class _ScheduleFree(Optimizer):
    """The parts both share: warm-up, the weights of the average (4)-(5), train/eval."""

    def __init__(self, warmup_steps, r, weight_lr_power, **hyperparameters):
        super().__init__(**hyperparameters)
        rules = {"warmup_steps": (warmup_steps, "a whole number >= 0"),
                 "r": (r, "a finite number"),
                 "weight_lr_power": (weight_lr_power, "a finite number >= 0")}
        for name, (value, expected) in rules.items():
            number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if not (number and math.isfinite(value)) or (name != "r" and value < 0) or (
                    name == "warmup_steps" and int(value) != value):
                raise ValueError(f"{name} must be {expected}, got {value!r}")
        self.warmup_steps, self.r, self.weight_lr_power = warmup_steps, r, weight_lr_power
        self.lr_max, self.weight_sum, self.training, self._at = 0.0, 0.0, True, 0

    def scheduled_lr(self, t):
        """lr_t = lr * min(1, t / warmup_steps)                       (3)"""
        return self.lr * min(1.0, t / self.warmup_steps) if self.warmup_steps else self.lr

    def _average(self, t, lr_t):
        """c_t of (5), computed once per update (every parameter shares it)."""
        if self._at != t:
            self.lr_max = np.maximum(self.lr_max, lr_t)  # the largest lr_t so far
            weight = t**self.r * self.lr_max**self.weight_lr_power  # (4)
            self.weight_sum = self.weight_sum + weight
            s = np.asarray(self.weight_sum, dtype=float)
            c = np.where(s > 0, weight / np.where(s > 0, s, 1.0), 0.0)  # 0 if all w = 0
            self._c, self._at = (float(c) if c.ndim == 0 else c), t
        return self._c

    def init_state(self, p):
        return {"z": p.copy(), "x": p.copy()}  # z_1 = x_1 = y_1 = the start

    def update(self, params, grads):
        if not self.training:
            raise RuntimeError(f"{type(self).__name__} is in eval mode: params hold the "
                               "average x; call .train(params) before the next update")
        super().update(params, grads)

    def eval(self, params):
        """Put the average x into params (to evaluate, test or save the model)."""
        if self.training:
            for key, p in params.items():
                if key in self.state:
                    p[...] = self.state[key]["x"]
            self.training = False

    def train(self, params):
        """Put the gradient point y back into params (to train again)."""
        if not self.training:
            for key, p in params.items():
                if key in self.state:
                    x, z = self.state[key]["x"], self.state[key]["z"]
                    p[...] = self._beta() * x + (1 - self._beta()) * z  # (2), as in step
            self.training = True


class ScheduleFreeSGD(_ScheduleFree):
    """y_t     = (1 - beta) z_t + beta x_t   (params hold y_t)      (1)
    z_{t+1} = z_t - lr_t (g_t + weight_decay * y_t),  g_t at y_t   (2)
    lr_t    = lr * min(1, t / warmup_steps)                        (3)
    w_t     = t**r * max_{i<=t}(lr_i)**weight_lr_power             (4)
    x_{t+1} = (1 - c_t) x_t + c_t z_{t+1},  c_t = w_t / sum_{i<=t} w_i   (5)

    beta is `momentum`. x is the weighted average of z_2 .. z_{t+1} (c_1 = 1
    forgets the start); beta = 0 is SGD with Polyak-Ruppert averaging, beta -> 1
    primal averaging. Defazio et al. (2024), Section 2, as the authors'
    SGDScheduleFreeReference (schedulefree 1.4.1), which this equals, with its
    defaults: lr 1.0, momentum 0.9, weight_decay 0 (L2, added to g at y),
    warmup_steps 0, r 0, weight_lr_power 2. (The paper's Section 2 writes
    c = 1/(t+1), which keeps the start in the average.) params hold y;
    .eval(params) swaps in x, .train(params) swaps y back, and an update in
    eval mode raises. The authors allow 0 < momentum < 1; this takes 0 too.
    """

    def __init__(self, lr=1.0, momentum=0.9, weight_decay=0.0, warmup_steps=0, r=0.0,
                 weight_lr_power=2.0):
        super().__init__(warmup_steps, r, weight_lr_power, lr=lr, momentum=momentum,
                         weight_decay=weight_decay)

    def _beta(self):
        return self.momentum

    def step(self, p, g, t, z, x):
        lr_t = self.scheduled_lr(t)  # (3)
        c = self._average(t, lr_t)  # (4), (5)
        z -= lr_t * (g + self.weight_decay * p)  # (2), p = y_t
        x += c * (z - x)  # (5), as a lerp
        p[...] = self.momentum * x + (1 - self.momentum) * z  # (1), y_{t+1}


class ScheduleFreeAdamW(_ScheduleFree):
    """y_t     = (1 - beta1) z_t + beta1 x_t   (params hold y_t)        (1)
    v_t     = beta2 v_{t-1} + (1 - beta2) g_t * g_t,  g_t at y_t      (10)
    z_{t+1} = z_t - lr_t g_t / (sqrt(v_t / (1 - beta2**t)) + eps)
                  - lr_t * weight_decay * y_t                       (11)

    with lr_t, w_t, c_t and x as in ScheduleFreeSGD, (3)-(5). Adam's second
    moment, no first moment: the interpolation (1) is the momentum. As the
    authors' AdamWScheduleFreeReference (schedulefree 1.4.1), which this equals:
    lr 0.0025, betas (0.9, 0.999), eps 1e-8, weight_decay 0 (decoupled, at y;
    decay_at_z=True decays z instead), warmup_steps 0, r 0, weight_lr_power 2.
    lr_bias_correction=True is the paper's Algorithm 2 and the authors'
    AdamWScheduleFreePaper: lr_t times sqrt(1 - beta2**t), in (11) and in the
    weights (4), and sqrt(v_t) + eps in (11).
    """

    def __init__(self, lr=0.0025, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0,
                 warmup_steps=0, r=0.0, weight_lr_power=2.0, decay_at_z=False,
                 lr_bias_correction=False):
        super().__init__(warmup_steps, r, weight_lr_power, lr=lr, beta1=beta1,
                         beta2=beta2, eps=eps, weight_decay=weight_decay)
        self.decay_at_z, self.lr_bias_correction = decay_at_z, lr_bias_correction

    def _beta(self):
        return self.beta1

    def scheduled_lr(self, t):
        lr_t = super().scheduled_lr(t)  # (3)
        return lr_t * np.sqrt(1 - self.beta2**t) if self.lr_bias_correction else lr_t

    def init_state(self, p):
        return {**super().init_state(p), "v": np.zeros_like(p)}

    def step(self, p, g, t, z, x, v):
        lr_t = self.scheduled_lr(t)
        c = self._average(t, lr_t)  # (4), (5)
        z -= lr_t * self.weight_decay * (z if self.decay_at_z else p)  # (11), p = y_t
        v[...] = self.beta2 * v + (1 - self.beta2) * g * g  # (10)
        v_hat = v if self.lr_bias_correction else v / (1 - self.beta2**t)
        z -= lr_t * g / (np.sqrt(v_hat) + self.eps)  # (11)
        x += c * (z - x)  # (5)
        p[...] = self.beta1 * x + (1 - self.beta1) * z  # (1)
