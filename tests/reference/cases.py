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
# fused multiply-add rounds that difference differently. So are PyTorch's AdaDelta defaults
# (rho 0.9) on Rosenbrock, RAdam with beta2 0.9 and Muon at lr 0.02. test_parity.py's
# test_golden_settings_are_not_chaotic moves every start by 1e-14 and fails a case where that
# grows more than 1000-fold.


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


def _matrix_data():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((5, 40))  # 40 samples of 5 features
    y = rng.standard_normal((3, 5)) @ x + 0.1 * rng.standard_normal((3, 40))
    return x, y


def matrix_grad(params):
    """Least squares 0.5 * mean ||W x - y||^2 over the samples: a (3, 5) matrix, wider than tall."""
    x, y = _matrix_data()
    return {"W": (params["W"] @ x - y) @ x.T / x.shape[1]}


def two_layer_grad(params):
    """A linear network y ~ W2 W1 x: W1 (6, 5) taller than wide, W2 (3, 6) wider, not convex."""
    x, y = _matrix_data()
    w1, w2 = params["W1"], params["W2"]
    r = (w2 @ w1 @ x - y) / x.shape[1]
    return {"W1": w2.T @ r @ x.T, "W2": r @ (w1 @ x).T}


def _two_layer_start():
    rng = np.random.default_rng(5)
    return {"W1": 0.5 * rng.standard_normal((6, 5)), "W2": 0.5 * rng.standard_normal((3, 6))}


PROBLEMS = {
    # A curved valley: the nonlinear test.
    "rosenbrock": (lambda: {"xy": np.array([-1.5, 2.0])}, rosenbrock_grad),
    # Two parameter arrays of different shapes on an ill-conditioned quadratic (condition 50).
    "quadratic": (lambda: {"w": np.array([1.0, -2.0, 0.5]), "b": np.array([3.0, -1.0])}, _quadratic(1.0)),
    # The same quadratic with gradients of size ~1e-7: where eps placement shows.
    "tiny": (lambda: {"w": np.array([1.0, -2.0, 0.5]), "b": np.array([3.0, -1.0])}, _quadratic(1e-7)),
    # Matrix problems for Muon (it only takes matrices).
    "matrix": (lambda: {"W": np.zeros((3, 5))}, matrix_grad),
    "two_layer": (_two_layer_start, two_layer_grad),
}

# name: (optim class, optim kwargs, torch class, torch kwargs, problems)
CASES = {
    "sgd": ("SGD", {"lr": 1e-3}, "SGD", {"lr": 1e-3}, ["rosenbrock", "quadratic"]),
    "momentum": (
        "Momentum",
        {"lr": 1e-3, "momentum": 0.9},
        "SGD",
        {"lr": 1e-3, "momentum": 0.9},
        ["rosenbrock", "quadratic"],
    ),
    "nesterov": (
        "Nesterov",
        {"lr": 1e-3, "momentum": 0.9},
        "SGD",
        {"lr": 1e-3, "momentum": 0.9, "nesterov": True},
        ["rosenbrock", "quadratic"],
    ),
    "adagrad": (
        "AdaGrad",
        {"lr": 0.1, "eps": 1e-7},
        "Adagrad",
        {"lr": 0.1, "eps": 1e-7},
        ["rosenbrock", "quadratic", "tiny"],
    ),
    "adagrad_torch_eps": ("AdaGrad", {"lr": 0.1, "eps": 1e-10}, "Adagrad", {"lr": 0.1}, ["rosenbrock", "tiny"]),
    "rmsprop": (
        "RMSprop",
        {"lr": 0.003, "decay_rate": 0.99, "eps": 1e-7},
        "RMSprop",
        {"lr": 0.003, "alpha": 0.99, "eps": 1e-7},
        ["rosenbrock", "quadratic", "tiny"],
    ),
    "rmsprop_torch_defaults": (
        "RMSprop",
        {"lr": 0.003, "eps": 1e-8},
        "RMSprop",
        {"lr": 0.003},
        ["rosenbrock", "quadratic"],
    ),
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
    # --- beyond the seed -------------------------------------------------------------
    # PyTorch's defaults (rho 0.9) are chaotic on Rosenbrock (round-off grows 1e10-fold): other problems.
    "adadelta": ("AdaDelta", {}, "Adadelta", {}, ["quadratic", "matrix"]),
    "adadelta_paper": (  # Zeiler's setting: no learning rate (lr = 1), rho 0.95, eps 1e-6
        "AdaDelta",
        {"rho": 0.95},
        "Adadelta",
        {"rho": 0.95},
        ["rosenbrock", "quadratic"],
    ),
    "adamax": ("AdaMax", {"lr": 0.01}, "Adamax", {"lr": 0.01}, ["rosenbrock", "quadratic", "tiny"]),
    "adamax_betas": (
        "AdaMax",
        {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
        "Adamax",
        {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
        ["rosenbrock", "quadratic", "tiny"],
    ),
    "nadam": ("NAdam", {"lr": 0.01}, "NAdam", {"lr": 0.01}, ["rosenbrock", "quadratic", "tiny"]),
    "nadam_constant_momentum": (
        "NAdam",
        {"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "momentum_decay": 1e3},
        "NAdam",
        {"lr": 0.01, "betas": (0.8, 0.99), "momentum_decay": 1e3},
        ["rosenbrock", "quadratic"],
    ),
    "amsgrad": ("AMSGrad", {"lr": 0.01}, "Adam", {"lr": 0.01, "amsgrad": True}, ["rosenbrock", "quadratic", "tiny"]),
    "amsgrad_betas": (
        "AMSGrad",
        {"lr": 0.01, "beta1": 0.8, "beta2": 0.9, "eps": 1e-6},
        "Adam",
        {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6, "amsgrad": True},
        ["rosenbrock", "quadratic"],
    ),
    "adamw": ("AdamW", {"lr": 0.01}, "AdamW", {"lr": 0.01}, ["rosenbrock", "quadratic"]),
    # torch's Adam with decoupled_weight_decay=True is its AdamW (AdamW subclasses Adam with it).
    "adam_decoupled_decay": (
        "AdamW",
        {"lr": 0.01, "weight_decay": 0.3},
        "Adam",
        {"lr": 0.01, "weight_decay": 0.3, "decoupled_weight_decay": True},
        ["rosenbrock", "quadratic"],
    ),
    "adamw_strong_decay": (
        "AdamW",
        {"lr": 0.01, "weight_decay": 0.5, "beta2": 0.99},
        "AdamW",
        {"lr": 0.01, "weight_decay": 0.5, "betas": (0.9, 0.99)},
        ["rosenbrock", "quadratic"],
    ),
    "radam": ("RAdam", {"lr": 0.01}, "RAdam", {"lr": 0.01}, ["rosenbrock", "quadratic", "tiny"]),
    "radam_betas": (  # beta2 = 0.9 would be chaotic here: round-off grows 1e4-fold in 200 steps
        "RAdam",
        {"lr": 0.01, "beta1": 0.8, "beta2": 0.99},
        "RAdam",
        {"lr": 0.01, "betas": (0.8, 0.99)},
        ["rosenbrock", "quadratic"],
    ),
    # Muon's golden values are made with its Newton-Schulz iteration in float64 (PyTorch runs it
    # in bfloat16, where no implementation can agree to more than ~3 digits): see make_golden.py.
    # Jordan's lr 0.02 is chaotic on these small problems after ~100 steps (round-off grows 1e12-fold).
    "muon": ("Muon", {"lr": 0.005}, "Muon", {"lr": 0.005}, ["matrix", "two_layer"]),
    "muon_plain_momentum": (
        "Muon",
        {"lr": 0.005, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
        "Muon",
        {"lr": 0.005, "momentum": 0.9, "nesterov": False, "weight_decay": 0.0},
        ["matrix", "two_layer"],
    ),
    "muon_match_adamw": (
        "Muon",
        {"lr": 0.005, "adjust_lr": "match_rms_adamw", "ns_steps": 3},
        "Muon",
        {"lr": 0.005, "adjust_lr_fn": "match_rms_adamw", "ns_steps": 3},
        ["matrix", "two_layer"],
    ),
}

# Scheduler values alone, as chapter 21 prints them (it runs without torch, so it shows them as
# literals; test_parity.py ties those to these). name: (torch scheduler, kwargs, base lr, optimizer
# steps); golden.npz keeps under scheduler_values/<name> the lr of each optimizer.step(), i.e. the
# value after 0, 1, ... calls of scheduler.step().
SCHEDULER_VALUES = {
    "StepLR_3_0.5": ("StepLR", {"step_size": 3, "gamma": 0.5}, 1.0, 8),
    "CosineAnnealingLR_4": ("CosineAnnealingLR", {"T_max": 4}, 1.0, 8),
    "CosineAnnealingLR_100": ("CosineAnnealingLR", {"T_max": 100}, 0.1, 201),
}

# Muon as PyTorch really runs it (Newton-Schulz in bfloat16): agreement to about 1e-2 only.
MUON_BFLOAT16 = {"muon": ["matrix", "two_layer"]}


def inverse_sqrt_factor(k, warmup=20):
    """The LambdaLR factor that matches schedules.inverse_sqrt(lr, warmup) (k = t - 1)."""
    return min((k + 1) / warmup, ((warmup / (k + 1)) ** 0.5))


def wsd_sqrt_factor(k, steps=200, cooldown=40):
    """The LambdaLR factor of schedules.wsd(lr, steps, cooldown / steps) with its 1 - sqrt
    cool-down (k = t - 1): 1 on the plateau, then 1 - sqrt of the cool-down's progress."""
    into = k - (steps - cooldown)
    return 1.0 if into <= 0 else 1.0 - (min(into, cooldown) / cooldown) ** 0.5


# Learning-rate schedules: name: (optim class, optim kwargs, {hyperparameter: (schedule, kwargs)},
# torch optimizer, torch kwargs, (torch scheduler, kwargs), problems). The scheduler spec
# "SequentialLR" takes a list of (scheduler, kwargs); None means no scheduler at all.
SCHEDULES = {
    "constant": (
        "SGD",
        {},
        {"lr": ("constant", {"value": 1e-3})},
        "SGD",
        {"lr": 1e-3},
        None,
        ["rosenbrock", "quadratic"],
    ),
    "step_decay": (
        "SGD",
        {},
        {"lr": ("step_decay", {"lr": 1e-3, "every": 50, "gamma": 0.5})},
        "SGD",
        {"lr": 1e-3},
        ("StepLR", {"step_size": 50, "gamma": 0.5}),
        ["rosenbrock", "quadratic"],
    ),
    "exponential": (
        "Adam",
        {},
        {"lr": ("exponential", {"lr": 0.02, "gamma": 0.99})},
        "Adam",
        {"lr": 0.02},
        ("ExponentialLR", {"gamma": 0.99}),
        ["rosenbrock", "quadratic"],
    ),
    "inverse_sqrt": (
        "Adam",
        {},
        {"lr": ("inverse_sqrt", {"lr": 0.02, "warmup": 20})},
        "Adam",
        {"lr": 0.02},
        ("LambdaLR", {"lr_lambda": inverse_sqrt_factor}),
        ["rosenbrock", "quadratic"],
    ),
    "polynomial": (
        "SGD",
        {},
        {"lr": ("polynomial", {"lr": 2e-3, "steps": 150, "power": 2.0})},
        "SGD",
        {"lr": 2e-3},
        ("PolynomialLR", {"total_iters": 150, "power": 2.0}),
        ["rosenbrock", "quadratic"],
    ),
    "cosine": (
        "Adam",
        {},
        {"lr": ("cosine", {"lr": 0.02, "steps": 200, "end": 1e-3})},
        "Adam",
        {"lr": 0.02},
        ("CosineAnnealingLR", {"T_max": 200, "eta_min": 1e-3}),
        ["rosenbrock", "quadratic"],
    ),
    "linear": (
        "SGD",
        {},
        {"lr": ("linear", {"start": 1e-4, "end": 1e-3, "steps": 50})},  # SGD at 2e-3 is chaotic here
        "SGD",
        {"lr": 1e-3},
        ("LinearLR", {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 50}),
        ["rosenbrock", "quadratic"],
    ),
    "warmup_cosine": (
        "Adam",
        {},
        {"lr": ("join", {"schedules": [("linear", {"start": 1e-3, "end": 0.02, "steps": 20}),
                                        ("cosine", {"lr": 0.02, "steps": 180})], "boundaries": [20]})},
        "Adam",
        {"lr": 0.02},
        ("SequentialLR", {"schedulers": [("LinearLR", {"start_factor": 0.05, "total_iters": 20}),
                                         ("CosineAnnealingLR", {"T_max": 180})], "milestones": [20]}),
        ["rosenbrock", "quadratic"],
    ),
    "wsd": (
        "Adam",
        {},
        {"lr": ("wsd", {"lr": 0.02, "steps": 200})},
        "Adam",
        {"lr": 0.02},
        ("LambdaLR", {"lr_lambda": wsd_sqrt_factor}),
        ["rosenbrock", "quadratic"],
    ),
    "wsd_linear_warmup": (  # torch's own schedulers, chained: warm-up, plateau, linear cool-down
        "Adam",
        {},
        {"lr": ("wsd", {"lr": 0.02, "steps": 200, "cooldown": 0.25, "warmup": 10,
                        "shape": "linear", "end": 1e-3})},
        "Adam",
        {"lr": 0.02},
        ("SequentialLR", {"schedulers": [("LinearLR", {"start_factor": 0.1, "total_iters": 9}),
                                         ("ConstantLR", {"factor": 1.0, "total_iters": 0}),
                                         ("LinearLR", {"start_factor": 1.0, "end_factor": 0.05,
                                                       "total_iters": 50})],
                          "milestones": [10, 150]}),
        ["rosenbrock", "quadratic"],
    ),
    "one_cycle": (
        "SGD",
        {},
        {"lr": ("one_cycle.lr", {"max_lr": 1e-3, "steps": 200})},
        "SGD",
        {"lr": 1.0},
        ("OneCycleLR", {"max_lr": 1e-3, "total_steps": 200, "cycle_momentum": False}),
        ["rosenbrock", "quadratic"],
    ),
    "one_cycle_momentum": (
        "Adam",
        {},
        {
            "lr": ("one_cycle.lr", {"max_lr": 0.05, "steps": 200}),
            "beta1": ("one_cycle.momentum", {"max_lr": 0.05, "steps": 200}),
        },
        "Adam",
        {"lr": 1.0},
        ("OneCycleLR", {"max_lr": 0.05, "total_steps": 200}),
        ["rosenbrock", "quadratic"],
    ),
    "one_cycle_three_phase_linear": (
        "Adam",
        {},
        {
            "lr": ("one_cycle.lr", {"max_lr": 0.03, "steps": 200, "pct_start": 0.25, "three_phase": True,
                                    "anneal": "linear", "base_momentum": 0.8, "max_momentum": 0.9}),
            "beta1": ("one_cycle.momentum", {"max_lr": 0.03, "steps": 200, "pct_start": 0.25, "three_phase": True,
                                             "anneal": "linear", "base_momentum": 0.8, "max_momentum": 0.9}),
        },
        "Adam",
        {"lr": 1.0},
        ("OneCycleLR", {"max_lr": 0.03, "total_steps": 200, "pct_start": 0.25, "three_phase": True,
                        "anneal_strategy": "linear", "base_momentum": 0.8, "max_momentum": 0.9}),
        ["rosenbrock", "quadratic"],
    ),
}


def torch_stepper(make_optimizer, init, take_step=None):
    """For the golden scripts run by other packages: float64 tensors from ``init()``, the torch
    optimizer ``make_optimizer(tensors)`` and the ``make_step`` of ``run`` that hands it numpy's
    gradients, calls ``take_step(opt)`` (default ``opt.step()``) and copies the tensors back.
    torch is imported here only, so that the tests, which need no torch, can import this file."""
    import torch

    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in init().items()}
    opt = make_optimizer(list(tensors.values()))

    def step(params, grads):
        for k, t in tensors.items():
            t.grad = torch.from_numpy(np.array(grads[k], dtype=np.float64))
        opt.step() if take_step is None else take_step(opt)
        for k, t in tensors.items():
            params[k][...] = t.detach().numpy()

    return step


def run(make_step, problem, steps=STEPS, init=None):
    """Apply ``make_step(params, grads)`` ``steps`` times; return every param's path, flattened.

    ``init`` replaces the problem's starting point (a function returning the params)."""
    start, grad = PROBLEMS[problem]
    params = (init or start)()
    path = [np.concatenate([v.ravel() for v in params.values()])]
    for _ in range(steps):
        make_step(params, grad(params))
        path.append(np.concatenate([v.ravel() for v in params.values()]))
    return np.array(path)
