"""The book as a whole: chapters, table of contents, Colab setup cells, Binder, the offline website.

The slow test builds a fresh virtualenv the way Binder does and runs chapter 1 in it; deselect it
with `pytest -m "not slow"`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap
import urllib.parse

import pytest
import yaml
from book import toc_files

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())

#: The first cell of every chapter. In Colab it installs `optim` (this repository's package) from the
#: repository named in _config.yml; anywhere else it does nothing. {package}, {url} and {branch}
#: are filled in from pyproject.toml and _config.yml.
SETUP_CELL = textwrap.dedent('''\
    # Setup: in Colab, install the book's `optim` package; anywhere else this does nothing.
    import sys

    if "google.colab" in sys.modules:
        %pip install --quiet "{package} @ git+{url}@{branch}"
        from google.colab import output

        output.enable_custom_widget_manager()  # Colab draws ipywidgets 8 sliders through it''')

#: An explorer from optim.widgets (explore(...) or Explorer(...)): displayed, it is live in a kernel and
#: precomputed on the website. Live-only widgets (Explorer(...).widget(), ipywidgets' interact) are not.
EXPLORE_CALL = re.compile(r"^[^#\n]*(\b(explore|Explorer)\(|\boptim\.widgets\b)", re.M)
LIVE_ONLY_CALL = re.compile(r"^[^#\n]*(\.widget\(\)|\binteract\()", re.M)


def _project_name() -> str:
    text = (ROOT / "pyproject.toml").read_text()
    try:
        import tomllib
    except ImportError:  # Python 3.10
        return re.search(r'^\[project\][^\[]*?^name\s*=\s*"([^"]+)"', text, re.M | re.S).group(1)
    return tomllib.loads(text)["project"]["name"]


def _source(cell) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
IDS = [p.stem for p in NOTEBOOKS]


def _cells(path):
    return json.loads(path.read_text())["cells"]


# --- table of contents ----------------------------------------------------------------------------

def test_every_toc_entry_exists():
    missing = [f for f in toc_files()
               if not any((ROOT / (f + ext)).exists() for ext in ("", ".md", ".ipynb"))]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_chapter_is_in_the_toc():
    listed = {re.sub(r"\.(md|ipynb)$", "", f) for f in toc_files()}
    chapters = sorted(p for p in (ROOT / "chapters").iterdir() if p.suffix in (".md", ".ipynb"))
    orphans = [p.name for p in chapters if f"chapters/{p.stem}" not in listed]
    assert not orphans, f"chapters missing from _toc.yml (only files in the TOC are built): {orphans}"


# --- chapters --------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_starts_with_the_colab_setup_cell(path):
    repo = CONFIG["repository"]
    expected = SETUP_CELL.format(package=_project_name(), url=repo["url"].rstrip("/"),
                                 branch=repo.get("branch", "main"))
    first = _cells(path)[0]
    assert first["cell_type"] == "code", f"{path.name}: the first cell must be the setup code cell"
    assert "remove-cell" in _tags(first), f"{path.name}: the setup cell must be tagged remove-cell (hidden on the site)"
    assert _source(first).strip() == expected, (
        f"{path.name}: the setup cell differs from the canonical one, whose repository comes from "
        f"_config.yml ({repo['url']}):\n--- expected\n{expected}\n--- found\n{_source(first)}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_chapter_is_committed_without_outputs(path):
    dirty = [i for i, c in enumerate(_cells(path))
             if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts; clear them before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_explorers_show_on_the_page_and_live_widgets_do_not(path):
    """A displayed explorer works on the website too (precomputed sliders), so its output stays; a live-only
    widget would be dead there, so its output is removed. Either way a note says where sliders are live."""
    cells = _cells(path)
    code = [(i, c) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    live_only = [i for i, c in code if LIVE_ONLY_CALL.search(_source(c))]
    explorers = [i for i, c in code if EXPLORE_CALL.search(_source(c)) and i not in live_only]
    if not explorers and not live_only:
        pytest.skip("no explorer in this chapter")
    hidden = [i for i in explorers if {"remove-output", "remove-cell"} & set(_tags(cells[i]))]
    assert not hidden, f"{path.name}: explorer cells {hidden} hide their output, which works on the page too"
    untagged = [i for i in live_only if "remove-output" not in _tags(cells[i])]
    assert not untagged, f"{path.name}: live-only widget cells {untagged} must be tagged remove-output"
    notes = [c for c in cells if c["cell_type"] == "markdown"
             and all(w in _source(c) for w in ("Colab", "Binder")) and "slider" in _source(c).lower()]
    assert notes, f"{path.name}: no note telling readers where the sliders are live (Colab, Binder)"


def test_no_chapter_animates_a_path_frame_by_frame():
    """Paths over a surface are explorers now (two sliders, vector paths); optim.plot keeps only the
    general Player, for curves whose story is one knob (chapters 16, 18, 19, 21, 22)."""
    import optim.plot

    assert not hasattr(optim.plot, "player_over_values") and not hasattr(optim.plot, "player_over_steps")
    for path in NOTEBOOKS:
        assert "player_over_" not in path.read_text(), f"{path.name} still calls a removed player"


# --- Binder and Colab ------------------------------------------------------------------------------

def test_binder_files():
    runtime = (ROOT / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime), f"runtime.txt must pin a Python 3 version, not {runtime!r}"
    minor = int(runtime.split(".")[1])
    required = re.search(r'requires-python\s*=\s*">=3\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert required and minor >= int(required.group(1)), "runtime.txt is older than pyproject's requires-python"
    lines = [ln.split("#")[0].strip() for ln in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "-e ." in lines, "requirements.txt must install the book's own package (-e .) for Binder and readers"


def test_launch_buttons_point_at_the_repository():
    launch = CONFIG["launch_buttons"]
    assert launch["binderhub_url"] == "https://mybinder.org"
    assert launch["colab_url"] == "https://colab.research.google.com"
    url = urllib.parse.urlparse(CONFIG["repository"]["url"])
    assert url.netloc == "github.com" and len(url.path.strip("/").split("/")) == 2, (
        "Colab and Binder open notebooks from a GitHub repository: repository.url must be https://github.com/OWNER/REPO")


@pytest.mark.slow
def test_binder_environment_runs_a_chapter(tmp_path):
    """What Binder does: a fresh environment, pip install -r requirements.txt, pip install ., then run."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    # The kernel must be the new environment's, whatever kernels this machine has registered elsewhere.
    env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    env["JUPYTER_PREFER_ENV_PATH"] = "1"

    def run(*args, cwd, timeout=1800):
        done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        return done.stdout

    # A copy of the repository, as Binder clones it (building the package writes build/ beside it).
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(
        ".git", "_build", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".venv", "venv"))
    run(python, "-m", "pip", "install", "--quiet", "-r", "requirements.txt", cwd=repo)
    run(python, "-m", "pip", "install", "--quiet", ".", cwd=repo)

    # Run the chapter outside the repository, so that `optim` can only come from the installation.
    work = tmp_path / "work"
    work.mkdir()
    chapter = work / "01_gradient_descent.ipynb"
    chapter.write_text((ROOT / "chapters" / "01_gradient_descent.ipynb").read_text())
    script = textwrap.dedent("""\
        import sys, nbformat
        from nbclient import NotebookClient
        nb = nbformat.read(sys.argv[1], as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell("import sys, optim; print(sys.prefix); print(optim.__file__)"))
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
        print(nb.cells[-1].outputs[0]["text"])
        """)
    out = run(python, "-c", script, chapter, work, cwd=work)
    prefix, location = out.strip().splitlines()[-2:]
    assert pathlib.Path(prefix).resolve() == venv.resolve(), f"the kernel ran in {prefix}, not in the new environment"
    assert str(venv.resolve()) in str(pathlib.Path(location).resolve()), f"optim was imported from {location}"


@pytest.mark.slow
def test_colab_like_environment_installs_from_git_and_runs_a_chapter(tmp_path):
    """What Colab does: a Python with numpy, matplotlib and ipywidgets already installed (and the kernel that
    runs notebooks), then the chapter's setup cell: `%pip install "optim-book @ git+<repository>@<branch>"`,
    here with a local clone's URL in place of GitHub's. The chapter must run, and its explorer must come
    out in both views: the live widget and the precomputed page."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", JUPYTER_PATH=str(venv / "share" / "jupyter"),
               JUPYTER_PREFER_ENV_PATH="1", GIT_CONFIG_NOSYSTEM="1", HOME=str(tmp_path))

    def run(*args, cwd, timeout=1800):
        done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        return done.stdout

    # What Colab has, of what matters here (and the notebook runner its kernel stands for).
    run(python, "-m", "pip", "install", "--quiet", "numpy", "matplotlib", "ipywidgets", "ipykernel", "nbclient",
        "nbformat", cwd=tmp_path)
    # A git repository of this tree (committed or not), on the branch the setup cell names.
    repo = tmp_path / "repo"
    shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(
        ".git", "_build", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".venv", "venv"))
    branch = CONFIG["repository"].get("branch", "main")
    for command in (["init", "-q", "-b", branch], ["add", "-A"],
                    ["-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-q", "-m", "snapshot"]):
        run("git", *command, cwd=repo)
    # The setup cell's own install command, with the local clone's URL.
    chapter_path = ROOT / "chapters" / "03_momentum.ipynb"
    setup = _source(_cells(chapter_path)[0])
    install = re.search(r'%pip install (--quiet) "([^"]+) @ git\+([^"@]+)@([^"]+)"', setup)
    assert install, f"no %pip install line in the setup cell:\n{setup}"
    quiet, package, url, cell_branch = install.groups()
    assert url == CONFIG["repository"]["url"].rstrip("/") and cell_branch == branch
    # (file://localhost/...: an empty host, file:///..., is not a valid URL in a requirement to older pips.)
    run(python, "-m", "pip", "install", quiet, f"{package} @ git+file://localhost{repo.as_posix()}@{branch}",
        cwd=tmp_path)

    work = tmp_path / "work"
    work.mkdir()
    chapter = work / chapter_path.name
    chapter.write_text(chapter_path.read_text())
    script = textwrap.dedent("""\
        import json, sys, nbformat
        from nbclient import NotebookClient
        nb = nbformat.read(sys.argv[1], as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell("import optim; print(optim.__file__)"))
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
        views = [sorted(o.get("data", {})) for c in nb.cells if "optim.widgets" in c.source for o in c.outputs]
        print(json.dumps(views))
        print(nb.cells[-1].outputs[0]["text"].strip())
        """)
    out = run(python, "-c", script, chapter, work, cwd=work)
    views, location = out.strip().splitlines()[-2:]
    assert str(venv.resolve()) in str(pathlib.Path(location).resolve()), f"optim was imported from {location}"
    views = json.loads(views)
    assert views and all({"text/html", "application/vnd.jupyter.widget-view+json"} <= set(v) for v in views), views


# --- the offline website ---------------------------------------------------------------------------

def test_mathjax_is_served_with_the_site():
    config = CONFIG["sphinx"]["config"]
    path = config["mathjax_path"]
    assert "://" not in path and not path.startswith("//"), f"mathjax_path must be local, not {path}"
    # Sphinx puts mathjax_path under _static/; "../" climbs out to the site's root, where html_extra_path lands.
    relative = path[len("../"):] if path.startswith("../") else None
    assert relative, "mathjax_path must be ../<folder in html_extra_path>/..."
    assert any((ROOT / extra / relative).is_file() for extra in config["html_extra_path"]), (
        f"{relative} is in none of html_extra_path {config['html_extra_path']}")
    folder = next(ROOT / e / relative for e in config["html_extra_path"] if (ROOT / e / relative).is_file()).parent
    assert (folder / "LICENSE").is_file(), "keep MathJax's licence (Apache-2.0) beside it"
    fonts = list((folder / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert len(fonts) > 10, "MathJax's CHTML fonts must ship with it"
    assert not (ROOT / "_static").exists() or not list((ROOT / "_static").rglob("mathjax*")), (
        "MathJax must stay out of _static/: jupyter-book adds every .js file there to every page")
    loaded = config.get("mathjax3_config", {}).get("loader", {}).get("load", [])
    for component in ["core", *loaded]:
        assert (folder / f"{component}.js").is_file(), (
            f"MathJax's loader is told to load {component}, but {folder / (component + '.js')} is not there")


# --- the code as readers see it --------------------------------------------------------------------

def test_ruff_checks_the_package_and_the_notebooks():
    """ruff over the whole repository, notebooks included: chapters/ruff.toml keeps chapter code within
    the 88 columns a code cell shows on a laptop page, without scrolling sideways."""
    ruff = shutil.which("ruff") or (pathlib.Path(sys.executable).with_name("ruff"))
    if not pathlib.Path(ruff).exists():
        message = "ruff is not installed (pip install ruff)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    assert "line-length = 88" in (ROOT / "chapters" / "ruff.toml").read_text()
    done = subprocess.run([str(ruff), "check", "--output-format", "concise", "."], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, f"ruff finds problems:\n{done.stdout[-4000:]}{done.stderr[-2000:]}"
    assert ".ipynb" in subprocess.run([str(ruff), "check", "--show-files", "."], cwd=ROOT, capture_output=True,
                                      text=True).stdout, "ruff does not look at the notebooks"


#: The width of a code cell on a laptop page (chapters/ruff.toml): the source ``show(obj)`` displays keeps to it.
PAGE_COLUMNS = 88
#: ``show(...)`` arguments that name a chapter's own objects rather than the package's: what each stands for.
SHOWN_BY_HAND = {"problem": "optim.regression.LeastSquares"}  # 02_sgd: problem = diabetes(), a LeastSquares


def _code_tree(source: str) -> ast.Module:
    """A code cell parsed as Python, its IPython magics and shell lines (``%pip``, ``!ls``) blanked."""
    lines = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in source.splitlines()]
    return ast.parse("\n".join(lines))


def _imported_names(trees) -> dict:
    """What a chapter's ``import optim...`` and ``from optim... import ...`` statements bind."""
    names = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "optim":
                        top = alias.asname or alias.name.split(".")[0]
                        names[top] = importlib.import_module(alias.name if alias.asname else top)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == "optim":
                module = importlib.import_module(node.module)
                for alias in node.names:
                    value = getattr(module, alias.name, None)
                    if value is None:  # a submodule: from optim import nn
                        value = importlib.import_module(f"{node.module}.{alias.name}")
                    names[alias.asname or alias.name] = value
    return names


def _resolve(expr: ast.expr, names: dict, loops: dict) -> list:
    """The objects a ``show`` argument stands for: a name, a dotted attribute of one, or the loop variable of
    a ``for`` over a literal tuple of such. Raises LookupError for anything else."""
    if isinstance(expr, ast.Attribute):
        return [getattr(obj, expr.attr) for obj in _resolve(expr.value, names, loops)]
    if isinstance(expr, ast.Name):
        if expr.id in loops:
            return [obj for item in loops[expr.id] for obj in _resolve(item, names, {})]
        if expr.id in SHOWN_BY_HAND:
            module, _, attr = SHOWN_BY_HAND[expr.id].rpartition(".")
            return [getattr(importlib.import_module(module), attr)]
        if expr.id in names:
            return [names[expr.id]]
    raise LookupError(ast.unparse(expr))


def _shown_objects():
    """(chapter, cell index, the call as written, the object) for every ``show(obj)`` in the chapters; the
    calls that cannot be resolved come back as (chapter, cell, call, None)."""
    for path in NOTEBOOKS:
        cells = [(i, _code_tree(_source(c))) for i, c in enumerate(_cells(path)) if c["cell_type"] == "code"]
        names = _imported_names(tree for _, tree in cells)
        for i, tree in cells:
            loops = {node.target.id: node.iter.elts for node in ast.walk(tree)
                     if isinstance(node, ast.For) and isinstance(node.target, ast.Name)
                     and isinstance(node.iter, ast.Tuple | ast.List)}
            for node in ast.walk(tree):
                func = getattr(node, "func", None)
                is_show = (isinstance(func, ast.Name) and func.id == "show") or (
                    isinstance(func, ast.Attribute) and func.attr == "show"
                    and isinstance(func.value, ast.Name) and func.value.id == "optim")
                if not (isinstance(node, ast.Call) and is_show):
                    continue
                call = ast.unparse(node)
                if len(node.args) != 1 or node.keywords:
                    yield path.name, i, call, None
                    continue
                try:
                    for obj in _resolve(node.args[0], names, loops):
                        yield path.name, i, call, obj
                except (LookupError, AttributeError):
                    yield path.name, i, call, None


def test_shown_source_fits_the_page():
    """Every object a chapter displays with ``show(obj)`` (its source, from inspect.getsource) fits in the
    88 columns of a code cell, though the rest of the package keeps to 120: no shown block scrolls sideways."""
    shown = list(_shown_objects())
    unresolved = [f"{chapter} cell {i}: {call}" for chapter, i, call, obj in shown if obj is None]
    assert not unresolved, ("this test cannot tell which object these show() calls display; resolve them "
                            "(SHOWN_BY_HAND) so that their source is checked:\n" + "\n".join(unresolved))
    assert len({id(obj) for *_, obj in shown}) >= 20, "fewer show() calls than expected: is the parsing broken?"
    too_wide, seen = [], set()
    for chapter, _, call, obj in shown:
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        lines, start = inspect.getsourcelines(obj)
        where = inspect.getsourcefile(obj).replace(str(ROOT) + os.sep, "")
        name = f"{obj.__module__}.{obj.__qualname__}"
        too_wide += [f"{name} ({chapter}: {call}), {where}:{start + k}, {len(line)} columns: {line.strip()}"
                     for k, line in enumerate(line.rstrip("\n") for line in lines) if len(line) > PAGE_COLUMNS]
    assert not too_wide, (f"source shown in the chapters is wider than {PAGE_COLUMNS} columns (wrap it in optim/, "
                          "keeping each # (N) on its equation's line):\n" + "\n".join(too_wide))
