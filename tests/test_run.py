import numpy as np
import pytest

from optim import SGD, Adam, Momentum
from optim.run import settings, trajectory
from optim.surfaces import Bowl, Noisy, Quadratic, Rosenbrock


def test_path_starts_at_start_and_follows_the_updates():
    surface = Bowl()
    run = trajectory(SGD(lr=0.1), surface, steps=3)
    xy = np.array(surface.start)
    np.testing.assert_array_equal(run.path[0], xy)
    for k in range(3):
        xy = xy - 0.1 * surface.grad(xy)
        np.testing.assert_allclose(run.path[k + 1], xy)
    np.testing.assert_allclose(run.losses, surface.loss(run.path))


def test_divergent_runs_are_frozen_and_marked():
    # On f = 1/2 z^T A z with largest curvature 1, gradient descent diverges for lr > 2.
    run = trajectory(SGD(**settings(lr=[0.5, 1.9, 2.1, 50.0])), Quadratic(), steps=300)
    assert run.diverged.tolist() == [False, False, True, True]
    assert np.isnan(run.path[-1, 2:]).all() and np.isfinite(run.path[-1, :2]).all()
    assert run.converged(1e-6).tolist() == [True, True, False, False]
    short_run = trajectory(SGD(lr=0.5), Quadratic(), steps=30)
    assert not short_run.converged(1e-6)  # the flat axis (curvature 1/10) needs more steps


def test_steps_to_tolerance():
    run = trajectory(SGD(**settings(lr=[0.5, 1.0])), Quadratic(condition=1.0), steps=50)
    steps = run.steps_to(1e-8)
    assert steps[1] == 1  # lr = 1/lambda solves a perfectly conditioned quadratic in one step
    assert 1 < steps[0] < 50


def test_a_100_by_100_grid_of_settings():
    grid = settings(lr=np.linspace(0.01, 4.0, 100), momentum=np.linspace(0.0, 0.99, 100))
    run = trajectory(Momentum(**grid), Quadratic(condition=10), steps=200)
    assert run.path.shape == (201, 100, 100, 2)
    assert run.diverged.any() and run.converged(1e-3).any()


def test_stochastic_runs_are_reproducible():
    a = trajectory(Adam(lr=0.1), Noisy(Bowl(), sigma=1.0), steps=20, seed=5)
    b = trajectory(Adam(lr=0.1), Noisy(Bowl(), sigma=1.0), steps=20, seed=5)
    c = trajectory(Adam(lr=0.1), Noisy(Bowl(), sigma=1.0), steps=20, seed=6)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.array_equal(a.path, c.path)


def test_trajectory_needs_a_fresh_optimizer():
    opt = Adam()
    trajectory(opt, Rosenbrock(), steps=2)
    with pytest.raises(ValueError, match="fresh optimizer"):
        trajectory(opt, Rosenbrock(), steps=2)


def test_bad_start_and_steps():
    with pytest.raises(ValueError, match="start"):
        trajectory(SGD(), Bowl(), start=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="steps"):
        trajectory(SGD(), Bowl(), steps=-1)
