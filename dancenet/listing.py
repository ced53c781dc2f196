"""The library's own code on a chapter's page: the lines that build a model are shown straight
from the module that runs them, so the page and the code can never disagree."""

from __future__ import annotations

import inspect
import re
import textwrap
from pathlib import Path

from IPython.display import Markdown

PACKAGE = Path(__file__).resolve().parent


def source_of(obj) -> str:
    """The source of a function, method or class of the library, dedented."""
    try:
        return textwrap.dedent(inspect.getsource(obj)).rstrip()
    except TypeError:
        raise TypeError(
            f"show the source of a function, method or class, not of {type(obj).__name__} {obj!r}"
        ) from None


def where(obj) -> str:
    """``dancenet/vae.py, Sampling``: the file (relative to the repository) and the qualified name."""
    path = Path(inspect.getsourcefile(obj)).resolve()
    if path.is_relative_to(PACKAGE.parent):
        path = path.relative_to(PACKAGE.parent)
    return f"{path.as_posix()}, {obj.__qualname__}"


def show(*objects) -> Markdown:
    """A highlighted listing of each object's source, each under the line that says where it lives;
    rendered the same in JupyterLab, Colab and the book (a Markdown code fence)."""
    if not objects:
        raise ValueError("name at least one function, method or class to show")
    listings = [(source_of(obj), where(obj)) for obj in objects]
    return Markdown("\n\n".join(f"`{place}`\n\n{fenced(code)}" for code, place in listings))


def fenced(code: str) -> str:
    """``code`` in a Markdown fence longer than any run of backticks inside it."""
    longest = max((len(run) for run in re.findall("`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}python\n{code}\n{fence}"
