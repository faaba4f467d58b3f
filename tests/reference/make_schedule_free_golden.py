"""Make ``schedule_free_golden.npz`` with the authors' own code (run by hand; the tests need no torch).

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy schedulefree==1.4.1
    /tmp/torchenv/bin/python tests/reference/make_schedule_free_golden.py

The authors' package ``schedulefree`` 1.4.1 (facebookresearch/schedule_free; its reference files are
unchanged on GitHub's main branch up to May 2026, which only adds an ``inner_momentum`` option, default
0, to AdamWScheduleFreeReference). Every run is in float64 on the problems of ``cases.py`` (gradients
computed there, in numpy), for ``cases.STEPS`` steps. For each case and problem the file keeps

* ``<case>/<problem>``: the parameters after every step in train mode, i.e. the gradient point y
  (what ``optim``'s params hold), the start first;
* ``<case>/<problem>/x``: the average x after every step, read by calling ``opt.eval()`` after the
  step and ``opt.train()`` before the next one (the script checks that this toggling leaves the
  y path bit for bit unchanged);
* ``optimised/<case>/<problem>`` and ``.../x``: the same from the memory-saving classes
  (``SGDScheduleFree``, ``AdamWScheduleFree``, ``AdamWScheduleFreePaper``), which store y and z
  only, update y by y <- (1 - c) y + c z + lr (beta (1 - c) - 1) g and get x back in eval() as
  y + (1 - 1/beta)(z - y): equal to the reference classes up to round-off. Their y path is
  stored from a run without eval()/train() calls: there the two lerps y -> x -> y change y by
  round-off (the script prints how much), where the reference classes copy stored arrays.

The map onto ``optim.schedule_free``: ``SGDScheduleFreeReference(lr, momentum, weight_decay,
warmup_steps, r, weight_lr_power)`` is ``ScheduleFreeSGD`` with the same names;
``AdamWScheduleFreeReference(lr, betas=(b1, b2), eps, weight_decay, warmup_steps, r, weight_lr_power,
decay_at_z)`` is ``ScheduleFreeAdamW(lr, beta1=b1, beta2=b2, ...)``; ``AdamWScheduleFreePaper`` (the
paper's bias correction: lr times sqrt(1 - beta2^t), also in the weights of the average, and
sqrt(v) + eps) is ``ScheduleFreeAdamW(..., lr_bias_correction=True)``. Quirks of the authors' code:
the AdamW classes start in eval mode (``train()`` must be called before the first step; the SGD
reference starts in train mode); AdamWScheduleFreeReference prints a line on every mode switch (silenced
here); its ``lr = max(group['lr'], eps)`` is overwritten before use (no effect);
SGDScheduleFreeReference refuses momentum 0 (the optimised classes divide by beta in eval());
optim takes it.
"""

import contextlib
import io
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import PROBLEMS, run, torch_stepper  # noqa: E402

# name: (optim class, optim kwargs, reference class, optimised class, torch kwargs, problems)
CASES = {
    "sgd": ("ScheduleFreeSGD", {"lr": 1e-3}, "SGDScheduleFreeReference", "SGDScheduleFree",
            {"lr": 1e-3}, ["rosenbrock", "quadratic"]),
    "sgd_warmup_decay": (
        "ScheduleFreeSGD", {"lr": 2e-3, "momentum": 0.8, "weight_decay": 0.1, "warmup_steps": 20},
        "SGDScheduleFreeReference", "SGDScheduleFree",
        {"lr": 2e-3, "momentum": 0.8, "weight_decay": 0.1, "warmup_steps": 20}, ["rosenbrock", "quadratic"]),
    "sgd_r_power": (
        "ScheduleFreeSGD", {"lr": 1e-3, "momentum": 0.95, "r": 1.0, "weight_lr_power": 1.0, "warmup_steps": 10},
        "SGDScheduleFreeReference", "SGDScheduleFree",
        {"lr": 1e-3, "momentum": 0.95, "r": 1.0, "weight_lr_power": 1.0, "warmup_steps": 10},
        ["rosenbrock", "quadratic"]),
    "adamw": ("ScheduleFreeAdamW", {"lr": 0.01}, "AdamWScheduleFreeReference", "AdamWScheduleFree",
              {"lr": 0.01}, ["rosenbrock", "quadratic", "tiny"]),
    "adamw_warmup_decay": (
        "ScheduleFreeAdamW", {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "weight_decay": 0.1, "warmup_steps": 20},
        "AdamWScheduleFreeReference", "AdamWScheduleFree",
        {"lr": 0.02, "betas": (0.8, 0.99), "weight_decay": 0.1, "warmup_steps": 20}, ["rosenbrock", "quadratic"]),
    "adamw_decay_at_z": (  # the optimised class has no decay_at_z
        "ScheduleFreeAdamW", {"lr": 0.01, "weight_decay": 0.3, "decay_at_z": True, "r": 0.5},
        "AdamWScheduleFreeReference", None,
        {"lr": 0.01, "weight_decay": 0.3, "decay_at_z": True, "r": 0.5}, ["rosenbrock", "quadratic"]),
    "adamw_paper": (  # AdamWScheduleFreePaper is the only implementation of the paper's form
        "ScheduleFreeAdamW", {"lr": 0.01, "warmup_steps": 10, "weight_decay": 0.1, "lr_bias_correction": True},
        None, "AdamWScheduleFreePaper",
        {"lr": 0.01, "warmup_steps": 10, "weight_decay": 0.1}, ["rosenbrock", "quadratic", "tiny"]),
}


def stepper(cls_name, kwargs, problem, xs=None):
    """A make_step for cases.run driving schedulefree.<cls_name>; appends x after each step to xs."""
    import schedulefree

    make = getattr(schedulefree, cls_name)
    quiet = contextlib.redirect_stdout(io.StringIO())

    def take_step(opt):
        with quiet:
            opt.train()  # the AdamW classes start in eval mode
            opt.step()
            if xs is not None:
                opt.eval()
                xs.append(np.concatenate([p.detach().numpy().ravel() for p in opt.param_groups[0]["params"]]))
                opt.train()

    return torch_stepper(lambda tensors: make(tensors, **kwargs), PROBLEMS[problem][0], take_step)


def main():
    import torch  # here, so that the tests can import CASES without torch

    torch.set_default_dtype(torch.float64)
    golden = {}
    for name, (_, _, reference, optimised, kwargs, problems) in CASES.items():
        for problem in problems:
            start = np.concatenate([v.ravel() for v in PROBLEMS[problem][0]().values()])
            for prefix, cls_name in (("", reference), ("optimised/", optimised)):
                if cls_name is None:
                    continue
                xs = [start]
                y = run(stepper(cls_name, kwargs, problem, xs), problem)
                plain = run(stepper(cls_name, kwargs, problem), problem)
                toggled = np.max(np.abs(y - plain) / np.abs(plain).max(axis=0))
                if prefix:  # y -> x -> y by two lerps is exact only up to round-off
                    print(f"{cls_name} {name}/{problem}: eval()/train() moved y by {toggled:.1e}")
                else:
                    assert toggled == 0, f"eval()/train() changed the run of {cls_name}"
                golden[f"{prefix}{name}/{problem}"] = plain
                golden[f"{prefix}{name}/{problem}/x"] = np.array(xs)
    out = pathlib.Path(__file__).parent / "schedule_free_golden.npz"
    np.savez_compressed(out, **golden)
    for key in golden:
        if key.startswith("optimised/") and key.removeprefix("optimised/") in golden:
            ref, opt = golden[key.removeprefix("optimised/")], golden[key]
            print(f"{key}: optimised vs reference {np.max(np.abs(opt - ref) / np.abs(ref).max(axis=0)):.1e}")
    print(f"wrote {len(golden)} arrays to {out} (torch {torch.__version__})")


if __name__ == "__main__":
    main()
