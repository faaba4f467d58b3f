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
