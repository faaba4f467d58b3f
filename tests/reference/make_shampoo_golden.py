"""Golden values for optim.Shampoo and optim.SOAP from pytorch_optimizer (run by hand; tests need no torch).

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0+cpu numpy pytorch_optimizer==4.1.0
    /tmp/torchenv/bin/python tests/reference/make_shampoo_golden.py

Gradients come from tests/reference/cases.py (numpy, float64, 200 steps); only the optimizers differ.
How each reference maps to optim (pytorch_optimizer 4.1.0):

* ``Shampoo`` (its plain one) is Gupta et al.'s Algorithm 1: L_0 = R_0 = matrix_eps * I, sums
  L += G G^T and R += G^T G, roots by SVD (= eigendecomposition for these symmetric matrices) with
  exponent -1/(2 * ndim) = -1/4. Its ``momentum`` is not a momentum of the gradient (it mixes the
  new gradient with the last *preconditioned* step, and feeds that into the statistics), so it is
  set to 0. With preconditioning_compute_steps k > 1 its roots are zero until step k (no step at
  all): only k = 1 is compared with it.
* ``ScalableShampoo`` is Anil et al.'s distributed Shampoo. With use_svd=True its roots are exact
  (the default coupled Newton iteration stops at a tolerance of ~1e-6); betas=(0, beta2) with
  nesterov=False makes its heavy-ball momentum the plain step; start_preconditioning_step=1 uses
  Shampoo's direction from the first step; shape_interpretation=False and a block size larger
  than the matrices keep every matrix whole. Statistics start at matrix_eps * I and are averaged
  with beta2 (optim: Shampoo(beta2=...)); roots at steps k, 2k, ... and the identity before
  (optim: update_every=k); grafting scales the step to the Frobenius norm of AdaGrad's or
  RMSprop's (optim: graft="adagrad"/"rmsprop", graft_eps = diagonal_eps).
* ``SOAP`` equals the authors' soap.py (nikhilvyas/SOAP) except that it keeps Adam's first moment in
  the original basis and rotates it every step (the authors rotate it only when the basis changes:
  the same numbers up to round-off), and that it runs the QR of the power iteration in float32;
  here that one cast is removed (its module's ``torch.float32`` is float64 while it runs).
  max_precondition_dim keeps only the sides whose first G G^T or G^T G has full rank: where the
  first factor has a null space of dimension 2 or more, the eigenbasis inside it is whatever eigh's
  round-off makes it, different in every library, and so is SOAP's step. So "matrix" (3 x 5) is
  rotated on its left side only (max 4), and "two_layer" only on W2's left side (max 3): W1's gradient
  W2^T r x^T has rank 3, and so has W2's G^T G (6 x 6). Both sides at once are tested in
  tests/test_shampoo.py on square matrices (invariances, Adam without rotations).
"""

import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import PROBLEMS, run, torch_stepper  # noqa: E402

# name: (optim class, optim kwargs, reference class, reference kwargs, {problem: kwargs for both})
CASES = {
    "shampoo_paper": ("Shampoo", {"lr": 0.01, "eps": 1e-4},
                      "Shampoo", {"lr": 0.01, "momentum": 0.0, "matrix_eps": 1e-4},
                      {"matrix": {}, "two_layer": {}}),
    "shampoo_eps": ("Shampoo", {"lr": 0.003, "eps": 1e-2}, "Shampoo",
                    {"lr": 0.003, "momentum": 0.0, "matrix_eps": 1e-2}, {"matrix": {}, "two_layer": {}}),
    "shampoo_adagrad_graft": (
        "Shampoo", {"lr": 0.01, "beta2": 0.999, "eps": 1e-4, "update_every": 3, "graft": "adagrad"},
        "ScalableShampoo", {"lr": 0.01, "betas": (0.0, 0.999), "graft_type": 2, "matrix_eps": 1e-4,
                            "preconditioning_compute_steps": 3},
        {"matrix": {}, "two_layer": {}}),
    "shampoo_rmsprop_graft": (
        "Shampoo", {"lr": 0.003, "beta2": 0.99, "eps": 1e-4, "graft": "rmsprop"},
        "ScalableShampoo", {"lr": 0.003, "betas": (0.0, 0.99), "graft_type": 3, "matrix_eps": 1e-4,
                            "preconditioning_compute_steps": 1},
        {"matrix": {}, "two_layer": {}}),
    "soap": ("SOAP", {"lr": 0.003}, "SOAP", {"lr": 0.003},
             {"matrix": {"max_precond_dim": 4}, "two_layer": {"max_precond_dim": 3}}),
    "soap_settings": (
        "SOAP", {"lr": 0.01, "beta1": 0.9, "beta2": 0.99, "shampoo_beta": 0.9, "weight_decay": 0.0,
                 "update_every": 3},
        "SOAP", {"lr": 0.01, "betas": (0.9, 0.99), "shampoo_beta": 0.9, "weight_decay": 0.0,
                 "precondition_frequency": 3},
        {"matrix": {"max_precond_dim": 4}, "two_layer": {"max_precond_dim": 3}}),
}

#: Fixed settings that make ScalableShampoo the method described above.
SCALABLE = {"start_preconditioning_step": 1, "nesterov": False, "shape_interpretation": False,
            "block_size": 10_000, "use_svd": True, "diagonal_eps": 1e-10, "matrix_eps": 1e-6}


def reference_kwargs(name, problem):
    """The reference's keyword arguments for a case on a problem."""
    _, _, ref_name, kwargs, problems = CASES[name]
    extra = dict(problems[problem])
    if "max_precond_dim" in extra:
        extra["max_precondition_dim"] = extra.pop("max_precond_dim")
    base = SCALABLE if ref_name == "ScalableShampoo" else {}
    return {**base, **kwargs, **extra}


def stepper(ref_name, kwargs, problem):
    import pytorch_optimizer

    make = getattr(pytorch_optimizer, ref_name)
    return torch_stepper(lambda tensors: make(tensors, **kwargs), PROBLEMS[problem][0])


class _Float64Torch:
    """torch, except that torch.float32 is float64: removes SOAP's one cast before its QR."""

    def __init__(self, torch):
        self._torch = torch
        self.float32 = torch.float64

    def __getattr__(self, name):
        return getattr(self._torch, name)


def main():
    from importlib.metadata import version

    import pytorch_optimizer.optimizer.soap as soap_module
    import torch

    torch.set_default_dtype(torch.float64)
    source = pathlib.Path(soap_module.__file__).read_text()
    assert source.count("torch.float32") == 1, "pytorch_optimizer's SOAP changed: look again"
    soap_module.torch = _Float64Torch(torch)
    golden = {}
    for name, (_, _, ref_name, _, problems) in CASES.items():
        for problem in problems:
            golden[f"{name}/{problem}"] = run(stepper(ref_name, reference_kwargs(name, problem), problem), problem)
    out = pathlib.Path(__file__).with_name("shampoo_golden.npz")
    np.savez_compressed(out, torch_version=torch.__version__, package_version=version("pytorch_optimizer"),
                        **golden)
    print(f"wrote {len(golden)} arrays to {out} with torch {torch.__version__}, "
          f"pytorch_optimizer {version('pytorch_optimizer')}")


if __name__ == "__main__":
    main()
