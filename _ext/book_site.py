"""Small fixes for the book's website, loaded by _config.yml (sphinx: local_extensions).

Each fix removes something a default jupyter-book 1.0.4 build puts on every page;
tests/test_site.py fails if any of it comes back.

1. Inline scripts written twice. Sphinx 7 stores an inline script (``add_js_file(None,
   body=...)``) registered after the HTML builder started under the name ``None``, and then
   adds it again under ``''`` when it prepares the pages; the two do not compare equal, so the
   script appears twice. sphinx-thebe's ``const THEBE_JS_URL = ...`` then throws
   "Identifier 'THEBE_JS_URL' has already been declared" on every page, and
   sphinx-togglebutton's selector is declared twice. Sphinx fixed this upstream in 2025 (pull
   request 13402: pass ``''`` in both places), in a release jupyter-book 1.x cannot use (it
   needs Sphinx 7), so the same one-line fix is applied here.
2. Dead widget state. myst-nb embeds the executed notebook's ipywidgets state (about 100 kB per
   chapter) in a script tag for the widget manager. The book never loads that manager
   (``nb_ipywidgets_js: {}``): on the website the explorers are replaced by kernel-free players,
   so the state is dropped.
3. A second copy of the icons. pydata-sphinx-theme loads Font Awesome twice on every page: as
   the CSS and web fonts that draw the theme's icons, and as ``fontawesome.js`` (1.5 MB, the
   largest file of any page), which only serves sites that add custom icons. The book adds none,
   so the script tag is left out of the pages; the icons are drawn by the CSS as before.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder


def _patch_inline_scripts() -> None:
    original = StandaloneHTMLBuilder.add_js_file
    if getattr(original, "_book_site", False):
        return

    def add_js_file(self: StandaloneHTMLBuilder, filename: str | None, **kwargs: Any) -> None:
        original(self, filename or "", **kwargs)

    add_js_file._book_site = True  # type: ignore[attr-defined]
    StandaloneHTMLBuilder.add_js_file = add_js_file  # type: ignore[method-assign]


_FONTAWESOME_JS = re.compile(r'\s*<script[^>]*src="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*></script>')


def _without_fontawesome_js(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    if app.builder.format != "html" or templates is None:
        return
    render = templates.render

    def render_page(template: str, context: dict[str, Any]) -> str:
        return _FONTAWESOME_JS.sub("", render(template, context))

    templates.render = render_page


def _drop_widget_state(app: Sphinx, pagename: str, *args: Any) -> None:
    metadata = getattr(app.env, "nb_metadata", {}).get(pagename, {})
    metadata.get("js_files", {}).pop("ipywidgets_state", None)


def setup(app: Sphinx) -> dict[str, Any]:
    _patch_inline_scripts()
    app.connect("builder-inited", _without_fontawesome_js)
    # myst-nb adds the page's scripts at the default priority (500); run before it.
    app.connect("html-page-context", _drop_widget_state, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
