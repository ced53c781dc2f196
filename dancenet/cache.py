"""The cache mechanism: keys that follow the pipeline, atomic builds, clearing, errors.

An :class:`Artifact` is one thing a chapter makes for the next (the stage video, the silhouettes,
a trained VAE, …) for one profile. Its key is *built*, never listed by hand:

- the values of the profile fields its recipe declares it reads (and the build can read no other:
  it is handed a :class:`ProfileView` that refuses undeclared fields);
- its own settings (a background-removal method, a video file's identity, a random seed);
- the code of the modules that make it, each with every ``dancenet`` module it imports, and
  every ``.py`` file of a package — without docstrings and comments, so that rewording one
  retrains nothing;
- the installed versions of Keras, TensorFlow, NumPy and OpenCV, so that a cache made under
  another Keras is rebuilt rather than failing to load;
- the keys of the artifacts it is built from.

So a change anywhere upstream — a profile field, a setting, a line of code, a library upgrade —
reaches every artifact downstream of it, and nothing else. The cache lives in
``$DANCENET_CACHE``, or ``~/.cache/dancenet`` when that is unset. Writes are atomic: an artifact
is built in a hidden temporary folder and renamed into place only when complete, so an interrupted
run never leaves something half-written that loads.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from . import __version__
from .profiles import Profile, ProfileView

CACHE_ENV = "DANCENET_CACHE"
PACKAGE_ROOT = Path(__file__).resolve().parent

#: modules that decide only what is printed, never what is computed: left out of every key
OUTPUT_ONLY = frozenset({PACKAGE_ROOT / "devices.py"})

#: the libraries whose version is in every key, each by the distributions that install it
VERSIONED = {
    "keras": ("keras",),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly"),
    "numpy": ("numpy",),
    "opencv": (
        "opencv-python-headless",
        "opencv-python",
        "opencv-contrib-python-headless",
        "opencv-contrib-python",
    ),
}


class CacheError(RuntimeError):
    """A cached artifact exists but cannot be read."""


def cache_dir() -> Path:
    """The folder that holds every artifact (created on first use)."""
    root = os.environ.get(CACHE_ENV, "").strip()
    path = Path(root).expanduser() if root else Path.home() / ".cache" / "dancenet"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _file_of(parts: list[str]) -> Path | None:
    """The source file of the ``dancenet`` module named by ``parts``, if there is one."""
    base = PACKAGE_ROOT.parent.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _imported_files(path: Path) -> set[Path]:
    """The ``dancenet`` source files that ``path`` imports, anywhere in it (lazy imports too)."""
    here = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    package = here[:-1]  # of a module, its package; of an __init__.py, the package itself
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = package[: len(package) - node.level + 1] if node.level else []
            module = module + (node.module.split(".") if node.module else [])
            names = [module] + [module + [alias.name] for alias in node.names]
        else:
            continue
        found.update(f for f in map(_file_of, (n for n in names if n[:1] == ["dancenet"])) if f)
    return found - OUTPUT_ONLY


def _package_files(path: Path) -> list[Path]:
    """A module's own file, or every ``.py`` file of a subpackage (the ``dancenet`` package's
    ``__init__`` stands for itself: it holds only the version, which every key has anyway)."""
    if path.name == "__init__.py" and path.parent != PACKAGE_ROOT:
        return sorted(p.resolve() for p in path.parent.rglob("*.py"))
    return [path]


@cache
def _source_closure(path: Path) -> frozenset[Path]:
    """``path`` and every ``dancenet`` file it imports, directly or not."""
    seen, todo = set(), [path]
    while todo:
        for file in _package_files(todo.pop()):
            if file not in seen:
                seen.add(file)
                todo.extend(_imported_files(file) - seen)
    return frozenset(seen)


def code_of(path: Path) -> str:
    """A module's code without its docstrings and comments (what running it depends on)."""
    return _code_of(path, path.stat().st_mtime_ns)


@cache
def _code_of(path: Path, _modified_ns: int) -> str:
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(getattr(first.value, "value", None), str):
                node.body = node.body[1:] or [ast.Pass()]
    return ast.unparse(tree)


def source_hash(modules) -> str:
    """A hash of the modules' code, with every ``dancenet`` file they import (:func:`code_of`)."""
    files = sorted(set().union(*(_source_closure(Path(m.__file__).resolve()) for m in modules)))
    digest = hashlib.sha256()
    for file in files:
        digest.update(str(file.relative_to(PACKAGE_ROOT)).encode())
        digest.update(code_of(file).encode())
    return digest.hexdigest()


@cache
def library_versions() -> dict[str, str]:
    """The installed version of each library in :data:`VERSIONED` ("none" where it is missing)."""
    versions = {}
    for library, distributions in VERSIONED.items():
        for distribution in distributions:
            try:
                versions[library] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:
                continue
        else:
            versions[library] = "none"
    return versions


@dataclass(frozen=True)
class Artifact:
    """One cached thing, bound to a profile: how to name, build and load it.

    ``build(folder, profile)`` writes the artifact into ``folder``; ``profile`` there is a view that
    lets it read only ``fields``. ``load(folder)`` reads a finished artifact. ``inputs`` are the
    artifacts this one is made from: their keys are part of this one's.
    """

    name: str
    profile: Profile
    fields: tuple[str, ...]
    build: Callable[[Path, ProfileView], None] = field(repr=False, compare=False)
    load: Callable[[Path], Any] = field(repr=False, compare=False)
    settings: dict = field(default_factory=dict)
    modules: tuple[ModuleType, ...] = ()
    inputs: tuple[Artifact, ...] = ()

    def __post_init__(self):
        unknown = set(self.fields) - set(self.profile.settings())
        if unknown:
            raise ValueError(f"artifact {self.name!r} declares unknown profile fields {sorted(unknown)}")

    def description(self) -> dict:
        """Everything that decides the artifact's content (what its key hashes)."""
        return {
            "name": self.name,
            "version": __version__,
            "profile": {f: getattr(self.profile, f) for f in sorted(self.fields)},
            "settings": self.settings,
            "source": source_hash(self.modules),
            "libraries": library_versions(),
            "inputs": {a.name: a.key for a in self.inputs},
        }

    @cached_property
    def key(self) -> str:
        """A short hash of :meth:`description`."""
        payload = json.dumps(self.description(), sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]

    @property
    def folder(self) -> Path:
        return cache_dir() / f"{self.name}-{self.profile.name}-{self.key}"

    def get(self):
        """The artifact: loaded if cached, else built (atomically) and then loaded.

        When a cached one cannot be read, a :class:`CacheError` names the folder to delete rather
        than silently rebuilding over something the reader may want to inspect.
        """
        folder = self.folder
        if not folder.exists():
            _build_atomically(
                folder,
                self.description(),
                lambda partial: self.build(partial, ProfileView(self.profile, self.fields)),
            )
        try:
            return self.load(folder)
        except Exception as error:
            raise CacheError(
                f"the cached {self.name} in {folder} cannot be read ({error}); delete that "
                f"folder, or call dancenet.cache.clear(), and run again"
            ) from error


def _build_atomically(folder: Path, description: dict, build: Callable[[Path], None]) -> None:
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        build(partial)
        (partial / "settings.json").write_text(json.dumps(description, indent=2, default=str))
        try:
            os.rename(partial, folder)
        except OSError:
            if not folder.exists():  # lost a race with another process: theirs is as good
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)


def clear(name: str | None = None) -> int:
    """Delete cached artifacts (all, or those called ``name``), leftovers included; returns how many."""
    removed = 0
    for path in cache_dir().iterdir():
        if path.is_dir() and (name is None or path.name.lstrip(".").startswith(f"{name}-")):
            shutil.rmtree(path)
            removed += 1
    return removed
