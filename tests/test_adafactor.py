"""optim.Adafactor: hand-computed steps, real equivalences, bad input, state, and parity with
torch.optim.Adafactor (golden values from tests/reference/make_adafactor_golden.py)."""

import pathlib

import numpy as np
import pytest
from make_adafactor_golden import CASES, problem, run_case
from test_parity import assert_close_relative, relative_difference

from optim.adafactor import Adafactor
from optim.run import settings, trajectory
from optim.surfaces import Rosenbrock

GOLDEN = np.load(pathlib.Path(__file__).parent / "reference" / "adafactor_golden.npz")
ALL = [(case, name) for case, (_, _, names) in CASES.items() for name in names]


@pytest.mark.parametrize("case, name", ALL)
def test_matches_pytorch(case, name):
    gold = GOLDEN[f"{case}/{name}"]
    ours = run_case(Adafactor(**CASES[case][0]).update, name)
    assert ours.shape == gold.shape
    assert not np.allclose(gold[-1], gold[0]), "the golden run must actually move"
    assert_close_relative(ours, gold)


@pytest.mark.parametrize("case, name", ALL)
def test_golden_settings_are_not_chaotic(case, name):
    """A start moved by 1e-14 must stay within 1e-11 over the run (as tests/test_parity.py)."""
    init, _ = problem(name)
    rng = np.random.default_rng(0)
    moved = run_case(Adafactor(**CASES[case][0]).update, name,
                     init=lambda: {k: v + 1e-14 * rng.standard_normal(v.shape) for k, v in init().items()})
    assert relative_difference(moved, run_case(Adafactor(**CASES[case][0]).update, name)) < 1e-11


def test_golden_cases_cover_every_documented_setting():
    keys = {k for kwargs, _, _ in CASES.values() for k in kwargs}
    assert keys >= {"lr", "beta2_decay", "eps1", "eps2", "d", "weight_decay"}
    shapes = {v.shape for case in ALL for v in problem(case[1])[0]().values()}
    assert {(2,), (3,), (3, 5), (6, 5), (3, 6), (2, 3, 4)} <= shapes  # vectors, wide, tall, a stack


def test_first_step_by_hand():
    """t = 1: beta2_1 = 0, so V = R C / mean(R) from this G alone; rho = min(lr, 1) = lr."""
    g = np.array([[1.0, 2.0, 0.0], [3.0, -1.0, 2.0]])
    w = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    params = {"W": w.copy()}
    Adafactor(lr=0.01).update(params, {"W": g})
    row, col = (g * g).mean(axis=1, keepdims=True), (g * g).mean(axis=0, keepdims=True)
    u = g / np.sqrt(row * col / row.mean())
    clip = max(1.0, np.sqrt(np.mean(u * u)))
    alpha = 0.01 * np.sqrt(np.mean(w * w))
    np.testing.assert_allclose(params["W"], w - alpha * u / clip, rtol=1e-14)


def test_factored_estimate_is_exact_for_a_rank_one_second_moment():
    """If G*G = a b^T, the factored V is G*G itself, so U = sign(G) and RMS(U) = 1."""
    a, b = np.array([1.0, 4.0]), np.array([0.25, 1.0, 9.0])
    g = np.sqrt(np.outer(a, b)) * np.array([[1, -1, 1], [-1, 1, 1]])
    params = {"W": np.ones((2, 3))}
    Adafactor(lr=0.1).update(params, {"W": g})
    np.testing.assert_allclose(params["W"], 1 - 0.1 * np.sign(g), rtol=1e-14)


def test_one_row_matrix_is_the_unfactored_vector():
    """A 1 x n matrix: R is the mean, C = the full EMA of G*G, V = R C / R = C."""
    grad = problem("quadratic")[1]
    vec = {"w": np.array([1.0, -2.0, 0.5]), "b": np.array([3.0, -1.0])}
    row = {k: v[None].copy() for k, v in vec.items()}
    a, b = Adafactor(lr=0.05), Adafactor(lr=0.05)
    for _ in range(100):
        a.update(vec, grad(vec))
        b.update(row, {k: g[None] for k, g in grad({k: v[0] for k, v in row.items()}).items()})
    assert "R" in b.state["w"] and "V" in a.state["w"]
    for k in vec:
        np.testing.assert_allclose(row[k][0], vec[k], rtol=1e-12)


def test_relative_step_is_scale_invariant():
    """Scaling the parameters and the problem by c (grad(c x) = grad(x) / c ...) scales every step by c
    as long as RMS(theta) > eps2: the path is c times the path."""
    _, grad = problem("matrix")
    c = 1000.0
    small = {"W": np.full((3, 5), 0.1)}
    large = {"W": np.full((3, 5), 0.1 * c)}
    opt_small, opt_large = Adafactor(), Adafactor()
    for _ in range(50):
        opt_small.update(small, grad(small))
        opt_large.update(large, {"W": grad({"W": large["W"] / c})["W"] * 7.0})  # any gradient scale
    np.testing.assert_allclose(large["W"], c * small["W"], rtol=1e-12)


def test_paper_convention_differs_only_for_tiny_gradients():
    _, grad = problem("matrix")
    for scale, same in ((1.0, True), (1e-18, False)):
        runs = []
        for convention in ("pytorch", "paper"):
            params, opt = {"W": np.full((3, 5), 0.1)}, Adafactor(convention=convention)
            for _ in range(20):
                opt.update(params, {"W": scale * grad(params)["W"]})
            runs.append(params["W"])
        assert np.allclose(runs[0], runs[1], rtol=1e-12, atol=0) == same


def test_paper_convention_by_hand():
    """Paper: V = R C / mean(R) with eps1 inside G*G; no floors."""
    g = np.array([[1e-16, 0.0], [0.0, 2e-16]])
    params = {"W": np.ones((2, 2))}
    Adafactor(convention="paper", eps1=1e-30).update(params, {"W": g})
    g2 = g * g + 1e-30
    row, col = g2.mean(axis=1, keepdims=True), g2.mean(axis=0, keepdims=True)
    u = g / np.sqrt(row * col / row.mean())
    np.testing.assert_allclose(params["W"], 1 - 0.01 * u / max(1, np.sqrt(np.mean(u * u))), rtol=1e-13)


def test_state_is_sublinear():
    opt = Adafactor()
    opt.update({"W": np.zeros((40, 30)), "b": np.zeros(30)}, {"W": np.ones((40, 30)), "b": np.ones(30)})
    assert {k: v.shape for k, v in opt.state["W"].items()} == {"R": (40, 1), "C": (1, 30)}
    assert opt.state["b"]["V"].shape == (30,)


def test_batched_settings_equal_separate_runs_on_a_surface():
    grid = {"lr": [0.01, 0.1, 0.3], "weight_decay": [0.0, 0.1]}
    batched = trajectory(Adafactor(**settings(**grid)), Rosenbrock(), steps=100)
    for i, lr in enumerate(grid["lr"]):
        for j, wd in enumerate(grid["weight_decay"]):
            alone = trajectory(Adafactor(lr=lr, weight_decay=wd), Rosenbrock(), steps=100)
            np.testing.assert_allclose(batched.path[:, i, j], alone.path, rtol=1e-13, atol=1e-300)


def test_batched_matrices_equal_separate_runs():
    """(k, 1, 1) hyperparameters on a (k, 3, 5) stack: k separate factored problems."""
    _, grad = problem("matrix")
    lrs = np.array([0.01, 0.05, 0.2])
    stack = {"W": np.full((3, 3, 5), 0.1)}
    batched = Adafactor(lr=lrs[:, None, None])
    alone = [(Adafactor(lr=lr), {"W": np.full((3, 5), 0.1)}) for lr in lrs]
    for _ in range(50):
        batched.update(stack, {"W": np.stack([grad({"W": w})["W"] for w in stack["W"]])})
        for opt, params in alone:
            opt.update(params, grad(params))
    assert batched.state["W"]["R"].shape == (3, 3, 1)
    for k, (_, params) in enumerate(alone):
        np.testing.assert_allclose(stack["W"][k], params["W"], rtol=1e-12)


def test_with_beta2_decay_zero_it_is_rmsprop_without_memory_and_normalised():
    """beta2_decay = 0: V = G*G every step, U = sign(G) for a vector, step alpha_t sign(G)."""
    params = {"w": np.array([2.0, -2.0, 2.0, 2.0])}
    Adafactor(beta2_decay=0.0, lr=0.1).update(params, {"w": np.array([3.0, -1e-3, 5.0, -0.2])})
    np.testing.assert_allclose(params["w"], [1.8, -1.8, 1.8, 2.2], rtol=1e-14)


@pytest.mark.parametrize("kwargs, error", [
    ({"beta2_decay": 0.5}, ValueError), ({"beta2_decay": np.array([-0.8])}, TypeError),
    ({"d": 0.5}, ValueError), ({"eps1": -1.0}, ValueError), ({"eps2": float("nan")}, ValueError),
    ({"lr": -1.0}, ValueError), ({"convention": "keras"}, ValueError), ({"d": lambda t: 1.0}, TypeError),
])
def test_bad_hyperparameters_are_refused_by_name(kwargs, error):
    name = next(iter(kwargs))
    with pytest.raises(error, match=name):
        Adafactor(**kwargs)


def test_bad_gradients_change_nothing():
    params = {"W": np.ones((2, 3))}
    opt = Adafactor()
    with pytest.raises(ValueError, match="non-finite"):
        opt.update(params, {"W": np.array([[1.0, np.nan, 0], [0, 0, 0]])})
    with pytest.raises(ValueError, match="shape"):
        opt.update(params, {"W": np.ones((3, 2))})
    assert np.all(params["W"] == 1) and opt.state == {} and opt.t == 0
