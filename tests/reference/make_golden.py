"""Make the golden values in ``golden.npz`` with ``torch.optim`` (run by hand; the tests need no torch).

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/python tests/reference/make_golden.py
"""

import pathlib
import sys

import numpy as np
import torch

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import CASES, PROBLEMS, run  # noqa: E402


def torch_stepper(torch_name, kwargs, problem):
    init, _ = PROBLEMS[problem]
    tensors = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in init().items()}
    opt = getattr(torch.optim, torch_name)(list(tensors.values()), **kwargs)

    def step(params, grads):
        for k, t in tensors.items():
            t.grad = torch.from_numpy(np.array(grads[k], dtype=np.float64))
        opt.step()
        for k, t in tensors.items():
            params[k][...] = t.detach().numpy()

    return step


def main():
    golden = {}
    for name, (_, _, torch_name, kwargs, problems) in CASES.items():
        for problem in problems:
            golden[f"{name}/{problem}"] = run(torch_stepper(torch_name, kwargs, problem), problem)
    out = pathlib.Path(__file__).with_name("golden.npz")
    np.savez_compressed(out, torch_version=torch.__version__, **golden)
    print(f"wrote {len(golden)} trajectories to {out} with torch {torch.__version__}")


if __name__ == "__main__":
    main()
