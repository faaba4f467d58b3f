"""Two-dimensional test functions with exact gradients, known minima, a window and a start.

A point is an array whose last axis holds (x, y), so one call evaluates a whole batch of
points: ``surface.loss(xy)`` has shape ``xy.shape[:-1]`` and ``surface.grad(xy)`` the shape
of ``xy``. Optimizers see a point as the parameter dict ``{"xy": xy}``.
"""

from __future__ import annotations

import numpy as np


class Surface:
    """A loss surface f(x, y). Subclasses write ``f`` and its exact partial derivatives ``df``."""

    name = "surface"
    formula = ""
    xlim: tuple[float, float] = (-2.0, 2.0)
    ylim: tuple[float, float] = (-2.0, 2.0)
    start: tuple[float, float] = (-1.5, 1.5)
    minima: tuple[tuple[float, float], ...] = ((0.0, 0.0),)
    axis_labels: tuple[str, str] = ("$x$", "$y$")

    def f(self, x, y):
        raise NotImplementedError

    def df(self, x, y):
        raise NotImplementedError

    def loss(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        return self.f(xy[..., 0], xy[..., 1])

    def grad(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        dx, dy = self.df(xy[..., 0], xy[..., 1])
        return np.stack(np.broadcast_arrays(dx, dy), axis=-1)

    def stochastic_grad(self, xy: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The gradient an optimizer sees; exact here, noisy for :class:`Noisy` surfaces."""
        return self.grad(xy)

    def oracle(self, rng: np.random.Generator):
        """A fresh gradient source for one run: ``oracle(rng)(xy)`` is the gradient seen at ``xy``.

        Surfaces whose gradients depend on more than the point (minibatches drawn without
        replacement remember where they are in the epoch) keep that state in the closure.
        """
        return lambda xy: self.stochastic_grad(xy, rng)

    @property
    def title(self) -> str:
        """The surface's name and formula, for figure titles (matplotlib mathtext)."""
        return f"{self.name}: ${self.formula}$" if self.formula else self.name

    @property
    def min_loss(self) -> float:
        return float(min(self.f(*m) for m in self.minima))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Quadratic(Surface):
    """f = 1/2 z^T A z with A = R(angle) diag(lam1, lam2) R(angle)^T.

    By default lam = (1/condition, 1): the largest curvature is 1, so gradient descent is
    stable for lr < 2 whatever the condition number, and ``angle`` (degrees) turns the
    valley away from the axes.
    """

    xlim = (-3.0, 3.0)
    ylim = (-3.0, 3.0)
    start = (-2.5, 1.5)

    def __init__(self, condition: float = 10.0, angle: float = 0.0, eigenvalues=None):
        if eigenvalues is None:
            eigenvalues = (1.0 / condition, 1.0)
        lam = np.asarray(eigenvalues, dtype=float)
        if lam.shape != (2,) or not np.all(lam > 0):
            raise ValueError(f"eigenvalues must be two positive numbers, got {eigenvalues!r}")
        c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
        rotation = np.array([[c, -s], [s, c]])
        self.eigenvalues = lam
        self.angle = float(angle)
        self.hessian = rotation @ np.diag(lam) @ rotation.T
        self.condition = float(lam.max() / lam.min())
        self.name = f"quadratic, condition {self.condition:g}" + (f", turned {angle:g}°" if angle else "")
        self.formula = r"\frac{1}{2} z^{T} A z"

    def f(self, x, y):
        (a, b), (_, c) = self.hessian
        return 0.5 * (a * x * x + 2 * b * x * y + c * y * y)

    def df(self, x, y):
        (a, b), (_, c) = self.hessian
        return a * x + b * y, b * x + c * y

    def __repr__(self) -> str:
        return f"Quadratic(eigenvalues=({self.eigenvalues[0]:g}, {self.eigenvalues[1]:g}), angle={self.angle:g})"


class Bowl(Quadratic):
    """The elongated bowl f = x^2/20 + y^2 (curvatures 1/10 and 2), started at (-7, 2).

    From Deep Learning from Scratch (Saitoh 2016, ``ch06/optimizer_compare_naive.py``), which runs
    30 steps of SGD (lr 0.95), Momentum (0.1), AdaGrad (1.5) and Adam (0.3) on it; the source
    article has no test function.
    """

    xlim = (-10.0, 10.0)
    ylim = (-5.0, 5.0)
    start = (-7.0, 2.0)

    def __init__(self):
        super().__init__(eigenvalues=(0.1, 2.0))
        self.name = "the elongated bowl"
        self.formula = r"x^2/20 + y^2"

    def __repr__(self) -> str:
        return "Bowl()"


class Rosenbrock(Surface):
    """f = (1 - x)^2 + 100 (y - x^2)^2: a curved, flat-bottomed valley; minimum at (1, 1).

    The book starts every run at (-1.5, 2); Rosenbrock's classical start is (-1.2, 1)
    (Rosenbrock 1960). Chapter 8 compares the two.
    """

    name = "Rosenbrock"
    formula = r"(1-x)^2 + 100\,(y-x^2)^2"
    xlim = (-2.0, 2.0)
    ylim = (-1.0, 3.0)
    start = (-1.5, 2.0)
    minima = ((1.0, 1.0),)

    def f(self, x, y):
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def df(self, x, y):
        return -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)


class Beale(Surface):
    """Beale's function: flat plateaus and steep walls; minimum at (3, 0.5)."""

    name = "Beale"
    formula = r"(1.5-x+xy)^2 + (2.25-x+xy^2)^2 + (2.625-x+xy^3)^2"
    xlim = (-4.5, 4.5)
    ylim = (-4.5, 4.5)
    start = (0.7, 1.4)
    minima = ((3.0, 0.5),)

    def f(self, x, y):
        return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2

    def df(self, x, y):
        a, b, c = 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3
        dx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
        dy = 2 * a * x + 4 * b * x * y + 6 * c * x * y**2
        return dx, dy


class Himmelblau(Surface):
    """f = (x^2 + y - 11)^2 + (x + y^2 - 7)^2: four minima, all with f = 0."""

    name = "Himmelblau"
    formula = r"(x^2+y-11)^2 + (x+y^2-7)^2"
    xlim = (-5.0, 5.0)
    ylim = (-5.0, 5.0)
    start = (0.0, -0.5)
    minima = (
        (3.0, 2.0),
        (-2.805118086952745, 3.131312518250573),
        (-3.779310253377747, -3.283185991286170),
        (3.584428340330492, -1.848126526964404),
    )

    def f(self, x, y):
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def df(self, x, y):
        a, b = x * x + y - 11, x + y * y - 7
        return 4 * a * x + 2 * b, 2 * a + 4 * b * y


class Saddle(Surface):
    """f = x^2/2 + y^4/4 - y^2/2: a saddle point at the origin between minima at (0, +-1).

    Started on (or near) the ridge y = 0, gradient descent creeps; methods that escape the
    saddle quickly reach one of the two minima, where f = -1/4.
    """

    name = "saddle"
    formula = r"x^2/2 + y^4/4 - y^2/2"
    xlim = (-2.0, 2.0)
    ylim = (-2.0, 2.0)
    start = (-1.8, 1e-3)
    minima = ((0.0, 1.0), (0.0, -1.0))

    def f(self, x, y):
        return 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y

    def df(self, x, y):
        return x, y**3 - y


class Noisy(Surface):
    """Another surface whose gradients carry Gaussian noise of standard deviation ``sigma``.

    The loss and the exact gradient are the wrapped surface's; ``stochastic_grad`` adds the
    noise, as a minibatch estimate would.
    """

    def __init__(self, surface: Surface | None = None, sigma: float = 1.0):
        if not sigma >= 0:
            raise ValueError(f"sigma must be >= 0, got {sigma!r}")
        self.surface = surface if surface is not None else Quadratic()
        self.sigma = float(sigma)
        self.name = f"{self.surface.name}, noisy gradients (sigma {sigma:g})"
        self.formula = self.surface.formula
        for attr in ("xlim", "ylim", "start", "minima", "axis_labels"):
            setattr(self, attr, getattr(self.surface, attr))

    def f(self, x, y):
        return self.surface.f(x, y)

    def df(self, x, y):
        return self.surface.df(x, y)

    def stochastic_grad(self, xy, rng):
        g = self.grad(xy)
        return g + self.sigma * rng.standard_normal(g.shape)

    def __repr__(self) -> str:
        return f"Noisy({self.surface!r}, sigma={self.sigma:g})"


#: The shared surfaces, by the names chapters and widgets use.
SURFACES = {
    "bowl": Bowl,
    "quadratic": Quadratic,
    "rosenbrock": Rosenbrock,
    "beale": Beale,
    "himmelblau": Himmelblau,
    "saddle": Saddle,
}
