"""Make ``adafactor_golden.npz`` with ``torch.optim.Adafactor`` (run by hand; the tests need no torch).

    /tmp/torchenv/bin/python tests/reference/make_adafactor_golden.py     # torch 2.13.0+cpu

Gradients come from ``cases.py`` (numpy, float64), so only the optimizers differ. Mapping from
``optim.Adafactor`` to ``torch.optim.Adafactor``: lr -> lr, beta2_decay -> beta2_decay,
(eps1, eps2) -> eps, d -> d, weight_decay -> weight_decay; ``convention="pytorch"`` (the default)
only: torch has no option for the paper's eps1 (added to G*G), tested in tests/test_adafactor.py
by other means. torch counts steps per parameter, optim per update call: the same when every
parameter gets a gradient at every step. torch takes RMS(theta) and RMS(U) over the whole tensor
and factors a tensor of >= 2 axes over its last two; the ``stack`` problem (a (2, 3, 4) tensor)
checks that optim does the same with scalar hyperparameters. float64 everywhere: eps1 = None is
then 2.2e-16 (torch.finfo(float64).eps).
"""

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import PROBLEMS, STEPS, matrix_grad, run, torch_stepper  # noqa: E402


def _stack_data():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 4, 30))
    y = rng.standard_normal((2, 3, 4)) @ x + 0.1 * rng.standard_normal((2, 3, 30))
    return x, y


def stack_grad(params):
    """Two least-squares problems in one (2, 3, 4) tensor: 0.5 * mean ||W_k x_k - y_k||^2."""
    x, y = _stack_data()
    return {"W": (params["W"] @ x - y) @ x.swapaxes(-1, -2) / x.shape[-1]}


#: Problems of this file beside cases.PROBLEMS. "matrix" starts at W = 0, where RMS(theta) = 0 and
#: every step is eps2 * rho_t (it barely moves at eps2 = 1e-3): "matrix_nonzero" is the same
#: least squares from a random start.
EXTRA = {"stack": (lambda: {"W": np.full((2, 3, 4), 0.3)}, stack_grad),
         "matrix_nonzero": (lambda: {"W": 0.5 * np.random.default_rng(3).standard_normal((3, 5))}, matrix_grad)}

# name: (optim kwargs, torch kwargs, problems). Both sides see the same gradients. Adafactor's
# normalised steps bounce chaotically once near a minimum: at lr 1e-2 the vector problems grow a
# 1e-14 perturbation 1e4-fold (quadratic) and 1e11-fold (Rosenbrock) in 200 steps, so the
# defaults are checked on the matrices and the vectors at lr 1e-3 (test_golden_settings_are_not_chaotic).
CASES = {
    "defaults": ({}, {}, ["matrix_nonzero", "two_layer", "stack"]),
    "small_lr": ({"lr": 1e-3}, {"lr": 1e-3}, ["quadratic", "rosenbrock", "matrix_nonzero"]),
    "weight_decay": ({"lr": 3e-3, "weight_decay": 0.5}, {"lr": 3e-3, "weight_decay": 0.5},
                     ["quadratic", "rosenbrock", "matrix_nonzero", "two_layer", "stack"]),
    "beta2_decay": ({"beta2_decay": -0.5}, {"beta2_decay": -0.5}, ["quadratic", "rosenbrock"]),
    "beta2_decay_matrices": ({"lr": 3e-3, "beta2_decay": -0.5}, {"lr": 3e-3, "beta2_decay": -0.5},
                             ["two_layer", "stack"]),
    "lr_and_d": ({"lr": 0.03, "d": 2.0}, {"lr": 0.03, "d": 2.0},
                 ["quadratic", "rosenbrock", "matrix_nonzero", "stack"]),
    "eps": ({"lr": 3e-3, "eps1": 1e-3, "eps2": 0.1}, {"lr": 3e-3, "eps": (1e-3, 0.1)},
            ["rosenbrock", "matrix", "two_layer", "stack"]),
}


def problem(name):
    return EXTRA.get(name) or PROBLEMS[name]


def run_case(make_step, name, init=None):
    """cases.run on a problem of cases.PROBLEMS or of EXTRA."""
    if name in PROBLEMS:
        return run(make_step, name, init=init)
    start, grad = EXTRA[name]
    params = (init or start)()
    path = [np.concatenate([v.ravel() for v in params.values()])]
    for _ in range(STEPS):
        make_step(params, grad(params))
        path.append(np.concatenate([v.ravel() for v in params.values()]))
    return np.array(path)


def adafactor_stepper(kwargs, name):
    import torch  # only here: the tests import this file's cases without torch

    return torch_stepper(lambda tensors: torch.optim.Adafactor(tensors, **kwargs), problem(name)[0])


def main():
    import torch

    torch.set_default_dtype(torch.float64)
    golden = {f"{case}/{name}": run_case(adafactor_stepper(kwargs, name), name)
              for case, (_, kwargs, names) in CASES.items() for name in names}
    golden["torch_version"] = np.array(torch.__version__)
    np.savez_compressed(pathlib.Path(__file__).parent / "adafactor_golden.npz", **golden)
    print(f"{len(golden) - 1} runs, torch {torch.__version__}")


if __name__ == "__main__":
    main()
