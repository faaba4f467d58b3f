"""Prodigy: hand-computed first steps, the lower bound on D, batches, bad input, parity with prodigyopt."""

import math
import pathlib
import sys

import numpy as np
import pytest
from cases import PROBLEMS, run
from test_parity import assert_close_relative, relative_difference

from optim.prodigy import Prodigy
from optim.run import settings, trajectory
from optim.surfaces import Rosenbrock

sys.path.insert(0, str(pathlib.Path(__file__).parent / "reference"))
from make_prodigy_golden import PRODIGY_CASES  # noqa: E402

GOLDEN = np.load(pathlib.Path(__file__).parent / "reference" / "prodigy_golden.npz")
CASES = [(name, problem) for name, (_, problems) in PRODIGY_CASES.items() for problem in problems]


def ours(kwargs):
    kwargs = dict(kwargs)
    if "betas" in kwargs:
        kwargs["beta1"], kwargs["beta2"] = kwargs.pop("betas")
    return Prodigy(**kwargs)


@pytest.mark.parametrize("case, problem", CASES)
def test_matches_prodigyopt(case, problem):
    gold = GOLDEN[f"{case}/{problem}"]
    path = run(ours(PRODIGY_CASES[case][0]).update, problem)
    assert not np.allclose(gold[-1], gold[0]), "the golden run must actually move"
    assert_close_relative(path, gold)


@pytest.mark.parametrize("case, problem", CASES)
def test_golden_settings_are_not_chaotic(case, problem):
    start, _ = PROBLEMS[problem]
    moved = lambda: {k: v * (1 + 1e-14) for k, v in start().items()}  # noqa: E731
    kwargs = PRODIGY_CASES[case][0]
    a, b = run(ours(kwargs).update, problem), run(ours(kwargs).update, problem, init=moved)
    assert relative_difference(b, a) < 1e-14 * 1000


def test_first_two_steps_by_hand():
    """Step 1: theta = theta_0, so r = 0 and d stays d0; the step is d0 * m / (sqrt(v) + d0 eps)."""
    p, g = {"w": np.array([1.0, -2.0])}, np.array([0.5, -4.0])
    opt = Prodigy(eps=0.0 + 1e-8, d0=1e-3)
    opt.update(p, {"w": g})
    d0 = 1e-3
    m, v = 0.1 * d0 * g, 0.001 * d0**2 * g**2
    first = np.array([1.0, -2.0]) - d0 * m / (np.sqrt(v) + d0 * 1e-8)
    np.testing.assert_allclose(p["w"], first, rtol=1e-14)
    assert opt.d == d0 and opt.r == 0.0
    # Step 2 with the same gradient: r = (d/d0) d <g, theta_0 - theta>, s = (beta3 + 1) d g
    opt.update(p, {"w": g})
    r = d0 * np.dot(g, np.array([1.0, -2.0]) - first)
    s = (np.sqrt(0.999) + 1) * d0 * g
    assert math.isclose(opt.d, max(d0, r / np.abs(s).sum()), rel_tol=1e-13)


def test_d_is_a_lower_bound_on_the_max_norm_distance():
    """For convex f, d_hat <= ||theta_0 - theta*||_inf whatever the iterates (the chapter's lemma)."""
    start, grad = PROBLEMS["quadratic"]
    opt, params = Prodigy(), start()
    from cases import _quadratic  # noqa: F401  the minimiser is the shift of the quadratic
    rng = np.random.default_rng(7)
    np.linalg.qr(rng.standard_normal((5, 5)))
    shift = rng.standard_normal(5)
    distance = np.abs(np.concatenate([params["w"], params["b"]]) - shift).max()
    ds = []
    for _ in range(300):
        opt.update(params, grad(params))
        ds.append(opt.d)
    assert max(ds) <= distance and max(ds) > 0.05 * distance


def test_one_d_for_all_parameters():
    """Splitting a vector into two parameters changes nothing: d sums over both."""
    g = lambda z: 2 * (z - np.array([3.0, -1.0, 2.0]))  # noqa: E731
    whole, parts = {"z": np.zeros(3)}, {"a": np.zeros(2), "b": np.zeros(1)}
    one, two = Prodigy(), Prodigy()
    for _ in range(50):
        one.update(whole, {"z": g(whole["z"])})
        gz = g(np.concatenate([parts["a"], parts["b"]]))
        two.update(parts, {"a": gz[:2], "b": gz[2:]})
    np.testing.assert_allclose(whole["z"], np.concatenate([parts["a"], parts["b"]]), rtol=1e-13)
    assert one.d == two.d and one.d > 1e-2


@pytest.mark.parametrize("grid", [{"lr": [0.5, 1.0]}, {"d0": [1e-6, 1e-3], "beta1": [0.0, 0.9]},
                                  {"d_coef": [0.5, 2.0], "weight_decay": [0.0, 0.1]}])
def test_batched_settings_equal_separate_runs(grid):
    surface = Rosenbrock()
    grids = settings(**grid)
    shape = np.broadcast_shapes(*(v.shape for v in grids.values()))[:-1]
    start = np.broadcast_to(surface.start, shape + (2,))
    batched = trajectory(Prodigy(**grids), surface, start=start, steps=100)
    combos = np.stack(np.meshgrid(*grid.values(), indexing="ij"), axis=-1)
    for index in np.ndindex(combos.shape[:-1]):
        kwargs = dict(zip(grid, combos[index].tolist(), strict=True))
        alone = trajectory(Prodigy(**kwargs), surface, steps=100)
        np.testing.assert_allclose(batched.path[(slice(None),) + index], alone.path, rtol=1e-13)


def test_zero_gradient_and_zero_lr_change_nothing():
    p = {"w": np.array([1.0, 2.0])}
    opt = Prodigy()
    opt.update(p, {"w": np.zeros(2)})
    assert np.array_equal(p["w"], [1.0, 2.0]) and opt.k == 0
    Prodigy(lr=0.0).update(p, {"w": np.ones(2)})
    assert np.array_equal(p["w"], [1.0, 2.0])


@pytest.mark.parametrize("kwargs, culprit", [({"d0": 0.0}, "d0"), ({"d_coef": -1.0}, "d_coef"),
                                             ({"growth_rate": 0.9}, "growth_rate"),
                                             ({"beta3": 1.0}, "beta3"), ({"slice_p": 0}, "slice_p"),
                                             ({"lr": -1.0}, "lr"), ({"d0": math.nan}, "d0")])
def test_bad_hyperparameters_are_named(kwargs, culprit):
    with pytest.raises(ValueError, match=culprit):
        Prodigy(**kwargs)


def test_bad_input_changes_nothing():
    params = {"a": np.ones(2), "b": np.ones(3)}
    opt = Prodigy()
    with pytest.raises(ValueError, match="'b'"):
        opt.update(params, {"a": np.ones(2), "b": np.array([1.0, np.nan, 0.0])})
    assert np.array_equal(params["a"], np.ones(2)) and opt.state == {} and opt.d is None
    with pytest.raises(ValueError, match="one d per run"):  # a per-coordinate lr is not a batch
        Prodigy(lr=np.array([0.5, 1.0])).update({"w": np.ones(2)}, {"w": np.ones(2)})
