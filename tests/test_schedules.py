"""Learning-rate schedules: the step convention, composition, grids, and use in optimizers.

The values against torch.optim.lr_scheduler are in test_parity.py."""

import numpy as np
import pytest

from optim import SGD, Adam, Momentum, Muon
from optim.run import settings, trajectory
from optim.schedules import (
    constant,
    cosine,
    exponential,
    inverse_sqrt,
    join,
    linear,
    one_cycle,
    polynomial,
    step_decay,
    wsd,
)
from optim.surfaces import Rosenbrock


def values(schedule, steps):
    return np.array([schedule(t) for t in range(1, steps + 1)])


def test_the_first_update_has_t_1_and_uses_the_starting_value():
    """PyTorch's first optimizer.step() uses last_epoch = 0: the same value as our t = 1."""
    assert cosine(0.1, 10)(1) == 0.1 and linear(0.01, 0.1, 10)(1) == 0.01
    assert exponential(0.1, 0.5)(1) == 0.1 and polynomial(0.1, 10)(1) == 0.1
    np.testing.assert_allclose(values(step_decay(1.0, every=2, gamma=0.5), 6), [1, 1, 0.5, 0.5, 0.25, 0.25])
    np.testing.assert_allclose(values(exponential(1.0, 0.5), 3), [1, 0.5, 0.25])


def test_ends_are_reached_at_t_steps_plus_1_and_kept():
    np.testing.assert_allclose(values(cosine(1.0, 4, end=0.1), 8)[4:], 0.1)
    np.testing.assert_allclose(values(polynomial(1.0, 4, power=2.0), 8), [1, 9 / 16, 1 / 4, 1 / 16, 0, 0, 0, 0])
    np.testing.assert_allclose(values(linear(0.0, 1.0, 4), 6), [0, 0.25, 0.5, 0.75, 1, 1])
    np.testing.assert_allclose(values(constant(0.3), 3), 0.3)


def test_inverse_sqrt_peaks_at_the_end_of_warm_up():
    v = values(inverse_sqrt(1.0, warmup=4), 16)
    assert v.argmax() == 3 and v.max() == 1.0
    np.testing.assert_allclose(v[[0, 15]], [0.25, 0.5])
    np.testing.assert_allclose(values(inverse_sqrt(1.0), 4), 1 / np.sqrt([1, 2, 3, 4]))


def test_join_restarts_the_next_schedule_at_its_own_t_1():
    warm_cos = join([linear(0.0, 1.0, 3), cosine(1.0, 2)], [3])
    np.testing.assert_allclose(values(warm_cos, 7), [0, 1 / 3, 2 / 3, 1, 0.5, 0, 0], atol=1e-15)
    three = join([constant(1.0), constant(2.0), constant(3.0)], [2, 3])
    np.testing.assert_allclose(values(three, 5), [1, 1, 2, 3, 3])
    with pytest.raises(ValueError, match="one boundary"):
        join([constant(1.0), constant(2.0)], [])


def test_one_cycle_shape():
    lr, momentum = one_cycle(1.0, steps=100, div_factor=10, final_div_factor=100)
    v, m = values(lr, 120), values(momentum, 120)
    assert v[0] == pytest.approx(0.1) and v.max() == pytest.approx(1.0) and v.argmax() == 29
    assert v[99] == pytest.approx(1e-3) and np.all(v[100:] == v[99])  # stays at the minimum after
    assert m[0] == pytest.approx(0.95) and m[29] == pytest.approx(0.85) and m[99] == pytest.approx(0.95)
    assert np.all(np.diff(v[:30]) > 0) and np.all(np.diff(m[:30]) < 0)  # momentum against lr
    with pytest.raises(ValueError, match="anneal"):
        one_cycle(1.0, 10, anneal="exp")


def test_schedules_take_arrays_for_a_grid_of_settings():
    grid = settings(lr=[0.01, 0.02], end=[0.0, 0.001])
    schedule = cosine(grid["lr"], 50, end=grid["end"])
    batched = trajectory(Adam(lr=schedule), Rosenbrock(), steps=60)
    for i, lr in enumerate([0.01, 0.02]):
        for j, end in enumerate([0.0, 0.001]):
            alone = trajectory(Adam(lr=cosine(lr, 50, end=end)), Rosenbrock(), steps=60)
            np.testing.assert_allclose(batched.path[:, i, j], alone.path, rtol=1e-13)


def test_any_hyperparameter_takes_a_schedule():
    lr, momentum = one_cycle(0.01, steps=30)
    opt = Momentum(lr=lr, momentum=momentum)
    params = {"w": np.ones(2)}
    for t in range(1, 31):
        opt.update(params, {"w": params["w"]})
        assert opt.lr == lr(t) and opt.momentum == momentum(t)
    muon = Muon(lr=join([linear(0.0, 0.01, 5), cosine(0.01, 20)], [5]))
    muon.update({"W": np.ones((2, 2))}, {"W": np.ones((2, 2))})
    assert muon.lr == 0.0


def test_a_schedule_that_leaves_the_range_fails_when_it_does():
    opt = SGD(lr=linear(0.1, -0.1, 4))  # reaches 0 at t = 3, negative at t = 4
    params = {"w": np.ones(1)}
    for _ in range(3):
        opt.update(params, {"w": np.ones(1)})
    with pytest.raises(ValueError, match="lr must be"):
        opt.update(params, {"w": np.ones(1)})


def test_wsd_plateau_cooldown_and_warmup():
    """Flat at lr, then the last D = round(cooldown * steps) updates down to end at t = steps + 1."""
    np.testing.assert_allclose(values(wsd(1.0, 10, cooldown=0.2, shape="linear"), 12),
                               [1] * 9 + [0.5, 0, 0])
    np.testing.assert_allclose(values(wsd(1.0, 10, cooldown=0.4, end=0.2), 11)[6:],
                               0.2 + 0.8 * (1 - np.sqrt([0, 0.25, 0.5, 0.75, 1])))
    np.testing.assert_allclose(values(wsd(1.0, 10, warmup=4), 5), [0.25, 0.5, 0.75, 1, 1])
    # Budgets share the plateau: the 1000-step schedule equals the 250-step one until
    # the shorter one's cool-down starts (t = 201), then stays flat where it decays.
    short, long = values(wsd(0.5, 250), 250), values(wsd(0.5, 1000), 250)
    np.testing.assert_array_equal(short[:200], long[:200])
    assert np.all(short[201:] < 0.5) and np.all(long == 0.5)
    # Arrays of rates give one schedule per setting.
    np.testing.assert_allclose(wsd(np.array([1.0, 2.0]), 10, shape="linear")(10), [0.5, 1.0])


@pytest.mark.parametrize("kwargs, culprit", [
    ({"shape": "cosine"}, "shape"), ({"cooldown": 0.0}, "cooldown"), ({"cooldown": 1.5}, "cooldown"),
    ({"warmup": 9}, "warmup"), ({"warmup": -1}, "warmup"),
])
def test_wsd_rejects_what_does_not_fit(kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        wsd(1.0, 10, **kwargs)
