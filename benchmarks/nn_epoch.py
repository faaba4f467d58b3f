"""Time one training epoch of the numpy network (optim.nn + optim.Adam) against the same network in PyTorch.

    python benchmarks/nn_epoch.py               # torch is optional: without it, only numpy is timed
    python benchmarks/nn_epoch.py --threads 2   # let both libraries use two threads
    python benchmarks/nn_epoch.py --hidden 1024 --batch 256   # a wider network: arithmetic, not overhead

By default both sides train a 64-128-10 ReLU network with softmax cross-entropy and Adam (lr 1e-3) in float32,
batch 64, over the 1,079 training rows of chapter 22's split of the digits (17 steps per epoch):
the same arithmetic, so the difference is the per-step overhead of each library. Without
scikit-learn (which ships the digits), random inputs of the same shape are used; the cost is the same.
"""

import argparse
import os
import pathlib
import sys
import timeit

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--threads", type=int, default=1, help="BLAS / intra-op threads for both libraries")
parser.add_argument("--repeat", type=int, default=7, help="timed repeats; the best is reported")
parser.add_argument("--hidden", type=int, default=128, help="width of the hidden layer (chapter 22: 128)")
parser.add_argument("--batch", type=int, default=64, help="minibatch size (chapter 22: 64)")
args = parser.parse_args()
for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[name] = str(args.threads)  # before numpy is imported, so its BLAS reads them

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from optim import Adam, nn  # noqa: E402
from optim.data import batches  # noqa: E402

SIZES, BATCH, LR, EPOCHS_PER_TIMING = (64, args.hidden, 10), args.batch, 1e-3, 5


def training_rows():
    try:
        from optim.data import digits

        split = digits(seed=0)
        return split.X_train, split.y_train, "digits"
    except ImportError:
        rng = np.random.default_rng(0)
        return rng.standard_normal((1079, 64)).astype(np.float32), rng.integers(0, 10, 1079), "random stand-in"


def best_ms_per_epoch(epoch) -> float:
    epoch()  # warm-up: optimizer state, caches
    return min(timeit.repeat(epoch, repeat=args.repeat, number=EPOCHS_PER_TIMING)) / EPOCHS_PER_TIMING * 1e3


def numpy_epoch(X, y):
    params, opt, rng = nn.init(SIZES, seed=0), Adam(lr=LR), np.random.default_rng(0)

    def epoch():
        for xb, yb in batches(X, y, BATCH, rng):
            _, grads = nn.loss_and_grads(params, xb, yb)
            opt.update(params, grads)

    return epoch


def torch_epoch(X, y):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    layers = torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(), torch.nn.Linear(SIZES[1], SIZES[2])
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    generator = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(len(yt), generator=generator)
        for start in range(0, len(yt), BATCH):
            rows = order[start : start + BATCH]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(Xt[rows]), yt[rows]).backward()
            opt.step()

    return epoch, torch.__version__


def main():
    X, y, source = training_rows()
    steps = -(-len(y) // BATCH)
    print(f"one epoch: {len(y)} rows of {source}, batch {BATCH} ({steps} steps), network {SIZES}, Adam, float32, "
          f"{args.threads} thread(s)")
    ours = best_ms_per_epoch(numpy_epoch(X, y))
    print(f"numpy {np.__version__} (optim.nn + optim.Adam): {ours:6.2f} ms/epoch ({ours / steps * 1e3:.0f} us/step)")
    try:
        epoch, version = torch_epoch(X, y)
    except ImportError:
        print("torch not installed: no comparison")
        return
    theirs = best_ms_per_epoch(epoch)
    print(f"torch {version} (nn.Sequential + optim.Adam): {theirs:6.2f} ms/epoch ({theirs / steps * 1e3:.0f} us/step)")
    print(f"numpy / torch: {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
