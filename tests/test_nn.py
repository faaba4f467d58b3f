"""The numpy network, its data and its training loop: backpropagation against central differences."""

import numpy as np
import pytest

from optim import SGD, Adam, nn
from optim.data import batches, digits
from optim.train import MatrixSplit, sweep, train, tune

SIZES = (64, 16, 10)


@pytest.fixture(scope="module")
def data():
    return digits(seed=0)


def numerical_grads(params, X, y, h=1e-6):
    """Central differences of the loss, one parameter entry at a time."""
    grads = {}
    for key, p in params.items():
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            old = p[index]
            p[index] = old + h
            up = nn.loss(params, X, y)
            p[index] = old - h
            down = nn.loss(params, X, y)
            p[index] = old
            g[index] = (up - down) / (2 * h)
        grads[key] = g
    return grads


@pytest.mark.parametrize("sizes", [(5, 4, 3), (6, 5, 4, 3), (3, 2)])
def test_gradients_match_central_differences(sizes):
    rng = np.random.default_rng(1)
    params = nn.init(sizes, seed=2, dtype=np.float64)
    for key in params:  # nonzero biases, so their gradients are tested away from the symmetric start
        params[key] += 0.1 * rng.standard_normal(params[key].shape)
    X = rng.standard_normal((7, sizes[0]))
    y = rng.integers(0, sizes[-1], size=7)
    value, grads = nn.loss_and_grads(params, X, y)
    assert value == pytest.approx(nn.loss(params, X, y), rel=1e-12)
    expected = numerical_grads(params, X, y)
    assert list(grads) == list(params)
    for key in params:
        scale = np.abs(expected[key]).max() + 1e-12
        assert np.abs(grads[key] - expected[key]).max() / scale < 1e-6, key


def test_shapes_dtypes_and_he_scale():
    params = nn.init((64, 128, 10), seed=0)
    assert {k: v.shape for k, v in params.items()} == {"W1": (64, 128), "b1": (128,), "W2": (128, 10), "b2": (10,)}
    assert all(v.dtype == np.float32 for v in params.values())
    assert not params["b1"].any()
    # He initialisation: variance 2 / fan_in (within sampling error of 8192 draws)
    assert params["W1"].var() == pytest.approx(2 / 64, rel=0.05)
    X = np.zeros((5, 64), np.float32)
    assert nn.forward(params, X).shape == (5, 10)
    _, grads = nn.loss_and_grads(params, X, np.arange(5))
    assert all(grads[k].shape == params[k].shape and grads[k].dtype == np.float32 for k in params)


def test_softmax_cross_entropy_is_stable():
    params = nn.init((2, 3), seed=0, dtype=np.float64)
    params["W1"][:] = [[1e4, 0, -1e4], [0, 0, 0]]  # logits of size 1e4 overflow exp() without the shift
    X, y = np.array([[1.0, 0.0]]), np.array([2])
    value, grads = nn.loss_and_grads(params, X, y)
    assert value == pytest.approx(2e4)
    assert all(np.isfinite(g).all() for g in grads.values())
    assert nn.loss(params, X, np.array([0])) == 0.0


def test_split_is_standardised_with_training_statistics(data):
    assert len(data.y_train) + len(data.y_val) + len(data.y_test) == 1797
    assert len(data.y_test) == len(data.y_val) == 359
    assert np.abs(data.X_train.mean(axis=0)).max() < 1e-5
    assert data.X_val.mean() != pytest.approx(0, abs=1e-6)  # not re-centred with its own statistics
    again = digits(seed=0)
    assert np.array_equal(again.X_test, data.X_test) and np.array_equal(again.y_train, data.y_train)
    assert not np.array_equal(digits(seed=1).y_train, data.y_train)


def test_batches_cover_every_row_once_in_a_seeded_order(data):
    def epoch(seed):
        return [y for _, y in batches(data.X_train, data.y_train, 64, np.random.default_rng(seed))]

    first = epoch(3)
    assert [len(y) for y in first] == [64] * 16 + [len(data.y_train) - 16 * 64]
    assert sorted(np.concatenate(first)) == sorted(data.y_train)
    assert all(np.array_equal(a, b) for a, b in zip(first, epoch(3), strict=True))
    assert not np.array_equal(first[0], epoch(4)[0])


def test_training_with_sgd_lowers_the_loss_and_is_deterministic(data):
    runs = [train(SGD(lr=0.1), nn.init(SIZES, seed=0), data, epochs=3, batch_size=64, seed=0) for _ in range(2)]
    history = runs[0]
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]
    assert history.val_loss[-1] < history.val_loss[0]
    assert len(history.train_loss) == 4 and len(history.seconds) == 3
    assert history.val_accuracy[-1] > 0.7  # from 10% (chance) in three epochs
    assert np.array_equal(runs[0].train_loss, runs[1].train_loss)
    assert all(np.array_equal(runs[0].params[k], runs[1].params[k]) for k in runs[0].params)


def test_divergence_is_caught_not_raised(data):
    history = train(SGD(lr=1e6), nn.init(SIZES, seed=0), data, epochs=3, batch_size=64, seed=0)
    assert history.diverged
    assert len(history.val_loss) == 4 and len(history.seconds) < 3 and np.isnan(history.val_loss[-1])
    assert np.isnan(history.test_accuracy(data))


def test_a_stacked_sweep_equals_separate_runs(data):
    lrs = [1e-4, 0.03, 0.1, 1e5]
    stacked = sweep(SGD, lrs, data, SIZES, epochs=2, batch_size=64)
    one_by_one = sweep(SGD, lrs, data, SIZES, epochs=2, batch_size=64, stacked=False)
    assert stacked.history.val_loss.shape == (3, 4)
    assert list(stacked.history.diverged) == list(one_by_one.history.diverged) == [False, False, False, True]
    assert np.allclose(stacked.history.val_loss, one_by_one.history.val_loss, rtol=1e-4, equal_nan=True)
    single = train(SGD(lr=0.1), nn.init(SIZES, seed=0), data, epochs=2, batch_size=64, seed=0)
    assert np.allclose(stacked.history.train_loss[:, 2], single.train_loss, rtol=1e-4)
    assert np.allclose(stacked.history.test_accuracy(data)[:3], one_by_one.history.test_accuracy(data)[:3])
    assert stacked.best == one_by_one.best == 0.1


def test_a_diverged_network_does_not_stop_the_others(data):
    result = sweep(SGD, [0.1, 1e6], data, SIZES, epochs=2, batch_size=64)
    assert list(result.history.diverged) == [False, True]
    assert np.isfinite(result.history.val_loss[:, 0]).all() and np.isnan(result.history.val_loss[-1, 1])
    assert np.isinf(result.scores[1]) and result.best == 0.1


def test_matrix_split_sends_matrices_and_biases_to_their_optimizers():
    params = nn.init(SIZES, seed=0)
    before = {k: v.copy() for k, v in params.items()}
    grads = {k: np.ones_like(v) for k, v in params.items()}
    MatrixSplit(SGD(lr=0.5), Adam(lr=0.01)).update(params, grads)
    assert np.allclose(params["W1"], before["W1"] - 0.5)
    assert np.allclose(params["b2"], before["b2"] - 0.01)


def test_tune_widens_the_grid_until_the_best_rate_is_inside(data):
    result = tune(SGD, 1e-4, data, SIZES, grid=[0.1, 1, 10], epochs=2, batch_size=64)
    assert np.allclose(result.lrs, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0])  # widened upwards twice
    assert result.history.val_loss.shape == (3, 7)
    assert np.all(np.diff(result.lrs) > 0)
    narrow = tune(SGD, 1e-4, data, SIZES, grid=[0.1, 1, 10], widen=0, epochs=2, batch_size=64)
    assert np.array_equal(narrow.history.val_loss, result.history.val_loss[:, :3])


def test_a_sweep_over_seeds_is_judged_by_the_mean_and_init_replaces_the_start(data):
    lrs = [0.03, 0.1, 1e6]
    several = sweep(SGD, lrs, data, SIZES, seeds=(0, 1), epochs=2, batch_size=64)
    alone = [sweep(SGD, lrs, data, SIZES, seed=s, epochs=2, batch_size=64) for s in (0, 1)]
    assert several.seeds == (0, 1) and len(several.histories) == 2
    assert several.history is several.histories[0]
    assert np.array_equal(several.final_val_loss, np.stack([r.scores for r in alone]))
    assert np.allclose(several.scores[:2], np.mean([r.scores[:2] for r in alone], axis=0))
    assert np.isinf(several.scores[2])  # diverged in a seed: never the best
    start = nn.init(SIZES, seed=0)
    kept = {k: v.copy() for k, v in start.items()}
    same = sweep(SGD, lrs, data, SIZES, seed=0, init=start, epochs=2, batch_size=64)
    assert np.array_equal(same.scores, alone[0].scores)
    assert all(np.array_equal(start[k], kept[k]) for k in start)  # init is copied, not trained
    again = sweep(SGD, lrs[:2], data, SIZES, seeds=(0, 1), init=[start, nn.init(SIZES, 1)],
                  stacked=False, epochs=2, batch_size=64)
    assert np.allclose(again.final_val_loss, several.final_val_loss[:, :2], rtol=1e-4)


def test_tune_over_seeds_widens_every_seed_alike(data):
    result = tune(SGD, 1e-4, data, SIZES, grid=[0.1, 1, 10], seeds=(0, 1), epochs=2, batch_size=64)
    assert len(result.lrs) == 7 and all(h.val_loss.shape == (3, 7) for h in result.histories)
    assert result.best == result.lrs[np.argmin(result.final_val_loss.mean(axis=0))]
