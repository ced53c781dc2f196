"""What every chapter's setup cell calls: OpenCV only where none is, the Drive cache on request,
the profile and the devices printed."""

import importlib.util
import subprocess

import pytest

from dancenet import chapter, colab


@pytest.mark.parametrize("has_opencv", [True, False], ids=["opencv-installed", "no-opencv"])
def test_opencv_is_added_only_where_none_is(has_opencv, monkeypatch, capsys):
    real_find, commands = importlib.util.find_spec, []
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: (real_find("json") if has_opencv else None) if name == "cv2" else real_find(name),
    )
    monkeypatch.setattr(subprocess, "run", lambda command, **options: commands.append(command))
    chapter.ensure_opencv()
    if has_opencv:
        assert commands == [] and capsys.readouterr().out == ""
    else:
        ((*pip, requirement),) = commands
        assert pip[1:] == ["-m", "pip", "install", "-q"] and requirement.startswith("opencv-python-headless")
        assert "this runtime has no OpenCV" in capsys.readouterr().out


def test_the_opencv_requirement_is_the_packages_own_extra():
    from importlib import metadata

    requirement = chapter.opencv_requirement()
    assert requirement.startswith("opencv-python-headless") and "<6" in requirement
    assert any(r.startswith(requirement) for r in metadata.requires("dancenet"))


@pytest.mark.parametrize("on_drive", [False, True])
def test_start_prints_the_profile_and_devices_and_keeps_the_cache_on_drive_when_asked(
    on_drive, monkeypatch, capsys
):
    calls = []
    monkeypatch.setenv("DANCENET_PROFILE", "ci")
    monkeypatch.setattr(colab, "keep_cache_on_drive", lambda: calls.append(1) or "/drive/cache")
    profile = chapter.start(on_drive)
    lines = capsys.readouterr().out.splitlines()
    assert profile.name == "ci" and lines[-3] == str(profile)
    assert "models barely trained" in lines[-2] and "cpu profile" in lines[-2]  # ci: said at once
    assert lines[-1].startswith("TensorFlow sees ")
    assert calls == ([1] if on_drive else []) and ("cache on Google Drive" in lines[0]) is on_drive


def test_start_says_nothing_more_in_a_profile_that_trains_for_real(monkeypatch, capsys):
    monkeypatch.setenv("DANCENET_PROFILE", "cpu")
    profile = chapter.start()
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == str(profile) and lines[-1].startswith("TensorFlow sees ")
