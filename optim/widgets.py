"""Explorers: sliders over one or two hyperparameters, the path and the loss redrawn on every move.

One object, two modes, one look. Displayed in a notebook, an :class:`Explorer` is

* **live** where a kernel runs (Jupyter, Colab, Binder): ipywidgets sliders that re-run the
  optimizer at any value (a few milliseconds) and move only the path and the loss curve;
* **precomputed** on the static website: when the book is built, one batched
  :func:`optim.run.trajectory` runs every setting of a grid (12 x 12 by default), and the page's
  own sliders pick a run from it and redraw it, with no kernel and no network.

Both modes draw the same two panels: contours and the loss axes are pictures made once by
matplotlib (:mod:`optim.plot`); the path and the loss curve are SVG lines over them, placed by
the axes' own transforms and written by :func:`_svg_path` (live) or by the page's script from the
same numbers (static). The grid is stored as 16-bit integers, quarter pixels of the figure, so an
explorer of 12 x 12 settings x 100 steps weighs about 120 kB.
"""

from __future__ import annotations

import base64
import functools
import html
import importlib
import io
import itertools
import json
import uuid
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plot
from .run import Trajectory, settings, trajectory
from .surfaces import SURFACES, Surface

#: Settings per slider on the precomputed grid, and the most points of a path the page stores.
GRID = 12
POINTS = 100
#: One panel of an explorer, in inches at PANEL_DPI: on a 390 px phone its text stays 9 px or more.
PANEL_SIZE = (5.0, 3.9)
PANEL_DPI = 90
QUARTER = 4  # stored coordinates are quarter pixels
GAP = -32768  # a stored coordinate that means "no point" (a run that diverged)


@dataclass(frozen=True)
class Slider:
    """One knob: the grid the page offers, the starting value, and whether the scale is logarithmic.

    ``Slider.of("lr", (1e-3, 2.0, 0.1, "log"))`` spans 1e-3 to 2 in ``GRID`` log-spaced steps with
    0.1 among them; ``Slider.of("beta1", [0.0, 0.5, 0.9, 0.99])`` takes the values as given and
    starts at the middle one, ``Slider.of("beta1", ([0.0, 0.5, 0.9, 0.99], 0.9))`` at 0.9. The
    scale is logarithmic for "log" ranges and for positive lists spanning a factor of 100 or more.
    """

    name: str
    values: tuple[float, ...]
    value: float
    log: bool = False

    def __post_init__(self):
        values = np.asarray(self.values, dtype=float)
        if values.ndim != 1 or len(values) < 2 or not np.all(np.isfinite(values)) or np.any(np.diff(values) <= 0):
            raise ValueError(f"slider {self.name!r}: values must be at least two finite numbers, increasing; "
                             f"got {self.values!r}")
        if self.log and values[0] <= 0:
            raise ValueError(f"slider {self.name!r}: a log scale needs positive values, got {values[0]!r} first")
        if float(self.value) not in values:
            raise ValueError(f"slider {self.name!r}: its start {self.value!r} is not one of its values")

    @classmethod
    def of(cls, name: str, spec) -> Slider:
        if isinstance(spec, Slider):
            return spec
        if isinstance(spec, tuple) and len(spec) in (3, 4) and all(np.isscalar(s) for s in spec):
            low, high, value, *scale = spec
            if scale not in ([], ["log"]):
                raise ValueError(f"slider {name!r}: the fourth entry may only be 'log', got {scale[0]!r}")
            log = scale == ["log"]
            if not low <= value <= high or low >= high:
                raise ValueError(f"slider {name!r}: needs low < high and low <= value <= high, got {spec!r}")
            if log and low <= 0:
                raise ValueError(f"slider {name!r}: a log scale needs low > 0, got {low!r}")
            grid = np.geomspace(low, high, GRID) if log else np.linspace(low, high, GRID)
            grid[np.argmin(np.abs(np.log(grid / value) if log else grid - value))] = value
            return cls(name, tuple(float(v) for v in _round(grid)), float(value), log)
        start = None
        if isinstance(spec, tuple) and len(spec) == 2 and np.ndim(spec[0]) == 1:
            spec, start = spec
        values = np.asarray(spec, dtype=float)
        if values.ndim != 1:
            raise ValueError(f"slider {name!r}: give (low, high, value[, 'log']) or a list of values, got {spec!r}")
        log = bool(values[0] > 0 and values[-1] / values[0] >= 100)
        start = values[len(values) // 2] if start is None else start
        return cls(name, tuple(float(v) for v in values), float(start), log)

    @property
    def index(self) -> int:
        return self.values.index(float(self.value))

    def text(self, value: float) -> str:
        return f"{self.name} = {value:.3g}"


def _round(grid: np.ndarray) -> np.ndarray:
    """Grid values to three significant digits, as the page shows them (the runs use these values)."""
    return np.array([float(f"{v:.3g}") for v in grid])


def _recipe(factory) -> dict | None:
    """How a test (or a reader) can rebuild a surface or an optimizer: an importable name and keywords."""
    keywords = {}
    if isinstance(factory, functools.partial):
        if factory.args:
            return None
        keywords, factory = dict(factory.keywords), factory.func
    module, name = getattr(factory, "__module__", None), getattr(factory, "__qualname__", "")
    if not module or module == "__main__" or "<" in name:
        return None
    try:
        json.dumps(keywords)
    except TypeError:
        return None
    return {"callable": f"{module}:{name}", "keywords": keywords}


def rebuild(recipe: Mapping):
    """The surface or optimizer class a recipe names, with its keywords bound (the inverse of _recipe)."""
    module, name = recipe["callable"].split(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return functools.partial(target, **recipe["keywords"])


def _dash(label: str) -> str:
    """Matplotlib's dash for this label, in SVG px at PANEL_DPI ('' for a solid line)."""
    style = plot.linestyle(label)
    if style in ("-", "solid"):
        return ""
    width = mpl.rcParams["lines.linewidth"]
    _, dashes = mpl.lines._get_dash_pattern(style)
    return " ".join(f"{d * width * PANEL_DPI / 72:.2f}" for d in dashes)


@dataclass
class _Panel:
    """One picture drawn once (PNG, two pixels per CSS px) and the affine map from data to its pixels."""

    png: bytes
    width: int
    height: int
    clip: tuple[float, float, float, float]  # the axes' box: left, top, width, height (px)
    x: tuple[float, float]  # px = x[0] + x[1] * value (the loss panel: value = step)
    y: tuple[float, float]  # px = y[0] + y[1] * value (the loss panel: value = log10 of the gap)
    axes: object = None  # the matplotlib axes it was drawn from (tests compare the maps with its transData)


def _panel(fig: Figure, ax, log_y: bool = False) -> _Panel:
    """Draw a figure once, as a PNG of twice its pixels, and read its axes' map from data to pixels."""
    import PIL.Image

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width, height = canvas.get_width_height()
    # Two points fix each axis's affine map; (1, 1) and (10, 10) are one decade apart on a log axis.
    (x0, y0), (x1, y1) = ax.transData.transform([[1.0, 1.0], [10.0, 10.0]])
    x_step = (x1 - x0) / 9
    y_step = (y1 - y0) if log_y else (y1 - y0) / 9
    y_at_zero = y0 if log_y else y0 - y_step
    box = ax.get_window_extent()
    raw, out, dpi = io.BytesIO(), io.BytesIO(), fig.dpi * 2
    fig.savefig(raw, format="png", dpi=dpi, facecolor="white")
    image = PIL.Image.open(raw).convert("RGB")
    # 32 colours are all that grey contours and axes need: a third of the bytes of 256.
    image.quantize(colors=32, method=PIL.Image.Quantize.MEDIANCUT, dither=PIL.Image.Dither.NONE).save(
        out, format="png", optimize=True, dpi=(dpi, dpi))
    # Pixels count from the top left, matplotlib's display coordinates from the bottom left.
    return _Panel(out.getvalue(), width, height, (box.x0, height - box.y1, box.width, box.height),
                  (x0 - x_step, x_step), (height - y_at_zero, -y_step), ax)


class Explorer:
    """``make(**fixed, **slider values)`` on a surface: its path and its loss, for any slider setting.

    ``sliders`` maps one or two hyperparameters to a :class:`Slider` or its shorthand.
    ``surfaces`` are the choices of a surface menu (names of :data:`optim.surfaces.SURFACES`, or a
    mapping name -> surface factory), ``surface`` the first shown; ``reference`` maps labels to
    optimizer factories (e.g. ``functools.partial(SGD, lr=0.1)``) whose runs stay on screen, faded.
    ``steps`` is the length of every run; the page stores at most ``POINTS`` points of each.
    """

    def __init__(
        self,
        make: Callable,
        sliders: Mapping,
        surface: str = "bowl",
        surfaces: Sequence[str] | Mapping[str, Callable[[], Surface]] | None = None,
        steps: int = 60,
        fixed: Mapping | None = None,
        reference: Mapping[str, Callable] | None = None,
        label: str | None = None,
        alt: str = "",
    ):
        if not callable(make):
            raise TypeError(f"make must be an optimizer class or a function returning one, got {make!r}")
        if not sliders:
            raise ValueError("an explorer needs at least one slider")
        if int(steps) != steps or not 1 <= steps <= 5000:
            raise ValueError(f"steps must be a whole number from 1 to 5000, got {steps!r}")
        if surfaces is None:
            surfaces = [surface]
        if not isinstance(surfaces, Mapping):
            unknown = [s for s in surfaces if s not in SURFACES]
            if unknown:
                raise ValueError(f"unknown surfaces {unknown}; known: {sorted(SURFACES)}")
            surfaces = {name: SURFACES[name] for name in surfaces}
        if surface not in surfaces:
            raise ValueError(f"surface {surface!r} is not among the surfaces {list(surfaces)}")
        self.make = make
        self.sliders = {name: Slider.of(name, spec) for name, spec in sliders.items()}
        self.fixed = dict(fixed or {})
        clash = set(self.fixed) & set(self.sliders)
        if clash:
            raise ValueError(f"{sorted(clash)} are both fixed and on a slider")
        self.surfaces = dict(surfaces)
        self.surface_name = surface
        self.steps = int(steps)
        self.reference = dict(reference or {})
        self.label = label or getattr(make, "__name__", "run")
        self.alt = alt
        self.values = {name: s.value for name, s in self.sliders.items()}
        for name, s in self.sliders.items():  # a bad value anywhere on a slider fails here, before any drawing
            for value in s.values:
                self.make(**self.fixed, **{**self.values, name: value})
        self._drawn: dict[str, dict] = {}

    # --- the numbers: optim's runs ------------------------------------------------------------------

    @property
    def stored_steps(self) -> np.ndarray:
        """The steps whose points the page stores: all of them up to POINTS, else POINTS + 1 spread evenly."""
        if self.steps <= POINTS:
            return np.arange(self.steps + 1)
        return np.unique(np.round(np.linspace(0, self.steps, POINTS + 1)).astype(int))

    def surface(self, name: str | None = None) -> Surface:
        return self.surfaces[name or self.surface_name]()

    def run(self, surface: str | None = None, **values):
        """One run at any setting (the live mode's): the sliders' starting values, or those given."""
        chosen = {**self.values, **values}
        return trajectory(self.make(**self.fixed, **chosen), self.surface(surface), steps=self.steps)

    def grid(self, surface: str | None = None):
        """Every setting of the sliders' grids in one batched run: path (steps + 1, *grid, 2)."""
        axes = settings(**{name: s.values for name, s in self.sliders.items()})
        surface = self.surface(surface)
        # The start too has the grid's shape: some knobs (Prodigy's d0) do not set the batch alone.
        start = np.broadcast_to(surface.start, next(iter(axes.values())).shape[:-1] + (2,))
        return trajectory(self.make(**self.fixed, **axes), surface, start=start, steps=self.steps)

    # --- the pictures: drawn once per surface -------------------------------------------------------

    def _draw(self, name: str) -> dict:
        if name in self._drawn:
            return self._drawn[name]
        surface = self.surface(name)
        if len(self.sliders) <= 2:  # the page's grid; its runs also set the loss axis
            grid = self.grid(name)
            gaps = grid.gap
        else:  # live only: the loss axis spans the runs at the sliders' corners
            grid = None
            corners = itertools.product(*[(s.values[0], s.values[-1]) for s in self.sliders.values()])
            gaps = np.stack([self.run(name, **dict(zip(self.sliders, c))).gap for c in corners])
        refs = {label: trajectory(factory(), surface, steps=self.steps) for label, factory in self.reference.items()}
        left = Figure(figsize=PANEL_SIZE, dpi=PANEL_DPI)
        ax = left.subplots()
        plot.contours(ax, surface)
        ax.set_title(surface.title, fontsize=11)
        for i, (label, ref) in enumerate(refs.items()):
            plot.draw_path(ax, ref.path, label, i + 1, alpha=0.45)
        colour = plot.color(self.label)
        ax.plot(*surface.start, marker="o", markersize=7, markerfacecolor="none", markeredgecolor=colour, zorder=4)
        if refs:
            ax.legend(loc="upper right", fontsize=10)
        left.subplots_adjust(left=0.15, right=0.97, bottom=0.14, top=0.9)
        right = Figure(figsize=PANEL_SIZE, dpi=PANEL_DPI)
        ax_loss = right.subplots()
        for i, (label, ref) in enumerate(refs.items()):
            ax_loss.plot(np.where(ref.gap > 0, ref.gap, np.nan), color=plot.color(label, i + 1), alpha=0.45,
                         label=label)
        finite = gaps[np.isfinite(gaps) & (gaps > 0)]
        start_gap = float(surface.loss(np.asarray(surface.start)) - surface.min_loss)
        low = max(finite.min() if finite.size else 1e-16, 1e-16) / 2
        high = min(finite.max() * 2 if finite.size else 10.0, max(start_gap, 1e-12) * 1e3)
        ax_loss.set_yscale("log")
        ax_loss.set_ylim(low, max(high, low * 10))
        ax_loss.set_xlim(0, self.steps)
        ax_loss.set_xlabel("step $t$")
        ax_loss.set_ylabel(r"$f(\theta_t) - f^\star$")
        ax_loss.set_title("loss above the minimum", fontsize=11)
        if refs:
            ax_loss.legend(loc="upper right", fontsize=10)
        right.subplots_adjust(left=0.17, right=0.97, bottom=0.14, top=0.9)
        self._drawn[name] = {"path": _panel(left, ax), "loss": _panel(right, ax_loss, log_y=True),
                             "grid": grid}
        return self._drawn[name]

    # --- numbers to pixels (the page's script does the same with the stored numbers) ----------------

    def pixels(self, name: str, path: np.ndarray, gap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A run's stored points as quarter pixels: path (..., P, 2) and loss height (..., P)."""
        drawn = self._draw(name)
        p, q = drawn["path"], drawn["loss"]
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            xy = np.stack([p.x[0] + p.x[1] * path[..., 0], p.y[0] + p.y[1] * path[..., 1]], axis=-1)
            h = q.y[0] + q.y[1] * np.log10(np.where(gap > 0, gap, np.nan))
        return _quarters(xy), _quarters(h)

    def loss_x(self, name: str) -> np.ndarray:
        q = self._draw(name)["loss"]
        return np.round(q.x[0] + q.x[1] * self.stored_steps, 2)

    def svg_paths(self, name: str, run) -> tuple[str, str]:
        """The two SVG paths (path, loss curve) of one run, as both modes draw them."""
        keep = self.stored_steps
        xy, h = self.pixels(name, run.path[keep], run.gap[keep])
        loss = np.stack([self.loss_x(name), np.where(h == GAP, np.nan, h / QUARTER)], axis=-1)
        return _svg_path(np.where(xy == GAP, np.nan, xy / QUARTER)), _svg_path(loss)

    # --- the two modes ------------------------------------------------------------------------------

    def _status(self, run, values) -> str:
        shown = ", ".join(self.sliders[n].text(v) for n, v in values.items())
        if run.diverged:
            at = int(np.argmax(~np.isfinite(run.losses)))
            return f"{self.label}, {shown}: diverged at step {at}"
        return f"{self.label}, {shown}: f − f* = {float(run.gap[-1]):.2e} after {self.steps} steps"

    def _overlay(self, panel: _Panel, kind: str, uid: str, d: str = "") -> str:
        """The SVG over one panel: the same markup in both modes (the page's script sets ``d``)."""
        colour, dash = plot.color(self.label), _dash(self.label)
        left, top, w, h = panel.clip
        markers = kind == "path" and len(self.stored_steps) <= 81
        dot = (f'<marker id="{uid}-dot" viewBox="-2 -2 4 4" markerWidth="4" markerHeight="4" '
               f'markerUnits="userSpaceOnUse"><circle r="1.9" fill="{colour}"/></marker>') if markers else ""
        ends = f' marker-start="url(#{uid}-dot)" marker-mid="url(#{uid}-dot)" marker-end="url(#{uid}-dot)"' \
            if markers else ""
        return (f'<svg class="optim-explorer-{kind}" viewBox="0 0 {panel.width} {panel.height}" '
                f'preserveAspectRatio="none" aria-hidden="true" focusable="false">'
                f'<defs><clipPath id="{uid}-{kind}-clip"><rect x="{left:.2f}" y="{top:.2f}" width="{w:.2f}" '
                f'height="{h:.2f}"/></clipPath>{dot}</defs>'
                f'<path clip-path="url(#{uid}-{kind}-clip)" fill="none" stroke="{colour}" '
                f'stroke-width="{mpl.rcParams["lines.linewidth"] * PANEL_DPI / 72:.2f}" stroke-linejoin="round" '
                f'stroke-dasharray="{dash or "none"}"{ends} d="{d}"/></svg>')

    def _figures(self, name: str, uid: str, live_d: tuple[str, str] | None = None, hidden: bool = False) -> str:
        drawn = self._draw(name)
        surface = self.surface(name)
        alts = {"path": self.alt or f"contours of {surface.name}, with {self.label}'s path from its start, "
                f"ringed, for the setting chosen on the sliders",
                "loss": f"{self.label}'s loss above the minimum, step by step, on a log scale"}
        panels = []
        for i, kind in enumerate(("path", "loss")):
            panel = drawn[kind]
            src = "data:image/png;base64," + base64.b64encode(panel.png).decode("ascii")
            panels.append(f'<div class="optim-explorer-panel"><img src="{src}" width="{panel.width}" '
                          f'height="{panel.height}" alt="{html.escape(alts[kind])}">'
                          f'{self._overlay(panel, kind, uid, live_d[i] if live_d else "")}</div>')
        style = ' style="display:none"' if hidden else ""
        return f'<div class="optim-explorer-figures" data-surface="{html.escape(name)}"{style}>{"".join(panels)}</div>'

    def spec(self) -> dict:
        """What the page needs besides the pictures, and how a test can recompute every run."""
        return {
            "optimizer": _recipe(self.make), "fixed": self.fixed, "steps": self.steps,
            "label": self.label, "stored_steps": self.stored_steps.tolist(), "quarter": QUARTER, "gap": GAP,
            "sliders": [{"name": s.name, "values": list(s.values), "index": s.index,
                         "labels": [f"{v:.3g}" for v in s.values]} for s in self.sliders.values()],
            "surfaces": [{"name": n, "recipe": _recipe(f), "maps": self._maps(n)} for n, f in self.surfaces.items()],
            "surface": self.surface_name,
        }

    def _maps(self, name: str) -> dict:
        drawn = self._draw(name)
        return {kind: {"x": list(drawn[kind].x), "y": list(drawn[kind].y)} for kind in ("path", "loss")}

    def _data(self, name: str) -> dict:
        drawn = self._draw(name)
        grid, keep = drawn["grid"], self.stored_steps
        path = np.moveaxis(grid.path[keep], 0, -2)  # (*grid, P, 2)
        gap = np.moveaxis(grid.gap[keep], 0, -1)  # (*grid, P)
        xy, h = self.pixels(name, path, gap)
        status = [self._status(_one(grid, index), dict(zip(self.sliders, values)))
                  for index, values in _settings(self.sliders)]
        return {"path": _pack(xy, axis=-2), "loss": _pack(h, axis=-1),
                "loss_x": self.loss_x(name).tolist(),
                "status": base64.b64encode(zlib.compress(json.dumps(status).encode(), 9)).decode("ascii")}

    def _repr_html_(self) -> str:
        if len(self.sliders) > 2:
            raise ValueError(f"the page's explorer has one or two sliders (a grid of {GRID}**3 runs is too "
                             f"heavy for a page), got {list(self.sliders)}: use .widget() for a live-only one")
        uid = "explorer-" + uuid.uuid4().hex[:10]
        spec = self.spec()
        spec["data"] = {name: self._data(name) for name in self.surfaces}
        # The page shows the starting setting's run before its script has run (and in print).
        start = _one(self._draw(self.surface_name)["grid"], tuple(s.index for s in self.sliders.values()))
        # One id per surface's figures: a clip path referenced from a shown figure must not be a hidden one's.
        figures = "".join(self._figures(name, f"{uid}-{i}", hidden=name != self.surface_name,
                                        live_d=self.svg_paths(name, start) if name == self.surface_name else None)
                          for i, name in enumerate(self.surfaces))
        controls = "".join(
            f'<label class="optim-explorer-knob"><span>{html.escape(s.name)}</span>'
            f'<input type="range" min="0" max="{len(s.values) - 1}" step="1" value="{s.index}" '
            f'aria-label="{html.escape(s.name)}" aria-valuetext="{html.escape(s.text(s.value))}" '
            f'data-knob="{html.escape(s.name)}"><output>{s.value:.3g}</output></label>'
            for s in self.sliders.values())
        if len(self.surfaces) > 1:
            options = "".join(f'<option{" selected" if n == self.surface_name else ""}>{html.escape(n)}</option>'
                              for n in self.surfaces)
            controls += (f'<label class="optim-explorer-knob"><span>surface</span>'
                         f'<select aria-label="surface">{options}</select></label>')
        grid = " × ".join(str(len(s.values)) for s in self.sliders.values())
        first = self._status(start, self.values)
        mode = (f"Precomputed: the {grid} settings of these sliders were run by optim when the book was "
                f"built. In Jupyter, Colab or Binder the same sliders run it live, at any value.")
        return (f'<div class="optim-explorer" id="{uid}">{_STYLE}'
                f'<div class="optim-explorer-controls">{controls}</div>{figures}'
                f'<p class="optim-explorer-status" aria-live="polite">{html.escape(first)}</p>'
                f'<p class="optim-explorer-mode">{mode}</p>'
                f'<script type="application/json" class="optim-explorer-spec">{_json_for_script(spec)}</script>'
                f'<script>{_SCRIPT}</script></div>')

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": f"<Explorer of {self.label}: {', '.join(self.sliders)}>",
                  "text/html": self._repr_html_()}
        try:
            live = self.widget()
        except ImportError:  # no ipywidgets: the precomputed explorer works anyway
            return bundle
        view = live._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle

    def widget(self):
        """The live explorer: ipywidgets sliders that re-run ``optim`` at any value, same pictures."""
        import ipywidgets as w

        uid = "live-" + uuid.uuid4().hex[:10]
        controls = {}
        for name, s in self.sliders.items():
            low, high = s.values[0], s.values[-1]
            common = {"value": s.value, "description": name, "continuous_update": True,
                      "readout_format": ".3g", "layout": w.Layout(width="min(100%, 340px)")}
            if s.log:
                controls[name] = w.FloatLogSlider(base=10, min=np.log10(low), max=np.log10(high), step=0.01,
                                                  **common)
            else:
                # A round step, so that the marks of the page (0.9, 0.95, ...) are values of the slider too.
                step = 10.0 ** np.floor(np.log10((high - low) / 200))
                controls[name] = w.FloatSlider(min=low, max=high, step=step, **common)
        menu = w.Dropdown(options=list(self.surfaces), value=self.surface_name, description="surface",
                          layout=w.Layout(width="min(100%, 340px)"))
        figure = w.HTML()
        status = w.HTML()
        mode = w.HTML(f'{_STYLE}<p class="optim-explorer-mode">Live: every move of a slider runs optim in '
                      f'this kernel, at any value between the ends.</p>')

        def show(change=None):  # the widget's state is its controls': the explorer itself is not changed
            values = {name: c.value for name, c in controls.items()}
            run = self.run(menu.value, **values)
            d = self.svg_paths(menu.value, run)
            figure.value = f'<div class="optim-explorer">{self._figures(menu.value, uid, live_d=d)}</div>'
            status.value = f'<p class="optim-explorer-status">{html.escape(self._status(run, values))}</p>'

        for c in controls.values():
            c.observe(show, names="value")
        menu.observe(show, names="value")
        show()
        knobs = list(controls.values()) + ([menu] if len(self.surfaces) > 1 else [])
        box = w.VBox([w.HBox(knobs, layout=w.Layout(flex_flow="row wrap")), figure, status, mode])
        box.add_class("optim-explorer-live")
        return box


def explore(make: Callable, surface: str = "bowl", steps: int = 60, fixed=None, surfaces=None, reference=None,
            label: str | None = None, alt: str = "", **sliders) -> Explorer:
    """An explorer: ``explore(Momentum, lr=(1e-3, 2.0, 0.1, "log"), momentum=([0.0, 0.5, 0.9], 0.9))``.

    Display it (the last line of a cell): live sliders in a kernel, precomputed ones on the website.
    """
    return Explorer(make, sliders, surface=surface, surfaces=surfaces, steps=steps, fixed=fixed,
                    reference=reference, label=label, alt=alt)


# --- plumbing ----------------------------------------------------------------------------------


def _settings(sliders: Mapping[str, Slider]):
    """(grid index, values) for every setting, in the grid's row-major order."""
    for index in np.ndindex(*[len(s.values) for s in sliders.values()]):
        yield index, [s.values[i] for s, i in zip(sliders.values(), index)]


def _one(grid, index):
    """The run at one grid index of a batched trajectory, as an unbatched one."""
    return Trajectory(path=grid.path[(slice(None), *index)], losses=grid.losses[(slice(None), *index)],
                      diverged=grid.diverged[index], surface=grid.surface)


def _quarters(px: np.ndarray) -> np.ndarray:
    q = np.round(px * QUARTER)
    return np.where(np.isfinite(q), np.clip(q, GAP + 1, 32767), GAP).astype("<i2")


def _pack(values: np.ndarray, axis: int) -> str:
    """Quarter pixels, stored small: differences along a run (mod 2**16, so every int16 comes back,
    GAP too), their low bytes then their high bytes, deflated, in base64. The page's ``unpack``
    undoes it."""
    runs = values.astype(np.int64)
    deltas = np.diff(runs, axis=axis, prepend=0) % 65536
    planes = np.concatenate([(deltas & 255).ravel(), (deltas >> 8).ravel()]).astype(np.uint8)
    return base64.b64encode(zlib.compress(planes.tobytes(), 9)).decode("ascii")


def _svg_path(points: np.ndarray) -> str:
    """An SVG path through points (P, 2), broken where a point is missing; the page's script writes the same."""
    parts, pen_down = [], False
    for x, y in points:
        if not (np.isfinite(x) and np.isfinite(y)):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{_num(x)} {_num(y)}")
        pen_down = True
    return "".join(parts)


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _json_for_script(value) -> str:
    return json.dumps(value, separators=(",", ":")).replace("</", "<\\/")


_STYLE = """<style>
.optim-explorer{margin:0.5em 0 1em}
.optim-explorer-controls{display:flex;flex-wrap:wrap;gap:0.3em 1.5em;align-items:center;margin-bottom:0.4em}
.optim-explorer-knob{display:flex;align-items:center;gap:0.5em;font-size:0.95em;min-width:min(100%,300px)}
.optim-explorer-knob span{min-width:5.5em;font-family:var(--pst-font-family-monospace,monospace)}
.optim-explorer-knob input{flex:1;min-width:120px;height:28px;accent-color:#0072B2}
.optim-explorer-knob output{min-width:4.5em;font-variant-numeric:tabular-nums}
.optim-explorer-figures{display:flex;flex-wrap:wrap;gap:8px}
.optim-explorer-panel{position:relative;flex:1 1 320px;max-width:100%;line-height:0}
.optim-explorer-panel img{width:100%;height:auto;display:block;padding:0!important;margin:0;border-radius:0!important}
html[data-theme=dark] .optim-explorer-panel svg{filter:brightness(.8) contrast(1.2)}
.optim-explorer-panel svg{position:absolute;left:0;top:0;width:100%;height:100%;pointer-events:none}
.optim-explorer-status{margin:0.4em 0 0;font-variant-numeric:tabular-nums}
.optim-explorer-mode{margin:0.2em 0 0;font-size:0.85em;opacity:0.8}
</style>"""

#: The page's half: unpack the stored grid, then on every move pick the run of the chosen setting
#: and write its two SVG paths (numbers as _svg_path writes them in the live mode).
_SCRIPT = r"""(function () {
  var root = document.currentScript.parentElement;
  var spec = JSON.parse(root.querySelector("script.optim-explorer-spec").textContent);
  var ranges = Array.prototype.slice.call(root.querySelectorAll("input[type=range]"));
  var menu = root.querySelector("select"), status = root.querySelector(".optim-explorer-status");
  var P = spec.stored_steps.length, Q = spec.quarter, GAP = spec.gap, unpacked = {};
  function inflate(text) {
    var bytes = Uint8Array.from(atob(text), function (c) { return c.charCodeAt(0); });
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).arrayBuffer().then(function (b) { return new Uint8Array(b); });
  }
  function unpack(planes, stride, block) {  // undo _pack: bytes -> differences -> quarter pixels
    var n = planes.length / 2, out = new Int16Array(n);
    for (var i = 0; i < n; i++) {
      var d = planes[i] | (planes[n + i] << 8);
      out[i] = (i % block < stride ? d : out[i - stride] + d) << 16 >> 16;
    }
    return out;
  }
  function load(name) {
    if (!unpacked[name]) {
      var d = spec.data[name];
      unpacked[name] = Promise.all([inflate(d.path), inflate(d.loss), inflate(d.status)]).then(function (b) {
        return {path: unpack(b[0], 2, 2 * P), loss: unpack(b[1], 1, P), lossX: d.loss_x,
                status: JSON.parse(new TextDecoder().decode(b[2]))};
      });
    }
    return unpacked[name];
  }
  function say(element, text) {  // change the text in place: no new node, no restyling around it
    var node = element.firstChild;
    if (node && node.nodeType === 3 && !node.nextSibling) { if (node.data !== text) node.data = text; }
    else element.textContent = text;
  }
  function num(v) { return v.toFixed(2).replace(/\.?0+$/, ""); }
  function line(x, y) {
    var out = "", down = false;
    for (var k = 0; k < P; k++) {
      var a = x(k), b = y(k);
      if (a === null || b === null) { down = false; continue; }
      out += (down ? "L" : "M") + num(a) + " " + num(b);
      down = true;
    }
    return out;
  }
  function setting() {
    var flat = 0;
    ranges.forEach(function (r, i) {
      var s = spec.sliders[i], text = s.labels[+r.value];
      flat = flat * s.values.length + (+r.value);
      say(r.nextElementSibling, text);
      r.setAttribute("aria-valuetext", s.name + " = " + text);
    });
    return flat;
  }
  function draw(name, d, flat) {
    var base = flat * P, shown = null;
    Array.prototype.forEach.call(root.querySelectorAll(".optim-explorer-figures"), function (f) {
      var on = f.getAttribute("data-surface") === name;
      f.style.display = on ? "" : "none";
      if (on) shown = f;
    });
    var paths = shown.querySelectorAll("svg path"), xy = d.path, loss = d.loss;
    paths[0].setAttribute("d", line(
      function (k) { var v = xy[2 * (base + k)]; return v === GAP ? null : v / Q; },
      function (k) { var v = xy[2 * (base + k) + 1]; return v === GAP ? null : v / Q; }));
    paths[1].setAttribute("d", line(
      function (k) { return loss[base + k] === GAP ? null : d.lossX[k]; },
      function (k) { var v = loss[base + k]; return v === GAP ? null : v / Q; }));
    say(status, d.status[flat]);
    root.setAttribute("data-drawn", name + ":" + flat);
  }
  function update() {
    var name = menu ? menu.value : spec.surface, flat = setting();
    return load(name).then(function (d) { draw(name, d, flat); });
  }
  root.optimExplorer = {spec: spec, load: load, draw: draw, setting: setting, update: update};
  ranges.forEach(function (r) { r.addEventListener("input", update); });
  if (menu) menu.addEventListener("change", update);
  load(spec.surface).then(function () { root.setAttribute("data-ready", "true"); });
})();"""
