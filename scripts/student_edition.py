#!/usr/bin/env python3
"""Write the student edition of the book: every chapter with its solutions taken out.

    python scripts/student_edition.py OUT

reads every notebook in ``chapters/`` and writes ``OUT/chapters/*.ipynb`` where

* the code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (markers included) is
  replaced, at the marker's indentation, by ``# YOUR CODE HERE`` and a ``raise
  NotImplementedError(...)`` naming the exercise (nbgrader's convention, so the
  marked-up chapters work with nbgrader as they are);
* the solution blocks of the text (sphinx-exercise's ```` ```{solution} ```` directives, and the
  gated ``{solution-start}`` ... ``{solution-end}`` pairs, with every cell between them) are removed;
* outputs are cleared; everything else, the check cells in particular, is kept.

It also writes ``OUT/README.md`` and ``OUT/requirements.txt`` (the notebooks import the book's
``optim`` package: in Colab each chapter's first cell installs it, elsewhere
``pip install -r requirements.txt`` does). With ``--nbgrader`` it also writes
``OUT/nbgrader/source/<chapter>/<chapter>.ipynb``: the chapters as an nbgrader course's
source, solution markers kept and the cells tagged for ``nbgrader generate_assignment``.

Markers that do not pair up stop the script with an error naming the notebook and the cell.
It never writes into the repository's own ``chapters/``. Needs only the standard library and
nbformat.
"""

from __future__ import annotations

import argparse
import copy
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CODE_STUB = ["# YOUR CODE HERE", 'raise NotImplementedError("{what}: your code goes here; then run the check below")']
TEXT_STUB = ["YOUR ANSWER HERE"]  # nbgrader's stub for a solution region in a text cell
# An opening fence: ``` or ::: (or longer) and its info string; a directive's is {name} argument.
FENCE_OPEN = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\s*(?P<info>[^`]*)$")
DIRECTIVE = re.compile(r"^\{(?P<name>[\w:.-]+)\}\s*(?P<arg>.*?)\s*$")
LABEL = re.compile(r"^\s*:label:\s*(\S+)")
SOLUTION_DIRECTIVES = ("solution", "solution-start", "solution-end")
CHECK_CALL = re.compile(r"\bcheck_(optimizer|function)\s*\(")


class EditionError(Exception):
    """A problem in a chapter or in the arguments, said so that the author can fix it."""


@dataclass
class Report:
    notebook: str
    code_regions: int = 0
    solution_blocks: int = 0
    cells_dropped: int = 0
    exercises: list[str] = field(default_factory=list)


# --- markdown: directives ------------------------------------------------------------------
def _closing(lines: list[str], start: int, fence: str) -> int:
    """Index of the line that closes the fence opened at ``start`` (CommonMark: the same
    character, at least as many, nothing else on the line); -1 if the cell ends first."""
    char, n = fence[0], len(fence)
    close = re.compile(r"^\s*" + re.escape(char) + "{" + str(n) + r",}\s*$")
    for i in range(start + 1, len(lines)):
        if close.match(lines[i]):
            return i
    return -1


def directives(lines: list[str]):
    """Yield (name, arg, first line, last line, body lines) for each top-level fenced block."""
    i = 0
    while i < len(lines):
        match = FENCE_OPEN.match(lines[i])
        if not match:
            i += 1
            continue
        end = _closing(lines, i, match["fence"])
        last = len(lines) - 1 if end < 0 else end
        directive = DIRECTIVE.match(match["info"].strip())
        name, arg = (directive["name"], directive["arg"]) if directive else ("", "")
        yield name, arg, i, end, lines[i + 1 : last]
        i = last + 1


def exercise_labels(source: str) -> list[str]:
    """Labels of the ``{exercise}`` directives in a markdown cell (gated ``exercise-start`` too)."""
    labels = []
    for name, _, _, _, body in directives(source.split("\n")):
        if name in ("exercise", "exercise-start"):
            found = [m[1] for line in body if (m := LABEL.match(line))]
            labels.append(found[0] if found else "")
    return labels


def solution_targets(source: str) -> list[str]:
    """The exercise labels that the solution directives of a markdown cell answer."""
    found = directives(source.split("\n"))
    return [arg.split()[0] for name, arg, *_ in found if name in ("solution", "solution-start") and arg]


def _tidy(lines: list[str]) -> list[str]:
    """Drop blank lines at both ends and squeeze the runs of blank lines that removals leave."""
    out: list[str] = []
    for line in lines:
        if line.strip() == "" and (not out or out[-1].strip() == ""):
            continue
        out.append(line)
    while out and out[-1].strip() == "":
        out.pop()
    return out


# --- code: nbgrader's solution regions ----------------------------------------------------
def solution_regions(source: str, where: str) -> list[tuple[int, int]]:
    """(begin, end) line indices of every marked region; raise on markers that do not pair up."""
    regions, begin = [], None
    for i, line in enumerate(source.split("\n")):
        text = line.strip()
        is_begin, is_end = "BEGIN SOLUTION" in line, "END SOLUTION" in line
        if (is_begin or is_end) and not (text.startswith(BEGIN) or text.startswith(END)):
            raise EditionError(
                f"{where}, line {i + 1}: {text!r} mentions a solution marker but is not one; write the marker "
                f"alone on its line as {BEGIN!r} or {END!r} (nbgrader would take this line for a marker)"
            )
        if is_begin:
            if begin is not None:
                raise EditionError(f"{where}, line {i + 1}: {BEGIN!r} inside the region opened on line {begin + 1}")
            begin = i
        elif is_end:
            if begin is None:
                raise EditionError(f"{where}, line {i + 1}: {END!r} with no {BEGIN!r} before it")
            regions.append((begin, i))
            begin = None
    if begin is not None:
        raise EditionError(f"{where}, line {begin + 1}: {BEGIN!r} is never closed by {END!r}")
    return regions


def strip_regions(source: str, stub: list[str], where: str) -> tuple[str, int]:
    """Replace each marked region by ``stub`` at the indentation of its BEGIN line."""
    lines = source.split("\n")
    regions = solution_regions(source, where)
    for begin, end in reversed(regions):
        indent = re.match(r"\s*", lines[begin]).group(0)
        lines[begin : end + 1] = [indent + s for s in stub]
    return "\n".join(lines), len(regions)


# --- one notebook ------------------------------------------------------------------------
def _cell_name(path: Path, index: int, cell) -> str:
    first = next((line.strip() for line in cell.source.split("\n") if line.strip()), "(empty)")
    return f"{path.name}, cell {index} ({cell.cell_type}, starting {first[:60]!r})"


def student_notebook(path: Path, *, keep_code_solutions: bool = False):
    """Return (student notebook, report). With ``keep_code_solutions`` the code regions stay
    (the nbgrader source keeps them for ``nbgrader generate_assignment`` to strip)."""
    nb = nbformat.read(path, as_version=4)
    report = Report(path.name)
    cells, exercise, gated_from = [], "Exercise", None
    for index, cell in enumerate(nb.cells):
        where = _cell_name(path, index, cell)
        cell = copy.deepcopy(cell)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if gated_from is not None:  # inside a gated solution: drop until its {solution-end}
            names = [d[0] for d in directives(cell.source.split("\n"))] if cell.cell_type == "markdown" else []
            if "solution-end" not in names:
                if cell.cell_type == "code" and solution_regions(cell.source, where):
                    report.code_regions += len(solution_regions(cell.source, where))
                report.cells_dropped += 1
                continue
        if cell.cell_type == "markdown":
            source, gated_from = _strip_markdown(cell.source, where, report, gated_from)
            labels = exercise_labels(cell.source)
            report.exercises += labels
            exercise = labels[-1] if labels and labels[-1] else exercise
            source, _ = strip_regions(source, TEXT_STUB, where)
            if not source.strip():
                report.cells_dropped += 1
                continue
            cell.source = source
        elif cell.cell_type == "code" and not keep_code_solutions:
            stub = [line.replace("{what}", exercise) for line in CODE_STUB]
            cell.source, n = strip_regions(cell.source, stub, where)
            report.code_regions += n
            if n and "hide-input" in cell.metadata.get("tags", []):  # the website may fold the
                cell.metadata["tags"].remove("hide-input")  # solution; the learner's stub stays open
        elif cell.cell_type == "code":
            report.code_regions += len(solution_regions(cell.source, where))
        cells.append(cell)
    if gated_from is not None:
        raise EditionError(f"{gated_from}: {{solution-start}} is never closed by {{solution-end}}")
    nb.cells = cells
    _verify(nb, path, keep_code_solutions)
    return nb, report


def _strip_markdown(source: str, where: str, report: Report, gated_from):
    """Remove solution directives from one markdown cell; carry an open gated solution on."""
    lines = source.split("\n")
    keep = [True] * len(lines)
    gate_start = 0 if gated_from is not None else None
    for name, _, first, last, _ in directives(lines):
        if name not in SOLUTION_DIRECTIVES:
            continue
        if last < 0:
            raise EditionError(f"{where}: the {{{name}}} directive on line {first + 1} has no closing fence")
        if name == "solution":
            if gate_start is not None:
                raise EditionError(f"{where}: a {{solution}} inside an open {{solution-start}}")
            keep[first : last + 1] = [False] * (last + 1 - first)
            report.solution_blocks += 1
        elif name == "solution-start":
            if gate_start is not None:
                raise EditionError(f"{where}: {{solution-start}} on line {first + 1} inside another one")
            gate_start, gated_from = first, where
        else:  # solution-end
            if gate_start is None:
                raise EditionError(f"{where}: {{solution-end}} on line {first + 1} has no {{solution-start}} before it")
            keep[gate_start : last + 1] = [False] * (last + 1 - gate_start)
            report.solution_blocks += 1
            gate_start, gated_from = None, None
    if gate_start is not None:  # the gated solution goes on in the next cells
        keep[gate_start:] = [False] * (len(lines) - gate_start)
    if all(keep):
        return source, gated_from
    return "\n".join(_tidy([line for line, k in zip(lines, keep, strict=True) if k])), gated_from


def _verify(nb, path: Path, keep_code_solutions: bool) -> None:
    """Belt and braces: no solution may survive, whatever the parsing above missed."""
    for index, cell in enumerate(nb.cells):
        lines = cell.source.split("\n")
        if any("BEGIN SOLUTION" in line or "END SOLUTION" in line for line in lines):
            if not (keep_code_solutions and cell.cell_type == "code"):
                raise EditionError(f"{_cell_name(path, index, cell)}: a solution marker survived")
        if cell.cell_type == "markdown":
            for name, *_ in directives(lines):
                if name in SOLUTION_DIRECTIVES:
                    raise EditionError(f"{_cell_name(path, index, cell)}: a {{{name}}} directive survived")


# --- nbgrader ------------------------------------------------------------------------------
def nbgrader_source(nb, stem: str):
    """Tag the cells for nbgrader: marked cells are solution cells, the check after each is
    an autograded test worth one point. Solutions in the text are already gone (nbgrader
    cannot strip MyST directives); code regions stay for ``generate_assignment``."""
    nb = copy.deepcopy(nb)
    exercise, count = "exercise", 0
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            labels = [x for x in exercise_labels(cell.source) if x]
            exercise = labels[-1] if labels else exercise
        if cell.cell_type != "code" or not solution_regions(cell.source, f"{stem}, cell {i}"):
            continue
        count += 1
        grade_id = f"{exercise}-{count}"
        cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False, "task": False,
                                     "grade_id": grade_id, "schema_version": 3}
        checks = [c for c in nb.cells[i + 1 :] if c.cell_type == "code"][:1]
        if checks and CHECK_CALL.search(checks[0].source):
            checks[0].metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "task": False,
                                              "points": 1, "grade_id": f"{grade_id}-check", "schema_version": 3}
    return nb


# --- the command ---------------------------------------------------------------------------
def repository_url() -> str:
    """The repository named in _config.yml (read with a regex: no YAML parser needed)."""
    text = (ROOT / "_config.yml").read_text(encoding="utf-8")
    match = re.search(r"^repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+url:\s*(\S+)", text, re.MULTILINE)
    branch = re.search(r"^repository:\s*\n(?:[ \t]+.*\n)*?[ \t]+branch:\s*(\S+)", text, re.MULTILINE)
    if not match:
        raise EditionError("_config.yml has no repository.url")
    return f"{match[1]}@{branch[1] if branch else 'main'}"


STUDENT_README = """# Optimizers, Step by Step: student edition

These are the chapters of *Optimizers, Step by Step* with the solutions taken out. Where a
chapter asks you to implement something, a cell says `# YOUR CODE HERE` and raises
`NotImplementedError`: replace those two lines with your code, then run the check cell that
follows. It runs your code against the book's reference on several problems and tells you, in
words, what differs (which step, which parameter, expected against got) or says "All good".

## Running the chapters

* **Colab**: upload a notebook (File > Upload notebook). Its first cell installs the book's
  `optim` package; run all cells.
* **Your own Jupyter**: `pip install -r requirements.txt`, then `jupyter lab chapters/`.

The book, with the derivations and the figures, is at {url}.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write the student edition: every chapter with its solutions removed and the checks kept.",
        epilog="Example: python scripts/student_edition.py student/   (then hand out student/chapters/*.ipynb)",
    )
    parser.add_argument("out", type=Path, metavar="OUT", help="output folder; the notebooks go to OUT/chapters/")
    parser.add_argument("--chapters", type=Path, default=ROOT / "chapters", help="the chapters (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="write into OUT even if it already holds notebooks")
    parser.add_argument("--nbgrader", action="store_true",
                        help="also write OUT/nbgrader/source/<chapter>/, an nbgrader course's source folder")
    args = parser.parse_args(argv)
    try:
        reports = build(args.out, args.chapters, force=args.force, nbgrader=args.nbgrader)
    except EditionError as error:
        print(f"student_edition: error: {error}", file=sys.stderr)
        return 1
    for r in reports:
        print(f"{r.notebook}: {len(r.exercises)} exercises, {r.code_regions} code solutions replaced, "
              f"{r.solution_blocks} solution blocks removed")
    print(f"wrote {len(reports)} notebooks to {args.out / 'chapters'}")
    return 0


def build(out: Path, chapters: Path, *, force: bool = False, nbgrader: bool = False) -> list[Report]:
    chapters, target = chapters.resolve(), (out / "chapters").resolve()
    notebooks = sorted(chapters.glob("*.ipynb"))
    if not notebooks:
        raise EditionError(f"no notebooks in {chapters}")
    for protected in {chapters, (ROOT / "chapters").resolve()}:
        if target == protected or protected in target.parents or out.resolve() in (ROOT, protected):
            raise EditionError(f"refusing to write into {target}: it would overwrite or mix with the chapters in "
                               f"{protected}; choose an output folder outside it")
    if target.exists() and any(target.glob("*.ipynb")) and not force:
        raise EditionError(f"{target} already holds notebooks; pass --force to overwrite them")
    # Process everything before writing anything, so an error leaves no half-made edition.
    made = [(path, *student_notebook(path)) for path in notebooks]
    target.mkdir(parents=True, exist_ok=True)
    for path, nb, _ in made:
        nbformat.validate(nb)
        nbformat.write(nb, target / path.name)
    url = repository_url()
    (out / "README.md").write_text(STUDENT_README.format(url=url.split("@")[0]), encoding="utf-8")
    (out / "requirements.txt").write_text(f"optim-book @ git+{url}\njupyterlab\n", encoding="utf-8")
    if nbgrader:
        source = out / "nbgrader" / "source"
        if source.exists():
            shutil.rmtree(source)
        for path in notebooks:
            nb, _ = student_notebook(path, keep_code_solutions=True)
            folder = source / path.stem
            folder.mkdir(parents=True)
            nbformat.write(nbgrader_source(nb, path.stem), folder / path.name)
    return [report for _, _, report in made]


if __name__ == "__main__":
    sys.exit(main())
