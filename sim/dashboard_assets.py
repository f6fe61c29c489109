"""Fill solara's CDN cache from the npm registry so the dashboard never needs a CDN.

Workshop rooms often have no internet, so every script, stylesheet and font the
dashboard's page asks for must be served by the app itself. ``setup.sh`` runs this once
per virtualenv (idempotent, about a second when the registry is reachable):

    python -m sim.dashboard_assets            # the packages the page and SolaraViz need
    python -m sim.dashboard_assets --check    # only verify; exit 1 if something is missing
    python -m sim.dashboard_assets --all      # also every pinned package solara may lazy-load
    python -m sim.dashboard_assets --cache-dir DIR   # fill DIR; then run the dashboard with
                                              #   SOLARA_ASSETS_PROXY_CACHE_DIR=DIR

How solara serves these (read from solara/server/{settings,server,starlette,cdn_helper}.py):
  * With solara.settings.assets.proxy True (the default outside colab/vscode/voila) the page
    template points every JS/CSS/font URL at ``{root}/_solara/cdn/<pkg>@<version>/<file>``.
  * That route (starlette ``StaticCdn``) serves ``<proxy_cache_dir>/<pkg>@<version>/<file>``;
    only on a miss does it download ``{SOLARA_ASSETS_CDN}<pkg>@<version>/<file>``
    (default https://cdn.jsdelivr.net/npm/) and store it there.
  * proxy_cache_dir defaults to ``<sys.prefix>/share/solara/cdn/`` (env
    SOLARA_ASSETS_PROXY_CACHE_DIR overrides it).
  * jsdelivr's ``npm/<pkg>@<ver>/<file>`` is exactly ``package/<file>`` of the npm tarball,
    so unpacking each npm tarball to ``<cache>/<pkg>@<ver>/`` gives a byte-identical cache.

Packages are discovered from the installed solara's own sources (template + vue files), so a
solara upgrade that bumps a version is followed automatically.  Tarballs are fetched from the
npm registry (``$npm_config_registry`` or https://registry.npmjs.org/) with plain urllib and
verified against the registry's sha512 integrity; if that fails, ``npm pack`` is tried.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

MARKER = ".offline-complete"
# <pkg>@<exact version>/ right after a cdn prefix; pkg may be scoped (@scope/name)
PKG_RE = re.compile(r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\}|_solara/cdn)/((?:@[\w.-]+/)?[\w.-]+)@(\d+\.\d+\.\d+[\w.+-]*)/")


def solara_dirs():
    import solara

    return Path(solara.__file__).parent


def default_sources(root: Path) -> list[Path]:
    return [
        root / "server" / "templates" / "solara.html.j2",  # the page itself
        root / "widgets" / "vue" / "gridlayout.vue",  # solara.GridDraggable (SolaraViz layout)
        root / "components" / "markdown.py",  # solara.Markdown: always loads mermaid + katex
    ]


def discover(all_packages: bool) -> dict[str, str]:
    """Return {package: version} needed by the installed solara."""
    import solara.server.settings as ss

    root = solara_dirs()
    sources = default_sources(root)
    if all_packages:
        sources = [p for p in root.rglob("*") if p.suffix in (".j2", ".vue", ".py", ".js")
                   and "website" not in p.parts and p.is_file()]
    found: dict[str, str] = {}
    for src in sources:
        text = src.read_text(errors="replace")
        if src.name == "solara.html.j2" and not all_packages:
            # keep only the vuetify-2 branch (vue3 is off unless SOLARA_VUETIFY3/ipyvue>=3)
            text = re.sub(r"solara-vuetify3-app@[^/]+/", "", text)
        for pkg, ver in PKG_RE.findall(text):
            found[pkg] = ver
    # settings.assets.fontawesome_path, e.g. "/font-awesome@4.5.0/css/font-awesome.min.css"
    if ss.assets.fontawesome_enabled:
        m = re.match(r"/?((?:@[\w.-]+/)?[\w.-]+)@([^/]+)/", ss.assets.fontawesome_path)
        if m:
            found[m.group(1)] = m.group(2)
    return found


def registry() -> str:
    reg = os.environ.get("npm_config_registry") or os.environ.get("NPM_CONFIG_REGISTRY") or "https://registry.npmjs.org/"
    return reg.rstrip("/") + "/"


def fetch_tarball_urllib(pkg: str, ver: str) -> bytes:
    meta_url = registry() + urllib.parse.quote(pkg, safe="@") .replace("/", "%2F") + "/" + ver
    with urllib.request.urlopen(meta_url, timeout=60) as r:
        meta = json.load(r)
    dist = meta["dist"]
    with urllib.request.urlopen(dist["tarball"], timeout=300) as r:
        data = r.read()
    integrity = dist.get("integrity", "")
    if integrity.startswith("sha512-"):
        want = base64.b64decode(integrity[7:])
        if hashlib.sha512(data).digest() != want:
            raise RuntimeError(f"sha512 mismatch for {pkg}@{ver}")
    elif dist.get("shasum") and hashlib.sha1(data).hexdigest() != dist["shasum"]:
        raise RuntimeError(f"sha1 mismatch for {pkg}@{ver}")
    return data


def fetch_tarball_npm(pkg: str, ver: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(["npm", "pack", f"{pkg}@{ver}", "--pack-destination", tmp, "--json"],
                             check=True, capture_output=True, text=True, cwd=tmp).stdout
        fname = json.loads(out)[0]["filename"]
        return (Path(tmp) / fname).read_bytes()


def install_package(cache: Path, pkg: str, ver: str, force: bool = False) -> str:
    dest = cache / f"{pkg}@{ver}"
    if (dest / MARKER).exists() and not force:
        return "cached"
    try:
        data = fetch_tarball_urllib(pkg, ver)
    except Exception as e:  # fall back to the npm client (mirrors, auth in .npmrc, ...)
        print(f"  urllib fetch failed ({e}); trying `npm pack`", file=sys.stderr)
        data = fetch_tarball_npm(pkg, ver)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=dest.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tf:
            for m in tf.getmembers():
                if not (m.isfile() or m.isdir()):
                    continue  # no links/devices from a tarball
                # npm tarballs have one top dir (usually "package/"); strip it
                parts = Path(m.name).parts[1:]
                if not parts or ".." in parts:
                    continue
                target = tmp.joinpath(*parts)
                if m.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with tf.extractfile(m) as src, open(target, "wb") as f:
                    shutil.copyfileobj(src, f)
                target.chmod(0o644)
        (tmp / MARKER).write_text(f"{pkg}@{ver} from npm registry\n")
        tmp.chmod(0o755)
        if dest.exists():
            shutil.rmtree(dest)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return "installed"


FILE_RE = re.compile(r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\})/((?:@[\w.-]+/)?[\w.-]+@\d+\.\d+\.\d+[\w.+-]*/[^\"'`$\s]+)")


def required_files() -> list[str]:
    """Exact files (relative to the cache dir) that the default sources request."""
    import ipywidgets
    import solara.server.settings as ss

    major = ipywidgets.__version__.split(".")[0]
    files = []
    for src in default_sources(solara_dirs()):
        text = src.read_text(errors="replace").replace("{{ipywidget_major_version}}", major)
        files += [f for f in FILE_RE.findall(text) if "solara-vuetify3-app" not in f]
    if ss.assets.fontawesome_enabled:
        files.append(ss.assets.fontawesome_path.lstrip("/"))
    return sorted(set(f for f in files if "{" not in f))


def add_min_aliases(cache: Path) -> list[str]:
    """jsdelivr minifies on the fly: ``x.min.js`` exists on the CDN even when the npm
    tarball only has ``x.js`` (e.g. requirejs@2.3.6/require.min.js, used by
    solara.Markdown's loader).  Serve the unminified file under the .min name."""
    made = []
    for f in required_files():
        target = cache / f
        m = re.match(r"(.*)\.min\.(js|css)$", f)
        if target.exists() or not m:
            continue
        plain = cache / f"{m.group(1)}.{m.group(2)}"
        if plain.is_file():
            shutil.copyfile(plain, target)
            made.append(f)
    return made


def check(cache: Path, pkgs: dict[str, str]) -> list[str]:
    missing = [f"{p}@{v}/{MARKER}" for p, v in pkgs.items() if not (cache / f"{p}@{v}" / MARKER).exists()]
    missing += [f for f in required_files() if not (cache / f).is_file()]
    # every url(...) inside the cached css must exist too (fonts!)
    for css in [f for f in required_files() if f.endswith(".css")]:
        p = cache / css
        if not p.is_file():
            continue
        for ref in re.findall(r"url\(\s*['\"]?([^'\")]+)", p.read_text(errors="replace")):
            if ref.startswith(("data:", "http:", "https:", "//", "#")):
                if ref.startswith(("http:", "https:", "//")):
                    missing.append(f"{css} references external {ref}")
                continue
            target = (p.parent / ref.split("?")[0].split("#")[0]).resolve()
            if not target.is_file():
                missing.append(f"{css} -> {ref}")
    return missing


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache-dir", type=Path, help="default: solara's assets.proxy_cache_dir")
    ap.add_argument("--all", action="store_true", help="also every pinned package solara may lazy-load (katex, mermaid, ...)")
    ap.add_argument("--check", action="store_true", help="only verify; exit 1 if incomplete")
    ap.add_argument("--force", action="store_true", help="re-download even if present")
    ap.add_argument("--list", action="store_true", help="print the package list and exit")
    a = ap.parse_args(argv)

    import solara
    import solara.server.settings as ss

    cache = (a.cache_dir or ss.assets.proxy_cache_dir).resolve()
    pkgs = discover(a.all)
    if a.list:
        for p, v in sorted(pkgs.items()):
            print(f"{p}@{v}")
        return 0
    print(f"solara {solara.__version__}; cache dir: {cache}")
    if not a.check:
        cache.mkdir(parents=True, exist_ok=True)
        for p, v in sorted(pkgs.items()):
            print(f"  {p}@{v}: {install_package(cache, p, v, a.force)}")
        for f in add_min_aliases(cache):
            print(f"  alias (jsdelivr-style auto-minified name): {f}")
    missing = check(cache, discover(False))
    if missing:
        print("MISSING:\n  " + "\n  ".join(missing))
        return 1
    print("OK: all assets the solara page template requests are in the cache")
    if a.cache_dir and a.cache_dir.resolve() != ss.assets.proxy_cache_dir.resolve():
        print(f"NOTE: run solara with SOLARA_ASSETS_PROXY_CACHE_DIR={cache}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
