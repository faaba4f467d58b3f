"""The whole book as one PDF, printed from the built website by the Chromium the tests use.

    python scripts/book_pdf.py [_build/html] [--out _build/html/optimizers-step-by-step.pdf]

Opens every page of _toc.yml in order (from the files, as an unzipped site would be opened), waits
until MathJax has typeset it, prints it as the browser's print view shows it (A4, the page's print
style: no sidebars, no buttons), and joins the pages into one PDF with a bookmark per page. The
published site carries it (.github/workflows/pages.yml); tests/test_site.py makes it from the
site it builds and checks it. Needs playwright and pypdf (pip install playwright pypdf), and a
Chromium (CHROMIUM=/path, else chromium on PATH); it downloads nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from book import toc_files  # noqa: E402

NAME = "optimizers-step-by-step.pdf"
READY = """async () => {
  // MathJax's loader defines MathJax.startup only once its components have loaded: wait for it.
  for (let i = 0; window.MathJax && !(MathJax.startup && MathJax.startup.promise) && i < 400; i++) {
    await new Promise(resolve => setTimeout(resolve, 25));
  }
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  await document.fonts.ready;
  return document.title;
}"""


def chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser"),
                      "/usr/bin/chromium"):
        if candidate and os.path.exists(candidate):
            return candidate
    raise SystemExit("no Chromium: install it (Debian: apt-get install chromium) or set CHROMIUM=/path")


def pages() -> list[str]:
    """The site's pages in the book's order: the documents of _toc.yml, without their suffix."""
    return list(dict.fromkeys(re.sub(r"\.(md|ipynb)$", "", f) for f in toc_files()))


def print_book(site: pathlib.Path, out: pathlib.Path) -> dict:
    """Print every page of ``site`` into one PDF at ``out``; return {page: (title, first PDF page)}."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    contents = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            for name in pages():
                page.goto((site / f"{name}.html").as_uri(), wait_until="networkidle")
                title = page.evaluate(READY).split("\u2014")[0].split(" - ")[0].strip()
                pdf = page.pdf(format="A4", print_background=True, outline=False,
                               margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"})
                first = len(writer.pages)
                for sheet in PdfReader(io.BytesIO(pdf)).pages:
                    writer.add_page(sheet)
                writer.add_outline_item(title, first)
                contents[name] = (title, first)
        finally:
            browser.close()
    writer.add_metadata({"/Title": "Optimizers, Step by Step", "/Author": "The Optimizers, Step by Step authors"})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        writer.write(f)
    return contents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", nargs="?", type=pathlib.Path, default=ROOT / "_build" / "html")
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    site = args.site.resolve()
    if not (site / "index.html").exists():
        raise SystemExit(f"{site} is not a built site (no index.html): run jupyter-book build . first")
    out = args.out or site / NAME
    contents = print_book(site, out)
    print(f"{out}: {len(contents)} pages of the book, {out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
