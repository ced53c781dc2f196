"""pyproject.toml and environment.yml must list the same dependencies with the same bounds."""

import re
from pathlib import Path

import tomllib
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*(.*)", requirement).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += [r for r in extra if not r.startswith("dancenet")]
    return dict(_split(r) for r in listed)


def environment_requirements() -> dict[str, str]:
    entries = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    listed = []
    for entry in entries:
        if isinstance(entry, dict):
            listed += [r for r in entry["pip"] if not r.startswith("-e")]
        elif not entry.startswith(("python", "pip")) or entry.startswith("python-"):
            listed.append(entry)
    return dict(_split(r) for r in listed)


def test_environment_matches_pyproject():
    assert environment_requirements() == pyproject_requirements()


def test_python_range_matches():
    python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    entries = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert f"python{python}" in entries


def test_environment_installs_the_package_itself():
    entries = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    pip = next(e["pip"] for e in entries if isinstance(e, dict))
    assert "-e ." in pip


def test_jupyter_book_is_pinned_below_2():
    assert pyproject_requirements()["jupyter-book"] == ">=1.0.4,<2"


def test_every_dependency_has_lower_and_upper_bounds():
    for name, spec in pyproject_requirements().items():
        assert ">=" in spec and "<" in spec.replace("<=", ""), f"{name} needs both bounds, has {spec!r}"


def test_repository_url_agrees_with_the_book_config():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    book = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert project["urls"]["Repository"] == book["repository"]["url"]
