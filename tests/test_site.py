"""The website in a real browser: build the book, serve it on 127.0.0.1, open every page in Chromium.

Every page, in the light and in the dark theme, and opened straight from the files (file://, as
from an unpacked zip), must have: no script errors and no console errors or warnings; no request
that fails and none that leaves this machine (the site works offline);
every image loaded, and every figure on an opaque background (readable in both themes); every
formula typeset by the MathJax that ships with the site, and no raw TeX left; no dead widgets.
Chapter pages must also have Colab and Binder launch links and a notebook download, and every
chapter with an explorer must show it and say where its sliders are live. Every explorer is driven
as a reader would (mouse, keyboard, touch, a surface menu): each move must redraw within a frame,
and the path drawn must be, to a pixel, the one optim computes for that setting. A chapter page
brings at most 1.5 MB of its own (its HTML and images; the site's shared CSS, scripts, fonts and
MathJax are counted once, apart), and no page loads more than 5 MB in all.

Screenshots of every page, light and dark, are saved next to the build (the path is printed),
with a report of page weights and messages (site-report.json).

The tests need Chromium and the Python package playwright (playwright drives the system's Chromium;
it never downloads a browser). Without them they skip, saying how to enable them; in CI (CI=true)
a missing browser is a failure. Environment variables:
  CHROMIUM=/path/to/chromium   the browser (default: chromium on PATH, else /usr/bin/chromium)
  BOOK_SITE=_build/html        test an existing build instead of building the book first
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest
import yaml
from book import toc_files

ROOT = pathlib.Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
MAX_PAGE_BYTES = 5 * 1024 * 1024
#: What a chapter brings of its own (its HTML, inline explorers and players, its images), and what the
#: site's shared files (theme CSS, scripts and fonts, MathJax), each counted once, may weigh.
MAX_OWN_BYTES = 1.5 * 1024 * 1024
MAX_SHARED_BYTES = 2.5 * 1024 * 1024
SHARED_FOLDERS = ("_static", "mathjax", "_sphinx_design_static")
HOW_TO_ENABLE = (
    "to run them, install Chromium (Debian/Ubuntu: `sudo apt-get install chromium`) and "
    "`pip install playwright` (it uses that Chromium and downloads nothing); set CHROMIUM=/path/to/chromium "
    "if it is not on PATH"
)
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-default-apps",
]
SCHEMES = ("light", "dark")
#: Light and dark over http://127.0.0.1, and the site opened as files (file://), as from an unpacked zip.
VISITS = ("light", "dark", "file")


def _config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def _toc_files() -> list[str]:
    """Every document of _toc.yml, in order (read at run time: chapters are added as they are written)."""
    found = toc_files()
    return list(dict.fromkeys(re.sub(r"\.(md|ipynb)$", "", f) for f in found))


def _notebook_source(doc: str) -> str | None:
    path = ROOT / f"{doc}.ipynb"
    if not path.exists():
        return None
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def _chromium() -> str | None:
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                  "/usr/bin/chromium"]
    return next((c for c in candidates if c and os.path.exists(c)), None)


def _require_browser() -> str:
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright")
    chromium = _chromium()
    if chromium is None:
        missing.append("Chromium")
    if missing:
        message = f"browser tests need {' and '.join(missing)}: {HOW_TO_ENABLE}"
        if IN_CI:
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    return chromium


TOC = _toc_files()
CHAPTERS = [d for d in TOC if d.startswith("chapters/") and (ROOT / f"{d}.ipynb").exists()]
EXPLORER_CHAPTERS = [d for d in CHAPTERS
                     if re.search(r"\b(explore|Explorer)\(|\boptim\.widgets\b|\binteract\(", _notebook_source(d) or "")]


def _page_explorers(doc: str) -> int:
    """How many explorers the chapter displays (optim.widgets cells whose output is kept)."""
    cells = json.loads((ROOT / f"{doc}.ipynb").read_text())["cells"]
    return sum(1 for c in cells if c["cell_type"] == "code" and "optim.widgets" in "".join(c["source"])
               and ".widget()" not in "".join(c["source"])
               and not {"remove-output", "remove-cell"} & set(c.get("metadata", {}).get("tags", [])))


PAGE_EXPLORER_CHAPTERS = [d for d in CHAPTERS if _page_explorers(d)]
PAGES = TOC + ["genindex", "search"]


# --- building and serving -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def site(tmp_path_factory) -> pathlib.Path:
    """The built website: BOOK_SITE if given, else a fresh strict build into a temporary folder."""
    _require_browser()
    if os.environ.get("BOOK_SITE"):
        html = pathlib.Path(os.environ["BOOK_SITE"]).resolve()
        assert (html / "index.html").exists(), f"BOOK_SITE={html} has no index.html"
        return html
    out = tmp_path_factory.mktemp("book")
    jupyter_book = pathlib.Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book if jupyter_book.exists() else shutil.which("jupyter-book")),
               "build", str(ROOT), "--path-output", str(out), "-W", "-n", "--keep-going"]
    started = time.time()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert done.returncode == 0, f"the book does not build:\n{done.stdout[-6000:]}\n{done.stderr[-6000:]}"
    print(f"\nbuilt the site in {time.time() - started:.0f} s: {out / '_build' / 'html'}")
    return out / "_build" / "html"


@pytest.fixture(scope="session")
def server(site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


# --- what one visit records -----------------------------------------------------------------------

#: The start of every page probe: MathJax's loader defines MathJax.startup only once its components
#: have loaded, so wait for it, then for the typesetting.
WAIT_FOR_MATHJAX = r"""
  for (let i = 0; window.MathJax && !(MathJax.startup && MathJax.startup.promise) && i < 400; i++) {
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
"""

PAGE_STATE = r"""
async () => {""" + WAIT_FOR_MATHJAX + r"""  await document.fonts.ready;
  const article = document.querySelector("main") || document.body;
  const images = Array.from(document.images).map(img => ({
    src: img.currentSrc || img.src, ok: img.complete && img.naturalWidth > 0,
    inArticle: article.contains(img) && !img.closest("header, nav, .bd-header-article"),
    alt: img.getAttribute("alt"), shown: img.getBoundingClientRect().width, natural: img.naturalWidth,
    linked: !!img.closest("a.image-reference"), player: !!img.closest(".optim-player, .optim-explorer"),
  }));
  // Code that scrolls sideways in the page's column: cell inputs and code blocks, and outputs (printed
  // text wraps; the package source that show() prints keeps to 88 columns, tests/test_book.py).
  const wide = sel => Array.from(document.querySelectorAll(sel)).filter(p => p.scrollWidth > p.clientWidth + 1)
    .map(p => p.textContent.split("\n").reduce((a, b) => a.length >= b.length ? a : b, "").slice(0, 120));
  // Figures must be opaque: a transparent background turns black text unreadable on the dark theme.
  const figures = [];
  for (const img of document.querySelectorAll(".bd-article img")) {
    if (!(img.complete && img.naturalWidth > 0)) continue;
    const w = img.naturalWidth, h = img.naturalHeight, c = document.createElement("canvas");
    c.width = w; c.height = h;
    const g = c.getContext("2d", {willReadFrequently: true});
    g.drawImage(img, 0, 0);
    let pts;
    try {
      pts = [[0.03, 0.03], [0.97, 0.03], [0.03, 0.97], [0.97, 0.97]].map(([x, y]) =>
        Array.from(g.getImageData(Math.floor(x * w), Math.floor(y * h), 1, 1).data));
    } catch (e) { continue; }  // file:// pages cannot read their images' pixels; checked over http
    figures.push({src: (img.currentSrc || img.src).slice(0, 80), opaque: pts.every(p => p[3] === 255),
                  light: pts.filter(p => p[0] + p[1] + p[2] >= 3 * 200).length});
  }
  // Raw TeX left in the text (outside code): $$, \( \) \[ \], a \command, or a $...$ pair.
  const rawTex = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.parentElement.closest("pre, code, script, style, textarea, mjx-container, .highlight, .cell_output")
      ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const m = n.textContent.match(/\$\$|\\\(|\\\)|\\\[|\\\]|\\[a-zA-Z]{2,}|\$[^$\s][^$\n]*\$/);
    if (m) rawTex.push(n.textContent.trim().slice(0, 120));
  }
  const mathEls = Array.from(document.querySelectorAll(".math"));
  // Math must take the colour of the text around it (readable on both themes).
  const mathOffColour = Array.from(document.querySelectorAll("mjx-container")).filter(m =>
    getComputedStyle(m).color !== getComputedStyle(m.parentElement).color).map(m => m.textContent.slice(0, 40));
  const admonitions = Array.from(document.querySelectorAll(".admonition")).map(a => a.innerText);
  return {
    theme: document.documentElement.dataset.theme, mode: document.documentElement.dataset.mode,
    images, figures, rawTex,
    math: mathEls.length, typeset: mathEls.filter(e => e.querySelector("mjx-container")).length,
    mjx: document.querySelectorAll("mjx-container").length,
    mathErrors: Array.from(document.querySelectorAll("mjx-merror")).map(e => e.textContent.slice(0, 80)),
    mathOffColour,
    links: Array.from(document.querySelectorAll("a[href]")).map(a => a.getAttribute("href")),
    players: document.querySelectorAll("div.optim-player").length,
    explorers: document.querySelectorAll("div.optim-explorer").length,
    liveNote: admonitions.some(t => /Colab/.test(t) && /Binder/.test(t) && /slider/i.test(t)),
    deadWidgets: document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-view+json"], .jupyter-widgets').length,
    height: document.body.scrollHeight,
    wideCode: wide(".bd-article div.highlight pre:not(.cell_output pre)"),
    wideOutput: wide(".bd-article .cell_output pre"),
    float64: (document.body.innerText.match(/np\.float(64|32)\([^)]*\)/g) || []).slice(0, 5),
  };
}
"""

PLAYER_WORKS = r"""
() => Array.from(document.querySelectorAll("div.optim-player")).map(p => {
  const img = p.querySelector("img"), range = p.querySelector("input[type=range]");
  const label = p.querySelector("span"), before = img.src, first = label.textContent;
  range.value = range.max; range.dispatchEvent(new Event("input"));
  const ok = img.src !== before && label.textContent !== first && +range.max > 0
    && range.getAttribute("aria-valuetext") === label.textContent && range.getAttribute("aria-label") !== "frame";
  range.value = 0; range.dispatchEvent(new Event("input"));
  return ok;
})
"""


@pytest.fixture(scope="session")
def visits(site, server, pytestconfig):
    """Open every page of the site, light and dark; record what each showed. {scheme: {page: record}}."""
    chromium = _require_browser()
    from playwright.sync_api import sync_playwright

    shots = site.parent / "screenshots"
    # index.html only redirects to the first page: it is checked apart (test_index_opens_the_book).
    relative = [p.relative_to(site) for p in site.rglob("*.html")]
    pages = sorted(r.with_suffix("").as_posix() for r in relative
                   if not r.parts[0].startswith(("_", ".")) and r.as_posix() != "index.html")
    results: dict[str, dict[str, dict]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for scheme in VISITS:
                base = site.as_uri() + "/" if scheme == "file" else server
                context = browser.new_context(color_scheme="light" if scheme == "file" else scheme,
                                              viewport={"width": 1280, "height": 900})
                external: list[str] = []
                context.route("**/*", _offline_router(base, external))
                results[scheme] = {}
                for name in pages:
                    shot = None if scheme == "file" else shots / scheme / (name.replace("/", "_") + ".png")
                    results[scheme][name] = _visit(context, base, site, name, external, shot)
                context.close()
            context = browser.new_context()
            page = context.new_page()
            page.goto(server + "index.html")
            page.wait_for_load_state("networkidle")
            results["index"] = {"url": page.url}
            context.close()
        finally:
            browser.close()
    report = {scheme: {n: {k: v for k, v in r.items() if k not in ("images", "links", "figures")}
                       for n, r in results[scheme].items()} for scheme in VISITS}
    (site.parent / "site-report.json").write_text(json.dumps(report, indent=1))
    results["shared"] = {f: (site / f).stat().st_size for r in results["light"].values() for f in r["shared_files"]}
    weights = sorted(((r["bytes"], n) for n, r in results["light"].items()), reverse=True)
    own = sorted(((r["own_bytes"], n) for n, r in results["light"].items()), reverse=True)
    pytestconfig.book_site_summary = [
        f"site: {site}",
        f"screenshots (light and dark): {shots}",
        f"report: {site.parent / 'site-report.json'}",
        "heaviest pages (everything they load): " + ", ".join(f"{n} {b / 1e6:.2f} MB" for b, n in weights[:3]),
        "heaviest pages of their own: " + ", ".join(f"{n} {b / 1e6:.2f} MB" for b, n in own[:3])
        + f"; shared files, counted once: {sum(results['shared'].values()) / 1e6:.2f} MB",
    ]
    return results


def _offline_router(base: str, external: list[str]):
    """Let through the site's own files; record and block everything else (the site must work offline)."""

    def route(r):
        url = r.request.url
        if url.startswith(base) or url.startswith("data:"):
            r.continue_()
        else:
            external.append(url)
            r.abort()

    return route


def _visit(context, base, site, name, external, shot) -> dict:
    page = context.new_page()
    messages, errors, failed, requested = [], [], [], []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append((r.url, r.failure)))
    page.on("response", lambda r: failed.append((r.url, f"HTTP {r.status}")) if r.status >= 400 else None)
    page.on("request", lambda r: requested.append(r.url))
    start = len(external)
    page.goto(base + name + ".html", wait_until="networkidle")
    state = page.evaluate(PAGE_STATE)
    state["playersWork"] = page.evaluate(PLAYER_WORKS)
    if shot:
        page.wait_for_timeout(200)
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
    page.close()
    # Weight: every file the page loaded (the HTML, with its inline players, included), from disk.
    files = set()
    for url in requested:
        if url.startswith(base):
            path = site / urllib.parse.unquote(url[len(base):].split("?")[0].split("#")[0])
            if path.is_file():
                files.add(path)
    outside = external[start:]
    mathjax = [f for f in files if "mathjax" in f.relative_to(site).parts[:1]]
    shared = [f for f in files if f.relative_to(site).parts[0] in SHARED_FOLDERS]
    state.update(
        mathjax_files=len(mathjax), mathjax_bytes=sum(f.stat().st_size for f in mathjax),
        own_bytes=sum(f.stat().st_size for f in files if f not in shared),
        shared_files=sorted(str(f.relative_to(site)) for f in shared),
        console=[m for m in messages if m.split(":")[0] in ("error", "warning")], errors=errors,
        failed=[f"{url} ({why})" for url, why in failed if url not in outside],  # outside: reported apart
        external=outside, bytes=sum(f.stat().st_size for f in files), shot=str(shot),
    )
    return state


# --- the checks -----------------------------------------------------------------------------------

def _record(visits, scheme, page):
    assert page in visits[scheme], f"{page}.html is not in the built site (pages: {sorted(visits[scheme])})"
    return visits[scheme][page]


@pytest.mark.parametrize("scheme", VISITS)
@pytest.mark.parametrize("page", PAGES)
def test_page_is_clean(visits, page, scheme):
    r = _record(visits, scheme, page)
    assert not r["errors"], f"script errors on {page} ({scheme}): {r['errors']}"
    assert not r["console"], f"console errors/warnings on {page} ({scheme}): {r['console']}"
    assert not r["external"], f"{page} asks the network for {r['external']}: the site must work offline"
    assert not r["failed"], f"requests that failed on {page} ({scheme}): {r['failed']}"
    assert not r["deadWidgets"], f"{page} shows ipywidgets, which cannot work without a kernel"


def test_index_opens_the_book(visits):
    assert visits["index"]["url"].endswith(f"/{TOC[0]}.html"), visits["index"]


def test_pages_load_nothing_from_the_network_and_nothing_twice(site):
    """What _ext/book_site.py and _config.yml fix, read from the HTML itself (browsers aside)."""
    for path in sorted(site.rglob("*.html")):
        if path.relative_to(site).parts[0].startswith(("_", ".")):
            continue
        html = path.read_text()
        name = path.relative_to(site).as_posix()
        external = re.findall(r'<(?:script|img)[^>]*\ssrc="((?:https?:)?//[^"]+)"', html)
        external += re.findall(r'<link[^>]*rel="(?:stylesheet|preload|icon)"[^>]*href="((?:https?:)?//[^"]+)"', html)
        assert not external, f"{name} loads {external} from the network: the site must work offline"
        inline = [s for s in re.findall(r"<script>(.*?)</script>", html, re.S) if s.strip()]
        twice = {s[:80] for s in inline if inline.count(s) > 1}
        assert not twice, f"{name} repeats inline scripts (the Sphinx 7 bug _ext/book_site.py fixes): {twice}"
        assert "widget-state+json" not in html, f"{name} carries dead ipywidgets state"
        assert "scripts/fontawesome.js" not in html, f"{name} loads the 1.5 MB fontawesome.js"
        if 'class="math' in html:
            assert re.search(r'<script[^>]*src="[^"]*/mathjax/[^"]*\.js', html), f"{name} has math but no MathJax"


def test_every_built_page_is_clean(visits):
    """Pages not in the TOC (indexes made by extensions) too."""
    bad = {(scheme, name): {k: r[k] for k in ("errors", "console", "external", "failed") if r[k]}
           for scheme in VISITS for name, r in visits[scheme].items()
           if r["errors"] or r["console"] or r["external"] or r["failed"]}
    assert not bad, bad


@pytest.mark.parametrize("page", PAGES)
def test_images_load_and_read_in_both_themes(visits, page):
    for scheme in SCHEMES:
        r = _record(visits, scheme, page)
        broken = [i["src"][:100] for i in r["images"] if not i["ok"]]
        assert not broken, f"images that did not load on {page} ({scheme}): {broken}"
        assert r["theme"] == scheme, f"{page}: theme {r['theme']!r} with a {scheme} system setting"
    for figure in visits["dark"][page]["figures"]:
        assert figure["opaque"] and figure["light"] >= 2, (
            f"figure {figure['src']} on {page} is transparent or dark at its corners: unreadable on the dark theme")


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(visits, page):
    for scheme in VISITS:
        r = _record(visits, scheme, page)
        assert r["typeset"] == r["math"], f"{page} ({scheme}): {r['math'] - r['typeset']} formulas not typeset"
        assert not r["mathErrors"], f"TeX errors on {page}: {r['mathErrors']}"
        assert not r["rawTex"], f"raw TeX left on {page}: {r['rawTex'][:5]}"
        if r["math"]:
            assert r["mjx"] >= r["math"]
            assert not r["mathOffColour"], f"{page} ({scheme}): formulas not in their text's colour: " \
                                           f"{r['mathOffColour']}"


def test_some_page_has_math(visits):
    assert any(r["mjx"] for r in visits["light"].values()), "no formula was typeset anywhere: is MathJax loaded?"


def _launch_urls(doc: str) -> tuple[str, str, str]:
    repo = _config()["repository"]
    owner_repo = urllib.parse.urlparse(repo["url"]).path.strip("/")
    branch = repo.get("branch", "main")
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{doc}.ipynb"
    binder = f"https://mybinder.org/v2/gh/{owner_repo}/{branch}?urlpath=lab/tree/{doc}.ipynb"
    return colab, binder, f"_sources/{doc}.ipynb"


@pytest.mark.parametrize("doc", CHAPTERS)
def test_chapter_has_launch_and_download_links(visits, site, doc):
    links = _record(visits, "light", doc)["links"]
    colab, binder, download = _launch_urls(doc)
    assert colab in links, f"no Colab link on {doc}: {[x for x in links if 'colab' in x]}"
    assert binder in links, f"no Binder link on {doc}: {[x for x in links if 'binder' in x]}"
    assert any(x.endswith(download) for x in links), f"no notebook download on {doc}"
    downloaded = json.loads((site / download).read_text())
    assert downloaded["cells"], f"the downloadable {download} is empty"


@pytest.mark.parametrize("doc", EXPLORER_CHAPTERS)
def test_explorer_chapters_show_their_explorers(visits, doc):
    for scheme in SCHEMES:
        r = _record(visits, scheme, doc)
        assert r["explorers"] == _page_explorers(doc), (
            f"{doc} displays {_page_explorers(doc)} explorers in its notebook but its page shows {r['explorers']}")
        assert all(r["playersWork"]), f"a player on {doc} does not change frame when its slider moves"
        assert r["liveNote"], f"{doc}: no note saying that the sliders are live in Colab or Binder"


def test_pages_stay_light(visits):
    weights = {name: r["bytes"] for name, r in visits["light"].items()}
    heavy = {n: f"{b / 1e6:.1f} MB" for n, b in weights.items() if b > MAX_PAGE_BYTES}
    assert not heavy, f"pages over {MAX_PAGE_BYTES / 2**20:.0f} MB (everything they load included): {heavy}"
    own = {name: r["own_bytes"] for name, r in visits["light"].items()}
    heavy = {n: f"{b / 2**20:.2f} MiB" for n, b in own.items() if b > MAX_OWN_BYTES}
    assert not heavy, f"pages bringing more than {MAX_OWN_BYTES / 2**20:g} MiB of their own: {heavy}"
    total = sum(visits["shared"].values())
    assert total <= MAX_SHARED_BYTES, f"the site's shared files weigh {total / 2**20:.2f} MiB, counted once"


# --- the explorers, driven as a reader drives them ------------------------------------------------

#: Per explorer: its spec (without the stored grid), what it shows now, and the time from an input to
#: the end of the next frame's paint, as the page's own clock measures it, over several moves.
EXPLORER_STATE = r"""
(index) => {
  const root = document.querySelectorAll("div.optim-explorer")[index];
  const shown = Array.from(root.querySelectorAll(".optim-explorer-figures")).find(f => f.style.display !== "none");
  const spec = Object.assign({}, root.optimExplorer.spec); delete spec.data;
  return {spec, drawn: root.getAttribute("data-drawn"), ready: root.getAttribute("data-ready"),
          values: Array.from(root.querySelectorAll("input[type=range]")).map(r => +r.value),
          valuetext: Array.from(root.querySelectorAll("input[type=range]")).map(r => r.getAttribute("aria-valuetext")),
          surface: shown.getAttribute("data-surface"),
          d: Array.from(shown.querySelectorAll("svg path")).map(p => p.getAttribute("d")),
          status: root.querySelector(".optim-explorer-status").textContent,
          width: root.getBoundingClientRect().width, overflow: root.scrollWidth - root.clientWidth,
          bytes: new Blob([root.outerHTML]).size,
          // The lines sit on the picture: each shown panel's SVG covers its image exactly, no padding between.
          misaligned: Array.from(shown.querySelectorAll(".optim-explorer-panel")).map(panel => {
            const img = panel.querySelector("img"), a = img.getBoundingClientRect();
            const b = panel.querySelector("svg").getBoundingClientRect();
            const pad = parseFloat(getComputedStyle(img).paddingLeft);
            return Math.max(Math.abs(a.left - b.left), Math.abs(a.top - b.top), Math.abs(a.width - b.width),
                            Math.abs(a.height - b.height)) + pad;
          }).filter(v => v > 0.5),
          // Clip paths and markers are found by id: every id in the explorer is used once in the page.
          duplicateIds: Array.from(root.querySelectorAll("[id]")).map(e => e.id)
            .filter(id => document.querySelectorAll("[id='" + id + "']").length > 1)};
}
"""
EXPLORER_TIMING = r"""
async ([index, moves]) => {
  const root = document.querySelectorAll("div.optim-explorer")[index];
  const range = root.querySelector("input[type=range]"), n = +range.max + 1, times = [];
  const frame = () => new Promise(done => requestAnimationFrame(() => {
    const start = performance.now(); setTimeout(() => done([start, performance.now()]), 0); }));
  await frame();
  for (let k = 0; k < moves; k++) {
    const before = root.getAttribute("data-drawn"), t0 = performance.now();
    range.value = (+range.value + 5) % n;
    range.dispatchEvent(new Event("input", {bubbles: true}));
    await Promise.resolve(); await Promise.resolve(); await Promise.resolve();
    const drawn = performance.now(), changed = root.getAttribute("data-drawn") !== before;
    const [rafStart, painted] = await frame();
    // Work: the handler and its redraw, then the frame's style, layout and paint (without the wait
    // for the display's next refresh, which depends on when in the frame the input came).
    times.push({work: (drawn - t0) + (painted - rafStart), total: painted - t0, changed});
  }
  return times;
}
"""


def _parse_d(d: str) -> list[tuple[float, float]]:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d or "")]
    return list(zip(numbers[0::2], numbers[1::2]))


@functools.cache
def _optim_grid(spec_json: str, surface: str):
    """The explorer's runs recomputed here by optim, from the page's recipe: one batched run of the grid."""
    sys.path.insert(0, str(ROOT))
    import numpy as np

    from optim.run import settings, trajectory
    from optim.widgets import rebuild

    spec = json.loads(spec_json)
    entry = next(s for s in spec["surfaces"] if s["name"] == surface)
    assert spec["optimizer"] and entry["recipe"], f"the explorer of {spec['label']} names no importable recipe"
    make, made = rebuild(spec["optimizer"]), rebuild(entry["recipe"])()
    axes = settings(**{s["name"]: s["values"] for s in spec["sliders"]})
    start = np.broadcast_to(made.start, next(iter(axes.values())).shape[:-1] + (2,))
    return trajectory(make(**spec["fixed"], **axes), made, start=start, steps=spec["steps"])


def _expected_points(state: dict) -> tuple[list, list]:
    """Where optim's run of the shown setting lies, in the page's pixels: the path and the loss curve."""
    import numpy as np

    spec = state["spec"]
    run = _optim_grid(json.dumps(spec, sort_keys=True), state["surface"])
    index = tuple(state["values"])
    keep = spec["stored_steps"]
    maps = next(s for s in spec["surfaces"] if s["name"] == state["surface"])["maps"]
    path, gap = run.path[(keep, *index)], run.gap[(keep, *index)]
    with np.errstate(invalid="ignore", divide="ignore"):
        x = maps["path"]["x"][0] + maps["path"]["x"][1] * path[:, 0]
        y = maps["path"]["y"][0] + maps["path"]["y"][1] * path[:, 1]
        lx = maps["loss"]["x"][0] + maps["loss"]["x"][1] * np.asarray(keep, dtype=float)
        ly = maps["loss"]["y"][0] + maps["loss"]["y"][1] * np.log10(np.where(gap > 0, gap, np.nan))
    limit = 32767 / spec["quarter"]  # beyond, the page stores the point at this edge, far outside the panel
    on = lambda a, b: [(p, q) for p, q in zip(np.clip(a, -limit, limit), np.clip(b, -limit, limit))  # noqa: E731
                       if np.isfinite(p) and np.isfinite(q)]
    return on(x, y), on(lx, ly)


def _path_error(state: dict) -> float:
    """The largest distance, in CSS px of the figure, between the drawn lines and optim's run."""
    import numpy as np

    worst = 0.0
    for drawn, expected in zip(state["d"], _expected_points(state)):
        got = _parse_d(drawn)
        if len(got) != len(expected):
            return float("inf")
        if got:
            worst = max(worst, float(np.abs(np.array(got) - np.array(expected)).max()))
    return worst


def _drag(page, range_locator, fraction: float):
    box = range_locator.bounding_box()
    value, top = float(range_locator.evaluate("r => (r.value - r.min) / (r.max - r.min)")), box["y"] + box["height"] / 2
    thumb = 8  # half the thumb: its centre travels from box.x + thumb to box.x + width - thumb
    at = lambda f: box["x"] + thumb + f * (box["width"] - 2 * thumb)  # noqa: E731
    page.mouse.move(at(value), top)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(at(value + (fraction - value) * step / 5), top)
    page.mouse.up()


@pytest.fixture(scope="session")
def explorer_runs(site, server, pytestconfig):
    """Every explorer on the site, driven: each slider dragged with the mouse and moved by the keyboard,
    each surface chosen from its menu, moves timed; on a phone, a slider tapped; from file://, a move."""
    chromium = _require_browser()
    from playwright.sync_api import sync_playwright

    shots = site.parent / "screenshots" / "explorers"
    shots.mkdir(parents=True, exist_ok=True)
    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for doc in PAGE_EXPLORER_CHAPTERS:
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                problems: list[str] = []
                page.on("console", lambda m, p=problems: p.append(f"{m.type}: {m.text}")
                        if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e, p=problems: p.append(str(e)))
                page.goto(server + doc + ".html", wait_until="networkidle")
                records = []
                for index in range(page.locator("div.optim-explorer").count()):
                    root = page.locator("div.optim-explorer").nth(index)
                    root.scroll_into_view_if_needed()
                    page.wait_for_function(f"document.querySelectorAll('div.optim-explorer')[{index}]"
                                           ".getAttribute('data-ready') === 'true'", timeout=20000)
                    states = [page.evaluate(EXPLORER_STATE, index)]
                    moves = []
                    for k in range(root.locator("input[type=range]").count()):
                        slider = root.locator("input[type=range]").nth(k)
                        before = page.evaluate(EXPLORER_STATE, index)
                        target = 0.0 if before["values"][k] > int(slider.get_attribute("max")) / 2 else 1.0
                        _drag(page, slider, target)
                        page.wait_for_timeout(50)
                        dragged = page.evaluate(EXPLORER_STATE, index)
                        slider.focus()
                        page.keyboard.press("ArrowLeft" if target == 1.0 else "ArrowRight")
                        page.wait_for_timeout(50)
                        keyed = page.evaluate(EXPLORER_STATE, index)
                        moves.append({"slider": k, "before": before, "dragged": dragged, "keyed": keyed})
                        states += [dragged, keyed]
                    menu = root.locator("select")
                    if menu.count():
                        for option in menu.locator("option").all_text_contents():
                            menu.select_option(option)
                            page.wait_for_timeout(100)
                            states.append(page.evaluate(EXPLORER_STATE, index))
                        menu.select_option(states[0]["surface"])
                    timing = page.evaluate(EXPLORER_TIMING, [index, 20])
                    name = f"{doc.replace('/', '_')}-{index}"
                    root.screenshot(path=str(shots / f"{name}-laptop.png"))
                    records.append({"states": states, "moves": moves, "timing": timing,
                                    "menu": menu.count() > 0, "name": name})
                results[doc] = {"explorers": records, "problems": problems}
                context.close()
            # On a phone (390 px, touch), light and dark: each explorer of the first explorer chapter.
            for scheme in SCHEMES:
                context = browser.new_context(color_scheme=scheme, **PHONE)
                page = context.new_page()
                doc = PAGE_EXPLORER_CHAPTERS[0]
                page.goto(server + doc + ".html", wait_until="networkidle")
                root = page.locator("div.optim-explorer").first
                root.scroll_into_view_if_needed()
                page.wait_for_function("document.querySelector('div.optim-explorer').getAttribute('data-ready')")
                before = page.evaluate(EXPLORER_STATE, 0)
                box = root.locator("input[type=range]").first.bounding_box()
                page.touchscreen.tap(box["x"] + box["width"] * 0.9, box["y"] + box["height"] / 2)
                page.wait_for_timeout(100)
                tapped = page.evaluate(EXPLORER_STATE, 0)
                root.screenshot(path=str(shots / f"phone-{scheme}.png"))
                results[f"phone-{scheme}"] = {"before": before, "tapped": tapped,
                                              "page_width": page.evaluate("document.documentElement.scrollWidth")}
                context.close()
            # Opened from the files, as from the unpacked zip: a keyboard move.
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(site.as_uri() + "/" + PAGE_EXPLORER_CHAPTERS[0] + ".html", wait_until="load")
            page.wait_for_function("document.querySelector('div.optim-explorer').getAttribute('data-ready')",
                                   timeout=20000)
            before = page.evaluate(EXPLORER_STATE, 0)
            page.locator("div.optim-explorer input[type=range]").first.focus()
            page.keyboard.press("ArrowLeft" if before["values"][0] else "ArrowRight")
            page.wait_for_timeout(100)
            results["file"] = {"before": before, "after": page.evaluate(EXPLORER_STATE, 0), "errors": errors}
            context.close()
        finally:
            browser.close()
    report = []
    for doc in PAGE_EXPLORER_CHAPTERS:
        for record in results[doc]["explorers"]:
            spec, work = record["states"][0]["spec"], sorted(t["work"] for t in record["timing"])
            report.append({"explorer": record["name"], "surfaces": [s["name"] for s in spec["surfaces"]],
                           "knobs": {s["name"]: len(s["values"]) for s in spec["sliders"]},
                           "kB": round(record["states"][0]["bytes"] / 1e3), "median_ms": work[len(work) // 2],
                           "max_ms": work[-1]})
    (site.parent / "explorers-report.json").write_text(json.dumps(report, indent=1))
    if report:
        slowest = max(report, key=lambda r: r["max_ms"])
        lines = getattr(pytestconfig, "book_site_summary", [])
        lines.append(f"explorers: {len(report)}, input to paint at most {slowest['max_ms']:.1f} ms "
                     f"({slowest['explorer']}); per explorer: {site.parent / 'explorers-report.json'}")
        pytestconfig.book_site_summary = lines
    return results


def _explorers(explorer_runs, doc):
    assert doc in explorer_runs, f"{doc} was not driven"
    return explorer_runs[doc]["explorers"]


@pytest.mark.parametrize("doc", PAGE_EXPLORER_CHAPTERS)
def test_every_explorer_answers_mouse_and_keyboard(explorer_runs, doc):
    assert not explorer_runs[doc]["problems"], f"console errors on {doc}: {explorer_runs[doc]['problems']}"
    for record in _explorers(explorer_runs, doc):
        for move in record["moves"]:
            k, before, dragged, keyed = move["slider"], move["before"], move["dragged"], move["keyed"]
            where = f"{record['name']}, slider {k}"
            assert dragged["values"][k] != before["values"][k], f"{where}: dragging the slider does not move it"
            assert dragged["d"][0] != before["d"][0], f"{where}: dragging the slider does not move the path"
            assert abs(keyed["values"][k] - dragged["values"][k]) == 1, f"{where}: an arrow key does not move it"
            assert keyed["d"][0] != dragged["d"][0], f"{where}: an arrow key does not move the path"
            label = keyed["spec"]["sliders"][k]["labels"][keyed["values"][k]]
            value = keyed["spec"]["sliders"][k]["values"][keyed["values"][k]]
            name = keyed["spec"]["sliders"][k]["name"]
            assert label == f"{value:.3g}" and keyed["valuetext"][k] == f"{name} = {label}", (
                f"{where}: aria-valuetext {keyed['valuetext'][k]!r} is not the value {value}")
        for state in record["states"]:
            assert not state["misaligned"], f"{record['name']}: lines off their picture by {state['misaligned']} px"
            assert not state["duplicateIds"], f"{record['name']}: ids used twice: {state['duplicateIds'][:5]}"
        if record["menu"]:
            surfaces = {s["surface"] for s in record["states"]}
            assert len(surfaces) == len(record["states"][0]["spec"]["surfaces"]), f"{record['name']}: the menu"


@pytest.mark.parametrize("doc", PAGE_EXPLORER_CHAPTERS)
def test_every_explorer_draws_optims_run(explorer_runs, doc):
    """Each state the page showed (after every drag, key and menu choice) is optim's run, to a pixel."""
    for record in _explorers(explorer_runs, doc):
        errors = [(s["surface"], s["values"], _path_error(s)) for s in record["states"]]
        bad = [e for e in errors if not e[2] <= 1.0]
        assert not bad, f"{record['name']}: drawn paths off optim's by more than a pixel: {bad}"


@pytest.mark.parametrize("doc", PAGE_EXPLORER_CHAPTERS)
def test_every_explorer_redraws_within_a_frame(explorer_runs, doc):
    import numpy as np

    for record in _explorers(explorer_runs, doc):
        timing = record["timing"]
        assert all(t["changed"] for t in timing), f"{record['name']}: a move did not redraw"
        work = np.array([t["work"] for t in timing])
        spec = record["states"][0]["spec"]
        knobs = " x ".join(f"{s['name']} ({len(s['values'])})" for s in spec["sliders"])
        weight = record["states"][0]["bytes"] / 1e3
        print(f"{record['name']}: {knobs}, {len(spec['surfaces'])} surface(s), {weight:.0f} kB;"
              f" input to paint {np.median(work):.1f} ms median, {work.max():.1f} ms max"
              f" (with the wait for the frame {np.median([t['total'] for t in timing]):.1f} ms)")
        assert np.percentile(work, 90) < 16.0, f"{record['name']}: redraws take {np.sort(work)} ms"


def test_an_explorer_works_on_a_phone_by_touch_and_from_the_files(explorer_runs):
    for scheme in SCHEMES:
        r = explorer_runs[f"phone-{scheme}"]
        assert r["tapped"]["values"] != r["before"]["values"], f"a tap on the slider ({scheme}) moves nothing"
        assert r["tapped"]["d"][0] != r["before"]["d"][0], f"a tap on the slider ({scheme}) does not redraw"
        assert r["tapped"]["overflow"] <= 1 and r["page_width"] <= 390, f"the explorer is wider than a phone ({scheme})"
        assert not r["tapped"]["misaligned"], f"on a phone ({scheme}) the lines are off their picture by {r['tapped']}"
    r = explorer_runs["file"]
    assert not r["errors"], r["errors"]
    assert r["after"]["d"][0] != r["before"]["d"][0], "opened from file://, the explorer does not redraw"
    assert _path_error(r["after"]) <= 1.0


# --- readable where readers are: code, figures, formulas, alt text --------------------------------

#: Every letter of a figure at least this tall, in CSS px, where the page shows it on a 1280 px laptop.
MIN_TEXT_PX = 9.0
#: What one search query may transfer, everything included (the page, the index, the summaries' text).
SEARCH_BUDGET = 2 * 1024 * 1024
RAW_TEX = re.compile(r"\\[a-zA-Z]{2,}|\$\$|\\\(|\\\[|\$[^$\s][^$]*\$")


def _min_font_pt() -> float:
    sys.path.insert(0, str(ROOT))
    from optim.plot import MIN_FONT_PT

    return MIN_FONT_PT


def _image_bytes(site: pathlib.Path, src: str) -> bytes | None:
    """The PNG behind an <img>: its data: URI decoded, or its file in the built site."""
    import base64

    if src.startswith("data:image/png;base64,"):
        return base64.b64decode(src.split(",", 1)[1])
    if not src.lower().split("?")[0].endswith(".png"):
        return None
    path = urllib.parse.urlparse(src).path
    for anchor in ("/_images/", "/images/"):
        if anchor in path:
            candidate = site / (anchor.strip("/") + "/" + path.split(anchor, 1)[1])
            return candidate.read_bytes() if candidate.is_file() else None
    return None


def _figure_text_px(site: pathlib.Path, image: dict) -> tuple[float, float] | None:
    """(inches wide, CSS px of the book's smallest figure text) for an image as shown, or None if not a PNG."""
    import io

    from PIL import Image

    data = _image_bytes(site, image["src"])
    if data is None:
        return None
    png = Image.open(io.BytesIO(data))
    dpi = png.info.get("dpi", (100, 100))[0]
    inches = png.width / dpi
    return inches, _min_font_pt() / 72 * image["shown"] / inches


@pytest.mark.parametrize("page", PAGES)
def test_code_fits_the_page(visits, page):
    """At 1280 px no code cell scrolls sideways (chapters/ruff.toml keeps chapter code within 88 columns)."""
    r = _record(visits, "light", page)
    assert not r["wideCode"], f"code on {page} scrolls sideways on a laptop; its longest lines: {r['wideCode']}"
    assert not r["wideOutput"], f"printed output on {page} scrolls sideways on a laptop: {r['wideOutput']}"


@pytest.mark.parametrize("page", PAGES)
def test_figures_are_readable_on_a_laptop(visits, site, page):
    small = []
    for image in _record(visits, "light", page)["images"]:
        if not (image["inArticle"] and image["ok"] and image["shown"]):  # shown: 0 for a surface not chosen
            continue
        measured = _figure_text_px(site, image)
        if measured and measured[1] < MIN_TEXT_PX:
            small.append(f"{image['src'][-70:]}: {measured[0]:.1f} in shown at {image['shown']:.0f} px, "
                         f"text {measured[1]:.1f} px")
    assert not small, f"figures on {page} whose text is under {MIN_TEXT_PX:g} px on a 1280 px screen: {small}"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_has_real_alt_text(visits, page):
    bad = [(i["src"][-60:], i["alt"]) for i in _record(visits, "light", page)["images"]
           if not i["alt"] or not i["alt"].strip() or re.search(r"\.(png|svg|jpe?g)\b|/_images/", i["alt"])]
    assert not bad, f"images on {page} without real alt text (empty, or a file name): {bad}"


@pytest.mark.parametrize("page", PAGES)
def test_no_numpy_scalar_reprs(visits, page):
    r = _record(visits, "light", page)
    assert not r["float64"], f"{page} prints numpy scalars' reprs (print plain numbers): {r['float64']}"


@pytest.mark.parametrize("page", PAGES)
def test_mathjax_only_where_there_is_math(visits, page):
    r = _record(visits, "light", page)
    if r["math"]:
        assert r["mathjax_files"], f"{page} has {r['math']} formulas but loaded no MathJax"
    else:
        assert not r["mathjax_files"], f"{page} has no formula but loads MathJax ({r['mathjax_bytes']} bytes)"
    assert r["mathjax_bytes"] < 1_000_000, f"{page} loads {r['mathjax_bytes']} bytes of MathJax: the full build?"


# --- on a phone ----------------------------------------------------------------------------------

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
ON_SCREEN = r"""(selector) => {
  const s = document.querySelector(selector); if (!s) return false;
  const r = s.getBoundingClientRect(), style = getComputedStyle(s);
  return r.width > 50 && r.right > 10 && r.left < innerWidth - 10 && style.visibility !== "hidden"
    && style.display !== "none";
}"""
PHONE_STATE = r"""
async () => {""" + WAIT_FOR_MATHJAX + r"""
  const formulas = Array.from(document.querySelectorAll('mjx-container[display="true"]'));
  const cut = formulas.filter(m => m.scrollWidth > m.clientWidth + 1);
  const hinted = m => getComputedStyle(m).overflowX === "auto" && /gradient/.test(getComputedStyle(m).backgroundImage);
  const figures = Array.from(document.querySelectorAll(".bd-article .cell_output img"))
    .filter(i => !i.closest(".optim-player, .optim-explorer"))
    .map(i => ({src: i.currentSrc || i.src, shown: i.getBoundingClientRect().width,
                link: (i.closest("a.image-reference") || {}).href || null}));
  return {wide: cut.length, unhinted: cut.filter(m => !hinted(m)).map(m => m.textContent.slice(0, 60)),
          figures, pageWidth: document.documentElement.scrollWidth};
}
"""


@pytest.fixture(scope="session")
def phone_visits(site, server):
    chromium = _require_browser()
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(**PHONE)
            for name in TOC:
                page = context.new_page()
                page.goto(server + name + ".html", wait_until="networkidle")
                results[name] = page.evaluate(PHONE_STATE)
                page.close()
        finally:
            browser.close()
    return results


@pytest.mark.parametrize("page", TOC)
def test_phone_formulas_that_scroll_say_so(phone_visits, page):
    r = phone_visits[page]
    assert not r["unhinted"], f"display formulas on {page} are cut off on a phone with no sign that they scroll: " \
                              f"{r['unhinted']}"
    assert r["pageWidth"] <= 390, f"{page} is {r['pageWidth']} px wide on a 390 px phone: the page scrolls sideways"


@pytest.mark.parametrize("page", TOC)
def test_phone_figures_open_full_size(phone_visits, site, page):
    """A figure too small to read on a phone is a link to itself at full size (tap, then zoom)."""
    closed = []
    for figure in phone_visits[page]["figures"]:
        if not figure["shown"]:  # an explorer's surface not chosen
            continue
        measured = _figure_text_px(site, figure)
        if measured and measured[1] < MIN_TEXT_PX:
            target = figure["link"] or ""
            if not target or target.split("/")[-1] != figure["src"].split("/")[-1]:
                closed.append(f"{figure['src'][-60:]} ({measured[1]:.1f} px text, link {target[-60:] or 'none'})")
    assert not closed, f"figures on {page} unreadable on a phone that do not open full size: {closed}"


def test_phone_sidebar_and_contents_buttons_work(site, server):
    """On a 390 px phone the ☰ button opens the chapter list and "contents" the page's table of contents; on a
    laptop ☰ hides and shows the chapter list (the theme pair pinned in requirements.txt)."""
    chromium = _require_browser()
    from playwright.sync_api import sync_playwright

    chapter = CHAPTERS[2] if len(CHAPTERS) > 2 else CHAPTERS[0]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for button, panel in ((".primary-toggle", ".bd-sidebar-primary"),
                                  (".secondary-toggle", ".bd-sidebar-secondary")):
                context = browser.new_context(**PHONE)
                page = context.new_page()
                errors: list[str] = []
                page.on("pageerror", lambda e, seen=errors: seen.append(str(e)))
                page.goto(server + chapter + ".html", wait_until="networkidle")
                visible = page.locator(button).locator("visible=true")
                assert visible.count() == 1, f"{button}: {visible.count()} visible buttons on a phone"
                assert not page.evaluate(ON_SCREEN, panel), f"{panel} is open before {button} is tapped"
                visible.first.tap()
                page.wait_for_timeout(500)
                assert page.evaluate(ON_SCREEN, panel), f"tapping {button} on a phone does not open {panel}"
                if panel == ".bd-sidebar-primary":
                    links = page.locator(panel + " a.reference").locator("visible=true").count()
                    assert links >= len(CHAPTERS), f"the opened chapter list shows {links} links"
                else:
                    links = page.locator(panel + " nav a").locator("visible=true").count()
                    assert links >= 3, f"the opened table of contents shows {links} links"
                assert not errors, errors
                context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            page.goto(server + chapter + ".html", wait_until="networkidle")
            assert page.evaluate(ON_SCREEN, ".bd-sidebar-primary")
            page.locator(".primary-toggle").locator("visible=true").first.click()
            page.wait_for_timeout(500)
            assert not page.evaluate(ON_SCREEN, ".bd-sidebar-primary"), "☰ does not hide the chapter list on a laptop"
            context.close()
        finally:
            browser.close()


# --- search ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("visit", ["http", "file"])
def test_search_is_light_and_clean(site, server, visit):
    chromium = _require_browser()
    from playwright.sync_api import sync_playwright

    base = server if visit == "http" else site.as_uri() + "/"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            sizes, problems = [], []
            page.on("requestfinished", lambda r: sizes.append(r.sizes()["responseBodySize"]))
            page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
            page.on("console", lambda m: problems.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
                    else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(base + "search.html?q=momentum", wait_until="networkidle")
            page.wait_for_function("document.querySelectorAll('#search-results li').length > 3", timeout=20000)
            page.wait_for_timeout(500)
            results = page.evaluate("""() => Array.from(document.querySelectorAll('#search-results li'))
                .map(li => ({title: li.querySelector('a').textContent,
                             summary: (li.querySelector('p.context') || {}).textContent}))""")
        finally:
            browser.close()
    assert not problems, problems
    transferred = sum(max(s, 0) for s in sizes)
    if visit == "http":
        assert transferred < SEARCH_BUDGET, f"a search transfers {transferred / 1e6:.2f} MB"
    assert any("Momentum" in r["title"] for r in results), [r["title"] for r in results]
    missing = [r["title"] for r in results if not r["summary"]]
    assert not missing, f"results without a summary: {missing}"
    tex = [r["summary"][:100] for r in results if RAW_TEX.search(r["summary"])]
    assert not tex, f"raw TeX in search summaries: {tex}"
    assert not any("Contents" in r["summary"][:40] for r in results), "summaries start with the table of contents"


# --- the book on paper ----------------------------------------------------------------------------

def _code_text(page: pathlib.Path) -> str:
    """All code and printed output of a built page, as one whitespace-normalised string."""
    import html

    blocks = re.findall(r"<pre[^>]*>(.*?)</pre>", page.read_text(), re.S)
    return " ".join(" ".join(html.unescape(re.sub(r"<[^>]+>", "", b)).split()) for b in blocks)


def test_the_book_prints_as_one_pdf(site, tmp_path):
    """scripts/book_pdf.py prints every page into one PDF: every chapter in it, in order, with its formulas
    typeset (no raw TeX in the text) and its figures (images on its pages)."""
    _require_browser()
    try:
        from pypdf import PdfReader
    except ImportError:
        if IN_CI:
            pytest.fail("CI=true: the PDF test needs pypdf (pip install pypdf)", pytrace=False)
        pytest.skip("the PDF test needs pypdf (pip install pypdf)")
    import importlib.util

    spec = importlib.util.spec_from_file_location("book_pdf", ROOT / "scripts" / "book_pdf.py")
    book_pdf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(book_pdf)
    out = tmp_path / book_pdf.NAME
    contents = book_pdf.print_book(site, out)
    reader = PdfReader(str(out))
    assert list(contents) == TOC, "the PDF does not hold the pages of _toc.yml in order"
    firsts = [first for _, first in contents.values()]
    assert firsts == sorted(firsts) and len(set(firsts)) == len(firsts)
    assert len(reader.pages) >= 4 * len(CHAPTERS), f"only {len(reader.pages)} pages for {len(CHAPTERS)} chapters"
    assert [o.title for o in reader.outline] == [t for t, _ in contents.values()]
    images = 0
    for (name, (title, first)), end in zip(contents.items(), firsts[1:] + [len(reader.pages)]):
        text = "\n".join(reader.pages[i].extract_text() for i in range(first, end))
        words = [w for w in re.findall(r"[A-Za-z]{4,}", title)][:2]
        assert all(w in text for w in words), f"{name}: its title {title!r} is not on its pages"
        # Code may hold TeX on purpose (matplotlib labels): read the prose only, leaving out every printed
        # line that is part of the page's code.
        code = _code_text(site / f"{name}.html")
        prose = [line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line and line not in code]
        tex = RAW_TEX.findall("\n".join(prose))
        assert not tex, f"{name}: raw TeX in the PDF: {tex[:5]}"
        images += sum(len(reader.pages[i].images) for i in range(first, end))
    assert images >= len(CHAPTERS) * 3, f"only {images} images in the whole PDF"
    print(f"\nthe book as PDF: {len(reader.pages)} pages, {out.stat().st_size / 1e6:.1f} MB, {images} images")
