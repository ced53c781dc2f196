"""The book builds with warnings as errors and shows the committed chapter outputs."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(ROOT), "--path-output", str(out),
         "--warningiserror", "--nitpick", "--keep-going"],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return out / "_build" / "html"


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
    for page in sorted((html / "chapters").glob("*.html")):
        text = page.read_text()
        assert "exercise" in text and "solution" in text


def test_bibliography_resolves(html):
    references = (html / "book" / "references.html").read_text().lower()
    for title in ("auto-encoding variational", "mixture density networks", "long short-term memory",
                  "world models", "dancenet: dance generator"):
        assert title in references


def test_colab_launch_button_points_at_the_notebook(html):
    page = (html / "chapters" / "01_dancer_and_stage.html").read_text()
    assert "colab.research.google.com/github/dancenet-course/dancenet-course/blob/main/chapters/01_dancer_and_stage.ipynb" in page
