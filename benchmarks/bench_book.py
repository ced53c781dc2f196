"""The published book: build time, site size, and how long the browser tests take.

Builds the book from the committed outputs into a fresh folder, twice: first with an empty cache
of vendored scripts (so the download from the npm registry is counted), then with it filled.
Then runs tests/test_browser.py (which builds the book once more and opens every page).
Run: python benchmarks/bench_book.py  (needs Chromium for the last figure)
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from _machine import machine

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def seconds(command: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    return time.perf_counter() - start


def megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 2**20


def main() -> None:
    print(f"# the published book, {date.today()}, {machine()}")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "book"  # the committed tree, as a clean clone has it
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(source)],
            check=True,
            capture_output=True,
        )
        try:
            build = [str(BIN / "jupyter-book"), "build", str(source), "--warningiserror", "--nitpick"]
            cold = seconds(build)
            html = source / "_build" / "html"
            size = megabytes(html)
            parts = {name: megabytes(html / name) for name in ("_images", "_static")}
            vendored = sum(
                megabytes(html / "_static" / name) for name in ("mathjax", "html-manager", "requirejs")
            )
            for built in html.parent.iterdir():
                if built.name != "vendor":
                    shutil.rmtree(built)
            warm = seconds(build)
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(source)],
                check=True,
                capture_output=True,
            )
    print(f"make book, clean output, vendored scripts downloaded: {cold:.1f} s")
    print(f"make book, clean output, vendored scripts cached:     {warm:.1f} s")
    print(
        f"site: {size:.1f} MB (figures {parts['_images']:.1f} MB, _static {parts['_static']:.1f} MB "
        f"of which MathJax, widget manager and RequireJS {vendored:.1f} MB)"
    )
    browser = seconds(
        [str(BIN / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_browser.py"],
        cwd=ROOT,
        env={**os.environ},
    )
    print(f"browser tests (book build + every page in Chromium): {browser:.1f} s")


if __name__ == "__main__":
    main()
