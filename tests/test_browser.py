"""The published book in a real browser, as a reader meets it, with no network but localhost.

The built site is served on 127.0.0.1 and every page is opened once in headless Chromium (driven
by Playwright, using the system's Chromium: Debian's ``chromium`` package, or the browser named
by ``DANCENET_CHROMIUM``). Any request that leaves localhost is refused and counted, so a page
that still needs a CDN fails here. Screenshots of every page, and of each widget and animation on
it, go to ``_build/screenshots/``: look at them after a change to the book's look.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from conftest import NO_CHROMIUM, find_chromium
from test_book import ROOT, toc_pages
from test_notebooks import WITHOUT_WIDGET

pytestmark = [pytest.mark.book, pytest.mark.browser]

SCREENSHOTS = ROOT / "_build" / "screenshots"
PAGES = toc_pages() + ["genindex.html", "search.html", "index.html"]
CHAPTERS = [page for page in PAGES if page.startswith("chapters/")]
WITH_ANIMATION = {
    "chapters/01_dancer_and_stage.html",
    "chapters/07_stacked_lstms.html",
    "chapters/08_choreography.html",
    "chapters/09_music.html",
}
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'


@dataclass
class Visit:
    """What one page did in the browser."""

    problems: list[str] = field(default_factory=list)  # console errors, failed or offsite requests
    title: str = ""
    address: str = ""  # where the page ended up, after any redirect
    broken_images: list[str] = field(default_factory=list)
    math: dict = field(default_factory=dict)
    widgets: list[dict] = field(default_factory=list)
    animations: list[dict] = field(default_factory=list)
    launch_links: list[str] = field(default_factory=list)
    overflowing: list[str] = field(default_factory=list)  # code blocks and tables wider than the column
    sidebar_scroll: float = 0.0
    screenshot: Path | None = None


def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.fail(NO_CHROMIUM)
    return path


@pytest.fixture(scope="module")
def site(html):
    """The built book served on localhost; yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=html))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def visits(site, html) -> dict[str, Visit]:
    """Every page, opened once; what the tests below check is gathered on the way."""
    from playwright.sync_api import sync_playwright

    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium(), args=["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]
        )
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        current = Visit()

        def only_localhost(route):
            if route.request.url.startswith(site):
                route.continue_()
            else:
                current.problems.append(f"request off the site: {route.request.url}")
                route.abort()

        context.route("**/*", only_localhost)
        for name in PAGES:
            current = results[name] = Visit()
            redirects = 'http-equiv="Refresh"' in (Path(html) / name).read_text()
            screenshot = SCREENSHOTS / name.removesuffix(".html").replace("/", "__")
            visit(context, site + name, current, screenshot, redirects)
        browser.close()
    return results


def visit(context, url: str, result: Visit, screenshot: Path, redirects: bool = False) -> None:
    page = context.new_page()
    page.on(
        "console",
        lambda message: message.type == "error" and result.problems.append(f"console error: {message.text}"),
    )
    page.on("pageerror", lambda error: result.problems.append(f"JavaScript error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and result.problems.append(f"HTTP {response.status}: {response.url}")
        ),
    )
    page.goto(url, wait_until="load")
    if redirects:  # a page that only forwards (index.html): check the page it leads to, once loaded
        page.wait_for_url(lambda address: address != url, wait_until="load")
    from playwright.sync_api import TimeoutError as Timeout

    with contextlib.suppress(Timeout):  # reported by the widget test, with what did render
        page.wait_for_function(
            f"""() => [...document.querySelectorAll('{WIDGET_VIEW}')].every(
            view => view.previousElementSibling?.classList.contains('widget-subarea')
                    && view.previousElementSibling.childElementCount > 0)""",
            timeout=30_000,
        )
    page.evaluate("() => window.MathJax?.startup?.promise")
    page.evaluate("""() => Promise.all([...document.images].filter(image => !image.complete).map(
        image => new Promise(done => { image.onload = image.onerror = done; })))""")
    result.title, result.address = page.title(), page.url
    result.broken_images = page.evaluate("""() => [...document.images]
        .filter(image => image.naturalWidth === 0).map(image => (image.getAttribute('src') || '').slice(0, 80))""")
    result.math = page.evaluate("""() => ({
        sources: document.querySelectorAll('.math').length,
        typeset: [...document.querySelectorAll('.math')].filter(m => m.querySelector('mjx-container')).length,
        errors: document.querySelectorAll('mjx-merror').length})""")
    result.widgets = page.evaluate(f"""() => [...document.querySelectorAll('{WIDGET_VIEW}')].map(view => {{
        const area = view.previousElementSibling?.classList.contains('widget-subarea') ? view.previousElementSibling : null;
        return {{rendered: !!area && area.childElementCount > 0, height: area ? area.getBoundingClientRect().height : 0}};
    }})""")
    result.launch_links = page.evaluate("""() => [...document.querySelectorAll('a[href]')].map(a => a.href)
        .filter(href => href.includes('colab.research.google.com') || href.includes('mybinder.org'))""")
    result.overflowing = page.evaluate("""() => [...document.querySelectorAll('article pre, article table')]
        .filter(block => block.scrollWidth > block.clientWidth + 1)
        .map(block => `${block.tagName.toLowerCase()} ${block.scrollWidth} px in ${block.clientWidth} px: `
            + block.innerText.split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 90))""")
    result.sidebar_scroll = page.evaluate(
        "() => document.querySelector('.bd-sidebar-primary')?.scrollTop ?? 0"
    )
    result.screenshot = Path(f"{screenshot}.png")
    page.screenshot(path=str(result.screenshot), full_page=True)  # before any click moves the page
    for kind, selector in (("widget", ".widget-subarea"), ("animation", "div.animation")):
        for number, element in enumerate(page.locator(selector).all(), start=1):
            element.screenshot(path=f"{screenshot}__{kind}{number}.png")
    result.animations = [step_animation(player) for player in page.locator("div.animation").all()]
    page.close()


def step_animation(player) -> dict:
    """Pause a Matplotlib player, press "Next frame" twice, and report what it showed."""
    image, slider = player.locator("img"), player.locator("input[type=range]")
    player.get_by_role("button", name="Pause").click()
    shown = [(slider.input_value(), image.get_attribute("src"))]
    for _ in range(2):
        player.get_by_role("button", name="Next frame").click()
        shown.append((slider.input_value(), image.get_attribute("src")))
    return {
        "frames": int(slider.get_attribute("max")) + 1,
        "shown": shown,
        "alt": image.get_attribute("alt") or "",
    }


@pytest.mark.parametrize("page", PAGES)
def test_page_has_no_javascript_errors_and_needs_no_network(visits, page):
    assert not visits[page].problems, "\n".join(visits[page].problems)


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads(visits, page):
    assert not visits[page].broken_images, visits[page].broken_images


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(visits, page):
    math = visits[page].math
    assert math["typeset"] == math["sources"] and math["errors"] == 0, math


def test_the_book_has_math_to_typeset(visits):
    assert sum(visits[page].math["typeset"] for page in CHAPTERS) >= 50


@pytest.mark.parametrize("page", CHAPTERS)
def test_every_widget_renders_its_first_view(visits, page):
    widgets = visits[page].widgets
    if Path(page).stem not in WITHOUT_WIDGET:
        assert widgets, "the chapter shows no widget"
    for widget in widgets:
        assert widget["rendered"] and widget["height"] > 20, widget


@pytest.mark.parametrize("page", sorted(WITH_ANIMATION))
def test_animation_players_step_through_frames(visits, page):
    assert visits[page].animations, "no animation player on the page"
    for player in visits[page].animations:
        (first, first_src), (second, second_src), (third, third_src) = player["shown"]
        assert player["frames"] > 2
        assert [int(second), int(third)] == [
            (int(first) + 1) % player["frames"],
            (int(first) + 2) % player["frames"],
        ]
        assert len({first_src, second_src, third_src}) == 3, "the frames do not change"
        assert player["alt"].strip()


@pytest.mark.parametrize("page", PAGES)
def test_no_code_block_or_table_is_wider_than_the_column(visits, page):
    assert not visits[page].overflowing, "\n".join(visits[page].overflowing)


@pytest.mark.parametrize("page", PAGES)
def test_the_navigation_is_shown_from_its_top(visits, page):
    # the theme scrolls a navigation taller than the window to the current page, hiding the top
    assert visits[page].sidebar_scroll == 0


@pytest.mark.parametrize("page", CHAPTERS)
def test_launch_buttons_open_this_notebook(visits, page):
    repository = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]
    owner_repo = repository["url"].removeprefix("https://github.com/")
    notebook = page.removesuffix(".html") + ".ipynb"
    assert set(visits[page].launch_links) == {
        f"https://colab.research.google.com/github/{owner_repo}/blob/{repository['branch']}/{notebook}",
        f"https://mybinder.org/v2/gh/{owner_repo}/{repository['branch']}?urlpath=lab/tree/{notebook}",
    }


def test_the_site_address_leads_to_the_front_page(visits, site):
    assert visits["index.html"].address == site + toc_pages()[0]


@pytest.mark.parametrize("page", PAGES)
def test_page_has_a_title_and_a_screenshot(visits, page):
    assert visits[page].title.strip() and "<no title>" not in visits[page].title
    assert visits[page].screenshot.stat().st_size > 10_000
