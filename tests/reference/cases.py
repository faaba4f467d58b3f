"""The problems and settings behind the PyTorch golden values (shared by the tests and the script).

Every case runs an optimizer for ``STEPS`` steps in float64 on a problem whose gradient is
computed here, in numpy, so that PyTorch and ``optim`` see the same gradients and only the
optimizers differ. ``make_golden.py`` runs ``torch.optim``; ``tests/test_parity.py`` runs
``optim`` and compares.
"""

import numpy as np

STEPS = 200

# Settings are chosen so that the runs move a long way but stay out of chaotic regimes
# (an adaptive method bouncing around a minimum at a large lr): there, round-off differences
# of 1e-17 grow exponentially whatever the implementation, and no parity test can hold.
# Centered RMSprop with a short window (decay_rate 0.9) is such a case: its variance
# estimate h - g_avg**2 cancels to a few digits when gradients change slowly, and PyTorch's
# fused multiply-add rounds that difference differently.


def rosenbrock_grad(params):
    x, y = params["xy"]
    return {"xy": np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])}


def _quadratic(scale):
    rng = np.random.default_rng(7)
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    hessian = q @ np.diag(np.geomspace(1.0, 50.0, 5)) @ q.T
    shift = rng.standard_normal(5)

    def grad(params):
        z = np.concatenate([params["w"], params["b"]])
        g = scale * (hessian @ (z - shift))
        return {"w": g[:3], "b": g[3:]}

    return grad


PROBLEMS = {
    # A curved valley: the nonlinear test.
    "rosenbrock": (lambda: {"xy": np.array([-1.5, 2.0])}, rosenbrock_grad),
    # Two parameter arrays of different shapes on an ill-conditioned quadratic (condition 50).
    "quadratic": (lambda: {"w": np.array([1.0, -2.0, 0.5]), "b": np.array([3.0, -1.0])}, _quadratic(1.0)),
    # The same quadratic with gradients of size ~1e-7: where eps placement shows.
    "tiny": (lambda: {"w": np.array([1.0, -2.0, 0.5]), "b": np.array([3.0, -1.0])}, _quadratic(1e-7)),
}

# name: (optim class, optim kwargs, torch class, torch kwargs, problems)
CASES = {
    "sgd": ("SGD", {"lr": 1e-3}, "SGD", {"lr": 1e-3}, ["rosenbrock", "quadratic"]),
    "momentum": ("Momentum", {"lr": 1e-3, "momentum": 0.9}, "SGD", {"lr": 1e-3, "momentum": 0.9}, ["rosenbrock", "quadratic"]),
    "nesterov": (
        "Nesterov",
        {"lr": 1e-3, "momentum": 0.9},
        "SGD",
        {"lr": 1e-3, "momentum": 0.9, "nesterov": True},
        ["rosenbrock", "quadratic"],
    ),
    "adagrad": ("AdaGrad", {"lr": 0.1, "eps": 1e-7}, "Adagrad", {"lr": 0.1, "eps": 1e-7}, ["rosenbrock", "quadratic", "tiny"]),
    "adagrad_torch_eps": ("AdaGrad", {"lr": 0.1, "eps": 1e-10}, "Adagrad", {"lr": 0.1}, ["rosenbrock", "tiny"]),
    "rmsprop": (
        "RMSprop",
        {"lr": 0.003, "decay_rate": 0.99, "eps": 1e-7},
        "RMSprop",
        {"lr": 0.003, "alpha": 0.99, "eps": 1e-7},
        ["rosenbrock", "quadratic", "tiny"],
    ),
    "rmsprop_torch_defaults": ("RMSprop", {"lr": 0.003, "eps": 1e-8}, "RMSprop", {"lr": 0.003}, ["rosenbrock", "quadratic"]),
    "rmsprop_centered": (
        "RMSprop",
        {"lr": 0.003, "decay_rate": 0.99, "eps": 1e-7, "centered": True},
        "RMSprop",
        {"lr": 0.003, "alpha": 0.99, "eps": 1e-7, "centered": True},
        ["rosenbrock", "quadratic"],
    ),
    "rmsprop_momentum": (
        "RMSprop",
        {"lr": 0.001, "decay_rate": 0.99, "eps": 1e-7, "momentum": 0.9},
        "RMSprop",
        {"lr": 0.001, "alpha": 0.99, "eps": 1e-7, "momentum": 0.9},
        ["rosenbrock", "quadratic"],
    ),
    "rmsprop_centered_momentum": (
        "RMSprop",
        {"lr": 0.003, "decay_rate": 0.99, "eps": 1e-7, "momentum": 0.5, "centered": True},
        "RMSprop",
        {"lr": 0.003, "alpha": 0.99, "eps": 1e-7, "momentum": 0.5, "centered": True},
        ["rosenbrock", "quadratic"],
    ),
    "adam": ("Adam", {"lr": 0.01}, "Adam", {"lr": 0.01}, ["rosenbrock", "quadratic", "tiny"]),
    "adam_betas": (
        "Adam",
        {"lr": 0.01, "beta1": 0.8, "beta2": 0.9, "eps": 1e-6},
        "Adam",
        {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6},
        ["rosenbrock", "quadratic", "tiny"],
    ),
}


def run(make_step, problem, steps=STEPS):
    """Apply ``make_step(params, grads)`` ``steps`` times; return every param's path, flattened."""
    init, grad = PROBLEMS[problem]
    params = init()
    path = [np.concatenate([v.ravel() for v in params.values()])]
    for _ in range(steps):
        make_step(params, grad(params))
        path.append(np.concatenate([v.ravel() for v in params.values()]))
    return np.array(path)
