import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
NO_CHROMIUM = "Chromium not found: apt-get install chromium, or set DANCENET_CHROMIUM"
#: set in the pytest process an ``isolated`` test runs in, so that there it runs, not spawns again
ISOLATED_CHILD = "DANCENET_ISOLATED_TEST"


def find_chromium() -> str | None:
    """The browser the browser checks drive: ``DANCENET_CHROMIUM``, or the first on the PATH."""
    return os.environ.get("DANCENET_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_NAMES)), None)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets an empty artifact cache of its own."""
    monkeypatch.setenv("DANCENET_CACHE", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def stage_clip():
    """A short stage clip at the original's 120×208, rendered once for the whole session."""
    from dancenet import stage

    return stage.render_clip(240, seed=7, progress=False)


@pytest.fixture(scope="session")
def stage_video_frames(stage_clip, tmp_path_factory):
    """The same clip after a round trip through an MP4 file, as every method really sees it."""
    from dancenet import video

    path = video.write_video(tmp_path_factory.mktemp("video") / "clip.mp4", stage_clip.frames)
    return video.read_frames(path, progress=False)


@pytest.fixture(scope="session")
def html(tmp_path_factory) -> Path:
    """The book's HTML, built once per session from the committed outputs, warnings as errors."""
    out = tmp_path_factory.mktemp("book")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [
            str(jupyter_book),
            "build",
            str(ROOT),
            "--path-output",
            str(out),
            "--warningiserror",
            "--nitpick",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    return out / "_build" / "html"


def pytest_configure(config):
    np.set_printoptions(precision=4, suppress=True)
    config.addinivalue_line(
        "markers",
        "isolated: runs in a pytest process of its own, so that its memory peak is not added to what "
        "the session's earlier tests left in this one",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """An ``isolated`` test is run by a fresh pytest process; its failure output becomes this one's."""
    if "isolated" not in pyfuncitem.keywords or os.environ.get(ISOLATED_CHILD):
        return None
    result = subprocess.run(
        [sys.executable, "-m", "pytest", pyfuncitem.nodeid, "-q", "-p", "no:cacheprovider"],
        cwd=pyfuncitem.config.rootpath,
        env={**os.environ, ISOLATED_CHILD: "1"},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"in its own process:\n{result.stdout[-12000:]}{result.stderr[-4000:]}", pytrace=False)
    return True


BROWSER_SKIPPED = pytest.StashKey[int]()


def pytest_report_header(config):
    if find_chromium() is None and in_ci():
        return f"browser checks: {NO_CHROMIUM} (CI=true: they fail)"


def pytest_collection_modifyitems(config, items):
    # without a browser the browser checks are left out and said so in one line, except under
    # CI=true, where they run and fail
    if find_chromium() is not None or in_ci():
        return
    browser = [item for item in items if "browser" in item.keywords]
    if browser:
        items[:] = [item for item in items if "browser" not in item.keywords]
        config.hook.pytest_deselected(items=browser)
        config.stash[BROWSER_SKIPPED] = len(browser)


def pytest_terminal_summary(terminalreporter, config):
    if skipped := config.stash.get(BROWSER_SKIPPED, 0):
        terminalreporter.write_line(f"{skipped} browser checks skipped: {NO_CHROMIUM}")
