"""optim.compare (races and learning-rate tuning) and optim.sparse (the rare-features problem)."""

import numpy as np
import pytest

from optim import SGD, AdaGrad, Adam
from optim.compare import race, tune_lr
from optim.run import trajectory
from optim.sparse import RareFeatures
from optim.surfaces import Bowl, Quadratic


def test_race_runs_each_optimizer_from_the_same_start():
    runs = race({"SGD": SGD(lr=0.5), "Adam": Adam(lr=0.3)}, Bowl(), steps=10)
    assert set(runs) == {"SGD", "Adam"}
    for run in runs.values():
        np.testing.assert_array_equal(run.path[0], Bowl().start)
    np.testing.assert_array_equal(runs["SGD"].path, trajectory(SGD(lr=0.5), Bowl(), steps=10).path)


def test_tune_lr_finds_the_known_best_rate_and_never_picks_a_divergent_one():
    q = Quadratic(condition=10)
    lrs = np.linspace(0.1, 2.5, 241)
    tuned = tune_lr(SGD, q, lrs=lrs, steps=400)  # long enough for the asymptotic rate to decide
    assert abs(tuned.lr - 2 / (0.1 + 1.0)) < 0.02  # eta* = 2 / (lambda_min + lambda_max)
    assert not tuned.best.diverged and tuned.sweep.diverged.any()
    assert tuned.final_loss == pytest.approx(tuned.best.gap[-1])


def test_rare_features_loss_and_gradient():
    problem = RareFeatures(examples=500, seed=1)
    w = np.random.default_rng(0).standard_normal(problem.frequencies.size)
    direct = 0.5 * np.mean((problem.X @ w - problem.y) ** 2)
    assert problem.loss(w) == pytest.approx(direct, rel=1e-12)
    np.testing.assert_allclose(problem.grad(w), problem.X.T @ (problem.X @ w - problem.y) / 500, atol=1e-12)
    assert problem.loss(problem.w_true) == 0.0


def test_rare_features_fit_is_batched_like_a_surface():
    problem = RareFeatures(examples=500)
    lrs = np.array([[0.1], [1.0]])
    batched = problem.fit(AdaGrad(lr=lrs), steps=20)
    alone = problem.fit(AdaGrad(lr=1.0), steps=20)
    np.testing.assert_allclose(batched.path[:, 1], alone.path, rtol=1e-13)
    assert batched.losses[-1, 1] < batched.losses[0, 1]
    with pytest.raises(ValueError, match="fresh optimizer"):
        opt = AdaGrad()
        problem.fit(opt, steps=1)
        problem.fit(opt, steps=1)
