"""A chapter opened in JupyterLab, as a learner who runs the notebooks themselves meets it.

JupyterLab is started on localhost with the course's own chapters, and pages are opened in headless
Chromium (driven by Playwright, as the book's browser checks are); any request that leaves
localhost is refused and counted. A chapter's markdown must be rendered: an exercise as bold text,
a formula typeset by JupyterLab's own MathJax, and no raw MyST directive shown as a code block. And
the explorers, run live in a notebook, must each fit a laptop screen: controls and picture within
700 px of height. Screenshots go to ``_build/screenshots/lab__*.png``.
"""

from __future__ import annotations

import contextlib
import json
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
SCREENSHOTS = ROOT / "_build" / "screenshots"
#: a laptop screen's usable height in a notebook: every explorer's controls and picture fit in it
LAPTOP_PX = 700

#: every explorer at the cpu profile's sizes, as tests/test_widgets.py builds them (a stand-in
#: autoencoder; ci's untrained models where one is needed), one output each, in JupyterLab
EXPLORERS = [
    """\
import numpy as np
from dancenet import framing, mdn, stage, vae
from dancenet.widgets import (BackgroundTuner, FeatureMapViewer, FramingTuner, LatentExplorer,
                              MDNPlayground, ReconstructionViewer, StageBrowser)
clip = stage.render_clip(40, seed=7, progress=False)
images = framing.frame_dancer(clip.masks, (64, 104)).images

class Block:
    def encode(self, images):
        return np.asarray(images, np.float32).reshape(len(images), -1)[:, ::1000]
    def decode(self, codes):
        level = np.clip(np.asarray(codes, np.float32).mean(axis=1), 0, 1)
        return np.ones((len(codes), 64, 104, 1), np.float32) * level[:, None, None, None]""",
    "StageBrowser(clip.frames, clip.masks)",
    "BackgroundTuner(clip.frames, clip.masks, score_every=10)",
    "FramingTuner(clip.frames, clip.masks, image_size=(64, 104))",
    'FeatureMapViewer(vae.build_encoder("cpu", seed=0), images[:4])',
    'ReconstructionViewer({"block": Block()}, images[:4])',
    "LatentExplorer(Block(), Block().encode(images), directions=5)",
    "x, y = mdn.inverse_problem(200, seed=1)\nMDNPlayground(x, y, {1: mdn.fit_toy(x, y, 1, epochs=1)})",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving the repository on localhost; yields its base URL and token."""
    port, token = _free_port(), secrets.token_hex(16)
    home = tmp_path_factory.mktemp("lab-home")  # settings and workspaces of this run only
    news = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    news.parent.mkdir(parents=True)
    news.write_text(json.dumps({"fetchNews": "false"}))  # no pop-up over the screenshots
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
    }
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


@contextlib.contextmanager
def lab_page(lab, path: str):
    """A JupyterLab page showing ``path``, in Chromium that may reach localhost only."""
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
        page.goto(f"{base}/lab/tree/{path}?token={token}&reset", wait_until="load")
        yield page
        browser.close()
    assert not off_site, f"JupyterLab asked for something off localhost: {off_site[:5]}"


def test_a_chapter_in_jupyterlab_shows_its_exercises_and_math_rendered(lab):
    with lab_page(lab, CHAPTER) as page:
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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "lab__05_reparameterization.png"))


def test_every_explorer_run_live_in_jupyterlab_fits_a_laptop_screen(lab):
    folder = ROOT / "_build" / "lab"
    folder.mkdir(parents=True, exist_ok=True)
    cells = [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
        for source in EXPLORERS
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / "explorers.ipynb").write_text(json.dumps(notebook))
    with lab_page(lab, "_build/lab/explorers.ipynb") as page:
        page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=90_000)
        with contextlib.suppress(Exception):  # a new notebook may ask which kernel to start
            page.get_by_role("button", name="Select", exact=True).click(timeout=15_000)
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=90_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        selector = ".jp-OutputArea-output > .widget-vbox"
        views = page.locator(selector)
        page.wait_for_function(
            f"document.querySelectorAll('{selector}').length >= {len(EXPLORERS) - 1}", timeout=300_000
        )
        page.wait_for_timeout(2000)  # the pictures' first values arrive after the views
        heights = {}
        for i in range(views.count()):
            view = views.nth(i)
            view.scroll_into_view_if_needed()
            heights[EXPLORERS[i + 1].splitlines()[-1].split("(")[0]] = view.bounding_box()["height"]
            view.screenshot(path=str(SCREENSHOTS / f"lab__explorer_{i + 1}.png"))
    print("explorer heights in JupyterLab (px):", {name: round(h) for name, h in heights.items()})
    assert len(heights) == len(EXPLORERS) - 1
    too_tall = {name: round(height) for name, height in heights.items() if height > LAPTOP_PX}
    assert not too_tall, f"taller than {LAPTOP_PX} px in JupyterLab: {too_tall} (all: {heights})"
