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
   (``nb_ipywidgets_js: {}``): on the website an explorer shows its precomputed page, not its
   widget view (``nb_mime_priority_overrides`` in _config.yml), so the state is dropped.
3. A second copy of the icons. pydata-sphinx-theme loads Font Awesome twice on every page: as
   the CSS and web fonts that draw the theme's icons, and as ``fontawesome.js`` (1.5 MB, the
   largest file of any page), which only serves sites that add custom icons. The book adds none,
   so the script tag is left out of the pages; the icons are drawn by the CSS as before.
4. MathJax on every page. myst-nb asks Sphinx to put every script on every page, so MathJax
   (755 kB, see _extra/mathjax/SOURCE.txt) loaded on pages without a formula too. It is left
   out of pages that have none.
5. A heavy search. Sphinx's search page fetched the whole HTML of every page it lists, to cut a
   summary from it: 13.6 MB for one query (the chapters then carried players' frames), 18 failed
   requests from file://, and summaries that showed raw TeX and the table of contents. The book
   turns that off (html_show_search_summary: false in _config.yml) and writes instead, once per
   build, the plain text of every section (``search-text.js``: short formulas as text, longer ones
   as an ellipsis, code and outputs left out), from which ``book-search.js`` (in _extra/) cuts
   the summaries on the search page.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

from docutils import nodes
from sphinx import addnodes
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
_MATHJAX = re.compile(r'\s*<script>window\.MathJax = .*?</script>'
                      r'|\s*<script[^>]*src="[^"]*/mathjax/[^"]*"[^>]*></script>')
_SEARCH_SCRIPTS = '<script src="search-text.js"></script>\n<script src="book-search.js"></script>\n</body>'


def _page_fixes(app: Sphinx) -> None:
    """Fixes 3-5 of the docstring, applied to every page as it is written."""
    templates = getattr(app.builder, "templates", None)
    if app.builder.format != "html" or templates is None:
        return
    render = templates.render

    def render_page(template: str, context: dict[str, Any]) -> str:
        html = _FONTAWESOME_JS.sub("", render(template, context))
        if 'class="math' not in html:
            html = _MATHJAX.sub("", html)
        if context.get("pagename") == "search":
            html = html.replace("</body>", _SEARCH_SCRIPTS, 1)
        return html

    templates.render = render_page


# --- the search page's summaries -------------------------------------------------------------------

_LEFT_OUT = (nodes.literal_block, nodes.raw, nodes.image, nodes.comment, nodes.system_message, nodes.target,
             addnodes.toctree, nodes.section)


_GREEK = {name: chr(code) for name, code in [
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5), ("varepsilon", 0x3B5),
    ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC),
    ("nu", 0x3BD), ("xi", 0x3BE), ("pi", 0x3C0), ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4), ("phi", 0x3C6),
    ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9), ("Gamma", 0x393), ("Delta", 0x394),
    ("Theta", 0x398), ("Lambda", 0x39B), ("Sigma", 0x3A3), ("Pi", 0x3A0), ("Phi", 0x3A6), ("Omega", 0x3A9),
    ("nabla", 0x2207), ("sqrt", 0x221A), ("infty", 0x221E), ("le", 0x2264), ("leq", 0x2264), ("ge", 0x2265),
    ("geq", 0x2265), ("approx", 0x2248), ("times", 0xD7), ("cdot", 0xB7), ("odot", 0x2299), ("to", 0x2192),
    ("ell", 0x2113), ("star", 0x22C6), ("top", 0x22A4), ("pm", 0xB1), ("ne", 0x2260), ("neq", 0x2260),
]}


def _formula_as_text(tex: str) -> str:
    """A short formula as plain text (\\beta_2 -> β_2), or an ellipsis if it is not that simple."""
    text = re.sub(r"\\(?:mathrm|mathbf|mathit|operatorname|text|hat|bar|tilde|boldsymbol)\b", "", tex)
    text = re.sub(r"\\(left|right|big|Big|,|;|!|quad|qquad)\b", " ", text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _GREEK.get(m.group(1), m.group(0)), text)
    text = re.sub(r"\s+", " ", text.replace("{", "").replace("}", "")).strip()
    return text if text and len(text) <= 24 and "\\" not in text and "$" not in text else "…"


def _plain_text(node: nodes.Node) -> str:
    """The words of a node as a reader sees them: short formulas as text, longer ones as an ellipsis;
    code, outputs and images left out."""
    if isinstance(node, nodes.Text):
        return node.astext()
    if isinstance(node, nodes.math):
        return _formula_as_text(node.astext())
    if isinstance(node, nodes.math_block):
        return " … "
    if isinstance(node, _LEFT_OUT) or {"cell_input", "cell_output"} & set(node.get("classes", [])):
        return " "
    words = "".join(_plain_text(child) for child in node.children)
    return words if isinstance(node, nodes.Inline) else f" {words} "


def _collect_search_text(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    sections = []
    for section in doctree.findall(nodes.section):
        text = re.sub(r"\s+", " ", "".join(_plain_text(child) for child in section.children)).strip()
        text = re.sub(r"(\s*…\s*)+", " … ", text)
        if text and section["ids"]:
            sections.append(["#" + section["ids"][0], text])
    if sections:
        sections[0][0] = ""  # the page's own title: the search lists it without an anchor
    if not hasattr(app.env, "book_search_text"):
        app.env.book_search_text = {}
    app.env.book_search_text[docname] = sections


def _write_search_text(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    store = getattr(app.env, "book_search_text", {})
    data = json.dumps(dict(sorted(store.items())), ensure_ascii=False, separators=(",", ":"))
    (pathlib.Path(app.outdir) / "search-text.js").write_text(f"window.BOOK_SEARCH_TEXT = {data};\n")


def _drop_widget_state(app: Sphinx, pagename: str, *args: Any) -> None:
    metadata = getattr(app.env, "nb_metadata", {}).get(pagename, {})
    metadata.get("js_files", {}).pop("ipywidgets_state", None)


def setup(app: Sphinx) -> dict[str, Any]:
    _patch_inline_scripts()
    app.connect("builder-inited", _page_fixes)
    app.connect("doctree-resolved", _collect_search_text)
    app.connect("build-finished", _write_search_text)
    # myst-nb adds the page's scripts at the default priority (500); run before it.
    app.connect("html-page-context", _drop_widget_state, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": False}
