"""Compare optimizers on a surface: run several side by side, tune each one's learning rate.

    >>> import numpy as np
    >>> from optim import SGD, Adam
    >>> from optim.surfaces import Bowl
    >>> runs = race({"SGD": SGD(lr=0.95), "Adam": Adam(lr=0.3)}, Bowl(), steps=30)
    >>> best = tune_lr(Adam, Bowl(), lrs=np.geomspace(1e-3, 10, 41), steps=30)

A hand-picked learning rate shows a method's character; a tuned one is the fair comparison.
:func:`tune_lr` tunes by one batched run over a grid (see :func:`optim.run.settings`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from . import plot
from .base import Optimizer
from .run import Trajectory, settings, trajectory
from .surfaces import Surface


def race(optimizers: Mapping[str, Optimizer], surface: Surface, start=None, steps: int = 30) -> dict[str, Trajectory]:
    """Run each fresh optimizer on ``surface`` from the same start: label -> Trajectory."""
    return {label: trajectory(opt, surface, start=start, steps=steps) for label, opt in optimizers.items()}


@dataclass
class Tuned:
    """The outcome of :func:`tune_lr`: the best ``lr``, its ``final_loss`` (above the minimum),
    its run ``best``, and the whole batched ``sweep`` (one path per learning rate)."""

    lr: float
    final_loss: float
    best: Trajectory
    sweep: Trajectory


def tune_lr(
    optimizer_class: type[Optimizer], surface: Surface, lrs, steps: int = 30, start=None, **fixed
) -> Tuned:
    """The learning rate on the grid ``lrs`` with the lowest loss after ``steps`` steps.

    All learning rates run at once, as one batched trajectory; runs that diverge never win.
    ``fixed`` hyperparameters (e.g. ``momentum=0.9``) are passed to every run.
    """
    lrs = np.asarray(lrs, dtype=float)
    sweep = trajectory(optimizer_class(**fixed, **settings(lr=lrs)), surface, start=start, steps=steps)
    final = np.where(sweep.diverged, np.inf, sweep.gap[-1])
    i = int(np.argmin(final))
    best = Trajectory(path=sweep.path[:, i], losses=sweep.losses[:, i], diverged=sweep.diverged[i], surface=surface)
    return Tuned(lr=float(lrs[i]), final_loss=float(final[i]), best=best, sweep=sweep)


def panels(surface: Surface, runs: Mapping[str, Trajectory], ncols: int = 3, size: float = 3.3):
    """One path plot per run (label -> Trajectory), in a grid, each in its optimizer's colour."""
    nrows = -(-len(runs) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * 0.75 * nrows), squeeze=False)
    for ax, (label, run) in zip(axes.flat, runs.items(), strict=False):
        plot.paths(surface, {label: run}, ax=ax, title=label, legend=False)
    for ax in axes.flat[len(runs):]:
        ax.axis("off")
    fig.tight_layout()
    return fig
