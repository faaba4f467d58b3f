"""Behaviour every optimizer shares: in place, dtype kept, lazy state, batched settings."""

import numpy as np
import pytest

from optim import (
    OPTIMIZERS,
    SEED_OPTIMIZERS,
    SGD,
    AdaDelta,
    Adafactor,
    AdaGrad,
    Adam,
    AdaMax,
    AdamW,
    AMSGrad,
    Lion,
    Momentum,
    Muon,
    NAdam,
    Nesterov,
    Prodigy,
    RAdam,
    RMSprop,
    ScheduleFreeAdamW,
    ScheduleFreeSGD,
    Yogi,
)
from optim.run import settings, trajectory
from optim.surfaces import Bowl, Rosenbrock

SEED = list(SEED_OPTIMIZERS)
ALL = list(OPTIMIZERS)


@pytest.mark.parametrize("cls", ALL)
def test_update_is_in_place_and_keeps_float32(cls):
    w = np.ones((3, 2), dtype=np.float32)
    params = {"w": w}
    opt = cls(lr=0.1)
    opt.update(params, {"w": np.full((3, 2), 0.5, dtype=np.float32)})
    opt.update(params, {"w": np.full((3, 2), 0.5, dtype=np.float32)})
    assert params["w"] is w and w.dtype == np.float32
    assert np.all(w < 1)
    for value in opt.state["w"].values():
        assert value.dtype == np.float32


@pytest.mark.parametrize("cls", ALL)
def test_float32_array_hyperparameters_keep_float32(cls):
    w = np.ones((3, 2), dtype=np.float32)
    opt = cls(lr=np.array([[0.1], [0.2], [0.3]]))
    for _ in range(2):  # SOAP's first update only sets up its eigenbasis
        opt.update({"w": w}, {"w": np.ones((3, 2), dtype=np.float32)})
    assert w.dtype == np.float32 and np.all(w < 1)


@pytest.mark.parametrize("cls", ALL)
def test_state_is_created_lazily_per_name(cls):
    opt = cls()
    assert opt.state == {}
    params = {"a": np.zeros((2, 1)), "b": np.zeros((1, 3))}  # matrices, so that Muon takes them too
    opt.update(params, {"a": np.ones((2, 1)), "b": np.ones((1, 3))})
    assert set(opt.state) == {"a", "b"} and opt.t == 1


@pytest.mark.parametrize(
    "cls, grid",
    [
        (SGD, {"lr": [1e-4, 1e-3, 2e-3]}),
        (Momentum, {"lr": [1e-4, 1e-3], "momentum": [0.0, 0.5, 0.9]}),
        (Nesterov, {"lr": [1e-4, 1e-3], "momentum": [0.0, 0.9]}),
        (AdaGrad, {"lr": [0.01, 0.3], "eps": [1e-7, 1e-2]}),
        (RMSprop, {"lr": [1e-3, 1e-2], "decay_rate": [0.5, 0.99]}),
        (Adam, {"lr": [1e-3, 0.05], "beta1": [0.0, 0.9], "beta2": [0.9, 0.999]}),
        (AdaDelta, {"lr": [0.5, 1.0], "rho": [0.5, 0.95], "eps": [1e-6, 1e-4]}),
        (AdaMax, {"lr": [1e-3, 0.05], "beta1": [0.0, 0.9], "beta2": [0.9, 0.999]}),
        (NAdam, {"lr": [1e-3, 0.05], "beta1": [0.5, 0.9], "momentum_decay": [0.0, 4e-3, 1e3]}),
        (AMSGrad, {"lr": [1e-3, 0.05], "beta1": [0.0, 0.9], "beta2": [0.9, 0.999]}),
        (AdamW, {"lr": [1e-3, 0.05], "weight_decay": [0.0, 0.1, 1.0]}),
        (Yogi, {"lr": [1e-3, 0.05], "beta2": [0.9, 0.999], "v0": [0.0, 1e-6]}),
        (RAdam, {"lr": [1e-3, 0.05], "beta2": [0.6, 0.9, 0.999]}),  # 0.6: rho_inf = 4, never rectified
        (Lion, {"lr": [1e-4, 1e-2], "beta1": [0.0, 0.9], "weight_decay": [0.0, 0.5]}),
        (Adafactor, {"lr": [1e-3, 0.05, 0.3], "weight_decay": [0.0, 0.1]}),
        (ScheduleFreeSGD, {"lr": [1e-4, 1e-3], "momentum": [0.0, 0.9], "weight_decay": [0.0, 0.1]}),
        (ScheduleFreeAdamW, {"lr": [1e-3, 0.05], "beta1": [0.0, 0.9], "beta2": [0.9, 0.999]}),
        (Prodigy, {"lr": [0.1, 1.0], "beta1": [0.0, 0.9], "weight_decay": [0.0, 0.1]}),
    ],
)
def test_batched_settings_equal_separate_runs(cls, grid):
    surface = Rosenbrock()
    batched = trajectory(cls(**settings(**grid)), surface, steps=100)
    combos = np.stack(np.meshgrid(*grid.values(), indexing="ij"), axis=-1)
    assert batched.path.shape == (101,) + combos.shape[:-1] + (2,)
    for index in np.ndindex(combos.shape[:-1]):
        kwargs = dict(zip(grid, combos[index].tolist(), strict=True))
        alone = trajectory(cls(**kwargs), surface, steps=100)
        np.testing.assert_allclose(batched.path[(slice(None),) + index], alone.path, rtol=1e-13, atol=1e-300)


def test_batched_starts_equal_separate_runs():
    starts = np.array([[-7.0, 2.0], [3.0, -4.0], [9.0, 1.0]])
    batched = trajectory(Adam(lr=0.3), Bowl(), start=starts, steps=50)
    for i, start in enumerate(starts):
        alone = trajectory(Adam(lr=0.3), Bowl(), start=start, steps=50)
        np.testing.assert_array_equal(batched.path[:, i], alone.path)


def test_schedules_are_functions_of_the_step():
    seen = []
    opt = SGD(lr=lambda t: seen.append(t) or 0.1 / t)
    params = {"w": np.zeros(1)}
    for _ in range(3):
        opt.update(params, {"w": np.ones(1)})
    assert seen == [1, 1, 2, 3]  # checked once at construction, then once per step
    np.testing.assert_allclose(params["w"], -(0.1 + 0.05 + 0.1 / 3))


def test_adam_first_step_has_size_lr():
    """With m_0 = v_0 = 0, bias correction makes the first step lr * sign(g) (up to eps)."""
    params = {"w": np.zeros(3)}
    Adam(lr=0.01, eps=0.0).update(params, {"w": np.array([1e-6, -3.0, 250.0])})
    np.testing.assert_allclose(params["w"], [-0.01, 0.01, -0.01], rtol=1e-12)


@pytest.mark.parametrize("cls", ALL)
def test_large_arrays_run_in_chunks_with_identical_results(cls, monkeypatch):
    rng = np.random.default_rng(0)
    start = rng.standard_normal((3, 100_001)).astype(np.float32)  # a matrix, so that Muon takes it
    grads = [rng.standard_normal(start.shape).astype(np.float32) for _ in range(3)]

    def run(chunk):
        monkeypatch.setattr(cls, "CHUNK", chunk)
        params, opt = {"w": start.copy()}, cls(lr=0.01)
        for g in grads:
            opt.update(params, {"w": g})
        return params["w"]

    np.testing.assert_array_equal(run(1 << 12), run(1 << 30))


def _least_squares(rng, shape):
    """A least-squares problem 0.5 * mean ||W x - y||^2 for matrices W of the given shape."""
    x = rng.standard_normal((shape[-1], 30))
    y = rng.standard_normal((shape[-2], 30))
    return lambda w: (w @ x - y) @ x.T / 30


def test_muon_batched_settings_equal_separate_runs():
    """A stack of matrices with (k, 1, 1) hyperparameters runs k separate Muons at once."""
    grad = _least_squares(np.random.default_rng(1), (3, 4))
    grid = settings(lr=[0.002, 0.01], momentum=[0.0, 0.9], weight_decay=[0.0, 0.1])
    grid = {k: v[..., None] for k, v in grid.items()}  # (2, 2, 2, 1, 1): broadcast over each matrix
    stack = {"W": np.zeros((2, 2, 2, 3, 4))}
    batched = Muon(**grid)
    alone = {index: (Muon(**{k: v[index].item() for k, v in grid.items()}), {"W": np.zeros((3, 4))})
             for index in np.ndindex(2, 2, 2)}
    for _ in range(50):
        batched.update(stack, {"W": grad(stack["W"])})
        for opt, params in alone.values():
            opt.update(params, {"W": grad(params["W"])})
    assert np.abs(stack["W"]).max() > 0.1
    for index, (_, params) in alone.items():
        np.testing.assert_allclose(stack["W"][index], params["W"], rtol=1e-12, atol=1e-15)


def test_muon_treats_a_matrix_and_its_transpose_alike():
    """Newton-Schulz runs on the wide side; the lr adjustment depends on the shape (rows > cols)."""
    grad = _least_squares(np.random.default_rng(2), (5, 3))
    tall, wide = {"W": np.zeros((5, 3))}, {"W": np.zeros((3, 5))}
    # the wide one gets the tall one's lr adjustment sqrt(max(1, rows / cols)) by hand
    opt_tall, opt_wide = Muon(lr=0.01, weight_decay=0.0), Muon(lr=0.01 * np.sqrt(5 / 3), weight_decay=0.0)
    for _ in range(30):
        opt_tall.update(tall, {"W": grad(tall["W"])})
        opt_wide.update(wide, {"W": grad(wide["W"].T).T})
    np.testing.assert_allclose(tall["W"], wide["W"].T, rtol=1e-12, atol=1e-15)


def test_muon_step_is_nearly_orthogonal():
    """Five Newton-Schulz steps bring singular values from 1 down to 1/50 of the largest to
    about 0.7 .. 1.2, and keep the singular vectors; far smaller ones stay small."""
    rng = np.random.default_rng(3)
    u, _ = np.linalg.qr(rng.standard_normal((6, 4)))
    v, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    g = u @ np.diag([50.0, 5.0, 1.0, 1e-4]) @ v.T
    params = {"W": np.zeros((6, 4))}
    Muon(lr=1.0, momentum=0.0, weight_decay=0.0).update(params, {"W": g})
    step = -params["W"] / np.sqrt(6 / 4)  # without the lr adjustment for a tall matrix
    s = np.diag(u.T @ step @ v)  # in g's singular basis
    np.testing.assert_allclose(u @ np.diag(s) @ v.T, step, atol=1e-12)  # same singular vectors
    assert np.all((0.6 < s[:3]) & (s[:3] < 1.25)) and s[3] < 0.01, s


def test_adamw_without_decay_is_adam_and_amsgrad_with_growing_v_is_adam():
    from cases import run

    for problem in ("rosenbrock", "quadratic"):
        np.testing.assert_array_equal(run(AdamW(lr=0.01, weight_decay=0.0).update, problem),
                                      run(Adam(lr=0.01).update, problem))
    # With beta2 = 0, v = g * g; on a quadratic from far away |g| shrinks, so v_max stays at the
    # first gradient and AMSGrad takes different (smaller) steps than Adam.
    adam, ams = run(Adam(lr=0.01, beta2=0.0).update, "quadratic"), run(AMSGrad(lr=0.01, beta2=0.0).update, "quadratic")
    assert np.abs(adam - ams).max() > 1e-2
