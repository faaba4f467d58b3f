import numpy as np
import pytest

from optim.surfaces import SURFACES, Bowl, Noisy, Quadratic, Saddle

ALL = [cls() for cls in SURFACES.values()] + [Quadratic(condition=50, angle=35), Noisy(Bowl(), sigma=2.0)]


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_gradient_matches_central_differences(surface):
    rng = np.random.default_rng(0)
    lo = np.array([surface.xlim[0], surface.ylim[0]])
    hi = np.array([surface.xlim[1], surface.ylim[1]])
    points = lo + (hi - lo) * rng.random((50, 2))
    h = 1e-6
    numeric = np.stack(
        [(surface.loss(points + h * e) - surface.loss(points - h * e)) / (2 * h) for e in np.eye(2)], axis=-1
    )
    exact = surface.grad(points)
    scale = np.abs(exact).max() + 1
    assert np.max(np.abs(numeric - exact)) / scale < 1e-6


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_minima_are_stationary_and_lowest(surface):
    for m in surface.minima:
        np.testing.assert_allclose(surface.grad(np.array(m)), 0, atol=1e-10)
    rng = np.random.default_rng(1)
    points = np.column_stack([rng.uniform(*surface.xlim, 2000), rng.uniform(*surface.ylim, 2000)])
    assert surface.loss(points).min() >= surface.min_loss - 1e-12


@pytest.mark.parametrize("surface", ALL, ids=repr)
def test_start_lies_in_the_window(surface):
    x, y = surface.start
    assert surface.xlim[0] < x < surface.xlim[1] and surface.ylim[0] < y < surface.ylim[1]


def test_bowl_is_the_seed_function():
    x, y = 3.0, -2.0
    assert Bowl().loss(np.array([x, y])) == pytest.approx(x**2 / 20 + y**2)


def test_quadratic_condition_and_rotation():
    q = Quadratic(condition=25, angle=30)
    np.testing.assert_allclose(np.linalg.eigvalsh(q.hessian), [1 / 25, 1])
    assert q.condition == pytest.approx(25)
    direction = np.array([np.cos(np.pi / 6), np.sin(np.pi / 6)])  # the flat valley floor
    np.testing.assert_allclose(q.hessian @ direction, direction / 25)


def test_saddle_point_at_origin():
    s = Saddle()
    np.testing.assert_allclose(s.grad(np.zeros(2)), 0)
    assert s.loss(np.zeros(2)) > s.min_loss


def test_noise_is_seeded_unbiased_and_of_the_given_size():
    noisy = Noisy(Quadratic(), sigma=0.5)
    xy = np.zeros((20000, 2)) + 1.0
    g1 = noisy.stochastic_grad(xy, np.random.default_rng(3))
    g2 = noisy.stochastic_grad(xy, np.random.default_rng(3))
    np.testing.assert_array_equal(g1, g2)
    noise = g1 - noisy.grad(xy)
    assert abs(noise.mean()) < 0.01 and noise.std() == pytest.approx(0.5, rel=0.02)


def test_bad_surface_arguments():
    with pytest.raises(ValueError, match="eigenvalues"):
        Quadratic(eigenvalues=(1.0, -1.0))
    with pytest.raises(ValueError, match="sigma"):
        Noisy(Bowl(), sigma=-1)
