"""The explorer (optim.widgets): its sliders, its stored grid, its maps to pixels, its two modes.

The page's half (the script that draws the stored runs) is tested in Chromium by tests/test_site.py;
the live half in a real JupyterLab by tests/test_jupyterlab.py.
"""

from __future__ import annotations

import base64
import functools
import json
import re
import zlib

import numpy as np
import pytest

from optim import SGD, Adam, Momentum, Prodigy
from optim.run import trajectory
from optim.surfaces import Rosenbrock
from optim.widgets import GAP, GRID, QUARTER, Explorer, Slider, explore, rebuild

LRS = [0.003, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5]
BETAS = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.99]


@functools.lru_cache
def momentum_explorer(steps=100, surface="bowl"):
    return explore(Momentum, surface=surface, steps=steps, lr=(LRS, 0.1), momentum=(BETAS, 0.9))


def _unpack(text: str, stride: int, block: int) -> np.ndarray:
    """What the page's script does (unpack in optim/widgets.py's _SCRIPT), written again in numpy."""
    planes = np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype=np.uint8)
    n = planes.size // 2
    deltas = (planes[:n].astype(np.int64) | (planes[n:].astype(np.int64) << 8)).reshape(-1, block // stride, stride)
    return (np.cumsum(deltas, axis=1) % 65536).astype(np.uint16).view(np.int16).reshape(-1)


def _spec(html: str) -> dict:
    return json.loads(re.search(r'class="optim-explorer-spec">(.*?)</script>', html, re.S).group(1))


# --- sliders ---------------------------------------------------------------------------------------

def test_a_range_gives_a_grid_that_holds_its_start():
    s = Slider.of("lr", (1e-3, 2.0, 0.1, "log"))
    assert len(s.values) == GRID and s.log and 0.1 in s.values
    assert s.values[0] == 1e-3 and s.values[-1] == 2.0
    assert np.all(np.diff(s.values) > 0)
    linear = Slider.of("momentum", (0.0, 0.99, 0.9))
    assert not linear.log and 0.9 in linear.values and len(linear.values) == GRID


def test_a_list_is_taken_as_given():
    s = Slider.of("beta1", ([0.0, 0.5, 0.9, 0.99], 0.9))
    assert s.values == (0.0, 0.5, 0.9, 0.99) and s.value == 0.9 and not s.log
    assert Slider.of("eps", [1e-8, 1e-6, 1e-4]).log  # positive, spanning 100x or more


@pytest.mark.parametrize("spec, words", [
    (([0.1, 0.3, 0.2], 0.1), "increasing"),
    (([0.1, 0.2], 0.5), "not one of its values"),
    ((0.0, 1.0, 0.5, "log"), "low > 0"),
    ((0.0, 1.0, 0.5, "square"), "only be 'log'"),
    ((1.0, 0.0, 0.5), "low < high"),
    (([0.1, np.nan], 0.1), "finite"),
])
def test_bad_sliders_name_the_culprit(spec, words):
    with pytest.raises(ValueError, match=re.escape(words)) as error:
        Slider.of("lr", spec)
    assert "'lr'" in str(error.value)


def test_bad_explorers_fail_before_drawing():
    with pytest.raises(ValueError, match="unknown surfaces"):
        explore(SGD, surfaces=["bowl", "moon"], lr=([0.1, 0.2], 0.1))
    with pytest.raises(ValueError, match="both fixed and on a slider"):
        explore(Adam, fixed={"lr": 0.1}, lr=([0.1, 0.2], 0.1))
    with pytest.raises(ValueError, match="lr"):  # optim's own check of a hyperparameter
        explore(SGD, lr=([-0.1, 0.2], 0.2))
    with pytest.raises(ValueError, match="steps"):
        explore(SGD, steps=0, lr=([0.1, 0.2], 0.1))
    with pytest.raises(ValueError, match="at least one slider"):
        Explorer(SGD, {})
    with pytest.raises(ValueError, match="one or two sliders"):
        Explorer(Adam, {"lr": ([0.1, 0.2], 0.1), "beta1": ([0.0, 0.9], 0.9),
                        "beta2": ([0.9, 0.999], 0.999)})._repr_html_()


# --- the stored grid: optim's runs, in quarter pixels ----------------------------------------------

def test_the_stored_grid_is_optims_runs_one_by_one():
    """Decoded as the page decodes it, each stored run is the run of that one setting, alone."""
    explorer = momentum_explorer()
    spec = _spec(explorer._repr_html_())
    data = spec["data"]["bowl"]
    points = len(spec["stored_steps"])
    path = _unpack(data["path"], 2, 2 * points).reshape(len(LRS), len(BETAS), points, 2)
    loss = _unpack(data["loss"], 1, points).reshape(len(LRS), len(BETAS), points)
    for i, j in [(0, 0), (5, 7), (11, 11), (9, 2), (3, 10)]:
        alone = trajectory(Momentum(lr=LRS[i], momentum=BETAS[j]), explorer.surface(), steps=100)
        xy, h = explorer.pixels("bowl", alone.path, alone.gap)
        assert np.abs(path[i, j].astype(int) - xy).max() <= 1, (LRS[i], BETAS[j])
        assert np.abs(loss[i, j].astype(int) - h).max() <= 1, (LRS[i], BETAS[j])
    status = json.loads(zlib.decompress(base64.b64decode(data["status"])))
    assert len(status) == len(LRS) * len(BETAS)
    assert status[0].startswith("Momentum, lr = 0.003, momentum = 0: f")
    assert "diverged at step" in status[11 * len(BETAS)]  # lr 1.5 without momentum: 1.5 * 2 > 2


def test_a_diverged_run_is_stored_as_gaps():
    explorer = momentum_explorer()
    run = explorer.run(lr=1.5, momentum=0.0)
    assert run.diverged
    xy, h = explorer.pixels("bowl", run.path, run.gap)
    assert np.all(xy[-1] == GAP) and h[-1] == GAP
    d_path, d_loss = explorer.svg_paths("bowl", run)
    assert d_path.count("M") >= 1 and "nan" not in d_path + d_loss


def test_long_runs_store_at_most_101_points_including_both_ends():
    explorer = explore(Adam, surface="rosenbrock", steps=600, lr=([0.01, 0.05], 0.05))
    steps = explorer.stored_steps
    assert len(steps) == 101 and steps[0] == 0 and steps[-1] == 600 and np.all(np.diff(steps) == 6)
    assert np.array_equal(momentum_explorer().stored_steps, np.arange(101))


def test_the_maps_to_pixels_are_the_axes_own():
    """The affine maps the page uses put a point where matplotlib drew it (the background's axes)."""
    explorer = momentum_explorer()
    drawn = explorer._draw("bowl")
    rng = np.random.default_rng(0)
    for kind in ("path", "loss"):
        panel = drawn[kind]
        ax = panel.axes
        xlim, ylim = ax.get_xlim(), ax.get_ylim()
        x = rng.uniform(*xlim, 20)
        y = np.exp(rng.uniform(*np.log(ylim), 20)) if kind == "loss" else rng.uniform(*ylim, 20)
        display = ax.transData.transform(np.stack([x, y], axis=-1))
        mine_x = panel.x[0] + panel.x[1] * x
        mine_y = panel.y[0] + panel.y[1] * (np.log10(y) if kind == "loss" else y)
        assert np.allclose(mine_x, display[:, 0], atol=1e-6)
        assert np.allclose(mine_y, panel.height - display[:, 1], atol=1e-6)


def test_the_start_is_batched_with_knobs_that_do_not_set_the_batch():
    """Prodigy's d0 is not one of the hyperparameters that set a run's batch: the start carries it."""
    explorer = explore(Prodigy, steps=20, d0=([1e-8, 1e-4], 1e-8), d_coef=([0.5, 1.0], 1.0))
    grid = explorer.grid()
    assert grid.path.shape == (21, 2, 2, 2)
    alone = trajectory(Prodigy(d0=1e-4, d_coef=0.5), explorer.surface(), steps=20)
    assert np.allclose(grid.path[:, 1, 0], alone.path, rtol=1e-12, atol=0)


def test_recipes_rebuild_the_surfaces_and_the_optimizer():
    from optim.regression import diabetes

    problems = {"batch 4": functools.partial(diabetes, batch_size=4), "rosenbrock": Rosenbrock}
    explorer = Explorer(SGD, {"lr": ([0.01, 0.1], 0.1)}, surface="batch 4", surfaces=problems, steps=5)
    spec = explorer.spec()
    assert rebuild(spec["optimizer"])().__class__ is SGD
    rebuilt = rebuild(spec["surfaces"][0]["recipe"])()
    assert rebuilt.batch_size == 4 and rebuilt.name == diabetes(batch_size=4).name
    assert isinstance(rebuild(spec["surfaces"][1]["recipe"])(), Rosenbrock)


# --- what the page weighs, and what it says ---------------------------------------------------------

@pytest.mark.parametrize("surface", ["bowl", "rosenbrock"])
def test_a_12_by_12_by_100_explorer_weighs_at_most_150_kb(surface):
    html = momentum_explorer(100, surface)._repr_html_()
    assert len(html.encode()) <= 150_000, f"{len(html.encode()) / 1e3:.0f} kB"


def test_the_page_explorer_is_accessible_and_deterministic():
    explorer = momentum_explorer()
    first, second = explorer._repr_html_(), explorer._repr_html_()
    assert _spec(first)["data"] == _spec(second)["data"]  # the same numbers every build
    for name, value in (("lr", "0.1"), ("momentum", "0.9")):
        assert f'aria-label="{name}"' in first and f'aria-valuetext="{name} = {value}"' in first
    alts = re.findall(r'<img [^>]*alt="([^"]+)"', first)
    assert len(alts) == 2 and all(len(a) > 40 for a in alts)
    assert "Precomputed" in first and "Colab" in first
    assert re.search(r'<path [^>]* d="M[-\d.]+ [-\d.]+L', first), "the starting run is drawn without the script"


def test_displayed_it_is_both_the_page_and_the_live_widget():
    pytest.importorskip("ipywidgets")
    bundle = momentum_explorer()._repr_mimebundle_()
    assert "text/html" in bundle and "optim-explorer-spec" in bundle["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_the_live_widget_runs_any_value_and_draws_it_the_same_way():
    pytest.importorskip("ipywidgets")
    explorer = momentum_explorer(60)
    box = explorer.widget()
    knobs, figure, status, mode = box.children
    lr_slider = knobs.children[0]
    before = figure.value
    lr_slider.value = 0.1234  # off the page's grid
    assert figure.value != before and "lr = 0.123" in status.value and "Live" in mode.value
    d_path, d_loss = explorer.svg_paths("bowl", explorer.run(lr=0.1234, momentum=0.9))
    assert f'd="{d_path}"' in figure.value and f'd="{d_loss}"' in figure.value
    assert re.sub(r"(explorer|live)-[0-9a-f]{10}", "", explorer._overlay(explorer._draw("bowl")["path"], "path",
                  "live-0123456789")) in re.sub(r"(explorer|live)-[0-9a-f]{10}", "", figure.value).replace(
                  f' d="{d_path}"', ' d=""')


def test_quarter_pixels_round_trip():
    from optim.widgets import _pack

    rng = np.random.default_rng(1)
    values = rng.integers(-32767, 32768, size=(3, 4, 7, 2)).astype("<i2")
    values[1, 2, 3:] = GAP
    back = _unpack(_pack(values, axis=-2), 2, 14).reshape(values.shape)
    assert np.array_equal(back, values)
    assert QUARTER == 4
