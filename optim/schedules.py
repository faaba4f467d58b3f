"""Learning-rate schedules: functions of the step t, to pass as any hyperparameter.

    >>> from optim import SGD, Adam
    >>> from optim.schedules import cosine, join, linear, one_cycle, wsd
    >>> opt = SGD(lr=cosine(0.1, steps=100))         # 0.1 on the first update, 0 from t = 101
    >>> opt = SGD(lr=join([linear(0.001, 0.1, 10), cosine(0.1, 90)], [10]))  # warm-up, then cosine
    >>> opt = SGD(lr=wsd(0.1, steps=1000, cooldown=0.2))  # flat, then the last 20% down
    >>> lr, beta1 = one_cycle(0.01, steps=200)
    >>> opt = Adam(lr=lr, beta1=beta1)                # the momentum cycles against the lr

A schedule is called with t = 1 on the first update (``Optimizer.update`` counts from 1), so
the formulas below read k = t - 1, the number of updates made before this one. The comments
(1) to (9) are the equations of the schedules chapter (chapters/21_schedules). PyTorch counts
the scheduler's steps instead: the first ``optimizer.step()`` uses the value at
``last_epoch = 0`` and each ``scheduler.step()`` after it adds one. So schedule(t) here is a
``torch.optim.lr_scheduler`` at last_epoch = t - 1 (tests/test_parity.py checks each one).
The values (lr, end, ...) may be numpy arrays, for a grid of settings; t is one number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple


def constant(value) -> Callable:
    """value at every step (PyTorch: no scheduler)."""
    return lambda t: value


def step_decay(lr, every: int, gamma=0.1) -> Callable:
    """lr * gamma**(k // every): times gamma every `every` updates.

    ``StepLR(step_size=every, gamma)``.
    """
    return lambda t: lr * gamma ** ((t - 1) // every)  # (1)


def exponential(lr, gamma) -> Callable:
    """lr * gamma**k: times gamma after every update. ``ExponentialLR(gamma)``."""
    return lambda t: lr * gamma ** (t - 1)  # (2)


def inverse_sqrt(lr, warmup: int = 1) -> Callable:
    """lr * min(t / warmup, sqrt(warmup / t)): up in a line to lr at t = warmup, then
    as 1 / sqrt(t).

    Vaswani et al. (2017), whose step number is t, with
    lr = d_model**-0.5 * warmup**-0.5.
    ``LambdaLR(lambda k: min((k + 1) / warmup, sqrt(warmup / (k + 1))))``.
    """
    return lambda t: lr * min(t / warmup, math.sqrt(warmup / t))  # (3)


def polynomial(lr, steps: int, power=1.0, end=0.0) -> Callable:
    """end + (lr - end) * (1 - min(k, steps) / steps)**power: lr down to end at
    t = steps + 1.

    ``PolynomialLR(total_iters=steps, power=power)`` (which has end = 0).
    """
    return lambda t: end + (lr - end) * (1 - min(t - 1, steps) / steps) ** power  # (4)


def cosine(lr, steps: int, end=0.0) -> Callable:
    """end + (lr - end) * (1 + cos(pi * min(k, steps) / steps)) / 2: half a cosine,
    lr down to end.

    Loshchilov and Hutter (2017) without restarts:
    ``CosineAnnealingLR(T_max=steps, eta_min=end)`` up to t = steps + 1. Then this stays
    at end, where PyTorch's climbs back up.
    """
    return lambda t: end + (lr - end) * (
        1 + math.cos(math.pi * min(t - 1, steps) / steps)) / 2  # (5)


def linear(start, end, steps: int) -> Callable:
    """start + (end - start) * min(k, steps) / steps: a straight line, then end. A
    linear warm-up (Goyal et al. 2017) goes from a small start up to the target lr.

    ``LinearLR(start_factor=start / lr, end_factor=end / lr, total_iters=steps)``
    for a base lr.
    """
    return lambda t: start + (end - start) * min(t - 1, steps) / steps  # (6)


def join(schedules: Sequence[Callable], boundaries: Sequence[int]) -> Callable:
    """schedules[0] for the first boundaries[0] updates, then schedules[1] from its own
    t = 1, ...

    ``SequentialLR(schedulers, milestones=boundaries)``:
    join([linear(...), cosine(...)], [10]).
    """
    if len(boundaries) != len(schedules) - 1:
        raise ValueError("join needs one boundary between each two schedules")

    def joined(t):
        start = 0
        for schedule, boundary in zip(schedules, [*boundaries, math.inf], strict=True):
            if t <= boundary:
                return schedule(t - start)  # (7)
            start = boundary

    return joined


COOLDOWN_SHAPES = {"linear": lambda x: 1 - x, "1-sqrt": lambda x: 1 - math.sqrt(x)}


def wsd(lr, steps: int, cooldown=0.2, warmup: int = 0, shape="1-sqrt",
        end=0.0) -> Callable:
    """Warmup-stable-decay: lr * t / warmup up to t = warmup, then lr, then the last
    D = round(cooldown * steps) updates down to end, reached at t = steps + 1:
    end + (lr - end) * s(x), x = min(k - (steps - D), D) / D, s(x) = 1 - sqrt(x)
    or 1 - x.

    Named by Hu et al. (2024); the 1 - sqrt cool-down is Hagele et al.'s (2024). The
    plateau does not depend on steps, so runs for several budgets share it up to their
    cool-downs. PyTorch has no WSD scheduler: ``SequentialLR`` of ``LinearLR``,
    ``ConstantLR`` and ``LinearLR`` gives the linear form, a ``LambdaLR`` the other.
    """
    if shape not in COOLDOWN_SHAPES:
        raise ValueError(f"shape must be one of {sorted(COOLDOWN_SHAPES)},"
                         f" got {shape!r}")
    if not 0 < cooldown <= 1:
        raise ValueError(f"cooldown is a fraction of steps in (0, 1], got {cooldown!r}")
    length = max(1, round(cooldown * steps))
    if warmup < 0 or warmup + length > steps:
        raise ValueError(f"warmup ({warmup}) and the cool-down ({length} steps) must"
                         f" fit in steps ({steps})")
    falling, stable = COOLDOWN_SHAPES[shape], steps - length

    def schedule(t):
        if t <= warmup:
            return lr * t / warmup
        x = min(max(t - 1 - stable, 0), length) / length
        return end + (lr - end) * falling(x)  # (9)

    return schedule


class OneCycle(NamedTuple):
    """A learning-rate schedule and the momentum (or beta1) schedule that moves against it."""

    lr: Callable
    momentum: Callable


def one_cycle(max_lr, steps: int, pct_start=0.3, div_factor=25.0, final_div_factor=1e4,
              base_momentum=0.85, max_momentum=0.95, three_phase=False,
              anneal="cos") -> OneCycle:
    """The 1cycle policy (Smith and Topin 2019): lr rises from max_lr / div_factor to
    max_lr in the first pct_start of the steps, then falls to
    max_lr / div_factor / final_div_factor; the momentum falls from max_momentum to
    base_momentum while lr rises, and rises back after.

    ``OneCycleLR(max_lr, total_steps=steps, ...)`` for t = 1 ... steps
    (cycle_momentum=True cycles SGD's momentum or Adam's beta1); then both stay at their
    last values. three_phase=True goes back down to the first lr symmetrically, then on
    to the minimum with momentum max_momentum.
    """
    if anneal not in ("cos", "linear"):
        raise ValueError(f"anneal must be 'cos' or 'linear', got {anneal!r}")
    low = max_lr / div_factor
    if three_phase:
        ends = [pct_start * steps - 1, 2 * pct_start * steps - 2, steps - 1]
        lrs, momenta = ([low, max_lr, low, low / final_div_factor],
                        [max_momentum, base_momentum] + [max_momentum] * 2)
    else:
        ends = [pct_start * steps - 1, steps - 1]
        lrs, momenta = ([low, max_lr, low / final_div_factor],
                        [max_momentum, base_momentum, max_momentum])

    def through(values):
        def schedule(t):
            k, start = t - 1, 0.0
            for i, end in enumerate(ends):
                if k <= end or i == len(ends) - 1:
                    pct = min((k - start) / (end - start), 1.0)
                    if anneal == "linear":  # (8) with straight lines in place of ann
                        return (values[i + 1] - values[i]) * pct + values[i]
                    # (8): ann(values[i], values[i + 1]; pct)
                    return values[i + 1] + ((values[i] - values[i + 1]) / 2
                                            * (math.cos(math.pi * pct) + 1))
                start = end

        return schedule

    return OneCycle(through(lrs), through(momenta))
