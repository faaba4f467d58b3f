"""Time one ``Adam.update`` on 4M float32 parameters against ``torch.optim.Adam(foreach=True)``.

    python benchmarks/adam_update.py            # torch is optional: without it, only optim is timed
"""

import pathlib
import sys
import timeit

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from optim import Adam  # noqa: E402

N = 4_000_000
REPEAT, NUMBER = 7, 20


def best_ms(fn):
    fn()  # warm-up: state is created on the first step
    return min(timeit.repeat(fn, repeat=REPEAT, number=NUMBER)) / NUMBER * 1e3


def main():
    rng = np.random.default_rng(0)
    params = {"w": rng.standard_normal(N).astype(np.float32)}
    grads = {"w": rng.standard_normal(N).astype(np.float32)}
    opt = Adam(lr=1e-3)
    ours = best_ms(lambda: opt.update(params, grads))
    print(f"optim.Adam.update, {N:,} float32: {ours:.2f} ms")
    try:
        import torch
    except ImportError:
        print("torch not installed: no comparison")
        return
    p = torch.nn.Parameter(torch.from_numpy(params["w"].copy()))
    p.grad = torch.from_numpy(grads["w"].copy())
    topt = torch.optim.Adam([p], lr=1e-3, foreach=True)
    theirs = best_ms(topt.step)
    print(f"torch.optim.Adam(foreach=True).step ({torch.__version__}, {torch.get_num_threads()} threads): "
          f"{theirs:.2f} ms")
    print(f"ratio optim / torch: {ours / theirs:.2f}")
    torch.set_num_threads(1)
    single = best_ms(topt.step)
    print(f"torch, 1 thread: {single:.2f} ms; ratio optim / torch(1 thread): {ours / single:.2f}")


if __name__ == "__main__":
    main()
