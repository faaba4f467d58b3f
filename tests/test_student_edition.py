"""The student edition (scripts/student_edition.py) and the exercises it depends on.

Runs the real command on the real chapters and proves that no solution survives, that every
chapter and every check is still there, and that a learner who runs an untouched student
notebook is stopped at the check of the first implement-it exercise with a message in words.
Also holds every chapter to the exercise contract: at least three exercises, a hidden solution
for each, and an implement-it cell followed by a check.
"""

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "student_edition.py"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
#: Chapters proper are numbered below 90; 90 and above are appendices (no exercises needed).
LESSONS = [p for p in CHAPTERS if re.match(r"\d+", p.name) and int(re.match(r"\d+", p.name)[0]) < 90]

spec = importlib.util.spec_from_file_location("student_edition", SCRIPT)
edition = sys.modules["student_edition"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(edition)


def read(path):
    return nbformat.read(path, as_version=4)


def run_script(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, cwd=ROOT)


def solution_lines(nb):
    """The non-blank lines of a notebook's solutions (inside markers or solution directives)
    that occur nowhere else in it: none of them may reach the student edition."""
    inside, outside = set(), set()
    for cell in nb.cells:
        lines = cell.source.split("\n")
        hidden = [False] * len(lines)
        if cell.cell_type == "code":
            for begin, end in edition.solution_regions(cell.source, "test"):
                hidden[begin + 1 : end] = [True] * (end - begin - 1)
        else:
            for name, _, first, last, _ in edition.directives(lines):
                if name in edition.SOLUTION_DIRECTIVES:
                    hidden[first + 1 : last] = [True] * (last - first - 1)
        for line, h in zip(lines, hidden, strict=True):
            text = line.strip()
            if text and not text.startswith(":class:"):
                (inside if h else outside).add(text)
    return inside - outside


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    out = tmp_path_factory.mktemp("edition") / "student"
    result = run_script(out, "--nbgrader")
    assert result.returncode == 0, result.stderr
    return out


def test_help_documents_the_command():
    result = run_script("--help")
    assert result.returncode == 0 and "OUT" in result.stdout and "--nbgrader" in result.stdout


def test_every_chapter_is_in_the_student_edition(student):
    assert CHAPTERS, "no chapters found"
    assert sorted(p.name for p in (student / "chapters").glob("*.ipynb")) == [p.name for p in CHAPTERS]
    assert "optim-book @ git+" in (student / "requirements.txt").read_text()
    assert "YOUR CODE HERE" in (student / "README.md").read_text()


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_solution_survives(student, path):
    original, copy = read(path), read(student / "chapters" / path.name)
    secret = solution_lines(original)
    for cell in copy.cells:
        assert "BEGIN SOLUTION" not in cell.source and "END SOLUTION" not in cell.source
        assert not cell.get("outputs"), "outputs must be cleared"
        if cell.cell_type == "markdown":
            names = [d[0] for d in edition.directives(cell.source.split("\n"))]
            assert not set(names) & set(edition.SOLUTION_DIRECTIVES), cell.source[:200]
        leaked = secret & {line.strip() for line in cell.source.split("\n")}
        assert not leaked, f"solution lines survived in {path.name}: {sorted(leaked)}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_checks_and_all_other_code_are_kept(student, path):
    original, copy = read(path), read(student / "chapters" / path.name)
    kept = [c.source for c in original.cells if c.cell_type == "code" and "BEGIN SOLUTION" not in c.source]
    student_code = [c.source for c in copy.cells if c.cell_type == "code" and "YOUR CODE HERE" not in c.source]
    assert student_code == kept
    stubs = [c.source for c in copy.cells if c.cell_type == "code" and "YOUR CODE HERE" in c.source]
    marked = [c for c in original.cells if c.cell_type == "code" and "BEGIN SOLUTION" in c.source]
    assert len(stubs) == len(marked)
    for source in stubs:
        ast.parse(source)  # still valid Python
        assert "raise NotImplementedError(" in source


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_markers_are_balanced(path):
    for index, cell in enumerate(read(path).cells):
        edition.solution_regions(cell.source, f"{path.name}, cell {index}")  # raises if not


def stub_and_check(nb):
    """Indices of the first stub cell of a student notebook and of the code cell after it."""
    stub = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "YOUR CODE HERE" in c.source)
    check = next(i for i in range(stub + 1, len(nb.cells)) if nb.cells[i].cell_type == "code")
    return stub, check


def run_in_kernel(nb):
    """Run a student notebook up to the check after its first stub, as a learner would; return
    the indices of the cells that failed and the error message."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    stub, check = stub_and_check(nb)
    nb.cells = nb.cells[: check + 1]
    where = {"metadata": {"path": str(ROOT / "chapters")}}  # run where nbval runs the chapters
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources=where)
    try:
        client.execute()
    except CellExecutionError as error:
        errors = [[o for o in c.get("outputs", []) if o.get("output_type") == "error"] for c in nb.cells]
        return [i for i, e in enumerate(errors) if e], str(error)
    return [], ""


def test_untouched_student_notebook_stops_at_the_check_with_words(student):
    """The first chapter, in a kernel: the only error is the check cell after the stub, and it
    says what is wrong (the stub's NotImplementedError), not just 'False'."""
    nb = read(student / "chapters" / CHAPTERS[0].name)
    _, check = stub_and_check(nb)
    failed, message = run_in_kernel(nb)
    assert failed == [check], f"expected only the check cell {check} to fail, got {failed}: {message[-800:]}"
    assert "NotImplementedError" in message and "your code goes here" in message, message[-800:]


@pytest.mark.parametrize("path", [p for p in LESSONS if "BEGIN SOLUTION" in p.read_text()], ids=lambda p: p.stem)
def test_every_stub_is_reported_by_its_check(student, path):
    """The same for every chapter, quickly where possible: define what the chapter imports and
    its functions and classes (no figures, no runs), run the stub cell and the check cell, and
    expect the check to explain the NotImplementedError in words. A check that needs the
    chapter's data (a NameError) is run in a kernel instead, after everything before it."""
    nb = read(student / "chapters" / path.name)
    stub, check = stub_and_check(nb)
    namespace = {"__name__": "student"}
    for cell in nb.cells[:stub]:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:  # IPython magics (the Colab setup cell)
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)):
                try:
                    exec(compile(ast.Module([node], type_ignores=[]), path.name, "exec"), namespace)
                except NameError:  # a definition that needs the chapter's data: not needed here
                    pass
    exec(nb.cells[stub].source, namespace)
    try:
        exec(nb.cells[check].source, namespace)
    except AssertionError as error:
        message = str(error)
    except NameError:
        failed, message = run_in_kernel(nb)
        assert failed == [check], f"expected only the check cell {check} to fail, got {failed}: {message[-800:]}"
    else:
        raise AssertionError(f"{path.name}: the check passed an unimplemented stub")
    assert "NotImplementedError" in message and "your code goes here" in message, message[-800:]


# --- the exercise contract ------------------------------------------------------------------
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_exercises_with_hidden_solutions(path):
    nb = read(path)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    labels = [label for source in markdown for label in edition.exercise_labels(source)]
    answered = {label for source in markdown for label in edition.solution_targets(source)}
    assert len(labels) >= 3, f"{path.name} has {len(labels)} exercises; the contract asks for at least three"
    assert all(labels), f"{path.name}: every exercise needs a :label: (its solution refers to it)"
    assert len(set(labels)) == len(labels), f"{path.name}: duplicate exercise labels {labels}"
    missing = [label for label in labels if label not in answered]
    assert not missing, f"{path.name}: no solution for {missing}"
    for source in markdown:
        lines = source.split("\n")
        for name, arg, *_, body in edition.directives(lines):
            if name in ("solution", "solution-start"):
                assert any(re.match(r"\s*:class:.*\bdropdown\b", b) for b in body), (
                    f"{path.name}: the solution to {arg} must be hidden (:class: dropdown)"
                )


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_implement_exercises_come_with_a_check(path):
    cells = read(path).cells
    marked = [i for i, c in enumerate(cells) if c.cell_type == "code" and "BEGIN SOLUTION" in c.source]
    assert marked, f"{path.name} has no implement-it exercise (a code cell with ### BEGIN SOLUTION)"
    for i in marked:
        after = next((c for c in cells[i + 1 :] if c.cell_type == "code"), None)
        assert after is not None and edition.CHECK_CALL.search(after.source), (
            f"{path.name}, cell {i}: the code cell after an implement-it exercise must call "
            "optim.checks.check_optimizer or check_function"
        )


def test_exercise_labels_are_unique_across_the_book():
    labels = [label for p in CHAPTERS for c in read(p).cells if c.cell_type == "markdown"
              for label in edition.exercise_labels(c.source)]
    assert len(labels) == len(set(labels))


def test_nbgrader_source_is_tagged(student):
    for path in LESSONS:
        nb = read(student / "nbgrader" / "source" / path.stem / path.name)
        tags = [c.metadata.get("nbgrader", {}) for c in nb.cells]
        solutions = [t for t in tags if t.get("solution")]
        graded = [t for t in tags if t.get("grade")]
        assert solutions and len(graded) == len(solutions), path.name
        assert all(t["points"] == 1 and t["locked"] for t in graded)
        ids = [t["grade_id"] for t in tags if t]
        assert len(ids) == len(set(ids))
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "{solution}" not in text  # nbgrader cannot strip MyST solutions: they are gone already


# --- errors, on made-up chapters ---------------------------------------------------------------
def make_chapters(folder, *cells):
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s[3:]) if s.startswith("md:") else nbformat.v4.new_code_cell(s)
                for s in cells]
    nbformat.write(nb, folder / "01_toy.ipynb")
    return folder


@pytest.mark.parametrize(
    "source, words",
    [
        ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "never closed"),
        ("x = 1\n### END SOLUTION\n", "no '### BEGIN SOLUTION' before it"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "inside the region"),
        ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "is not one"),
    ],
)
def test_unbalanced_markers_name_the_notebook_and_cell(tmp_path, source, words):
    chapters = make_chapters(tmp_path / "src", "import numpy", source)
    result = run_script(tmp_path / "out", "--chapters", chapters)
    assert result.returncode == 1
    assert "01_toy.ipynb, cell 1" in result.stderr and words in result.stderr, result.stderr
    assert not (tmp_path / "out" / "chapters").exists(), "nothing may be written on error"


def test_gated_solutions_and_nested_fences_are_removed(tmp_path):
    chapters = make_chapters(
        tmp_path / "src",
        "md:```{exercise}\n:label: ex-toy\n\nDo it.\n```\n\nBefore.\n\n"
        "```{solution-start} ex-toy\n:class: dropdown\n```\n\nSecret text.",
        "secret_code = 42",
        "md:More secret.\n\n```{solution-end}\n```\n\nAfter.",
        "md:````{solution} ex-toy\n:class: dropdown\n\n```python\nhidden = 1\n```\n\nStill hidden.\n````\n\nVisible.",
        "md:```python\n# an example, not a directive\n```\n\n"
        ":::{solution} ex-toy\n:class: dropdown\nColon secret.\n:::",
    )
    result = run_script(tmp_path / "out", "--chapters", chapters)
    assert result.returncode == 0, result.stderr
    text = "\n".join(c.source for c in read(tmp_path / "out" / "chapters" / "01_toy.ipynb").cells)
    secrets = ("Secret text", "secret_code", "More secret", "hidden = 1", "Still hidden", "Colon secret", "solution")
    for secret in secrets:
        assert secret not in text
    for kept in ("Do it.", "Before.", "After.", "Visible.", "an example"):
        assert kept in text


def test_unclosed_gated_solution_is_an_error(tmp_path):
    chapters = make_chapters(tmp_path / "src", "md:```{solution-start} ex\n```\n\nSecret.", "x = 1")
    result = run_script(tmp_path / "out", "--chapters", chapters)
    assert result.returncode == 1 and "01_toy.ipynb, cell 0" in result.stderr and "never closed" in result.stderr


def test_refuses_to_overwrite_the_chapters(tmp_path):
    result = run_script(ROOT)
    assert result.returncode == 1 and "refusing" in result.stderr
    chapters = make_chapters(tmp_path / "book" / "chapters", "x = 1")
    result = run_script(tmp_path / "book", "--chapters", chapters)
    assert result.returncode == 1 and "refusing" in result.stderr


def test_refuses_to_overwrite_an_edition_without_force(tmp_path):
    chapters = make_chapters(tmp_path / "src", "x = 1")
    assert run_script(tmp_path / "out", "--chapters", chapters).returncode == 0
    again = run_script(tmp_path / "out", "--chapters", chapters)
    assert again.returncode == 1 and "--force" in again.stderr
    assert run_script(tmp_path / "out", "--chapters", chapters, "--force").returncode == 0


# --- licences and citation ------------------------------------------------------------------------
def test_citation_and_licences_are_stated():
    import yaml

    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0" and citation["license"] == "MIT"
    assert citation["title"] == config["title"]
    assert citation["repository-code"] == config["repository"]["url"]
    assert "MIT" in config["html"]["extra_footer"] and "CC BY 4.0" in config["html"]["extra_footer"]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python scripts/student_edition.py OUT" in readme
    assert "CC BY 4.0" in readme and "MIT" in readme and "CITATION.cff" in readme
