"""Make the golden values in ``golden.npz`` with ``torch.optim`` (run by hand; the tests need no torch).

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/reference/make_golden.py

Two settings make PyTorch's float64 runs exact enough for a 1e-10 comparison:

* the default dtype is float64, because PyTorch keeps scalar state such as NAdam's product
  of momenta (``mu_product``) in the default dtype: in float32 it would be off by ~1e-8;
* Muon's Newton-Schulz iteration runs in float64. PyTorch's ``_zeropower_via_newtonschulz``
  casts to bfloat16 (8 bits of mantissa); here its own source is run with that one cast
  removed. Everything else in Muon (momentum, Nesterov, lr adjustment, weight decay) is
  PyTorch's. The real bfloat16 Muon is stored too (``muon_bf16/...``), compared loosely.
"""

import inspect
import pathlib
import sys
import textwrap

import numpy as np
import torch
import torch.optim._muon as muon_module
from torch.optim import lr_scheduler

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import CASES, MUON_BFLOAT16, PROBLEMS, SCHEDULER_VALUES, SCHEDULES, run  # noqa: E402

BFLOAT16_NS = muon_module._zeropower_via_newtonschulz


def float64_newton_schulz():
    """PyTorch's own Newton-Schulz function, with its cast to bfloat16 taken out."""
    source = textwrap.dedent(inspect.getsource(BFLOAT16_NS))
    assert source.count("grad.bfloat16()") == 1, "PyTorch's Newton-Schulz changed: look again"
    namespace = dict(vars(muon_module))
    exec(source.replace("grad.bfloat16()", "grad.clone()"), namespace)
    return namespace["_zeropower_via_newtonschulz"]


def make_scheduler(opt, spec):
    if spec is None:
        return None
    name, kwargs = spec
    if name == "SequentialLR":
        inner = [make_scheduler(opt, s) for s in kwargs["schedulers"]]
        return lr_scheduler.SequentialLR(opt, inner, milestones=kwargs["milestones"])
    return getattr(lr_scheduler, name)(opt, **kwargs)


def torch_stepper(torch_name, kwargs, problem, scheduler=None, record=None):
    init, _ = PROBLEMS[problem]
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in init().items()}
    opt = getattr(torch.optim, torch_name)(list(tensors.values()), **kwargs)
    sched = make_scheduler(opt, scheduler)

    def step(params, grads):
        for k, t in tensors.items():
            t.grad = torch.from_numpy(np.array(grads[k], dtype=np.float64))
        if record is not None:  # the hyperparameters this update uses
            group = opt.param_groups[0]
            record["lr"].append(group["lr"])
            record["momentum"].append(group["betas"][0] if "betas" in group else group.get("momentum", np.nan))
        opt.step()
        if sched is not None:
            sched.step()
        for k, t in tensors.items():
            params[k][...] = t.detach().numpy()

    return step


def main():
    torch.set_default_dtype(torch.float64)
    golden = {}
    muon_module._zeropower_via_newtonschulz = float64_newton_schulz()
    for name, (_, _, torch_name, kwargs, problems) in CASES.items():
        for problem in problems:
            golden[f"{name}/{problem}"] = run(torch_stepper(torch_name, kwargs, problem), problem)
    muon_module._zeropower_via_newtonschulz = BFLOAT16_NS
    for name, problems in MUON_BFLOAT16.items():
        _, _, torch_name, kwargs, _ = CASES[name]
        for problem in problems:
            golden[f"muon_bf16/{name}/{problem}"] = run(torch_stepper(torch_name, kwargs, problem), problem)
    for name, (*_, torch_name, kwargs, scheduler, problems) in SCHEDULES.items():
        for problem in problems:
            record = {"lr": [], "momentum": []}
            step = torch_stepper(torch_name, kwargs, problem, scheduler, record)
            golden[f"schedule/{name}/{problem}"] = run(step, problem)
        golden[f"schedule/{name}/lr"] = np.array(record["lr"])
        golden[f"schedule/{name}/momentum"] = np.array(record["momentum"])
    for name, (scheduler, kwargs, base_lr, steps) in SCHEDULER_VALUES.items():
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
        sched = make_scheduler(opt, (scheduler, kwargs))
        values = []
        for _ in range(steps):
            values.append(opt.param_groups[0]["lr"])  # the lr this optimizer.step() uses
            opt.step()
            sched.step()
        golden[f"scheduler_values/{name}"] = np.array(values)
    out = pathlib.Path(__file__).with_name("golden.npz")
    np.savez_compressed(out, torch_version=torch.__version__, **golden)
    print(f"wrote {len(golden)} arrays to {out} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
