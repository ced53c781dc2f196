"""book/_ext/offline.py: pinned scripts fetched from the npm registry, checked, unpacked whole."""

import base64
import hashlib
import io
import sys
import tarfile
import urllib.error
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.errors import ExtensionError

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import offline  # noqa: E402


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(monkeypatch):
    """A fake npm registry serving one package: what it serves and the URLs it was asked for."""
    data = tarball(
        {
            "LICENSE": b"licence",
            "es5/tex.js": b"tex",
            "es5/fonts/a.woff": b"font",
            "es5/other.js": b"not wanted",
        }
    )
    package = offline.Package(
        "1.2.3", integrity(data), "lib", "es5", ("LICENSE", "es5/tex.js", "es5/fonts/*")
    )
    monkeypatch.setattr(offline, "PACKAGES", {"@scope/lib": package})
    monkeypatch.setenv("NPM_CONFIG_REGISTRY", "https://registry.example/")
    served = SimpleNamespace(payload=data, asked=[])

    def urlopen(url, timeout):
        served.asked.append(url)
        return io.BytesIO(served.payload)

    monkeypatch.setattr(offline.urllib.request, "urlopen", urlopen)
    return served


def test_files_keep_their_layout_below_the_root_and_are_fetched_once(tmp_path, registry):
    folder = offline.vendor_dir(tmp_path)
    assert (folder / "lib" / "tex.js").read_bytes() == b"tex"
    assert (folder / "lib" / "fonts" / "a.woff").read_bytes() == b"font"
    assert (folder / "lib" / "LICENSE").exists() and not (folder / "lib" / "other.js").exists()
    assert registry.asked == ["https://registry.example/@scope/lib/-/lib-1.2.3.tgz"]
    assert offline.vendor_dir(tmp_path) == folder and len(registry.asked) == 1


def test_a_tarball_that_does_not_match_its_checksum_is_refused_and_leaves_nothing(tmp_path, registry):
    registry.payload = tarball({"LICENSE": b"tampered"})
    with pytest.raises(ExtensionError, match="checksum"):
        offline.vendor_dir(tmp_path)
    assert list((tmp_path / "_build").iterdir()) == []


def test_an_unreachable_registry_is_named(tmp_path, registry, monkeypatch):
    def unreachable(url, timeout):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr(offline.urllib.request, "urlopen", unreachable)
    with pytest.raises(ExtensionError, match=r"@scope/lib 1\.2\.3 .*NPM_CONFIG_REGISTRY"):
        offline.vendor_dir(tmp_path)
    assert not (tmp_path / "_build" / "vendor").exists()


def test_a_pattern_that_matches_nothing_stops_the_build(tmp_path, registry, monkeypatch):
    package = offline.PACKAGES["@scope/lib"]._replace(patterns=("es5/missing.js",))
    monkeypatch.setattr(offline, "PACKAGES", {"@scope/lib": package})
    with pytest.raises(ExtensionError, match="missing.js"):
        offline.vendor_dir(tmp_path)


def test_a_changed_pin_replaces_the_whole_folder(tmp_path, registry, monkeypatch):
    offline.vendor_dir(tmp_path)
    package = offline.PACKAGES["@scope/lib"]._replace(patterns=("es5/tex.js",))
    monkeypatch.setattr(offline, "PACKAGES", {"@scope/lib": package})
    folder = offline.vendor_dir(tmp_path)
    assert len(registry.asked) == 2 and not (folder / "lib" / "fonts").exists()
