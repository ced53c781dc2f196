"""Without a browser, the browser checks skip with one line that says how to get one; under
CI=true they fail instead, so CI cannot pass without having looked at the pages."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _browser_checks(environment: dict) -> subprocess.CompletedProcess:
    # the browser checks with no browser to find (PATH without one, no DANCENET_CHROMIUM)
    env = {k: v for k, v in os.environ.items() if k not in ("DANCENET_CHROMIUM", "CI")}
    env.update(PATH=str(Path(sys.executable).parent), **environment)
    tests = ["tests/test_browser.py", "tests/test_claims.py"]
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_chromium_the_browser_checks_skip_with_one_line():
    result = _browser_checks({})
    assert result.returncode == 0, result.stdout[-2000:]
    (line,) = [line for line in result.stdout.splitlines() if "Chromium not found" in line]
    count, said = line.split(" ", 1)
    assert (
        said
        == "browser checks skipped: Chromium not found: apt-get install chromium, or set DANCENET_CHROMIUM"
    )
    assert int(count) > 50 and "error" not in result.stdout.lower()


def test_without_chromium_the_browser_checks_fail_under_ci():
    result = _browser_checks({"CI": "true"})
    assert result.returncode != 0 and "skipped" not in result.stdout
