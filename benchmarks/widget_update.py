"""Time one explorer update: re-run the optimizer, move the lines, render the PNG the notebook shows.

    python benchmarks/widget_update.py
"""

import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402

from optim import Adam, Momentum  # noqa: E402
from optim.widgets import Explorer  # noqa: E402


def median_ms(fn, repeat=30):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    for cls, sliders, surface, steps in [
        (Momentum, {"lr": (1e-3, 1, 0.05, "log"), "momentum": (0, 0.99, 0.9)}, "bowl", 60),
        (Adam, {"lr": (1e-3, 1, 0.1, "log"), "beta1": (0, 0.99, 0.9), "beta2": (0.5, 0.9999, 0.999)},
         "rosenbrock", 300),
    ]:
        explorer = Explorer(cls, sliders, surface=surface, steps=steps)
        values = iter(np.geomspace(1e-3, 0.5, 1000))
        run_only = median_ms(lambda e=explorer, v=values: e.update(lr=next(v)))
        full = median_ms(lambda e=explorer, v=values: (e.update(lr=next(v)), e.png()))
        switch = median_ms(lambda e=explorer, s=surface: (e.set_surface(s), e.png()), repeat=5)
        print(f"{cls.__name__} on {surface}, {steps} steps: slider update {full:.0f} ms "
              f"(run + lines {run_only:.1f} ms), surface switch {switch:.0f} ms")


if __name__ == "__main__":
    main()
