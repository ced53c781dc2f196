"""The book builds with warnings as errors, shows the committed outputs and is well formed.

The built HTML is read here as files; tests/test_browser.py opens the same pages in a browser.
"""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.book


class ParsedPage(HTMLParser):
    """One built page: its title, the ids it defines, its links and its images."""

    def __init__(self, path: Path):
        super().__init__()
        self.title, self.ids, self.links, self.images = "", set(), [], []
        self.redirect = False  # Jupyter Book's index.html only forwards to the front page
        self._in_title = False
        self.feed(path.read_text())

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update(attrs[key] for key in ("id", "name") if attrs.get(key))
        self.links.extend(attrs[key] for key in ("href", "src") if attrs.get(key))
        if tag == "img":
            self.images.append(attrs)
        self.redirect |= tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh"
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.fixture(scope="module")
def pages(html) -> dict[Path, ParsedPage]:
    return {
        path: ParsedPage(path)
        for path in sorted(html.rglob("*.html"))
        if "_static" not in path.relative_to(html).parts
    }


def toc_pages() -> list[str]:
    """The book's pages in reading order, as paths of their HTML files."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]] + [entry["file"] for part in toc["parts"] for entry in part["chapters"]]
    return [f"{file}.html" for file in files]


def test_index_and_every_chapter_page_exist(html):
    assert (html / "index.html").exists() or (html / "book" / "intro.html").exists()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        assert (html / "chapters" / f"{notebook.stem}.html").exists()


def test_chapters_show_committed_figures_and_widgets(html):
    from test_notebooks import WITHOUT_WIDGET

    for page in sorted((html / "chapters").glob("*.html")):
        text = page.read_text()
        assert text.count("<img") >= 3, f"{page.name} shows too few figures"
        if page.stem in WITHOUT_WIDGET:
            continue
        assert "application/vnd.jupyter.widget-view+json" in text, f"{page.name} has no widget view"
        assert "application/vnd.jupyter.widget-state+json" in text, f"{page.name} has no widget state"


def test_exercises_and_solutions_render(html):
    # exercises are bold, numbered paragraphs; solutions are collapsed: their prose in <details>,
    # their code behind myst-nb's toggle (the hide-input tag)
    for page in sorted((html / "chapters").glob("*.html")):
        text = page.read_text()
        number = int(page.stem[:2])
        assert f"<strong>Exercise {number}.1 — " in text, f"{page.name} shows no exercise"
        assert f"<summary>Solution to Exercise {number}.1" in text, f"{page.name} shows no solution"
        assert "<details" in text and "</details>" in text
        assert "hide-input" in text, f"{page.name} does not collapse its solutions' code"


def test_bibliography_resolves(html):
    references = (html / "book" / "references.html").read_text().lower()
    for title in (
        "auto-encoding variational",
        "mixture density networks",
        "long short-term memory",
        "world models",
        "dancenet: dance generator",
    ):
        assert title in references


def test_no_broken_internal_links(html, pages):
    broken = []
    for path, page in pages.items():
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme or link.startswith("//"):
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{path.relative_to(html)}: {link}")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and target in pages
                and unquote(parts.fragment) not in pages[target].ids
            ):
                broken.append(f"{path.relative_to(html)}: {link} (no such anchor)")
    assert not broken, "\n".join(broken)


def test_every_sidebar_lists_every_other_page_of_the_book(html, pages):
    book = [(html / page).resolve() for page in toc_pages()]
    for path in book:
        linked = {
            (path.parent / unquote(urlsplit(link).path)).resolve()
            for link in pages[path].links
            if not urlsplit(link).scheme and urlsplit(link).path
        }
        missing = [str(other.relative_to(html)) for other in book if other != path and other not in linked]
        assert not missing, f"{path.relative_to(html)} does not link {missing}"


def test_every_figure_has_alt_text(html, pages):
    missing = [
        f"{path.relative_to(html)}: {image.get('src', '')[:60]}"
        for path, page in pages.items()
        for image in page.images
        if not (image.get("alt") or "").strip()
        or image["alt"].lower().endswith((".png", ".jpg", ".jpeg", ".gif", ".svg"))
    ]
    assert not missing, "images without a description:\n" + "\n".join(missing)


def test_every_page_has_a_title_of_its_own(html, pages):
    titles = {path: page.title.strip() for path, page in pages.items()}
    untitled = [
        str(path.relative_to(html))
        for path, title in titles.items()
        if not pages[path].redirect and (not title or "<no title>" in title)
    ]
    assert not untitled, f"pages without a title: {untitled}"
    book_titles = [titles[html / page] for page in toc_pages()]
    assert len(set(book_titles)) == len(book_titles), book_titles
