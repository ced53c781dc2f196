"""A chapter opened in JupyterLab, as a learner who runs the notebooks themselves meets it.

JupyterLab is started on localhost with the course's own chapters, and a chapter is opened in
headless Chromium (driven by Playwright, as the book's browser checks are). Its markdown must be
rendered: an exercise as bold text, a formula typeset by JupyterLab's own MathJax, and no raw MyST
directive shown as a code block. Any request that leaves localhost is refused and counted. A
screenshot goes to ``_build/screenshots/lab__<chapter>.png``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import NO_CHROMIUM, find_chromium
from test_book import ROOT

pytestmark = [pytest.mark.browser]

CHAPTER = "chapters/05_reparameterization.ipynb"
SCREENSHOT = ROOT / "_build" / "screenshots" / "lab__05_reparameterization.png"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving the repository on localhost; yields its base URL and token."""
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("lab-home")  # settings and workspaces of this run only
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(home)}
    command = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        f"--port={port}",
        "--ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--ServerApp.open_browser=False",
        "--LabApp.news_url=",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {server.stderr.read()[-2000:]}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def test_a_chapter_in_jupyterlab_shows_its_exercises_and_math_rendered(lab):
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        pytest.fail(NO_CHROMIUM)
    base, token = lab
    off_site = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium)
        context = browser.new_context(viewport={"width": 1280, "height": 900})

        def only_localhost(route):
            if route.request.url.startswith(base) or route.request.url.startswith(base.replace("http", "ws")):
                route.continue_()
            else:
                off_site.append(route.request.url)
                route.abort()

        context.route("**/*", only_localhost)
        page = context.new_page()
        page.goto(f"{base}/lab/tree/{CHAPTER}?token={token}&reset", wait_until="load")
        markdown = page.locator(".jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown")
        markdown.first.wait_for(timeout=90_000)
        exercise = page.locator(".jp-RenderedMarkdown strong", has_text="Exercise 5.1 —")
        exercise.first.scroll_into_view_if_needed(timeout=60_000)
        assert exercise.count() >= 1, "the first exercise is not rendered as bold text"
        formula = page.locator(".jp-RenderedMarkdown mjx-container")
        formula.first.scroll_into_view_if_needed(timeout=60_000)
        assert formula.count() >= 1, "no formula typeset by MathJax"
        shown_as_code = page.locator(".jp-RenderedMarkdown pre").all_inner_texts()
        assert not any("{exercise}" in text or "{admonition}" in text for text in shown_as_code)
        exercise.first.scroll_into_view_if_needed()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        browser.close()
    assert not off_site, f"JupyterLab asked for something off localhost: {off_site[:5]}"
