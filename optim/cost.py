"""What an optimizer keeps between steps, in bytes, read from its state after one update.

    >>> import numpy as np
    >>> from optim import Adam
    >>> state_per_parameter(Adam(), {"W": np.zeros((3, 2))})  # m and v, 8 bytes each
    16.0
"""

from __future__ import annotations

import csv
import pathlib
import urllib.request
from collections.abc import Mapping
from typing import Any

import numpy as np

from .base import Optimizer


def nbytes(value: Any) -> int:
    """Bytes of the numbers in ``value``: a numpy array or scalar by its dtype, a Python
    float or int as 8 (float64, int64), a bool as 1, None as 0; dicts, lists and tuples are
    summed over their items. Anything else raises, so that no kind of state goes uncounted."""
    if isinstance(value, np.ndarray | np.generic):
        return int(value.nbytes)
    if isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return 8
    if value is None:
        return 0
    if isinstance(value, Mapping):
        return sum(nbytes(item) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(nbytes(item) for item in value)
    raise TypeError(f"cannot count the bytes of a {type(value).__name__} in an optimizer's state")


def state_bytes(optimizer: Optimizer) -> int:
    """Bytes of every array and number in ``optimizer.state``, over all parameters."""
    return nbytes(optimizer.state)


def after_one_update(optimizer: Optimizer, params: Mapping[str, np.ndarray], seed: int = 0) -> Optimizer:
    """``optimizer`` after one update of copies of ``params`` (left unchanged) with standard
    normal gradients drawn from ``seed``; returned for chaining."""
    rng = np.random.default_rng(seed)
    copies = {key: np.array(p) for key, p in params.items()}
    grads = {key: rng.standard_normal(p.shape).astype(p.dtype) for key, p in copies.items()}
    optimizer.update(copies, grads)
    return optimizer


def state_per_parameter(optimizer: Optimizer, params: Mapping[str, np.ndarray], seed: int = 0) -> float:
    """Bytes of state per parameter entry once ``optimizer`` has made one update of ``params``."""
    entries = sum(np.size(p) for p in params.values())
    return state_bytes(after_one_update(optimizer, params, seed)) / entries


def read_benchmark(source: str | pathlib.Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The machine (its ``# key: value`` lines) and the rows of a CSV written by
    ``benchmarks/update_cost.py``; ``source`` is a path or an http(s) address."""
    if str(source).startswith(("http://", "https://")):
        with urllib.request.urlopen(str(source), timeout=30) as response:
            text = response.read().decode()
    else:
        text = pathlib.Path(source).read_text()
    lines = text.splitlines()
    comments = [line[2:].partition(": ") for line in lines if line.startswith("# ")]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    return {key: value for key, _, value in comments}, rows


def html_table(header: list[str], rows: list[list[str]], left: int = 1) -> str:
    """A plain HTML table, its first ``left`` columns left-aligned and the others right-aligned,
    in a box that scrolls sideways on a narrow screen."""
    def line(cells: list[str], tag: str) -> str:
        styles = [f"text-align:{'left' if i < left else 'right'};padding:0 0.4em" for i in range(len(cells))]
        return "<tr>" + "".join(f'<{tag} style="{style}">{c}</{tag}>' for style, c in zip(styles, cells)) + "</tr>"
    body = "".join(line(row, "td") for row in rows)
    return f'<div style="overflow-x:auto"><table><thead>{line(header, "th")}</thead><tbody>{body}</tbody></table></div>'
