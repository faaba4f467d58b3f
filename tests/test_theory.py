"""The theoretical rates agree with runs of the optimizers on quadratics."""

import numpy as np
import pytest

from optim import Momentum, Nesterov
from optim.run import settings, trajectory
from optim.surfaces import Quadratic
from optim.theory import optimal_gd, optimal_momentum, rate_gd, rate_momentum, rate_nesterov, worst_rate


def measured_rate(run, steps):
    """Geometric mean of the per-step shrink of the distance to the minimum over the last half."""
    d = np.linalg.norm(run.path, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (d[steps] / d[steps // 2]) ** (1 / (steps - steps // 2))


@pytest.mark.parametrize("cls, rate", [(Momentum, rate_momentum), (Nesterov, rate_nesterov)])
def test_momentum_rates_match_runs(cls, rate):
    q = Quadratic(condition=10, angle=20)
    grid = settings(lr=[0.1, 0.5, 1.0, 1.5], momentum=[0.0, 0.3, 0.6, 0.9])
    steps = 400
    run = trajectory(cls(**grid), q, start=(2.0, 1.0), steps=steps)
    theory = worst_rate(rate, q.eigenvalues, grid["lr"][..., 0], grid["momentum"][..., 0])
    fine = (theory < 0.97) & ~run.diverged  # fast enough to measure over 400 steps
    assert fine.sum() >= 8
    np.testing.assert_allclose(measured_rate(run, steps)[fine], theory[fine], rtol=0.02)


def test_convergence_regions():
    lam = 1.0
    for beta in [0.0, 0.5, 0.9]:
        edge = 2 * (1 + beta)
        assert rate_momentum(edge * 0.999, beta, lam) < 1 < rate_momentum(edge * 1.001, beta, lam)
        edge_n = 2 * (1 + beta) / (1 + 2 * beta)
        assert rate_nesterov(edge_n * 0.999, beta, lam) < 1 < rate_nesterov(edge_n * 1.001, beta, lam)
    assert rate_gd(1.999, 1.0) < 1 < rate_gd(2.001, 1.0)


def test_optimal_settings():
    lr, rate = optimal_gd(0.1, 2.0)
    assert lr == pytest.approx(2 / 2.1) and rate == pytest.approx(19 / 21)
    lr, beta, r = optimal_momentum(0.01, 1.0)
    assert r == pytest.approx(9 / 11)
    assert worst_rate(rate_momentum, [0.01, 1.0], lr, beta) == pytest.approx(r, rel=1e-6)
