"""Schedule-Free SGD and AdamW: hand-computed steps, real equivalences, train/eval, bad input, and
parity with the authors' code (golden values from reference/make_schedule_free_golden.py)."""

import pathlib

import numpy as np
import pytest
from cases import PROBLEMS, run
from make_schedule_free_golden import CASES
from test_parity import assert_close_relative, relative_difference

from optim import SGD, schedule_free
from optim.schedule_free import ScheduleFreeAdamW, ScheduleFreeSGD

GOLDEN = np.load(pathlib.Path(__file__).parent / "reference" / "schedule_free_golden.npz")
ALL_CASES = [(name, problem) for name, spec in CASES.items() for problem in spec[5]]


def make(case):
    cls_name, kwargs, *_ = CASES[case]
    return getattr(schedule_free, cls_name)(**kwargs)


def run_with_x(opt, problem, init=None):
    """The y path (params after each update) and the x path (state), start first."""
    xs = []

    def step(params, grads):
        opt.update(params, grads)
        xs.append(np.concatenate([opt.state[k]["x"].ravel() for k in params]))

    y = run(step, problem, init=init)
    return y, np.array([y[0], *xs])


@pytest.mark.parametrize("case, problem", ALL_CASES)
def test_matches_the_authors_reference_code(case, problem):
    key = case if CASES[case][2] else f"optimised/{case}"
    gold_y, gold_x = GOLDEN[f"{key}/{problem}"], GOLDEN[f"{key}/{problem}/x"]
    y, x = run_with_x(make(case), problem)
    assert not np.allclose(gold_y[-1], gold_y[0]), "the golden run must actually move"
    assert np.abs(gold_x[-1] - gold_y[-1]).max() > 1e-6, "x and y must differ, or x is not tested"
    assert_close_relative(y, gold_y)
    assert_close_relative(x, gold_x)


@pytest.mark.parametrize("case, problem", [(n, p) for n, p in ALL_CASES if CASES[n][2] and CASES[n][3]])
def test_the_authors_optimised_classes_equal_their_reference(case, problem):
    """SGDScheduleFree / AdamWScheduleFree store y and z only; the same iterates to round-off."""
    for path in ("", "/x"):
        assert_close_relative(GOLDEN[f"optimised/{case}/{problem}{path}"], GOLDEN[f"{case}/{problem}{path}"],
                              rtol=1e-13)


def test_the_paper_bias_correction_is_another_method():
    ours = run_with_x(ScheduleFreeAdamW(lr=0.01, warmup_steps=10, weight_decay=0.1), "quadratic")[0]
    assert relative_difference(ours, GOLDEN["optimised/adamw_paper/quadratic"]) > 1e-3


@pytest.mark.parametrize("case, problem", ALL_CASES)
def test_golden_settings_are_not_chaotic(case, problem):
    """As test_parity's guard: a start moved by 1e-14 stays within 1e-11 over the run."""
    init, _ = PROBLEMS[problem]
    rng = np.random.default_rng(0)
    moved = run(make(case).update, problem,
                init=lambda: {k: v + 1e-14 * rng.standard_normal(v.shape) for k, v in init().items()})
    assert relative_difference(moved, run(make(case).update, problem)) < 1e-11


def test_two_steps_by_hand():
    """f = w^2 / 2 (g = y), lr 0.5, beta 0.5, no warm-up: c_1 = 1, c_2 = 1/2."""
    params = {"w": np.array([4.0])}
    opt = ScheduleFreeSGD(lr=0.5, momentum=0.5)
    opt.update(params, {"w": params["w"].copy()})  # g = 4: z = 2, x = z = 2, y = 2
    np.testing.assert_allclose([opt.state["w"]["z"][0], opt.state["w"]["x"][0], params["w"][0]], [2, 2, 2])
    opt.update(params, {"w": params["w"].copy()})  # g = 2: z = 1, x = (2 + 1)/2, y = (1.5 + 1)/2
    np.testing.assert_allclose([opt.state["w"]["z"][0], opt.state["w"]["x"][0], params["w"][0]], [1, 1.5, 1.25])


def test_x_is_the_weighted_average_of_the_z_iterates():
    """(5) unrolled: x_{t+1} = sum_i w_i z_{i+1} / sum_i w_i, with w_i = i^r lr_i^2 during a warm-up."""
    rng = np.random.default_rng(1)
    opt = ScheduleFreeSGD(lr=0.3, momentum=0.7, warmup_steps=5, r=0.5)
    params, zs, weights = {"w": rng.standard_normal(3)}, [], []
    for t in range(1, 13):
        opt.update(params, {"w": rng.standard_normal(3)})
        zs.append(opt.state["w"]["z"].copy())
        weights.append(t**0.5 * (0.3 * min(1, t / 5)) ** 2)
    np.testing.assert_allclose(opt.state["w"]["x"], np.average(zs, axis=0, weights=weights), rtol=1e-13)


def test_momentum_zero_is_sgd_with_polyak_ruppert_averaging():
    """beta = 0: y = z, so params take plain SGD's steps, and x is their running mean."""
    _, grad = PROBLEMS["quadratic"]
    sf, sgd = ScheduleFreeSGD(lr=0.01, momentum=0.0), SGD(lr=0.01)
    p_sf, p_sgd = PROBLEMS["quadratic"][0](), PROBLEMS["quadratic"][0]()
    path = []
    for _ in range(50):
        sf.update(p_sf, grad(p_sf))
        sgd.update(p_sgd, grad(p_sgd))
        path.append(p_sgd["w"].copy())
    np.testing.assert_allclose(p_sf["w"], p_sgd["w"], rtol=1e-13)
    np.testing.assert_allclose(sf.state["w"]["x"], np.mean(path, axis=0), rtol=1e-12)


def test_adamw_first_step_is_sign_sized():
    """v_1 / (1 - beta2) = g^2, so z moves by lr * sign(g) (eps 0); x = z; y = z."""
    params = {"w": np.zeros(3)}
    ScheduleFreeAdamW(lr=0.01, eps=0.0).update(params, {"w": np.array([1e-6, -3.0, 250.0])})
    np.testing.assert_allclose(params["w"], [-0.01, 0.01, -0.01], rtol=1e-12)


@pytest.mark.parametrize("cls", [ScheduleFreeSGD, ScheduleFreeAdamW])
def test_eval_and_train_swap_x_and_y_and_eval_mode_refuses_updates(cls):
    params = {"w": np.array([1.0, -2.0])}
    opt = cls(lr=0.1)
    for _ in range(3):
        opt.update(params, {"w": params["w"] + 1.0})
    y = params["w"].copy()
    opt.eval(params)
    assert np.array_equal(params["w"], opt.state["w"]["x"]) and not np.allclose(params["w"], y)
    opt.eval(params)  # twice is once
    with pytest.raises(RuntimeError, match="eval mode"):
        opt.update(params, {"w": np.ones(2)})
    assert np.array_equal(params["w"], opt.state["w"]["x"]), "a refused update must change nothing"
    opt.train(params)
    assert np.array_equal(params["w"], y), "train() must restore y bit for bit"


def test_toggling_every_step_leaves_the_run_unchanged():
    def toggling(opt):
        def step(params, grads):
            opt.update(params, grads)
            opt.eval(params)
            opt.train(params)
        return step

    for problem in ("rosenbrock", "quadratic"):
        np.testing.assert_array_equal(run(toggling(make("adamw")), problem), run(make("adamw").update, problem))


@pytest.mark.parametrize("kwargs, match", [
    ({"warmup_steps": -1}, "warmup_steps"), ({"warmup_steps": 2.5}, "warmup_steps"),
    ({"r": float("inf")}, "r must"), ({"weight_lr_power": -2.0}, "weight_lr_power"),
    ({"momentum": 1.0}, "momentum"), ({"lr": -1.0}, "lr"), ({"weight_decay": np.nan}, "weight_decay")])
def test_bad_hyperparameters_name_the_culprit(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ScheduleFreeSGD(**kwargs)


def test_bad_gradient_changes_nothing():
    params = {"w": np.ones(2)}
    opt = ScheduleFreeAdamW()
    opt.update(params, {"w": np.ones(2)})
    before = {k: v.copy() for k, v in opt.state["w"].items()}, params["w"].copy(), opt.weight_sum
    with pytest.raises(ValueError, match="non-finite"):
        opt.update(params, {"w": np.array([1.0, np.nan])})
    assert all(np.array_equal(before[0][k], opt.state["w"][k]) for k in before[0])
    assert np.array_equal(before[1], params["w"]) and opt.weight_sum == before[2] and opt.t == 1


def test_zero_learning_rate_does_not_divide_by_zero():
    params = {"w": np.ones(2)}
    ScheduleFreeSGD(lr=0.0).update(params, {"w": np.ones(2)})
    np.testing.assert_array_equal(params["w"], np.ones(2))


def test_batched_learning_rates_equal_separate_runs():
    from optim.run import settings, trajectory
    from optim.surfaces import Rosenbrock

    grid = {"lr": [1e-4, 1e-3], "momentum": [0.0, 0.5, 0.9]}
    batched = trajectory(ScheduleFreeSGD(**settings(**grid), warmup_steps=5), Rosenbrock(), steps=60)
    for i, lr in enumerate(grid["lr"]):
        for j, momentum in enumerate(grid["momentum"]):
            alone = trajectory(ScheduleFreeSGD(lr=lr, momentum=momentum, warmup_steps=5), Rosenbrock(), steps=60)
            np.testing.assert_allclose(batched.path[:, i, j], alone.path, rtol=1e-13, atol=1e-300)
