"""Every figure of a chapter, as the website shows it: size, smallest text on the page, the PNG.

    python scripts/figures.py chapters/03_momentum.ipynb [--out DIR]

Runs the notebook (as the book's build does), writes each figure's PNG to DIR (default
/tmp/figures/<chapter>/) and prints, per figure, its size in inches (from the PNG's dots per
inch), the width it is shown at on a 1280 px laptop (the text column is 688 px) and a 390 px
phone (358 px), and how tall its smallest text (optim.plot.MIN_FONT_PT) is there, in CSS px.
Figures whose text is under 9 px on the laptop are marked: make them narrower (at most
optim.plot.MAX_WIDTH inches) rather than their text smaller.
"""

from __future__ import annotations

import argparse
import base64
import io
import pathlib
import sys

import nbclient
import nbformat
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from optim.plot import MIN_FONT_PT  # noqa: E402

COLUMN = {"laptop": 688, "phone": 358}
READABLE_PX = 9.0


def shown_text_px(png: bytes, css_width: float | None, column: float) -> tuple[float, float]:
    """(inches wide, CSS px of MIN_FONT_PT text) for a PNG shown at min(its CSS width, column)."""
    image = Image.open(io.BytesIO(png))
    dpi = image.info.get("dpi", (100, 100))[0]
    inches = image.width / dpi
    width = min(css_width or image.width, column)
    return inches, MIN_FONT_PT / 72 * width / inches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebook", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    out = args.out or pathlib.Path("/tmp/figures") / args.notebook.stem
    out.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(args.notebook, as_version=4)
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(args.notebook.parent)}}).execute()
    small = 0
    for i, cell in enumerate(nb.cells):
        for k, output in enumerate(cell.get("outputs", [])):
            data = output.get("data", {})
            if "image/png" not in data:
                continue
            png = base64.b64decode(data["image/png"])
            css = output.get("metadata", {}).get("image/png", {}).get("width")
            path = out / f"cell{i:02d}_{k}.png"
            path.write_bytes(png)
            inches, laptop = shown_text_px(png, css, COLUMN["laptop"])
            _, phone = shown_text_px(png, css, COLUMN["phone"])
            flag = "  <-- under 9 px on the laptop" if laptop < READABLE_PX else ""
            small += laptop < READABLE_PX
            print(f"{path}: {inches:.2f} in, {len(png) / 1e3:.0f} kB; {MIN_FONT_PT} pt text is "
                  f"{laptop:.1f} px on a laptop, {phone:.1f} px on a phone{flag}")
    print(f"{small} figure(s) with text under {READABLE_PX:g} px on a laptop")


if __name__ == "__main__":
    main()
