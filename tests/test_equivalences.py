"""The known equivalences between textbook forms (../shared/reference/torch-conventions.md)."""

import numpy as np
from cases import run

from optim import SGD, Adam, Momentum, Nesterov, Optimizer


class TorchMomentum(Optimizer):
    """PyTorch's SGD momentum written out: buf <- mu buf + g (buf = g at t = 1); p -= lr buf."""

    def __init__(self, lr, momentum, nesterov=False):
        super().__init__(lr=lr, momentum=momentum)
        self.nesterov = nesterov

    def init_state(self, p):
        return {"buf": np.zeros_like(p)}

    def step(self, p, g, t, buf):
        buf[...] = g if t == 1 else self.momentum * buf + g
        p -= self.lr * (g + self.momentum * buf if self.nesterov else buf)


class NesterovVelocityFirst(Nesterov):
    """The ordering mistake: renew v first, then use the new v in the parameter step."""

    def step(self, p, g, t, v):
        v[...] = self.momentum * v - self.lr * g
        p += self.momentum**2 * v - (1 + self.momentum) * self.lr * g


def max_relative_gap(a, b):
    return np.max(np.abs(a - b) / np.abs(b).max(axis=0))


def test_seed_momentum_equals_pytorch_momentum_at_constant_lr():
    for problem in ("rosenbrock", "quadratic"):
        seed = run(Momentum(lr=1e-3, momentum=0.9).update, problem)
        torch_form = run(TorchMomentum(lr=1e-3, momentum=0.9).update, problem)
        assert max_relative_gap(seed, torch_form) < 1e-12


def test_seed_momentum_differs_from_pytorch_when_lr_changes():
    def halving(t):
        return 1e-3 if t <= 50 else 5e-4

    seed = run(Momentum(lr=halving, momentum=0.9).update, "quadratic")
    torch_form = run(TorchMomentum(lr=halving, momentum=0.9).update, "quadratic")
    assert max_relative_gap(seed[:51], torch_form[:51]) < 1e-12
    assert max_relative_gap(seed, torch_form) > 1e-3  # the seed's velocity remembers the old lr


def test_nesterov_form_equals_pytorch_nesterov():
    for problem in ("rosenbrock", "quadratic"):
        ours = run(Nesterov(lr=1e-3, momentum=0.9).update, problem)
        torch_form = run(TorchMomentum(lr=1e-3, momentum=0.9, nesterov=True).update, problem)
        assert max_relative_gap(ours, torch_form) < 1e-12


def test_nesterov_velocity_first_drifts_away():
    ours = run(Nesterov(lr=1e-3, momentum=0.9).update, "quadratic")
    wrong = run(NesterovVelocityFirst(lr=1e-3, momentum=0.9).update, "quadratic")
    assert max_relative_gap(wrong, ours) > 1e-2


def test_nesterov_equals_look_ahead_gradient_form():
    """Algorithm 8.3 evaluates the gradient at theta + mu v; tracking that point gives ours."""
    from cases import PROBLEMS

    init, grad = PROBLEMS["quadratic"]
    lr, mu = 1e-3, 0.9
    theta = init()
    velocity = {k: np.zeros_like(v) for k, v in theta.items()}
    shifted = init()  # our Nesterov's params are the look-ahead points theta + mu v
    ours = Nesterov(lr=lr, momentum=mu)
    for _ in range(200):
        look_ahead = {k: theta[k] + mu * velocity[k] for k in theta}
        g = grad(look_ahead)
        for k in theta:
            velocity[k] = mu * velocity[k] - lr * g[k]
            theta[k] = theta[k] + velocity[k]
        ours.update(shifted, grad(shifted))
        for k in theta:
            np.testing.assert_allclose(shifted[k], theta[k] + mu * velocity[k], rtol=1e-12, atol=1e-14)


def test_seed_adam_is_algorithm1_with_a_rescaled_eps():
    """The efficient form with eps equals Algorithm 1 with eps / sqrt(1 - beta2^t) at every step."""
    eps, beta2 = 1e-7, 0.999
    seed = Adam(lr=0.01, eps=eps, beta2=beta2, efficient=True)
    algorithm1 = Adam(lr=0.01, beta2=beta2, eps=lambda t: eps / np.sqrt(1 - beta2**t))
    plain = Adam(lr=0.01, beta2=beta2, eps=eps)
    a = run(seed.update, "tiny")
    b = run(algorithm1.update, "tiny")
    c = run(plain.update, "tiny")
    assert max_relative_gap(a, b) < 1e-12
    assert max_relative_gap(a, c) > 1e-3  # on tiny gradients the two eps placements differ


def test_ema_momentum_equals_scaled_pytorch_momentum():
    """v <- b v + (1-b) g; p -= lr v  equals PyTorch's SGD(lr * (1 - b), momentum=b)."""

    class EMAMomentum(Optimizer):
        def __init__(self, lr, momentum):
            super().__init__(lr=lr, momentum=momentum)

        def init_state(self, p):
            return {"v": np.zeros_like(p)}

        def step(self, p, g, t, v):
            v[...] = self.momentum * v + (1 - self.momentum) * g
            p -= self.lr * v

    ema = run(EMAMomentum(lr=1e-2, momentum=0.9).update, "quadratic")
    torch_form = run(TorchMomentum(lr=1e-2 * 0.1, momentum=0.9).update, "quadratic")
    assert max_relative_gap(ema, torch_form) < 1e-12


def test_sgd_is_momentum_with_zero_momentum():
    a = run(SGD(lr=1e-3).update, "rosenbrock")
    b = run(Momentum(lr=1e-3, momentum=0.0).update, "rosenbrock")
    assert max_relative_gap(a, b) < 1e-14
