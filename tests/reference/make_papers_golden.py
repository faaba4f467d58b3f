"""Make ``papers_golden.npz``: Yogi and Lion run by other people's code (run by hand; the tests need
neither jax nor torch). Lion and Yogi are not in ``torch.optim``, so ``make_golden.py`` cannot cover
them; here they are run by the packages that readers use, each in its own virtualenv:

    python -m venv /tmp/jaxenv && /tmp/jaxenv/bin/pip install jax jaxlib optax numpy
    /tmp/jaxenv/bin/python tests/reference/make_papers_golden.py optax

    python -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchenv/bin/pip install lion-pytorch --no-deps
    /tmp/torchenv/bin/python tests/reference/make_papers_golden.py lion

Each run replaces its own arrays in ``papers_golden.npz`` and keeps the other's. Every run is in
float64 on the problems of ``cases.py`` (gradients computed there, in numpy), for ``cases.STEPS``
steps; ``tests/test_papers.py`` runs ``optim`` and compares at 1e-10.

Yogi, optax (``optax/_src/transform.py``, ``scale_by_yogi``; ``optax.yogi`` is that followed by
``scale_by_learning_rate``), with jax's float64 switched on:

    mu_0 = nu_0 = initial_accumulator_value            (both moments: default 1e-6)
    mu  <- b1 mu + (1 - b1) g
    nu  <- nu - (1 - b2) sign(nu - g^2) g^2
    update = -lr * mu_hat / (sqrt(nu_hat + eps_root) + eps),  mu_hat = mu / (1 - b1^t), nu_hat = nu / (1 - b2^t)

Defaults b1 0.9, b2 0.999, eps 1e-3, eps_root 0, initial_accumulator_value 1e-6. The map onto
``optim.Yogi(lr, beta1, beta2, eps, v0)``: beta1 = b1, beta2 = b2, v0 = initial_accumulator_value,
and, since mu_hat / (sqrt(nu_hat) + eps) = sqrt(1 - b2^t) / (1 - b1^t) * mu / (sqrt(nu) + eps sqrt(1 - b2^t)),
two schedules: lr(t) = lr sqrt(1 - b2^t) / (1 - b1^t) and eps(t) = eps sqrt(1 - b2^t). Two things
have no counterpart in optim.Yogi: eps_root (kept at its default 0 here) and optax's first moment
starting at initial_accumulator_value instead of 0 (the tests set optim's state to it by hand, and
show that without that the runs differ).

Lion, ``lion-pytorch`` (lucidrains, ``lion_pytorch/lion_pytorch.py``, ``update_fn``), in the order of
Google's own ``google/automl`` ``lion/lion_pytorch.py`` (not on PyPI): decay the weights, add the
sign of the interpolation, then update the momentum:

    p   <- p * (1 - lr * weight_decay)
    p   <- p - lr * sign(beta1 * m + (1 - beta1) * g)
    m   <- beta2 * m + (1 - beta2) * g

which is ``optim.Lion(lr, beta1, beta2, weight_decay)`` (the decay is multiplied by lr, as in the
paper). With ``decoupled_weight_decay=True`` lion-pytorch divides weight_decay by the initial lr, so
that the decay is weight_decay itself: ``optim.Lion(weight_decay=weight_decay / lr)`` at constant lr.
"""

import inspect
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from cases import PROBLEMS, run  # noqa: E402

OUT = pathlib.Path(__file__).with_name("papers_golden.npz")

#: optax.scale_by_yogi's defaults (make_optax checks them against the installed optax).
OPTAX_YOGI_DEFAULTS = {"b1": 0.9, "b2": 0.999, "eps": 1e-3, "eps_root": 0.0, "initial_accumulator_value": 1e-6}

# name: (learning rate, optax.scale_by_yogi kwargs, problems). "defaults" is optax.yogi(0.01) itself,
# with optax's (and TF Addons') defaults, which are also optim.Yogi's and the first YOGI setting of
# test_papers.py; "zero_start" is its second (v0 = 0, so optax's first moment starts at 0 too).
OPTAX_YOGI = {
    "defaults": (0.01, {}, ["rosenbrock", "quadratic", "tiny"]),
    "zero_start": (
        0.003,
        {"b1": 0.5, "b2": 0.99, "eps": 1e-6, "initial_accumulator_value": 0.0},
        ["rosenbrock", "quadratic", "tiny"],
    ),
}

# name: (lion_pytorch.Lion kwargs, problems): the LION settings of test_papers.py, and the
# decoupled decay: the decay per step is weight_decay itself (1e-3 = lr * 0.1 in optim.Lion's terms).
LION_PYTORCH = {
    "paper": ({"lr": 0.01, "betas": (0.9, 0.99), "weight_decay": 0.0}, ["rosenbrock", "quadratic"]),
    "decay": ({"lr": 0.003, "betas": (0.95, 0.98), "weight_decay": 0.1}, ["rosenbrock", "quadratic"]),
    "decoupled_decay": (
        {"lr": 0.01, "betas": (0.9, 0.99), "weight_decay": 1e-3, "decoupled_weight_decay": True},
        ["rosenbrock", "quadratic"],
    ),
}


def expected_keys():
    """Every array the two runs write (the tests check that each is there)."""
    keys = [f"optax_yogi/{n}/{p}" for n, (*_, problems) in OPTAX_YOGI.items() for p in problems]
    keys += [f"lion_pytorch/{n}/{p}" for n, (_, problems) in LION_PYTORCH.items() for p in problems]
    return keys + ["optax_version", "jax_version", "lion_pytorch_version", "torch_version"]


def optax_stepper(lr, kwargs, problem):
    import jax.numpy as jnp
    import optax

    if kwargs:
        opt = optax.chain(optax.scale_by_yogi(**kwargs), optax.scale_by_learning_rate(lr))
    else:
        opt = optax.yogi(lr)
    init, _ = PROBLEMS[problem]
    state = opt.init({k: jnp.asarray(v) for k, v in init().items()})

    def step(params, grads):
        nonlocal state
        jparams = {k: jnp.asarray(v) for k, v in params.items()}
        updates, state = opt.update({k: jnp.asarray(g) for k, g in grads.items()}, state, jparams)
        for k, v in optax.apply_updates(jparams, updates).items():
            assert v.dtype == jnp.float64, "switch on jax_enable_x64"
            params[k][...] = np.asarray(v)

    return step


def lion_stepper(kwargs, problem):
    import torch
    from lion_pytorch import Lion

    init, _ = PROBLEMS[problem]
    tensors = {k: torch.tensor(v, dtype=torch.float64) for k, v in init().items()}
    opt = Lion(list(tensors.values()), **kwargs)

    def step(params, grads):
        for k, t in tensors.items():
            t.grad = torch.from_numpy(np.array(grads[k], dtype=np.float64))
        opt.step()
        for k, t in tensors.items():
            params[k][...] = t.numpy()

    return step


def make_optax():
    import jax

    jax.config.update("jax_enable_x64", True)
    import optax

    defaults = {k: v.default for k, v in inspect.signature(optax.scale_by_yogi).parameters.items()}
    assert defaults == OPTAX_YOGI_DEFAULTS, f"optax's Yogi defaults changed: {defaults}"
    golden = {"optax_version": optax.__version__, "jax_version": jax.__version__}
    for name, (lr, kwargs, problems) in OPTAX_YOGI.items():
        for problem in problems:
            golden[f"optax_yogi/{name}/{problem}"] = run(optax_stepper(lr, kwargs, problem), problem)
    return golden


def make_lion():
    from importlib.metadata import version

    import torch

    golden = {"lion_pytorch_version": version("lion-pytorch"), "torch_version": torch.__version__}
    for name, (kwargs, problems) in LION_PYTORCH.items():
        for problem in problems:
            golden[f"lion_pytorch/{name}/{problem}"] = run(lion_stepper(kwargs, problem), problem)
    return golden


#: What each run writes (and so replaces): its arrays and the versions it ran.
PARTS = {
    "optax": ("optax_yogi/", "optax_version", "jax_version"),
    "lion": ("lion_pytorch/", "lion_pytorch_version", "torch_version"),
}


def main(which):
    made = {"optax": make_optax, "lion": make_lion}[which]()
    kept = {}
    if OUT.exists():
        with np.load(OUT) as old:
            kept = {k: old[k] for k in old.files if not k.startswith(PARTS[which])}
    np.savez_compressed(OUT, **kept, **made)
    print(f"wrote {len(made)} arrays ({which}) to {OUT}, kept {len(kept)}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in ("optax", "lion"):
        sys.exit("usage: make_papers_golden.py optax|lion")
    main(sys.argv[1])
