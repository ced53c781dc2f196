"""The Google Drive cache for Colab, with Colab's drive module stood in for."""

import sys
import types

import pytest

from dancenet import cache, colab


@pytest.fixture
def fake_colab(tmp_path, monkeypatch):
    """A google.colab.drive whose mount() records the call and makes My Drive under tmp_path."""
    mounted = []

    def mount(where):
        mounted.append(where)
        (tmp_path / "drive" / "MyDrive").mkdir(parents=True)

    drive = types.SimpleNamespace(mount=mount)
    google = types.ModuleType("google")
    google.colab = types.ModuleType("google.colab")
    google.colab.drive = drive
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", google.colab)
    monkeypatch.setattr(colab, "DRIVE", tmp_path / "drive")
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    return mounted


def test_the_cache_moves_to_my_drive(fake_colab, tmp_path, monkeypatch):
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "elsewhere"))  # restored after the test
    folder = colab.keep_cache_on_drive()
    assert fake_colab == [str(tmp_path / "drive")]
    assert folder == tmp_path / "drive" / "MyDrive" / "dancenet-cache"
    assert cache.cache_dir() == folder and folder.is_dir()


def test_outside_colab_the_error_says_what_to_do(monkeypatch):
    monkeypatch.setitem(sys.modules, "google.colab", None)  # an import that fails
    with pytest.raises(RuntimeError, match="only in Colab.*set DANCENET_CACHE"):
        colab.keep_cache_on_drive()


@pytest.mark.parametrize("folder", ["", "  ", "/content/cache"])
def test_the_folder_is_a_name_under_my_drive(fake_colab, folder):
    with pytest.raises(ValueError, match="a name under My Drive"):
        colab.keep_cache_on_drive(folder)
    assert not fake_colab
