"""Time the explorers' two modes, and weigh the page's half.

    python benchmarks/widget_update.py

Live (a kernel): one slider move re-runs the optimizer at the new value and writes the figure's
HTML (the pictures drawn once, the two SVG paths new). Page (the website): building one explorer,
a batched run of its whole grid, its pictures and its stored numbers, and the bytes it adds to the
page. The page's own redraw is timed in Chromium by tests/test_site.py (input to paint, per explorer).
"""

import pathlib
import sys
import time

import matplotlib

matplotlib.use("Agg")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402

from optim import Adam, Momentum  # noqa: E402
from optim.widgets import explore  # noqa: E402

LRS = [0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5]
BETAS = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99]


def median_ms(fn, repeat=30):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main():
    for make, surface, steps, second in [(Momentum, "bowl", 100, "momentum"), (Adam, "rosenbrock", 100, "beta1")]:
        started = time.perf_counter()
        explorer = explore(make, surface=surface, steps=steps, lr=(LRS, 0.1), **{second: (BETAS, 0.9)})
        page = explorer._repr_html_()
        built = time.perf_counter() - started
        box = explorer.widget()
        lr_slider = box.children[0].children[0]
        values = iter(np.geomspace(LRS[0], LRS[-1], 1000))
        move = median_ms(lambda s=lr_slider, v=values: setattr(s, "value", float(next(v))))
        run_only = median_ms(lambda e=explorer, v=values: e.run(lr=float(next(v))))
        print(f"{make.__name__} on {surface}, 12 x 12 settings x {steps} steps: page explorer built in "
              f"{built:.1f} s, {len(page.encode()) / 1e3:.0f} kB; live slider move {move:.1f} ms "
              f"(of which the run {run_only:.1f} ms)")


if __name__ == "__main__":
    main()
