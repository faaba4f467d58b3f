"""Golden runs of prodigyopt.Prodigy for tests/test_prodigy.py.

Run from the repository root with an environment that has torch and prodigyopt:
    /tmp/torchenv/bin/python tests/reference/make_prodigy_golden.py
(made with torch 2.13.0+cpu and prodigyopt 1.1.2, whose prodigy.py equals konstmish/prodigy at
commit 3efb213). Every case runs 200 steps (cases.STEPS) in float64 on a problem of cases.py, with the
gradients computed there in numpy; only the optimizers differ.

Mapping to optim.Prodigy: betas=(b1, b2) -> beta1=b1, beta2=b2; every other keyword has the same name
(lr, beta3, eps, weight_decay, decouple, use_bias_correction, safeguard_warmup, d0, d_coef,
growth_rate, slice_p). fsdp_in_use (sharded training) has no counterpart. Quirks kept on both sides:
with beta1 = 0 prodigyopt steps with dlr * d_new * g (the d after the update); coupled weight decay
(decouple=False) is added to p.grad in place (here a fresh gradient each step, so it does not leak).
"""

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import PROBLEMS, run, torch_stepper  # noqa: E402

# Prodigy at lr 1 is chaotic on Rosenbrock for most settings (round-off grows > 1000-fold in 200
# steps: test_golden_settings_are_not_chaotic); those run on the quadratic and its tiny version.
# name: (prodigyopt kwargs, problems); optim's kwargs follow by the mapping above (see test_prodigy.py).
PRODIGY_CASES = {
    "defaults": ({}, ["quadratic", "tiny"]),
    "bias_correction": ({"use_bias_correction": True}, ["rosenbrock", "quadratic"]),
    "decoupled_decay": ({"weight_decay": 0.1}, ["quadratic", "tiny"]),
    "coupled_decay": ({"weight_decay": 0.1, "decouple": False}, ["quadratic", "tiny"]),
    "safeguard_warmup": ({"safeguard_warmup": True, "lr": 0.5}, ["rosenbrock", "quadratic"]),
    "growth_rate": ({"growth_rate": 1.05}, ["rosenbrock", "quadratic"]),
    "d_coef": ({"d_coef": 0.5, "d0": 1e-4}, ["quadratic", "tiny"]),
    "betas_beta3": ({"betas": (0.8, 0.99), "beta3": 0.9, "eps": 1e-6}, ["quadratic", "tiny"]),
    "beta1_zero": ({"betas": (0.0, 0.999)}, ["rosenbrock", "quadratic"]),
    "slice_p": ({"slice_p": 2}, ["quadratic"]),
}


def prodigy_stepper(kwargs, problem):
    from prodigyopt import Prodigy  # only here, so that the tests can import PRODIGY_CASES without torch

    return torch_stepper(lambda tensors: Prodigy(tensors, **kwargs), PROBLEMS[problem][0])


if __name__ == "__main__":
    golden = {f"{name}/{problem}": run(prodigy_stepper(kwargs, problem), problem)
              for name, (kwargs, problems) in PRODIGY_CASES.items() for problem in problems}
    np.savez_compressed(pathlib.Path(__file__).parent / "prodigy_golden.npz", **golden)
    print(f"wrote {len(golden)} runs")
