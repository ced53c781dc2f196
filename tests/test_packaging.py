"""pyproject.toml and environment.yml must list the same dependencies with the same bounds."""

import re
from pathlib import Path

import tomllib
import yaml
from packaging.specifiers import SpecifierSet

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


def colab_snapshot() -> dict[str, str]:
    lines = (ROOT / "tests" / "colab-2026-08.txt").read_text().splitlines()
    pins = [line.split("==") for line in lines if line and not line.startswith("#")]
    return {_split(name)[0]: version for name, version in pins}


def runtime_requirements() -> dict[str, str]:
    return dict(
        _split(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    )


def test_python_has_no_upper_bound_and_admits_colabs():
    python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert "<" not in python and colab_snapshot()["python"] in SpecifierSet(python)


def test_colab_snapshot_satisfies_every_runtime_dependency():
    snapshot = colab_snapshot()
    for name, spec in runtime_requirements().items():
        if name in snapshot:
            assert snapshot[name] in SpecifierSet(spec), f"Colab's {name} {snapshot[name]} is outside {spec}"
    # a new runtime dependency must be checked against Colab's version too: record it in the snapshot
    assert set(runtime_requirements()) <= set(snapshot)


def test_no_opencv_build_is_a_runtime_dependency():
    # Colab's opencv-python provides cv2; a second build beside it would overwrite its files
    assert not [name for name in runtime_requirements() if name.startswith("opencv")]
    opencv = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"][
        "opencv"
    ]
    assert [_split(r)[0] for r in opencv] == ["opencv-python-headless"]
