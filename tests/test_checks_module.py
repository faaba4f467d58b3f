"""The exercise checks must pass the right answer and explain the wrong ones."""

import numpy as np
import pytest

from optim import SGD, Adam, Optimizer
from optim.checks import check_function, check_optimizer


class Rebinds(Optimizer):
    def __init__(self, lr=0.01):
        super().__init__(lr=lr)

    def step(self, p, g, t):
        p = p - self.lr * g  # noqa: F841  (the classic mistake)


class Ascends(SGD):
    def step(self, p, g, t):
        p += self.lr * g


class Doubled(SGD):
    def step(self, p, g, t):
        p -= 2 * self.lr * g


def test_correct_code_passes():
    assert "All good" in check_optimizer(SGD, SGD, lr=0.1)
    assert "All good" in check_optimizer(Adam, Adam, lr=0.1)


@pytest.mark.parametrize(
    "wrong, words",
    [(Rebinds, "did not change"), (Ascends, "opposite sign"), (Doubled, "2 times"), (Adam, "step 1")],
)
def test_wrong_code_is_explained(wrong, words):
    with pytest.raises(AssertionError, match=words) as info:
        check_optimizer(wrong, SGD, lr=0.1)
    assert "expected" in str(info.value) or "did not change" in str(info.value)


def test_check_function():
    assert "3 cases" in check_function(np.square, lambda x: x * x, [(1.0,), (2.0,), (np.arange(3),)])
    with pytest.raises(AssertionError, match="case 2"):
        check_function(np.abs, lambda x: x, [(1.0,), (-2.0,)])


# --- holds_when_perturbed: the guard of claims that come from tuning or long runs -----------

def test_guard_passes_a_robust_claim_and_returns_what_it_measured():
    from optim.checks import OFFSETS, holds_when_perturbed

    start = {"w": np.array([1.0, -2.0]), "steps": 3}
    results = holds_when_perturbed(lambda p: float(np.sum(p["w"] ** 2)), start)
    assert len(results) == 1 + len(OFFSETS) and results[0] == 5.0
    assert all(r != 5.0 and abs(r - 5.0) < 5.0 * 1e-9 for r in results[1:])  # moved, but only a little
    assert start["w"].tolist() == [1.0, -2.0]  # the caller's inputs are not changed


def test_guard_catches_a_near_tie_and_names_the_offset():
    """An argmin over two settings whose losses differ by 1e-12 (relative) is a coin toss."""
    from optim.checks import holds_when_perturbed

    def tuned_is_first(losses):
        assert np.argmin(losses) == 0, f"picked setting {np.argmin(losses)}"

    with pytest.raises(AssertionError, match=r"moved by a relative [+-]\de-10: picked setting 1"):
        holds_when_perturbed(tuned_is_first, np.array([1.0, 1.0 + 1e-12]))
    with pytest.raises(AssertionError, match="fails with its inputs moved"):
        holds_when_perturbed(lambda x: x.sum() <= 3.0, np.ones(3))  # a claim that returns False
    holds_when_perturbed(tuned_is_first, np.array([1.0, 1.001]))  # a real gap passes


def test_guard_keeps_dtypes_and_leaves_non_floats_alone():
    from optim.checks import holds_when_perturbed

    seen = []
    holds_when_perturbed(lambda x, n, name: seen.append((x.dtype, n, name)),
                         np.ones(3, dtype=np.float32), 7, "label", offsets=(1e-3,))
    assert seen == [(np.float32, 7, "label")] * 2


def test_guard_refuses_offsets_that_move_nothing():
    """float32 cannot hold a relative 1e-10, and zeros do not move: a guard that reran the same
    experiment five times could never fail, so it says so instead."""
    from optim.checks import holds_when_perturbed

    with pytest.raises(ValueError, match=r"does not move this float32 input .* offsets=\(1e-6"):
        holds_when_perturbed(lambda x: None, np.ones(3, dtype=np.float32))
    with pytest.raises(ValueError, match="move none of the claim's inputs"):
        holds_when_perturbed(lambda x, n: None, np.zeros(3), 5)
    holds_when_perturbed(lambda x: None, np.ones(3, dtype=np.float32), offsets=(1e-6, -3e-6))
    holds_when_perturbed(lambda x, z: None, np.ones(3), np.zeros(3))  # one input moves: fine
