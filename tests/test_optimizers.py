"""Behaviour every optimizer shares: in place, dtype kept, lazy state, batched settings."""

import numpy as np
import pytest

from optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop
from optim.run import settings, trajectory
from optim.surfaces import Bowl, Rosenbrock

ALL = [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam]


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
    cls(lr=np.array([[0.1], [0.2], [0.3]])).update({"w": w}, {"w": np.ones((3, 2), dtype=np.float32)})
    assert w.dtype == np.float32 and np.all(w < 1)


@pytest.mark.parametrize("cls", ALL)
def test_state_is_created_lazily_per_name(cls):
    opt = cls()
    assert opt.state == {}
    params = {"a": np.zeros(2), "b": np.zeros(3)}
    opt.update(params, {"a": np.ones(2), "b": np.ones(3)})
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
    ],
)
def test_batched_settings_equal_separate_runs(cls, grid):
    surface = Rosenbrock()
    batched = trajectory(cls(**settings(**grid)), surface, steps=100)
    combos = np.stack(np.meshgrid(*grid.values(), indexing="ij"), axis=-1)
    assert batched.path.shape == (101,) + combos.shape[:-1] + (2,)
    for index in np.ndindex(combos.shape[:-1]):
        kwargs = dict(zip(grid, combos[index].tolist()))
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
    start = rng.standard_normal(300_001).astype(np.float32)
    grads = [rng.standard_normal(start.size).astype(np.float32) for _ in range(3)]

    def run(chunk):
        monkeypatch.setattr(cls, "CHUNK", chunk)
        params, opt = {"w": start.copy()}, cls(lr=0.01)
        for g in grads:
            opt.update(params, {"w": g})
        return params["w"]

    np.testing.assert_array_equal(run(1 << 12), run(1 << 30))
