"""Show an optimizer's own source in a chapter, so the page and the package cannot disagree."""

from __future__ import annotations

import inspect


def source(obj) -> str:
    """The source text of a class or function (for an optimizer: its whole class)."""
    return inspect.getsource(obj)


def show(obj):
    """Display ``obj``'s source, syntax-highlighted, in a notebook (plain text elsewhere)."""
    from IPython.display import Code

    return Code(source(obj), language="python")
