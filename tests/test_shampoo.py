"""Shampoo and SOAP: hand-checked steps, real equivalences, bad input, and parity with pytorch_optimizer."""

import pathlib

import numpy as np
import pytest
from cases import PROBLEMS, run
from make_shampoo_golden import CASES
from test_parity import assert_close_relative, relative_difference

from optim import Adam
from optim.linalg import inverse_root
from optim.shampoo import Shampoo
from optim.soap import SOAP

GOLDEN = np.load(pathlib.Path(__file__).parent / "reference" / "shampoo_golden.npz")
CLASSES = {"Shampoo": Shampoo, "SOAP": SOAP}
ALL_CASES = [(name, problem) for name, spec in CASES.items() for problem in spec[4]]


def make(name, problem):
    cls, kwargs, _, _, problems = CASES[name]
    return CLASSES[cls](**kwargs, **problems[problem])


def spd(rng, eigenvalues):
    q, _ = np.linalg.qr(rng.standard_normal((len(eigenvalues), len(eigenvalues))))
    return q @ np.diag(eigenvalues) @ q.T, q


@pytest.mark.parametrize("case, problem", ALL_CASES)
def test_matches_pytorch_optimizer(case, problem):
    gold = GOLDEN[f"{case}/{problem}"]
    ours = run(make(case, problem).update, problem)
    assert not np.allclose(gold[-1], gold[0]), "the golden run must actually move"
    assert_close_relative(ours, gold)


@pytest.mark.parametrize("case, problem", ALL_CASES)
def test_golden_settings_are_not_chaotic(case, problem):
    init, _ = PROBLEMS[problem]
    rng = np.random.default_rng(0)
    moved = run(make(case, problem).update, problem,
                init=lambda: {k: v + 1e-14 * rng.standard_normal(v.shape) for k, v in init().items()})
    assert relative_difference(moved, run(make(case, problem).update, problem)) < 1e-11


def test_every_setting_is_covered_on_two_problems():
    assert {spec[0] for spec in CASES.values()} == {"Shampoo", "SOAP"}
    assert all(len(spec[4]) >= 2 for spec in CASES.values())
    grafts = {spec[1].get("graft") for spec in CASES.values() if spec[0] == "Shampoo"}
    assert grafts == {None, "adagrad", "rmsprop"}


def test_inverse_root_of_a_known_spectrum():
    """X^(-1/4) of Q diag(l) Q^T is Q diag(l^(-1/4)) Q^T; its 4th power times X is the identity."""
    rng = np.random.default_rng(0)
    eigenvalues = np.geomspace(1e-2, 1e2, 6)
    x, q = spd(rng, eigenvalues)
    root = inverse_root(x, 4)
    np.testing.assert_allclose(root, q @ np.diag(eigenvalues**-0.25) @ q.T, atol=1e-12)
    np.testing.assert_allclose(np.linalg.matrix_power(root, 4) @ x, np.eye(6), atol=1e-9)
    stack = np.stack([x, spd(rng, [1.0, 2, 3, 4, 5, 6])[0]])  # a stack gives each matrix's root
    np.testing.assert_allclose(inverse_root(stack, 2)[0], inverse_root(x, 2), atol=1e-12)


def test_shampoo_of_one_gradient_is_its_orthogonal_factor():
    """Without accumulation (first step, eps = 0): (G G^T)^(-1/4) G (G^T G)^(-1/4) = U V^T."""
    g = np.random.default_rng(1).standard_normal((4, 4))
    u, _, vt = np.linalg.svd(g)
    params = {"W": np.zeros((4, 4))}
    Shampoo(lr=0.1, eps=0.0).update(params, {"W": g})
    np.testing.assert_allclose(params["W"], -0.1 * u @ vt, atol=1e-12)


def test_shampoo_by_hand_on_a_one_by_one_matrix():
    """For a 1 x 1 matrix L = R = eps + sum g^2, so the step is g / sqrt(eps + sum g^2)."""
    params, opt = {"W": np.zeros((1, 1))}, Shampoo(lr=0.5, eps=0.25)
    for g in (2.0, -1.0):
        opt.update(params, {"W": np.array([[g]])})
    assert np.isclose(params["W"][0, 0], -0.5 * (2 / np.sqrt(4.25) - 1 / np.sqrt(5.25)))


def test_grafting_takes_the_norm_of_adagrad():
    g = np.random.default_rng(2).standard_normal((3, 5))
    params = {"W": np.zeros((3, 5))}
    Shampoo(lr=1.0, graft="adagrad", graft_eps=0.0).update(params, {"W": g})
    assert np.isclose(np.linalg.norm(params["W"]), np.sqrt(15))  # AdaGrad's first step: sign(g)


def test_soap_without_rotations_is_adam_one_step_late():
    """With Q = I (no side preconditioned) and no decay, SOAP's step t is Adam's step t - 1 on
    the gradients from the second on: the first gradient only sets up the factors. Adam in its
    "efficient" order (eps added before the bias correction of v), as the authors' code has it."""
    rng = np.random.default_rng(3)
    grads = [rng.standard_normal((3, 4)) for _ in range(12)]
    soap, adam = {"W": np.zeros((3, 4))}, {"W": np.zeros((3, 4))}
    opt = SOAP(lr=0.01, beta1=0.9, beta2=0.99, weight_decay=0.0, max_precond_dim=0)
    reference = Adam(lr=0.01, beta1=0.9, beta2=0.99, efficient=True)
    opt.update(soap, {"W": grads[0]})
    assert np.all(soap["W"] == 0)
    for g in grads[1:]:
        opt.update(soap, {"W": g})
        reference.update(adam, {"W": g})
    np.testing.assert_allclose(soap["W"], adam["W"], rtol=1e-12, atol=1e-15)


def test_soap_does_not_depend_on_the_signs_of_its_eigenvectors():
    rng = np.random.default_rng(4)
    grads = [rng.standard_normal((4, 4)) for _ in range(25)]
    runs = []
    for flip in (False, True):
        params, opt = {"W": np.zeros((4, 4))}, SOAP(lr=0.01, update_every=5)
        for t, g in enumerate(grads):
            opt.update(params, {"W": g})
            if flip and t == 0:
                opt.state["W"]["Q_L"][:, 1] *= -1
                opt.state["W"]["Q_R"][:, [0, 3]] *= -1
        runs.append(params["W"])
    assert np.abs(runs[0]).max() > 0.05
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("cls, grid", [(Shampoo, {"lr": [0.01, 0.03], "beta2": [0.9, 0.99]}),
                                       (SOAP, {"lr": [0.01, 0.03], "beta2": [0.9, 0.99]})])
def test_a_stack_of_matrices_runs_separate_optimizers(cls, grid):
    rng = np.random.default_rng(5)
    x, y = rng.standard_normal((4, 20)), rng.standard_normal((3, 20))
    grad = lambda w: (w @ x - y) @ x.T / 20  # noqa: E731
    values = np.meshgrid(*grid.values(), indexing="ij")
    batched = cls(**{k: v[..., None, None] for k, v in zip(grid, values)})
    stack = {"W": np.zeros((2, 2, 3, 4))}
    alone = {i: (cls(**{k: v[i].item() for k, v in zip(grid, values)}), {"W": np.zeros((3, 4))})
             for i in np.ndindex(2, 2)}
    for _ in range(30):
        batched.update(stack, {"W": grad(stack["W"])})
        for opt, params in alone.values():
            opt.update(params, {"W": grad(params["W"])})
    for i, (_, params) in alone.items():
        np.testing.assert_allclose(stack["W"][i], params["W"], rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("cls", [Shampoo, SOAP])
def test_bad_input_is_refused_before_any_change(cls):
    params = {"W": np.ones((3, 4)), "b": np.zeros(3)}
    with pytest.raises(ValueError, match="'b' has shape"):
        cls().update(params, {"W": np.ones((3, 4)), "b": np.ones(3)})
    assert np.all(params["W"] == 1)
    with pytest.raises(ValueError, match=r"\(\.\.\., 1, 1\)"):
        cls(beta2=np.array([0.9, 0.99])).update({"W": np.ones((3, 2))}, {"W": np.ones((3, 2))})
    with pytest.raises(ValueError, match="update_every"):
        cls(update_every=0)


def test_bad_settings_name_the_culprit():
    with pytest.raises(ValueError, match="graft"):
        Shampoo(graft="adam")
    with pytest.raises(ValueError, match="graft"):
        Shampoo(graft="rmsprop")  # needs beta2
    with pytest.raises(ValueError, match="shampoo_beta"):
        SOAP(shampoo_beta=1.5)


def test_inverse_root_floors_eigenvalues_that_round_off_pushed_below_eps():
    """L >= eps I in exact arithmetic; a float32 sum of many G G^T can have an eigenvalue just
    below it, even negative, whose (-1/4)th power is not finite. The floor puts it back at eps."""
    rng = np.random.default_rng(3)
    x, q = spd(rng, [1e3, 5.0, -1e-6])  # the last one: round-off below 0
    expected = q @ np.diag(np.array([1e3, 5.0, 1e-6]) ** -0.25) @ q.T
    np.testing.assert_allclose(inverse_root(x, 4, floor=1e-6), expected, rtol=1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        assert not np.isfinite(inverse_root(x, 4)).all()  # floored at 0 only
    stack = np.stack([x, x])  # one floor per matrix of a stack, shape (..., 1, 1)
    floors = np.array([1e-6, 1e-4]).reshape(2, 1, 1)
    second = q @ np.diag(np.array([1e3, 5.0, 1e-4]) ** -0.25) @ q.T
    np.testing.assert_allclose(inverse_root(stack, 4, floor=floors), [expected, second], rtol=1e-9)
