"""Pages that work without a CDN: the book serves its own widget manager, RequireJS and MathJax.

Out of the box, Jupyter Book's pages load RequireJS and the Jupyter widget manager (which draw
the widgets' first views) and MathJax (which typesets the equations) from CDNs. Offline, behind
a firewall, or once a CDN moves a file, the widgets stay blank and the math stays raw TeX.

At build time this extension downloads pinned versions of the three from the npm registry,
checks each against the checksum the registry published for it, keeps the files pages load in
``_build/vendor`` (fetched once, replaced whole) and adds that folder to the site's ``_static``.
``_config.yml`` points ``mathjax_path`` and ``nb_ipywidgets_js`` at the copies; the build stops
with a clear error if one of them names a file that is not there.

On pages with widgets, two short scripts make the copies fit together: RequireJS is told where
the widget manager's modules live (they look for their icon fonts beside it), and ipywidgets, which
typesets widget labels through MathJax 2's ``MathJax.Hub.Queue``, is given that call on top of the
MathJax 3 that Sphinx loads.

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
        "requirejs",
        "",
        ("require.js",),
    ),
    "@jupyter-widgets/html-manager": Package(
        "1.0.15",
        "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        "html-manager",
        "dist",
        ("dist/embed-amd.js", "dist/*.woff2", "dist/*.woff"),
    ),
    "mathjax": Package(
        "3.2.2",
        "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        "mathjax",
        "es5",
        (
            "LICENSE",
            "es5/tex-chtml.js",
            "es5/input/tex/extensions/*",
            "es5/output/chtml/fonts/woff-v2/*",
            "es5/ui/*",
            "es5/a11y/*",
        ),
    ),
}
REGISTRY = "https://registry.npmjs.org/"

# The widget manager's bundled modules find their icon fonts next to the URL RequireJS gives them;
# by default that is a folder named after the module beside the page, which does not exist.
REQUIRE_CONFIG = """
var require = {paths: (() => {
  const folder = new URL(document.documentElement.dataset.content_root + "_static/html-manager", location.href).href;
  return {"@jupyter-widgets": folder, "@jupyter-widgets/html-manager/dist": folder};
})()};
"""
# ipywidgets typesets widget labels with MathJax 2's API; Sphinx loads MathJax 3.
MATHJAX2_QUEUE = """
window.addEventListener("load", () => {
  if (window.MathJax && MathJax.startup && !MathJax.Hub) {
    MathJax.Hub = {Queue: (command) => MathJax.startup.promise.then(() => MathJax.typesetPromise([command[2]]))};
  }
});
"""


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
    # npm reads its settings from either spelling
    registry = os.environ.get("NPM_CONFIG_REGISTRY") or os.environ.get("npm_config_registry") or REGISTRY  # noqa: SIM112
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
            "registry (set NPM_CONFIG_REGISTRY for a mirror)"
        ) from error
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
                inside = member.name.startswith(root)
                destination = folder / (member.name.removeprefix(root) if inside else Path(member.name).name)
                destination.parent.mkdir(parents=True, exist_ok=True)
                destination.write_bytes(archive.extractfile(member).read())


def add_vendor_dir(app) -> None:
    """Serve the vendored folder from _static, and check that the configured scripts are in it."""
    if app.builder.format != "html":
        return
    vendored = vendor_dir(Path(app.srcdir))
    app.config.html_static_path.append(str(vendored))
    configured = [app.config.mathjax_path, *app.config.nb_ipywidgets_js]
    missing = [path for path in configured if "://" not in path and not (vendored / path).is_file()]
    if missing:
        raise ExtensionError(f"_config.yml names scripts that are not vendored: {', '.join(missing)}")


def adapt_page_scripts(app, pagename, templatename, context, doctree) -> None:
    """Drop Thebe's scripts; on pages with widgets, prepare RequireJS and MathJax for them."""
    scripts = context["script_files"]
    scripts[:] = [
        script
        for script in scripts
        if "thebe" not in (script.filename or "") and "THEBE_JS_URL" not in script.attributes.get("body", "")
    ]
    context["css_files"][:] = [css for css in context["css_files"] if "thebe" not in (css.filename or "")]
    if any((script.filename or "").endswith("embed-amd.js") for script in scripts):
        app.add_js_file(None, body=REQUIRE_CONFIG, priority=400)  # read by require.js when it loads
        app.add_js_file(None, body=MATHJAX2_QUEUE, priority=400)  # before the widgets render


def setup(app):
    app.connect("builder-inited", add_vendor_dir)
    app.connect("html-page-context", adapt_page_scripts, priority=900)  # after myst-nb adds its scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}
