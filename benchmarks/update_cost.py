"""Time one update of every optimizer of the book (``optim.OPTIMIZERS``) on a 1024 x 1024 matrix.

    python benchmarks/update_cost.py             # writes benchmarks/update_cost.csv (a minute or two)
    python benchmarks/update_cost.py --print     # the same measurements, printed, no file written

For each optimizer (default hyperparameters), dtype (float64, float32) and number of BLAS threads
(1, and all the machine has): a fresh optimizer makes WARMUP updates (the first creates its
state), then single updates are timed one by one, at least MIN_UPDATES and until BUDGET seconds
or MAX_UPDATES have been spent. The median is the cost of a typical update; the mean is the
amortised cost, which differs from it only for a method whose expensive work runs every k steps
(``update_every``; such a method is timed over a whole number of periods).
The gradient is the same standard normal matrix every step. The state's size, counted by
``optim.cost.state_bytes`` after the first update, is written too, so that chapter 93 can check
the file against the implementations. The first lines of the file (``# key: value``) record the
machine.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import pathlib
import platform
import statistics
import sys
import time

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from optim import OPTIMIZERS  # noqa: E402
from optim.cost import state_bytes  # noqa: E402

SHAPE = (1024, 1024)
DTYPES = ("float64", "float32")
WARMUP, MIN_UPDATES, MAX_UPDATES, BUDGET = 2, 5, 30, 3.0
COLUMNS = ["optimizer", "dtype", "blas_threads", "state_bytes", "updates", "median_ms", "mean_ms", "min_ms",
           "max_ms"]


def cpu_model() -> str:
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, str]:
    blas = [f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')}, {i['num_threads']} threads)"
            for i in threadpool_info() if i["user_api"] == "blas"]
    return {"cpu": f"{cpu_model()}, {os.cpu_count()} logical cores",
            "python": platform.python_version(), "numpy": np.__version__, "blas": "; ".join(blas) or "unknown",
            "load_average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python benchmarks/update_cost.py"}


def time_updates(cls, dtype: str, threads: int) -> dict:
    rng = np.random.default_rng(0)
    params = {"W": rng.standard_normal(SHAPE).astype(dtype)}
    grads = {"W": rng.standard_normal(SHAPE).astype(dtype)}
    optimizer = cls()
    with threadpool_limits(threads, user_api="blas"):
        optimizer.update(params, grads)
        size = state_bytes(optimizer)
        for _ in range(WARMUP - 1):
            optimizer.update(params, grads)
        # a method that refreshes its preconditioner every k steps is timed over whole periods
        every = int(getattr(optimizer, "update_every", 1))
        times, start = [], time.perf_counter()
        while len(times) < MIN_UPDATES or len(times) % every or (
                len(times) < MAX_UPDATES and time.perf_counter() - start < BUDGET):
            before = time.perf_counter()
            optimizer.update(params, grads)
            times.append(time.perf_counter() - before)
    ms = [1e3 * t for t in times]
    return {"optimizer": cls.__name__, "dtype": dtype, "blas_threads": threads, "state_bytes": size,
            "updates": len(ms), "median_ms": f"{statistics.median(ms):.4g}",
            "mean_ms": f"{statistics.fmean(ms):.4g}", "min_ms": f"{min(ms):.4g}", "max_ms": f"{max(ms):.4g}"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--print", action="store_true", help="print the rows; do not write the CSV")
    args = parser.parse_args()
    info = machine()
    threads = sorted({1, max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")})
    rows = []
    for cls in OPTIMIZERS:
        for dtype in DTYPES:
            for n in threads:
                rows.append(time_updates(cls, dtype, n))
                print(", ".join(str(rows[-1][c]) for c in COLUMNS), flush=True)
    info["load_average"] += f" before, {' '.join(f'{x:.2f}' for x in os.getloadavg())} after"
    if args.print:
        return
    path = ROOT / "benchmarks" / "update_cost.csv"
    with path.open("w", newline="") as out:
        out.writelines(f"# {key}: {value}\n" for key, value in info.items())
        writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
