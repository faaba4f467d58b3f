"""One figure style for the whole book: paths over contours, loss curves, kernel-free players.

Every optimizer has one colour on every page (``COLORS``; colour-blind safe: Okabe-Ito first,
then Paul Tol's muted set), and the optimizers whose colours are close also differ by their dash
(``LINESTYLES``); runs of one optimizer that differ by a hyperparameter take ``shades`` of its
colour. Contours are grey and log-spaced so the paths stand out, and figures have a white
background so they read the same on the site's light and dark themes.

Figures are made to be read where they are shown: the website's text column is 688 CSS px on a
1280 px laptop screen, and a figure at most ``MAX_WIDTH`` inches wide with text at least
``MIN_FONT_PT`` points keeps every letter at 9 px or more there (tests/test_site.py measures it).
In a notebook the figures are drawn at twice the pixels, as 256-colour PNGs (``figure_png``), so
they stay sharp on high-density screens and when a reader opens one full size on a phone, and
weigh about what a plain PNG would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from .run import Trajectory
from .surfaces import Surface

COLORS = {
    "GD": "#000000",
    "SGD": "#000000",
    "Momentum": "#E69F00",
    "Nesterov": "#D55E00",
    "AdaGrad": "#56B4E9",
    "RMSprop": "#0072B2",
    "AdaDelta": "#999933",
    "Adam": "#009E73",
    "AdaMax": "#CC79A7",
    "NAdam": "#882255",
    "AMSGrad": "#44AA99",
    "AdamW": "#117733",
    "Yogi": "#DDCC77",
    "RAdam": "#332288",
    "Lion": "#CC6677",
    "Muon": "#AA4499",
    "Adafactor": "#661100",
    "Shampoo": "#88CCEE",
    "SOAP": "#6699CC",
    "ScheduleFreeSGD": "#555555",
    "ScheduleFreeAdamW": "#225555",
    "Prodigy": "#EE3377",
}
#: Light greys, darker uphill: the paths drawn over them keep their colours.
CONTOUR_MAP = mpl.colors.LinearSegmentedColormap.from_list("book_contours", ["#ffffff", "#bdbdbd"])
#: Dashes that set apart optimizers whose colours are alike (two blues, two oranges, the greens
#: of the Adam family); every other optimizer draws a solid line.
LINESTYLES = {
    "Nesterov": "--",
    "RMSprop": "--",
    "AdamW": "--",
    "AMSGrad": ":",
    "NAdam": "-.",
    "RAdam": (0, (5, 1.5, 1, 1.5, 1, 1.5)),
    "Yogi": (0, (1, 1.2)),
    "Shampoo": "--",
    "SOAP": (0, (3, 1, 1, 1)),
    "ScheduleFreeSGD": "--",
    "ScheduleFreeAdamW": "-.",
}
#: For runs that are not named after an optimizer (e.g. several learning rates of one method).
CYCLE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#882255", "#999933"]

STYLE = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "figure.figsize": (6.4, 4.0),
    "font.size": 11,
    "axes.titlesize": 12,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "legend.frameon": False,
    "legend.fontsize": 10,
    "lines.linewidth": 1.8,
    "animation.embed_limit": 8.0,
}
mpl.rcParams.update(STYLE)
#: The widest figure, in inches, and the smallest text, in points, that stay readable on the page.
MAX_WIDTH = 10.0
MIN_FONT_PT = 10


def figure_png(fig, scale: int = 2) -> tuple[bytes, dict]:
    """A figure as a palette PNG at ``scale`` times its pixels, with the width to show it at.

    Twice the pixels keep lines and letters sharp on high-density screens and when a reader opens
    the figure full size; 256 colours (no dithering) keep the file about as small as a plain PNG
    at the normal size. The PNG records its dots per inch, from which the figure's size in inches
    (and so its text's size on the page) can be read back.
    """
    import io

    import PIL.Image

    dpi = fig.dpi * scale
    raw = io.BytesIO()
    fig.savefig(raw, format="png", dpi=dpi, bbox_inches="tight", facecolor=fig.get_facecolor())
    image = PIL.Image.open(raw).convert("RGB")
    small = image.quantize(colors=256, method=PIL.Image.Quantize.MEDIANCUT, dither=PIL.Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="png", optimize=True, dpi=(dpi, dpi))
    return out.getvalue(), {"width": image.width // scale}


def _sharp_figures_in_notebooks() -> None:
    """In IPython (Jupyter, Colab, the book's build), show every figure through ``figure_png``."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    from matplotlib.figure import Figure

    if "inline" in str(mpl.rcParams._get("backend")):
        # IPython's inline backend sets its own formatters once, when it is first imported: import
        # it now, so that the book's formatter set below is the one that stays.
        import matplotlib_inline.backend_inline  # noqa: F401
    formatters = shell.display_formatter.formatters
    formatters["image/png"].for_type(Figure, figure_png)
    for mime in ("image/jpeg", "image/svg+xml", "application/pdf"):
        formatters[mime].pop(Figure, None)


_sharp_figures_in_notebooks()


def _optimizer_of(label: str) -> str:
    return label.split()[0].rstrip(",:") if label else ""


def color(label: str, index: int = 0) -> str:
    """The book's colour for a run: its optimizer's colour if the label starts with one."""
    return COLORS.get(_optimizer_of(label), CYCLE[index % len(CYCLE)])


def linestyle(label: str):
    """The book's dash for a run: its optimizer's if the label starts with one, else solid."""
    return LINESTYLES.get(_optimizer_of(label), "-")


def shades(label: str, n: int) -> list[str]:
    """n colours for n runs of one optimizer (e.g. over a hyperparameter), light to dark.

    All are the optimizer's own hue, mixed with white for the first and with black for the last,
    so the order of the runs reads as the order of the shades.
    """
    if n < 1:
        raise ValueError(f"shades: n must be at least 1, got {n}")
    base = np.array(mpl.colors.to_rgb(color(label)))
    # Black (or near it) can only lighten, and a pale colour (Yogi's sand) only darken, to stay visible.
    low, high = (-0.75, 0.0) if base.mean() < 0.25 else (0.0, 0.6) if base.mean() > 0.65 else (-0.4, 0.45)
    mixes = np.linspace(low, high, n) if n > 1 else np.zeros(1)
    out = []
    for m in mixes:
        rgb = base + (1 - base) * -m if m < 0 else base * (1 - m)
        out.append(mpl.colors.to_hex(np.clip(rgb, 0, 1)))
    return out


def colors(labels: Sequence[str]) -> list[str]:
    """Colours for runs drawn together: each optimizer keeps its own colour, but runs of the same
    optimizer (e.g. "SGD, batch 1" and "SGD, batch 16") share it, so they get the cycle instead."""
    names = [_optimizer_of(label) for label in labels]
    shared = {n for n in names if names.count(n) > 1}
    return [CYCLE[i % len(CYCLE)] if n in shared else color(label, i)
            for i, (n, label) in enumerate(zip(names, labels))]


def _as_path(run) -> np.ndarray:
    return run.path if isinstance(run, Trajectory) else np.asarray(run)


def contours(ax, surface: Surface, levels: int = 18, resolution: int = 200):
    """Grey, log-spaced filled contours of f - min f over the surface's window, minima starred."""
    x = np.linspace(*surface.xlim, resolution)
    y = np.linspace(*surface.ylim, resolution)
    X, Y = np.meshgrid(x, y)
    gap = surface.f(X, Y) - surface.min_loss
    positive = gap[gap > 0]
    low = max(np.percentile(positive, 0.5), positive.max() * 1e-9)
    bounds = np.geomspace(low, positive.max(), levels)
    ax.contourf(X, Y, np.maximum(gap, low), levels=bounds, norm=mpl.colors.LogNorm(), cmap=CONTOUR_MAP)
    ax.contour(X, Y, gap, levels=bounds, colors="0.55", linewidths=0.4)
    for mx, my in surface.minima:
        if surface.xlim[0] <= mx <= surface.xlim[1] and surface.ylim[0] <= my <= surface.ylim[1]:
            ax.plot(mx, my, marker="*", color="white", markeredgecolor="black", markersize=13, zorder=5)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)
    ax.set_xlabel(surface.axis_labels[0])
    ax.set_ylabel(surface.axis_labels[1])
    return ax


def downhill_arrows(ax, surface: Surface, n: int = 13, color: str = "#0072B2"):
    """Arrows of the negative gradient on an n x n grid: the direction gradient descent steps in.

    Arrow lengths are scaled by the square root of the gradient's size so both gentle and
    steep regions stay readable; the direction is exact.
    """
    x = np.linspace(*surface.xlim, n + 2)[1:-1]
    y = np.linspace(*surface.ylim, n + 2)[1:-1]
    X, Y = np.meshgrid(x, y)
    g = surface.grad(np.stack([X, Y], axis=-1))
    size = np.linalg.norm(g, axis=-1, keepdims=True)
    d = -g / np.where(size > 0, np.sqrt(size), 1)
    ax.quiver(X, Y, d[..., 0], d[..., 1], color=color, angles="xy", width=0.004, zorder=3)
    return ax


def draw_path(ax, path: np.ndarray, label: str, index: int = 0, markers: bool | None = None, **kwargs):
    """One path (shape (steps + 1, 2)) as a line with a dot per step, its start ringed."""
    c = kwargs.pop("color", color(label, index))
    kwargs.setdefault("linestyle", linestyle(label))
    if markers is None:
        markers = len(path) <= 80
    (line,) = ax.plot(path[:, 0], path[:, 1], color=c, label=label, marker="o" if markers else None,
                      markersize=3, zorder=4, **kwargs)
    ax.plot(*path[0], marker="o", markersize=7, markerfacecolor="none", markeredgecolor=c, zorder=4)
    return line


def paths(
    surface: Surface,
    runs: Mapping[str, Trajectory | np.ndarray],
    ax=None,
    title: str | None = None,
    legend: bool = True,
    markers: bool | None = None,
):
    """Paths of several runs (label -> Trajectory or path array) over the surface's contours."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.4))
    contours(ax, surface)
    for (label, run), c in zip(runs.items(), colors(list(runs))):
        draw_path(ax, _as_path(run), label, markers=markers, color=c)
    ax.set_title(title if title is not None else surface.title)
    if legend and runs:
        ax.legend(loc="best")
    return ax


def loss_curves(runs: Mapping[str, Trajectory], ax=None, title: str = "", log: bool = True):
    """Loss above the minimum, step by step, on a log scale."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 3.6))
    for (label, run), c in zip(runs.items(), colors(list(runs))):
        gap = run.gap if isinstance(run, Trajectory) else np.asarray(run)
        ax.plot(np.arange(len(gap)), np.where(gap > 0, gap, np.nan), color=c, linestyle=linestyle(label),
                label=label)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step $t$")
    ax.set_ylabel(r"$f(\theta_t) - f^\star$")
    ax.set_title(title)
    if runs:
        ax.legend(loc="best")
    return ax


def compare(surface: Surface, runs: Mapping[str, Trajectory], title: str | None = None):
    """Paths (left) and loss curves (right) side by side: the book's standard comparison."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(MAX_WIDTH, 4.0), gridspec_kw={"width_ratios": [1.15, 1]})
    paths(surface, runs, ax=left, title=title)
    loss_curves(runs, ax=right, title="loss")
    fig.tight_layout()
    return fig


def grid(surfaces: Sequence[Surface], make_runs, ncols: int = 3, size: float = 3.3):
    """A grid of path plots, one per surface; ``make_runs(surface)`` returns label -> Trajectory."""
    nrows = -(-len(surfaces) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * 0.9 * nrows), squeeze=False)
    for ax, surface in zip(axes.flat, surfaces):
        paths(surface, make_runs(surface), ax=ax, legend=False, title=surface.name)
    for ax in axes.flat[len(surfaces):]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 6))
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


# --- kernel-free players: JavaScript animations that work on the static website ---------
#
# Frames are rendered by blitting: the contours are drawn once, and each frame only redraws
# the artists that move, then is stored as a palette PNG. The player is a few lines of
# self-contained JavaScript (no kernel, no network), so it works on the published pages.

_PLAYER = """
<div class="optim-player" id="{uid}" style="max-width:{width}px">
  <img id="{uid}-img" src="data:image/png;base64,{first}" alt="{alt}" style="width:100%;height:auto">
  <div style="display:flex;gap:0.6em;align-items:center;font-family:sans-serif;font-size:0.9em">
    <button type="button" id="{uid}-play" aria-label="play">&#9654; play</button>
    <input type="range" id="{uid}-range" min="0" max="{last}" value="0" style="flex:1"
           aria-label="{knob}" aria-valuetext="{first_label}">
    <span id="{uid}-label" style="min-width:11em">{first_label}</span>
  </div>
</div>
<script>
(function () {{
  var frames = {frames};
  var labels = {labels};
  var img = document.getElementById("{uid}-img");
  var range = document.getElementById("{uid}-range");
  var label = document.getElementById("{uid}-label");
  var play = document.getElementById("{uid}-play");
  var timer = null;
  function show(i) {{
    range.value = i;
    img.src = "data:image/png;base64," + frames[i];
    label.textContent = labels[i];
    range.setAttribute("aria-valuetext", labels[i]);
  }}
  function stop() {{ clearInterval(timer); timer = null; play.innerHTML = "&#9654; play"; }}
  range.addEventListener("input", function () {{ stop(); show(+range.value); }});
  play.addEventListener("click", function () {{
    if (timer) {{ stop(); return; }}
    var i = +range.value >= frames.length - 1 ? 0 : +range.value;
    play.innerHTML = "&#10074;&#10074; pause";
    show(i);
    timer = setInterval(function () {{
      if (i >= frames.length - 1) {{ stop(); return; }}
      show(++i);
    }}, {interval});
  }});
}})();
</script>
"""


def _png(canvas, dpi: float) -> str:
    import base64
    import io

    import PIL.Image

    image = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
    buffer = io.BytesIO()
    image.quantize(colors=96, method=PIL.Image.Quantize.MEDIANCUT).save(buffer, format="png", optimize=False,
                                                                                dpi=(dpi, dpi))
    return base64.b64encode(buffer.getvalue()).decode("ascii")


class Player:
    """A kernel-free animation: ``Player(fig, moving, update, labels)`` renders one frame per label.

    ``moving`` are the artists that change; ``update(i)`` sets them for frame i. Everything else is
    drawn once. The object displays itself in a notebook and on the website as HTML + JavaScript.
    ``knob`` names what the slider moves (e.g. "momentum"); a screen reader hears it, and the frame's
    label as the slider's value.
    """

    def __init__(self, fig, moving, update, labels: Sequence[str], alt: str = "", interval: int = 300,
                 knob: str = "frame"):
        import json
        import uuid

        from matplotlib.backends.backend_agg import FigureCanvasAgg

        canvas = FigureCanvasAgg(fig)
        for artist in moving:
            artist.set_visible(False)
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        for artist in moving:
            artist.set_visible(True)
        self.frames = []
        for i in range(len(labels)):
            update(i)
            canvas.restore_region(background)
            for artist in moving:
                artist.axes.draw_artist(artist) if artist.axes else fig.draw_artist(artist)
            self.frames.append(_png(canvas, fig.dpi))
        plt.close(fig)
        self.labels = list(labels)
        width, _ = canvas.get_width_height()
        self.html = _PLAYER.format(
            uid="player-" + uuid.uuid4().hex[:12], width=width, first=self.frames[0], last=len(self.frames) - 1,
            first_label=self.labels[0], frames=json.dumps(self.frames), labels=json.dumps(self.labels),
            interval=interval, alt=alt.replace('"', "&quot;"), knob=knob.replace('"', "&quot;"),
        )

    def _repr_html_(self) -> str:
        return self.html

    @property
    def nbytes(self) -> int:
        return len(self.html.encode())


# --- convergence maps: one number per (lr, momentum) setting -------------------------------


def convergence_map(
    lrs: Sequence[float],
    momenta: Sequence[float],
    values: np.ndarray,
    boundary=None,
    marks: Mapping[str, tuple[float, float]] | None = None,
    ax=None,
    label: str = "error kept per step",
    vmin: float = 0.0,
    vmax: float = 1.0,
    title: str = "",
):
    """A per-setting quantity over an (lr, momentum) grid, with the theory's boundary drawn on it.

    ``values[i, j]`` belongs to ``lrs[i]`` and ``momenta[j]``: the layout of a batched run with
    ``settings(lr=lrs, momentum=momenta)``. Values above ``vmax`` and nan (diverged runs) share
    one light grey. ``boundary`` is a function momentum -> lr (e.g. the largest stable lr), or a
    mapping label -> such function; ``marks`` maps a label to an (lr, momentum) point to star.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.2))
    lrs, momenta = np.asarray(lrs, dtype=float), np.asarray(momenta, dtype=float)
    cmap = mpl.colormaps["viridis"].with_extremes(over="#e6e6e6", bad="#e6e6e6")
    mesh = ax.pcolormesh(lrs, momenta, np.asarray(values, dtype=float).T, shading="nearest", cmap=cmap,
                         vmin=vmin, vmax=vmax, rasterized=True)
    ax.figure.colorbar(mesh, ax=ax, extend="max", label=label)
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    handles = [mpl.patches.Patch(facecolor="#e6e6e6", edgecolor="0.6", label=f"diverged or > {vmax:g}")]
    curves = {"theory's boundary": boundary} if callable(boundary) else dict(boundary or {})
    beta = np.linspace(ylim[0], ylim[1], 300)
    for i, (name, edge) in enumerate(curves.items()):
        ax.plot(edge(beta), beta, color="white", linewidth=4, alpha=0.8)  # a halo, readable on dark cells
        handles += ax.plot(edge(beta), beta, color="black", linestyle=["--", ":", "-."][i % 3], label=name)
    for name, (lr, momentum) in (marks or {}).items():
        handles += ax.plot(lr, momentum, marker="*", markersize=15, color="white", markeredgecolor="black",
                           linestyle="none", label=name)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel(r"momentum $\beta$")
    ax.set_title(title)
    ax.legend(handles=handles, loc="lower right", framealpha=0.9, frameon=True)
    return mesh
