"""Every optimizer against golden values made by torch.optim (see reference/make_golden.py)."""

import pathlib

import numpy as np
import pytest
from cases import CASES, run

import optim

GOLDEN = np.load(pathlib.Path(__file__).parent / "reference" / "golden.npz")
RTOL = 1e-10


def assert_close_relative(ours, gold):
    """Agreement to RTOL relative to each coordinate's scale over the run (float64 round-off)."""
    scale = np.abs(gold).max(axis=0)
    worst = np.max(np.abs(ours - gold) / scale)
    assert worst <= RTOL, f"relative difference {worst:.3g} exceeds {RTOL:g}"


@pytest.mark.parametrize(
    "case, problem", [(name, problem) for name, spec in CASES.items() for problem in spec[4]]
)
def test_matches_pytorch(case, problem):
    cls_name, kwargs, *_ = CASES[case]
    optimizer = getattr(optim, cls_name)(**kwargs)
    gold = GOLDEN[f"{case}/{problem}"]
    ours = run(optimizer.update, problem)
    assert ours.shape == gold.shape
    assert not np.allclose(gold[-1], gold[0]), "the golden run must actually move"
    assert_close_relative(ours, gold)


def test_every_seed_optimizer_has_golden_values():
    covered = {spec[0] for spec in CASES.values()}
    assert covered >= {"SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"}
    for name, spec in CASES.items():
        assert len(spec[4]) >= 2 or name.endswith("_eps"), f"{name} needs at least two problems"
