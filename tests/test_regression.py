import numpy as np
import pytest

from optim import SGD
from optim.regression import LeastSquares, diabetes
from optim.run import trajectory


def test_full_gradient_is_the_mean_of_example_gradients():
    s = diabetes()
    w = np.array([0.3, -0.2])
    np.testing.assert_allclose(s.example_grads(w).mean(axis=0), s.grad(w), atol=1e-14)
    np.testing.assert_allclose(s.minibatch_grad(w, np.arange(len(s.y))), s.grad(w), atol=1e-14)
    np.testing.assert_allclose(s.grad(np.array(s.solution)), 0, atol=1e-12)


def test_loss_matches_direct_formula_and_gradient():
    s = diabetes()
    w = np.array([[0.3, -0.2], [1.0, 2.0]])
    direct = 0.5 * np.mean((w @ s.X.T - s.y) ** 2, axis=-1)
    np.testing.assert_allclose(s.loss(w), direct)
    h = 1e-6
    numeric = [(s.loss(w[0] + h * e) - s.loss(w[0] - h * e)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(numeric, s.grad(w[0]), rtol=1e-6)


def test_without_replacement_visits_every_example_once_per_epoch():
    s = diabetes(batch_size=10)
    seen = []
    s.minibatch_grad = lambda w, index: seen.append(index.copy()) or np.zeros_like(w)
    gradient = s.oracle(np.random.default_rng(0))
    for _ in range(len(s.y) // 10):
        gradient(np.zeros(2))
    visited = np.concatenate(seen)
    assert len(np.unique(visited)) == len(visited) == 440  # 442 examples, two dropped this epoch


def test_minibatch_gradients_are_unbiased():
    s = diabetes(batch_size=8, replace=True)
    w = np.zeros((20000, 2)) + [0.5, -0.5]
    g = s.oracle(np.random.default_rng(1))(w)
    assert np.allclose(g.mean(axis=0), s.grad(w[0]), atol=0.02)


def test_sgd_runs_are_reproducible_and_batched_runs_independent():
    s = diabetes(batch_size=4)
    a = trajectory(SGD(lr=0.05), s, steps=30, seed=3)
    b = trajectory(SGD(lr=0.05), s, steps=30, seed=3)
    np.testing.assert_array_equal(a.path, b.path)
    batch = trajectory(SGD(lr=0.05), s, start=np.zeros((2, 2)), steps=30, seed=3)
    assert not np.array_equal(batch.path[:, 0], batch.path[:, 1])


def test_bad_arguments():
    with pytest.raises(ValueError, match="batch_size"):
        diabetes(batch_size=0)
    with pytest.raises(ValueError, match="shape"):
        LeastSquares(np.zeros((5, 3)), np.zeros(5))
