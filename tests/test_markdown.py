"""The chapters read well outside the book: Colab renders markdown cells as plain CommonMark and
cannot be extended, and JupyterLab without a MyST extension does the same. Every markdown cell is
rendered here with markdown-it-py's "commonmark" preset, which stands in for them, and what a reader
would see is searched for raw MyST: directives, roles, options, targets and colon fences."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

#: MyST directive and role names a reader must never see in braces: ``{exercise}``, ``{cite}`…
#: (not after a letter or a backslash, so LaTeX such as ``\text{note}`` is not taken for one)
MYST_NAME = re.compile(
    r"(?<![A-Za-z\\])\{(admonition|exercise|solution(?:-start|-end)?|cite(?::[a-z]+)?|doc|ref|numref|eq"
    r"|math|note|tip|warning|important|caution|danger|attention|hint|seealso|dropdown|figure|image"
    r"|glossary|term|bibliography|code-cell|margin|sidebar|prf:[a-z]+)\}"
)
#: a directive's option line (``:class: tip``, ``:label: ex-…``), a target (``(label)=``) or a
#: colon fence (``:::{note}``), each at the start of a line
MYST_LINE = re.compile(r"^(:[a-z][\w-]*:(?:\s|$)|\([\w-]+\)=\s*$|:::)", re.MULTILINE)

#: ``**Exercise 3.1 — The receptive field.**``: the chapter's number, then the exercise's
EXERCISE = re.compile(r"\*\*Exercise (\d+)\.(\d+) — [^*]+\*\*")
SOLUTION = re.compile(r"<summary>Solution to Exercise (\d+\.\d+)(?: \(continued\))?</summary>")

COMMONMARK = MarkdownIt("commonmark")


def published_references() -> str:
    """The references page of the published book (GitHub Pages of the repository)."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    owner, name = url.removeprefix("https://github.com/").strip("/").split("/")
    return f"https://{owner}.github.io/{name}/book/references.html"


class SeenText(HTMLParser):
    """What a reader sees of rendered HTML, and the attribute values that carry text from the
    source (a fenced block's ``{exercise}`` info string ends up in its ``class``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts += [value for _, value in attrs if value]

    def handle_data(self, data):
        self.parts.append(data)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def load(path: Path) -> dict:
    return json.loads(path.read_text())


def markdown_cells(notebook: dict) -> list[str]:
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]


def seen(source: str) -> str:
    parser = SeenText()
    parser.feed(COMMONMARK.render(source))
    parser.close()
    return parser.text


def raw_myst(source: str) -> list[str]:
    """The raw MyST a CommonMark reader would see in one markdown cell, one entry a finding."""
    text = seen(source)
    found = [m.group() for m in MYST_NAME.finditer(text)]
    found += [m.group().strip() for m in MYST_LINE.finditer(text)]
    return found


def test_the_finder_catches_raw_myst():
    # what the chapters were written in before they were made to read well outside the book
    before = (
        "```{exercise} The receptive field\n:label: ex-receptive-field\nHow large is it?\n```\n\n"
        "As {cite}`lecun1998gradient` showed, see {doc}`../book/references`.\n\n"
        "(flaw-threshold)=\n## A target\n\n:::{note}\nA colon fence.\n:::\n"
    )
    found = raw_myst(before)
    for part in ("{exercise}", ":label:", "{cite}", "{doc}", "(flaw-threshold)=", ":::"):
        assert part in found, f"{part} not caught"
    after = "Math stays: $\\text{note}$ and $\\mathrm{IoU}(A, B)$; a time 12:30:00."
    assert raw_myst(after) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
class TestChapterMarkdown:
    def test_no_raw_myst_in_commonmark(self, path):
        found = [
            f"cell {i}: {part}" for i, s in enumerate(markdown_cells(load(path))) for part in raw_myst(s)
        ]
        assert not found, f"{len(found)} raw MyST a Colab reader would see: " + "; ".join(found[:8])

    def test_tells_a_lab_or_colab_reader_to_run_all_cells(self, path):
        title_cell = markdown_cells(load(path))[0]
        assert "Run All Cells" in title_cell and "Colab" in title_cell

    def test_exercises_are_numbered_in_order(self, path):
        prose = "\n".join(markdown_cells(load(path)))
        numbers = [(int(c), int(e)) for c, e in EXERCISE.findall(prose)]
        chapter = int(path.name[:2])
        assert numbers, "every chapter has exercises"
        assert numbers == [(chapter, k) for k in range(1, len(numbers) + 1)], numbers

    def test_every_exercise_has_a_collapsed_solution(self, path):
        # the markdown of a solution sits in <details> (opened and closed in one cell: a cell
        # cannot hold half of an HTML block), and its code cells are hidden in the book
        # (hide-input or remove-cell) and in JupyterLab (source_hidden)
        chapter = int(path.name[:2])
        cells = load(path)["cells"]
        texts = markdown_cells(load(path))
        for text in texts:
            html = COMMONMARK.render(text)
            assert html.count("<details>") == html.count("</details>"), text[:80]
        prose = "\n".join(texts)
        exercises = [f"{c}.{e}" for c, e in EXERCISE.findall(prose)]
        solved = set(SOLUTION.findall(prose))
        assert not set(exercises) - solved, f"exercises without a solution: {set(exercises) - solved}"
        assert solved <= set(exercises), f"solutions to no exercise: {solved - set(exercises)}"
        first = next(i for i, c in enumerate(cells) if EXERCISE.search("".join(c["source"])))
        end = next(i for i, c in enumerate(cells) if i > first and "## Summary" in "".join(c["source"]))
        for cell in cells[first:end]:
            if cell["cell_type"] != "code":
                continue
            tags = set(cell["metadata"].get("tags", []))
            start = "".join(cell["source"])[:60]
            hidden = {"hide-input", "remove-cell", "remove-input"}  # remove-input: the claims table
            assert tags & hidden, f"solution code shown in the book: {start!r}"
            assert cell["metadata"].get("jupyter", {}).get("source_hidden"), (
                f"solution code shown in JupyterLab: {start!r}"
            )
        assert f"Exercise {chapter}.1" in prose

    def test_citations_link_to_the_published_references(self, path):
        # a citation reads as text (Author, year) and links to the book's references page
        prose = "\n".join(markdown_cells(load(path)))
        links = re.findall(r"\]\((https://[^)]*references[^)]*)\)", prose)
        assert links, "the chapter cites nothing"
        assert set(links) == {published_references()}
