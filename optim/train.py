"""Train the numpy network of :mod:`optim.nn` with any optimizer of the book, and sweep learning rates.

A run is fixed by its seed: the seed draws the initial weights (``nn.init``) and the order of the
minibatches (``data.batches``), so two optimizers given the same seed start from the same point
and see the same data in the same order. Only the optimizer differs.

A sweep trains a stack of identical networks at once, one per learning rate (the optimizer gets
the learning rates as an array, see ``optim.base``): for chapter 22's network, seven learning
rates then cost about as much as five separate runs, since every numpy call serves all seven.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from . import nn
from .data import Split, batches


@dataclass
class History:
    """What a run did. Losses have shape (epochs + 1, *stack): row 0 is before training.

    ``train_loss[e]`` (e >= 1) is the mean of the minibatch losses of epoch e, the number training
    logs usually show: free to compute, it lags the weights by about half an epoch. Row 0 is the
    loss on the whole training set. The validation loss and accuracy are taken after each epoch.
    A Schedule-Free optimizer trains at one point and is judged at its average: its validation
    numbers and the final ``params`` are the average's, its training loss the training point's.

    ``seconds[e]`` is the CPU time of epoch e's updates (forward, backward and optimizer steps): unlike
    the wall-clock time, it does not count the time other programs take the processor away.
    A network that diverged is frozen and reads ``nan`` from then on.
    """

    train_loss: np.ndarray
    val_loss: np.ndarray
    val_accuracy: np.ndarray
    seconds: np.ndarray
    diverged: np.ndarray
    params: nn.Params

    def test_accuracy(self, data: Split) -> float | np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            accuracy = np.where(self.diverged, np.nan, nn.accuracy(self.params, data.X_test, data.y_test))
        return float(accuracy) if accuracy.ndim == 0 else accuracy


def _finite(value, grads: nn.Params) -> np.ndarray:
    """Per network: is the loss finite, and is every entry of every gradient?"""
    ok = np.isfinite(value)
    for g in grads.values():
        ok &= np.isfinite(g).reshape(*ok.shape, -1).all(axis=-1)
    return ok


def train(optimizer, params: nn.Params, data: Split, epochs: int = 20, batch_size: int = 32, seed: int = 0,
          progress: bool = False, desc: str | None = None, threads: int | None = 1) -> History:
    """Train ``params`` in place for ``epochs`` passes over the training set; minibatch order from ``seed``.

    ``params`` may be one network or a stack (``nn.stack``). ``progress=True`` shows a progress bar
    (tqdm) that clears itself when done. ``threads`` caps the BLAS threads meanwhile: the matrices
    are so small that a second thread costs more in waiting than it saves (None: leave as is).
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(threads, user_api="blas"):
        return _train(optimizer, params, data, epochs, batch_size, seed, progress, desc)


@contextmanager
def _judged_at_average(optimizer, params: nn.Params):
    """Schedule-Free methods train at one point (y) and are judged at another, their average x:
    their ``eval(params)`` puts x into the parameters and ``train(params)`` puts y back."""
    if not hasattr(optimizer, "eval"):
        yield
        return
    optimizer.eval(params)
    try:
        yield
    finally:
        optimizer.train(params)


def _train(optimizer, params, data, epochs, batch_size, seed, progress, desc) -> History:
    from tqdm.auto import trange

    rng = np.random.default_rng(seed)
    X_train, y_train = data.X_train, data.y_train
    curves: dict[str, list] = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    seconds = []
    start_loss = nn.loss(params, X_train, y_train)
    alive = np.ones(np.shape(start_loss), dtype=bool)

    def record(train_loss):
        with _judged_at_average(optimizer, params):
            logits = nn.forward(params, data.X_val)
        for name, value in [("train_loss", train_loss), ("val_loss", nn.cross_entropy(logits, data.y_val)[0]),
                            ("val_accuracy", (logits.argmax(axis=-1) == data.y_val).mean(axis=-1))]:
            curves[name].append(np.where(alive, value, np.nan))

    record(start_loss)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in trange(epochs, disable=not progress, leave=False, desc=desc or type(optimizer).__name__):
            start, total = time.process_time(), 0.0
            for X, y in batches(X_train, y_train, batch_size, rng):
                value, grads = nn.loss_and_grads(params, X, y)
                total = total + value * len(y)
                alive &= _finite(value, grads)
                if not alive.any():
                    break
                if not alive.all():  # freeze the networks that diverged; the others go on
                    for g in grads.values():
                        g[~alive] = 0
                optimizer.update(params, grads)
            seconds.append(time.process_time() - start)
            record(total / len(y_train))
            if not alive.any():
                break
    if hasattr(optimizer, "eval"):
        optimizer.eval(params)  # the trained network is the average x
    missing = epochs + 1 - len(curves["train_loss"])
    arrays = {name: np.array(values + [np.full(alive.shape, np.nan)] * missing) for name, values in curves.items()}
    return History(**arrays, seconds=np.array(seconds), diverged=~alive, params=params)


def run(make: Callable, lr: float, data: Split, sizes: Sequence[int], seed: int = 0, **kwargs) -> History:
    """Train a fresh network ``nn.init(sizes, seed)`` with the fresh optimizer ``make(lr)``."""
    return train(make(lr), nn.init(sizes, seed), data, seed=seed, **kwargs)


@dataclass
class Sweep:
    """One network per learning rate, all from the same initial weights and minibatch order.

    With several seeds (``sweep(..., seeds=(0, 1, 2))``), one such stack per seed: ``histories``
    holds them in the order of ``seeds``, ``history`` is the first, and a rate is judged by its
    mean over the seeds, so that the choice does not hang on one draw of weights and batches.
    """

    lrs: np.ndarray
    history: History  # its arrays end with an axis over lrs (the first seed's, with several)
    histories: tuple[History, ...] = ()  # one per seed, the first included
    seeds: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.histories:
            self.histories = (self.history,)

    @property
    def final_val_loss(self) -> np.ndarray:
        """Validation loss after the last epoch, shape (seeds, lrs); inf where a run diverged."""
        final = np.stack([h.val_loss[-1] for h in self.histories])
        return np.where(np.isfinite(final), final, np.inf)

    @property
    def scores(self) -> np.ndarray:
        """What a sweep is judged by: the final validation loss, averaged over the seeds
        (inf where any seed diverged)."""
        return self.final_val_loss.mean(axis=0)

    @property
    def best(self) -> float:
        return float(self.lrs[np.argmin(self.scores)])


def sweep(make: Callable, lrs: Sequence[float], data: Split, sizes: Sequence[int], seed: int = 0,
          stacked: bool = True, seeds: Sequence[int] | None = None,
          init: nn.Params | Sequence[nn.Params] | None = None, **kwargs) -> Sweep:
    """Train one network per learning rate; ``stacked`` runs them all in one pass with an array ``lr``.

    Pass ``stacked=False`` for an optimizer that only takes plain matrices: the runs then go one by one.
    ``seeds`` (instead of ``seed``): one sweep per seed, judged by the mean over them (see ``Sweep``).
    ``init``: the initial weights to use instead of ``nn.init(sizes, seed)`` (with ``seeds``, a list
    of them, one per seed), e.g. to show with ``optim.checks.holds_when_perturbed`` that a result
    does not hang on the last bits of the start. They are copied, never changed.
    """
    if seeds is not None:
        inits = [None] * len(seeds) if init is None else list(init)
        parts = [sweep(make, lrs, data, sizes, s, stacked, init=start, **kwargs)
                 for s, start in zip(seeds, inits, strict=True)]
        return Sweep(parts[0].lrs, parts[0].history, tuple(p.history for p in parts), tuple(seeds))
    lrs = np.asarray(lrs, dtype=float)
    start = nn.init(sizes, seed) if init is None else init
    if stacked:
        params = nn.stack(start, len(lrs))  # a copy
        return Sweep(lrs, train(make(lrs.reshape(-1, 1, 1)), params, data, seed=seed, **kwargs), seeds=(seed,))
    runs = [train(make(float(lr)), {k: v.copy() for k, v in start.items()}, data, seed=seed, **kwargs)
            for lr in lrs]
    columns = {name: np.stack([getattr(h, name) for h in runs], axis=-1)
               for name in ("train_loss", "val_loss", "val_accuracy", "diverged")}
    params = {k: np.concatenate([nn.stack(h.params, 1)[k] for h in runs]) for k in runs[0].params}
    seconds = np.zeros(max(len(h.seconds) for h in runs))
    for h in runs:
        seconds[: len(h.seconds)] += h.seconds
    return Sweep(lrs, History(**columns, seconds=seconds, params=params), seeds=(seed,))


def _join_histories(ha: History, hb: History, order: np.ndarray) -> History:
    columns = {name: np.concatenate([getattr(ha, name), getattr(hb, name)], axis=-1)[..., order]
               for name in ("train_loss", "val_loss", "val_accuracy", "diverged")}
    params = {k: np.concatenate([ha.params[k], hb.params[k]])[order] for k in ha.params}
    seconds = np.zeros(max(len(ha.seconds), len(hb.seconds)))
    seconds[: len(ha.seconds)] += ha.seconds
    seconds[: len(hb.seconds)] += hb.seconds
    return History(**columns, seconds=seconds, params=params)


def _join(a: Sweep, b: Sweep) -> Sweep:
    """Two sweeps of the same runs (the same seeds) at different learning rates as one, sorted by rate."""
    lrs = np.concatenate([a.lrs, b.lrs])
    order = np.argsort(lrs)
    histories = tuple(_join_histories(ha, hb, order) for ha, hb in zip(a.histories, b.histories, strict=True))
    return Sweep(lrs[order], histories[0], histories, a.seeds)


#: Learning rates tried around a centre: half-decade steps from 1/30 to 30 times it.
HALF_DECADES = 10 ** np.arange(-1.5, 1.6, 0.5)


def tune(make: Callable, lr: float, data: Split, sizes: Sequence[int],
         grid: Sequence[float] = HALF_DECADES, widen: int = 2, **kwargs) -> Sweep:
    """Sweep the learning rates ``lr * grid``; while the best one is on an edge, go one
    decade further that way.

    Each widening adds two points at the grid's spacing; ``widen`` caps how often that
    can happen. ``seeds=(0, 1, 2)`` judges each rate by its mean final validation loss
    over those seeds.
    """
    result = sweep(make, lr * np.asarray(grid), data, sizes, **kwargs)
    for _ in range(widen):
        i, lrs = int(np.argmin(result.scores)), result.lrs
        if 0 < i < len(lrs) - 1:
            break
        ratio = lrs[1] / lrs[0]
        more = (lrs[0] / ratio ** np.array([2.0, 1.0]) if i == 0
                else lrs[-1] * ratio ** np.array([1.0, 2.0]))
        result = _join(result, sweep(make, more, data, sizes, **kwargs))
    return result


class MatrixSplit:
    """Send the weight matrices to one optimizer and every other parameter (the biases) to another.

    Some optimizers (Muon) are defined for matrices only; the usual recipe hands the rest to Adam(W).
    """

    def __init__(self, matrices, others) -> None:
        self.matrices, self.others = matrices, others

    def update(self, params: nn.Params, grads: nn.Params) -> None:
        mats = [k for k in params if k.startswith("W")]
        rest = [k for k in params if k not in mats]
        self.matrices.update({k: params[k] for k in mats}, {k: grads[k] for k in mats})
        self.others.update({k: params[k] for k in rest}, {k: grads[k] for k in rest})
