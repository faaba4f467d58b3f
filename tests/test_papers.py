"""Optimizers that are not in torch.optim, against their papers' algorithms written out here
independently: a plain loop over coordinates in Python floats, no numpy in the update."""

import math

import numpy as np
import pytest
from cases import PROBLEMS, STEPS, run
from test_parity import assert_close_relative

from optim import Lion, Yogi


def sign(x):
    return 0.0 if x == 0 else math.copysign(1.0, x)


def reference_run(update, state_init, problem):
    """Run ``update(theta, g, state) -> theta`` coordinate by coordinate; return the path like cases.run."""
    init, grad = PROBLEMS[problem]
    params = init()
    state = {k: [dict(state_init) for _ in v.ravel()] for k, v in params.items()}
    path = [np.concatenate([v.ravel() for v in params.values()])]
    for _ in range(STEPS):
        grads = grad(params)
        for k, p in params.items():
            flat, g = p.ravel(), np.asarray(grads[k]).ravel()
            for i in range(flat.size):
                flat[i] = update(float(flat[i]), float(g[i]), state[k][i])
        path.append(np.concatenate([v.ravel() for v in params.values()]))
    return np.array(path)


def lion_paper(lr, beta1, beta2, weight_decay):
    """Chen et al. (2023), Algorithm 2 (Lion): interpolate, take the sign, decay, then update m."""

    def update(theta, g, s):
        c = beta1 * s["m"] + (1 - beta1) * g
        theta = theta - lr * (sign(c) + weight_decay * theta)
        s["m"] = beta2 * s["m"] + (1 - beta2) * g
        return theta

    return update


def yogi_paper(lr, beta1, beta2, eps):
    """Zaheer et al. (2018), Algorithm 2 (Yogi): no bias correction; v_0 is set by the caller."""

    def update(theta, g, s):
        s["m"] = beta1 * s["m"] + (1 - beta1) * g
        s["v"] = s["v"] - (1 - beta2) * sign(s["v"] - g * g) * (g * g)
        return theta - lr * s["m"] / (math.sqrt(s["v"]) + eps)

    return update


LION = [
    {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "weight_decay": 0.0},
    {"lr": 0.003, "beta1": 0.95, "beta2": 0.98, "weight_decay": 0.1},
]
YOGI = [
    {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-3, "v0": 1e-6},
    {"lr": 0.003, "beta1": 0.5, "beta2": 0.99, "eps": 1e-6, "v0": 0.0},
]


@pytest.mark.parametrize("problem", ["rosenbrock", "quadratic"])
@pytest.mark.parametrize("kwargs", LION)
def test_lion_matches_its_paper(kwargs, problem):
    gold = reference_run(lion_paper(**kwargs), {"m": 0.0}, problem)
    assert not np.allclose(gold[-1], gold[0])
    assert_close_relative(run(Lion(**kwargs).update, problem), gold)


@pytest.mark.parametrize("problem", ["rosenbrock", "quadratic"])
@pytest.mark.parametrize("kwargs", YOGI)
def test_yogi_matches_its_paper(kwargs, problem):
    kwargs = dict(kwargs)
    v0 = kwargs.pop("v0")
    gold = reference_run(yogi_paper(**kwargs), {"m": 0.0, "v": v0}, problem)
    assert not np.allclose(gold[-1], gold[0])
    assert_close_relative(run(Yogi(**kwargs, v0=v0).update, problem), gold)


def test_lion_moves_every_coordinate_by_lr():
    params = {"w": np.array([1.0, -2.0, 3.0])}
    Lion(lr=0.1).update(params, {"w": np.array([1e-9, -5.0, 300.0])})
    np.testing.assert_allclose(params["w"], [0.9, -1.9, 2.9])


def test_yogi_second_moment_moves_by_a_fixed_fraction_of_g_squared():
    """Adam's v moves by (1 - beta2) (g^2 - v); Yogi's by (1 - beta2) g^2, up or down."""
    opt = Yogi(beta2=0.9, v0=1.0)
    params = {"w": np.zeros(2)}
    opt.update(params, {"w": np.array([0.5, 2.0])})  # g^2 = 0.25 < v: down; g^2 = 4 > v: up
    np.testing.assert_allclose(opt.state["w"]["v"], [1.0 - 0.1 * 0.25, 1.0 + 0.1 * 4.0])
