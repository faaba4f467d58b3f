"""optim.cost: bytes of optimizer state, counted on tiny cases by hand; the benchmark file's reader."""

import numpy as np
import pytest

from optim import SGD, Adam, AMSGrad, Momentum
from optim.cost import after_one_update, html_table, nbytes, read_benchmark, state_bytes, state_per_parameter


def test_nbytes_counts_arrays_by_dtype_and_numbers_as_eight_bytes():
    state = {"a": np.zeros(3), "b": [np.zeros((2, 2), np.float32), 1.5], "t": 7, "flag": True,
             "none": None, "scalar": np.float32(2.0), "pair": (np.zeros(1, np.int16), 0.0)}
    # 3*8 + (4*4 + 8) + 8 + 1 + 0 + 4 + (2 + 8)
    assert nbytes(state) == 24 + 24 + 8 + 1 + 0 + 4 + 10


def test_nbytes_refuses_what_it_cannot_count():
    with pytest.raises(TypeError, match="str"):
        nbytes({"m": np.zeros(2), "name": "adam"})


def test_state_bytes_of_adam_on_two_parameters():
    opt = Adam()
    opt.update({"a": np.zeros(2), "b": np.zeros((3, 1), np.float32)},
               {"a": np.ones(2), "b": np.ones((3, 1), np.float32)})
    assert state_bytes(opt) == 2 * (2 * 8) + 2 * (3 * 4)  # m and v of each


def test_state_per_parameter_by_hand():
    W = np.zeros((3, 2))
    assert state_per_parameter(SGD(), {"W": W}) == 0.0
    assert state_per_parameter(Momentum(), {"W": W}) == 8.0
    assert state_per_parameter(AMSGrad(), {"W": W.astype(np.float32)}) == 12.0
    # 5 entries: a has 2 float64 (16 bytes of state each), b 3 float32 (8 bytes each)
    params = {"a": np.zeros(2), "b": np.zeros(3, np.float32)}
    assert state_per_parameter(Adam(), params) == (2 * 16 + 3 * 8) / 5


def test_after_one_update_leaves_the_parameters_alone_and_is_seeded():
    W = np.ones((2, 2))
    first = after_one_update(Momentum(lr=0.1), {"W": W}, seed=3)
    again = after_one_update(Momentum(lr=0.1), {"W": W}, seed=3)
    other = after_one_update(Momentum(lr=0.1), {"W": W}, seed=4)
    assert np.array_equal(W, np.ones((2, 2))) and first.t == 1
    gradient = np.random.default_rng(3).standard_normal((2, 2))
    assert np.array_equal(first.state["W"]["v"], -0.1 * gradient)  # v = 0.9 * 0 - lr * g
    assert np.array_equal(first.state["W"]["v"], again.state["W"]["v"])
    assert not np.array_equal(first.state["W"]["v"], other.state["W"]["v"])


def test_read_benchmark(tmp_path):
    path = tmp_path / "cost.csv"
    path.write_text("# cpu: Some CPU, 2 logical cores\n# numpy: 2.0: with a colon\n"
                    "optimizer,dtype,median_ms\nSGD,float64,1.5\nAdam,float32,3\n")
    machine, rows = read_benchmark(path)
    assert machine == {"cpu": "Some CPU, 2 logical cores", "numpy": "2.0: with a colon"}
    assert rows == [{"optimizer": "SGD", "dtype": "float64", "median_ms": "1.5"},
                    {"optimizer": "Adam", "dtype": "float32", "median_ms": "3"}]


def test_html_table():
    left, right = '"text-align:left;padding:0 0.4em"', '"text-align:right;padding:0 0.4em"'
    assert html_table(["a", "b"], [["x", "1"]]) == (
        f'<div style="overflow-x:auto"><table><thead><tr><th style={left}>a</th><th style={right}>b</th>'
        f"</tr></thead><tbody><tr><td style={left}>x</td><td style={right}>1</td></tr></tbody></table></div>")
    assert html_table(["a", "b"], [], left=2).count("text-align:left") == 2
