"""Explorers: sliders for an optimizer's hyperparameters, a surface and a start point.

The figure is drawn once; moving a slider re-runs the optimizer (a few milliseconds) and
only moves the path and the loss curve. Contours are redrawn only when the surface changes.
Sliders need a running kernel (Jupyter, Colab, Binder); chapters pair every explorer with a
kernel-free player from :mod:`optim.plot` for the static website.
"""

from __future__ import annotations

import io

import numpy as np
import PIL.Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plot
from .base import Optimizer
from .run import trajectory
from .surfaces import SURFACES, Surface


class Explorer:
    """Run ``optimizer_class(**values)`` on a surface and show its path and loss curve.

    ``sliders`` maps a hyperparameter to ``(low, high, value)``, or ``(low, high, value, "log")``
    for a log-scaled slider. ``fixed`` hyperparameters are passed unchanged.
    """

    def __init__(
        self,
        optimizer_class: type[Optimizer],
        sliders: dict[str, tuple],
        surface: str = "bowl",
        steps: int = 60,
        fixed: dict | None = None,
        surfaces: dict[str, type[Surface]] | None = None,
    ):
        self.optimizer_class = optimizer_class
        self.sliders = sliders
        self.fixed = fixed or {}
        self.surfaces = surfaces or SURFACES
        self.steps = steps
        self.values = {name: spec[2] for name, spec in sliders.items()}
        # A figure outside pyplot: the widget shows it, the inline backend never does.
        self.fig = Figure(figsize=(10, 3.9))
        FigureCanvasAgg(self.fig)
        self.ax, self.ax_loss = self.fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
        self.label = optimizer_class.__name__
        self.set_surface(surface)

    def set_surface(self, name: str, start=None):
        """Switch surface: the only change that redraws the contours."""
        self.surface = self.surfaces[name]()
        self.surface_name = name
        self.start = np.array(self.surface.start if start is None else start, dtype=float)
        self.ax.clear()
        plot.contours(self.ax, self.surface)
        self.ax.set_title(self.surface.title)
        self.line = plot.draw_path(self.ax, np.array([self.start]), self.label, markers=self.steps <= 80)
        self.start_marker = self.ax.lines[-1]
        self.ax_loss.clear()
        (self.curve,) = self.ax_loss.plot([], [], color=self.line.get_color())
        self.ax_loss.set_yscale("log")
        self.ax_loss.set_xlabel("step $t$")
        self.ax_loss.set_ylabel(r"$f(\theta_t) - f^\star$")
        self.fig.subplots_adjust(left=0.06, right=0.98, bottom=0.13, top=0.91, wspace=0.28)
        # Draw the contours once, without the moving parts; later renders paste this back.
        moving = [self.line, self.start_marker, self.ax_loss]
        for artist in moving:
            artist.set_visible(False)
        self.fig.canvas.draw()
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        for artist in moving:
            artist.set_visible(True)
        self.update()

    def run(self):
        optimizer = self.optimizer_class(**self.fixed, **self.values)
        return trajectory(optimizer, self.surface, start=self.start, steps=self.steps)

    def update(self, **values):
        """Apply new slider values (any subset) and move the path and the curve."""
        self.values.update(values)
        result = self.run()
        path, gap = result.path, result.gap
        self.line.set_data(path[:, 0], path[:, 1])
        self.start_marker.set_data([self.start[0]], [self.start[1]])
        self.curve.set_data(np.arange(len(gap)), np.where(gap > 0, gap, np.nan))
        finite = gap[np.isfinite(gap) & (gap > 0)]
        if finite.size:
            self.ax_loss.set_xlim(0, self.steps)
            self.ax_loss.set_ylim(max(finite.min(), 1e-16) / 2, finite.max() * 2)
        shown = ", ".join(f"{k} = {v:.3g}" for k, v in self.values.items())
        status = "  (diverged)" if result.diverged else ""
        self.ax_loss.set_title(f"{self.label}: {shown}{status}", fontsize=10)
        return result

    def png(self) -> bytes:
        """The figure as a PNG: the cached contours, then only the parts that move."""
        canvas = self.fig.canvas
        canvas.restore_region(self.background)
        self.ax.draw_artist(self.line)
        self.ax.draw_artist(self.start_marker)
        self.ax_loss.draw(canvas.get_renderer())
        image = PIL.Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def widget(self):
        """The sliders, a surface menu and start-point sliders, wired to this figure."""
        import ipywidgets as w
        from IPython.display import Image, display

        controls = {}
        for name, spec in self.sliders.items():
            low, high, value, *scale = spec
            if scale == ["log"]:
                controls[name] = w.FloatLogSlider(
                    value=value, base=10, min=np.log10(low), max=np.log10(high), step=0.01, description=name
                )
            else:
                controls[name] = w.FloatSlider(
                    value=value, min=low, max=high, step=(high - low) / 200, description=name
                )
        menu = w.Dropdown(options=list(self.surfaces), value=self.surface_name, description="surface")
        start_x = w.FloatSlider(value=self.start[0], min=self.surface.xlim[0], max=self.surface.xlim[1],
                                step=0.05, description="start x")
        start_y = w.FloatSlider(value=self.start[1], min=self.surface.ylim[0], max=self.surface.ylim[1],
                                step=0.05, description="start y")
        out = w.Output()

        def show():
            with out:
                out.clear_output(wait=True)
                display(Image(self.png()))

        def on_slider(change):
            self.update(**{name: c.value for name, c in controls.items()})
            show()

        def on_start(change):
            self.start = np.array([start_x.value, start_y.value])
            self.update()
            show()

        def on_surface(change):
            self.set_surface(menu.value)
            for slider, lim, value in ((start_x, self.surface.xlim, self.start[0]),
                                       (start_y, self.surface.ylim, self.start[1])):
                with slider.hold_trait_notifications():
                    slider.min, slider.max = min(lim[0], slider.min), max(lim[1], slider.max)
                    slider.value = value
                    slider.min, slider.max = lim
            show()

        for c in controls.values():
            c.observe(on_slider, names="value")
        start_x.observe(on_start, names="value")
        start_y.observe(on_start, names="value")
        menu.observe(on_surface, names="value")
        show()
        left = w.VBox(list(controls.values()))
        right = w.VBox([menu, start_x, start_y])
        return w.VBox([w.HBox([left, right]), out])


def explore(optimizer_class: type[Optimizer], surface: str = "bowl", steps: int = 60, fixed=None, **sliders):
    """Display an explorer: ``explore(Momentum, lr=(1e-3, 1, 0.05, "log"), momentum=(0, 0.99, 0.9))``."""
    return Explorer(optimizer_class, sliders, surface=surface, steps=steps, fixed=fixed).widget()
