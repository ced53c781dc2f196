"""Pages that work without a CDN: the book serves its own widget manager, RequireJS and MathJax.

Out of the box, Jupyter Book's pages load RequireJS and the Jupyter widget manager (which draw
the widgets' first views) and MathJax (which typesets the equations) from CDNs. Offline, behind
a firewall, or once a CDN moves a file, the widgets stay blank and the math stays raw TeX.

At build time this extension downloads pinned versions of the three from the npm registry,
checks each against the checksum the registry published for it, keeps the files pages load in
``_build/vendor`` (fetched once, replaced whole) and adds that folder to the site's ``_static``.
``_config.yml`` points ``mathjax_path`` and ``nb_ipywidgets_js`` at the copies; the build stops
with a clear error if one of them names a file that is not there.

It also drops sphinx-thebe's scripts from the pages: the course has no Thebe button, and
sphinx-thebe declares its configuration twice, a JavaScript error on every page.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import urllib.request
from pathlib import Path
from typing import NamedTuple

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)


class Package(NamedTuple):
    version: str
    integrity: str  # the registry's sha512 of the tarball
    folder: str  # where the files go in _static
    root: str  # the tarball's folder whose layout the files keep
    patterns: tuple[str, ...]  # files to take, relative to the tarball's package/


PACKAGES = {
    "requirejs": Package(
        "2.3.8",
        "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        "requirejs", "", ("require.js",)),
    "@jupyter-widgets/html-manager": Package(
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        "html-manager", "dist", ("dist/embed-amd.js", "dist/*.woff2", "dist/*.woff")),
    "mathjax": Package(
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        "mathjax", "es5", ("LICENSE", "es5/tex-chtml.js", "es5/input/tex/extensions/*",
                           "es5/output/chtml/fonts/woff-v2/*", "es5/ui/*", "es5/a11y/*")),
}
REGISTRY = "https://registry.npmjs.org/"


def vendor_dir(source_dir: Path) -> Path:
    """The folder of vendored files, fetched when missing or when ``PACKAGES`` changed."""
    target = source_dir / "_build" / "vendor"
    stamp = target / "packages.json"
    wanted = json.dumps(PACKAGES, sort_keys=True)
    if stamp.exists() and stamp.read_text() == wanted:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=target.parent))
    try:
        for name, package in PACKAGES.items():
            _unpack(_tarball(name, package), package, staging / package.folder)
        (staging / "packages.json").write_text(wanted)
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _tarball(name: str, package: Package) -> bytes:
    registry = os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get("npm_config_registry") or REGISTRY
    version = package.version
    url = f"{registry.rstrip('/')}/{name}/-/{name.split('/')[-1]}-{version}.tgz"
    logger.info(f"[offline] fetching {name} {version} from {url}")
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
    except OSError as error:
        raise ExtensionError(
            f"could not download {name} {version} from the npm registry ({url}): {error}. The book "
            "serves its own copies of MathJax and the widget manager; the first build needs the "
            "registry (set NPM_CONFIG_REGISTRY for a mirror)") from error
    digest = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    if digest != package.integrity:
        raise ExtensionError(f"{name} {version} from {url} does not match its pinned sha512 checksum")
    return data


def _unpack(data: bytes, package: Package, folder: Path) -> None:
    root = f"package/{package.root}/".replace("//", "/")
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        for pattern in package.patterns:
            matched = [member for member in members if fnmatch.fnmatch(member.name, f"package/{pattern}")]
            if not matched:
                raise ExtensionError(f"no file in {package.folder}'s package matches {pattern!r}")
            for member in matched:
                name = member.name
                relative = name.removeprefix(root) if name.startswith(root) else Path(name).name
                destination = folder / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.extractfile(member).read())


def add_vendor_dir(app) -> None:
    if app.builder.format != "html":
        return
    vendored = vendor_dir(Path(app.srcdir))
    app.config.html_static_path.append(str(vendored))
    configured = [app.config.mathjax_path, *app.config.nb_ipywidgets_js]
    missing = [path for path in configured if "://" not in path and not (vendored / path).is_file()]
    if missing:
        raise ExtensionError(f"_config.yml names scripts that are not vendored: {', '.join(missing)}")


def drop_thebe(app, pagename, templatename, context, doctree) -> None:
    def is_thebe(asset) -> bool:
        return "thebe" in (getattr(asset, "filename", "") or "") or \
            "THEBE_JS_URL" in getattr(asset, "attributes", {}).get("body", "")

    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not is_thebe(asset)]


def setup(app):
    app.connect("builder-inited", add_vendor_dir)
    app.connect("html-page-context", drop_thebe)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
