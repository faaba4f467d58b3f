"""The live explorer in a real JupyterLab: start a server on 127.0.0.1 from this environment (the
README's: requirements.txt and jupyterlab), open a chapter in Chromium, run all its cells, move a
slider of the explorer with the keyboard, and check that the figure is redrawn, from the kernel, with
the path optim computes, and how long it took.

Slow (a server, a kernel, a browser: about a minute); deselect with -m "not slow". Needs jupyterlab,
playwright and Chromium; without them it skips, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHAPTER = "03_momentum.ipynb"

#: In the page: note the time of the key press, then of the first redraw of the live figure after it.
WATCH = r"""
() => {
  const live = document.querySelector(".optim-explorer-live");
  window.__optim = {pressed: null, redrawn: null};
  live.addEventListener("keydown", e => { window.__optim.pressed = performance.now(); }, true);
  new MutationObserver(() => {
    if (window.__optim.pressed !== null && window.__optim.redrawn === null) window.__optim.redrawn = performance.now();
  }).observe(live.querySelector(".optim-explorer").parentElement, {childList: true, subtree: true});
}
"""


def _require(what):
    missing = [name for name, ok in what if not ok]
    if missing:
        message = f"the JupyterLab test needs {', '.join(missing)} (pip install jupyterlab playwright; Chromium)"
        if IN_CI:
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_the_live_explorer_in_jupyterlab(tmp_path):
    jupyter = pathlib.Path(sys.executable).with_name("jupyter")
    try:
        import playwright.sync_api  # noqa: F401
        has_playwright = True
    except ImportError:
        has_playwright = False
    chromium = next((c for c in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium")
                     if c and os.path.exists(c)), None)
    has_lab = subprocess.run([str(jupyter), "lab", "--version"], capture_output=True).returncode == 0 \
        if jupyter.exists() else False
    _require([("jupyterlab", has_lab), ("playwright", has_playwright), ("Chromium", chromium)])
    from playwright.sync_api import sync_playwright

    work = tmp_path / "lab"
    work.mkdir()
    shutil.copy(ROOT / "chapters" / CHAPTER, work / CHAPTER)
    port, token = _free_port(), "optim-book-test"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "rt"),
           "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    command = [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}", "--LabApp.news_url=None",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen(command, cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail(f"JupyterLab did not start:\n{(tmp_path / 'lab.log').read_text()[-3000:]}")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                # Nothing leaves this machine: the lab and its kernel are on loopback.
                outside: list[str] = []
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith((base, "data:", "blob:"))
                           else (outside.append(r.request.url), r.abort()))
                page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}")
                page.wait_for_selector(".jp-Notebook", timeout=120_000)
                page.wait_for_timeout(2000)
                started = time.time()
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
                page.wait_for_selector(".optim-explorer-live svg.optim-explorer-path path", timeout=300_000)
                ran = time.time() - started
                live = page.locator(".optim-explorer-live").first
                live.scroll_into_view_if_needed()
                page.wait_for_timeout(1000)
                shot = ROOT / "_build" / "jupyterlab"
                shot.mkdir(parents=True, exist_ok=True)
                live.screenshot(path=str(shot / "explorer-before.png"))
                before = live.locator("svg.optim-explorer-path path").get_attribute("d")
                status_before = live.locator(".optim-explorer-status").inner_text()
                page.evaluate(WATCH)
                handle = live.locator(".noUi-handle").first
                handle.focus()
                page.keyboard.press("ArrowRight")
                page.wait_for_function("window.__optim.redrawn !== null", timeout=30_000)
                page.wait_for_timeout(500)
                after = live.locator("svg.optim-explorer-path path").get_attribute("d")
                status_after = live.locator(".optim-explorer-status").inner_text()
                took = page.evaluate("window.__optim.redrawn - window.__optim.pressed")
                live.screenshot(path=str(shot / "explorer-after.png"))
                mode = live.locator(".optim-explorer-mode").inner_text()
                handles = [h.get_attribute("aria-valuetext") for h in live.locator(".noUi-handle").all()]
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    print(f"\nJupyterLab: ran the chapter in {ran:.0f} s; one arrow key to a redrawn figure: {took:.0f} ms")
    assert not errors, errors
    assert not outside, f"the lab asked the network for {outside}"
    assert before and after and after != before, "the arrow key did not move the live path"
    assert status_after != status_before and "Live" in mode
    # The live figure is optim's run at the slider's new value (any value, not only the page's marks).
    sys.path.insert(0, str(ROOT))
    from optim import SGD, Momentum

    exponent = float(handles[0])  # the lr slider is logarithmic: its handle holds log10(lr)
    lr, momentum = 10.0 ** exponent, float(handles[1])
    assert f"lr = {lr:.3g}" in status_after, (lr, status_after)
    notebook = json.loads((ROOT / "chapters" / CHAPTER).read_text())
    cell = next("".join(c["source"]) for c in notebook["cells"] if "optim.widgets" in "".join(c["source"]))
    names = {"Momentum": Momentum, "SGD": SGD}
    exec(cell.replace("\nexplore(", "\nexplorer = explore(", 1), names)  # the chapter's own explorer cell
    explorer = names["explorer"]
    drawn = explorer.svg_paths("bowl", explorer.run(lr=lr, momentum=momentum))[0]
    assert _close(drawn, after), "the live path is not optim's run at the slider's value"
    assert took < 2000, f"a slider move took {took:.0f} ms to redraw in JupyterLab"


def _close(a: str, b: str, tol: float = 1.0) -> bool:
    """Two SVG paths through the same points, to within tol px (the status rounds the values to 3 digits)."""
    numbers = [[float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)] for d in (a, b)]
    return len(numbers[0]) == len(numbers[1]) and max(abs(x - y) for x, y in zip(*numbers)) <= tol
