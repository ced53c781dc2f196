"""The cache mechanism: built keys, atomic builds, clear errors."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from dancenet import cache
from dancenet.cache import Artifact, CacheError, cache_dir, clear
from dancenet.profiles import get_profile

CI = get_profile("ci")


def write_number(value):
    def build(folder, profile):
        np.save(folder / "value.npy", np.array(value))

    return build


def read_number(folder):
    return int(np.load(folder / "value.npy"))


def number(value=1, settings=None, profile=CI, build=None, inputs=(), fields=()):
    return Artifact(
        "number",
        profile,
        fields,
        build or write_number(value),
        read_number,
        settings=settings if settings is not None else {"x": value},
        inputs=inputs,
    )


def test_builds_once_then_loads():
    calls = []

    def build(folder, profile):
        calls.append(folder)
        write_number(42)(folder, profile)

    assert number(build=build).get() == 42
    assert number(build=build).get() == 42
    assert len(calls) == 1


def test_key_includes_profile_fields_and_settings():
    assert number(1).get() == 1
    assert number(2).get() == 2
    assert number(3, settings={"x": 1}, profile=get_profile("cpu"), fields=("image_size",)).get() == 3
    assert number(4, settings={"x": 1}, fields=("image_size",)).get() == 4
    names = sorted(p.name for p in cache_dir().iterdir())
    assert len(names) == 4 and sum(n.startswith("number-ci-") for n in names) == 3


def test_key_nests_the_keys_of_its_inputs():
    upstream_a, upstream_b = number(1), number(2)
    assert number(9, inputs=(upstream_a,)).key != number(9, inputs=(upstream_b,)).key
    assert number(9, inputs=(upstream_a,)).key == number(9, inputs=(number(1),)).key


def test_unknown_field_is_refused():
    with pytest.raises(ValueError, match="unknown profile fields.*'epochs'"):
        number(fields=("epochs",))


def test_build_sees_only_the_fields_it_declares():
    def build(folder, profile):
        assert profile.image_size == CI.image_size
        _ = profile.stage_frames  # not declared

    with pytest.raises(AttributeError, match="reads profile.stage_frames, which it does not declare"):
        number(build=build, fields=("image_size",)).get()
    assert list(cache_dir().iterdir()) == []


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """A small ``dancenet`` package tree: a imports b lazily, b imports the subpackage sub."""
    root = tmp_path / "dancenet"
    (root / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "__version__ = '0'\n",
        "a.py": "def f():\n    from . import b\n",
        "b.py": "from .sub import c\n",
        "lone.py": "import numpy\nfrom . import __version__\n",
        "sub/__init__.py": "",
        "sub/c.py": "",
        "sub/d.py": "X = 1\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    monkeypatch.setattr(cache, "PACKAGE_ROOT", root.resolve())
    cache._source_closure.cache_clear()
    yield lambda name: SimpleNamespace(__file__=str(root / name))
    cache._source_closure.cache_clear()


def test_source_hash_follows_imports_and_whole_packages(fake_package, tmp_path):
    a, lone = fake_package("a.py"), fake_package("lone.py")
    closure = {
        p.relative_to(cache.PACKAGE_ROOT).as_posix()
        for p in cache._source_closure(cache.PACKAGE_ROOT / "a.py")
    }
    assert closure == {"__init__.py", "a.py", "b.py", "sub/__init__.py", "sub/c.py", "sub/d.py"}
    before_a, before_lone = cache.source_hash([a]), cache.source_hash([lone])
    (tmp_path / "dancenet" / "sub" / "d.py").write_text("X = 2\n")  # a file nobody names, in a package
    cache._source_closure.cache_clear()
    assert cache.source_hash([a]) != before_a
    assert cache.source_hash([lone]) == before_lone


def test_rewording_a_docstring_or_comment_changes_no_key_and_code_does(fake_package, tmp_path):
    b = fake_package("b.py")
    path = tmp_path / "dancenet" / "b.py"
    before = cache.source_hash([b])
    path.write_text(
        '"""What b is for."""\n\nfrom .sub import c  # the subpackage\n\n\ndef f():\n    "Say."\n'
    )
    with_function = cache.source_hash([b])
    path.write_text('"""Reworded."""\nfrom .sub import c\n\n\ndef f():\n    """Said otherwise."""\n')
    assert cache.source_hash([b]) == with_function != before
    path.write_text("from .sub import c\n\n\ndef f():\n    return 1\n")
    assert cache.source_hash([b]) != with_function


def test_profiles_key_follows_the_profiles_alone():
    from dancenet import profiles, vae

    closure = {p.name for p in cache._source_closure(Path(profiles.__file__).resolve())}
    assert closure == {"profiles.py", "checks.py"}
    assert "devices.py" not in {p.name for p in cache._source_closure(Path(vae.__file__).resolve())}


def test_key_holds_the_library_versions(monkeypatch):
    first = number()
    before = first.key
    assert set(first.description()["libraries"]) == {"keras", "tensorflow", "numpy", "opencv"}
    assert first.description()["libraries"]["numpy"] == np.__version__
    newer = {**cache.library_versions(), "keras": "99.0"}
    monkeypatch.setattr(cache, "library_versions", lambda: newer)
    assert number().key != before


def test_the_real_stage_package_is_hashed_whole():
    from dancenet import stage, vae

    stage_files = set(cache._source_closure(Path(stage.__file__).resolve()))
    package = {p.resolve() for p in Path(stage.__file__).parent.rglob("*.py")}
    assert package <= stage_files and len(package) > 1
    vae_files = {p.name for p in cache._source_closure(Path(vae.__file__).resolve())}
    assert {"vae.py", "profiles.py"} <= vae_files and "stage" not in {
        p.parent.name for p in stage_files - package
    }


def test_failed_build_leaves_nothing_behind():
    def broken(folder, profile):
        (folder / "half.npy").write_bytes(b"partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        number(build=broken).get()
    assert list(cache_dir().iterdir()) == []
    assert number(5, settings={"x": 1}).get() == 5


def test_killed_build_never_loads():
    """A process killed mid-build leaves only a hidden temporary folder, which is never loaded."""
    script = textwrap.dedent("""
        import time, numpy as np
        from dancenet.cache import Artifact
        from dancenet.profiles import get_profile
        def slow(folder, profile):
            np.save(folder / "value.npy", np.array(1))
            print("building", flush=True)
            time.sleep(60)
        Artifact("number", get_profile("ci"), (), slow, lambda f: 0, settings={"x": 1}).get()
    """)
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    assert process.stdout.readline().strip() == "building"
    process.send_signal(signal.SIGKILL)
    process.wait()
    leftovers = list(cache_dir().iterdir())
    assert leftovers and all(p.name.startswith(".") for p in leftovers)
    assert number(9, settings={"x": 1}).get() == 9
    assert clear("number") == 2 and list(cache_dir().iterdir()) == []


def test_corrupt_entry_is_a_clear_error():
    number(3).get()
    (entry,) = cache_dir().iterdir()
    (entry / "value.npy").write_bytes(b"garbage")
    with pytest.raises(CacheError, match=f"cached number in .*{entry.name}.*cannot be read.*delete"):
        number(3).get()


def test_cache_dir_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DANCENET_CACHE", str(tmp_path / "elsewhere"))
    assert cache_dir() == tmp_path / "elsewhere" and cache_dir().is_dir()
