"""Rebuild ``graphiql/vendor/`` from the npm registry: GraphiQL's UMD build and the React it runs on.

    python gateway/http/static/update_graphiql.py            # write the files (after changing PACKAGES)
    python gateway/http/static/update_graphiql.py --check    # rebuild in a temporary dir and compare

Why a script: the vendored files are not the published ones byte for byte, and an update must redo the same
steps. Each package is fetched with ``npm pack`` (the registry's tarball, checked against the integrity hash
in ``vendor/MANIFEST.json`` unless the version changed), then:

* ``graphiql.min.js``: the ``//# sourceMappingURL`` comment is removed (the 4 MB map is not shipped);
* ``graphiql.min.css``: every ``url(data:...;base64,...)`` (the Roboto and Fira Code fonts, three CodeMirror
  lint icons) becomes a file under ``fonts/`` or ``images/`` named by its content hash, so the page's
  Content-Security-Policy can be ``'self'`` only and a browser downloads only the font subsets it uses;
* React and ReactDOM's ``umd/*.production.min.js`` are copied unchanged;
* each package's LICENSE is copied next to the files (``LICENSE.<package>.txt``).

``MANIFEST.json`` records the package versions, their tarballs' integrity and the sha256 of every output file.
Needs Node's ``npm`` on PATH and access to the registry. The gateway never imports this script.
"""

from __future__ import annotations

import argparse
import base64
import filecmp
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGES: dict[str, str] = {"graphiql": "3.9.0", "react": "18.3.1", "react-dom": "18.3.1"}
"""Keep GraphiQL on its last UMD line (3.x; 4.x deprecated the UMD build, 5.x dropped it) and React on 18
(GraphiQL 3's peer range stops at 18, and React 19 publishes no UMD build)."""

VENDOR = Path(__file__).resolve().parent / "graphiql" / "vendor"
# Files of the vendor directory this script does not produce (kept by --write, ignored by --check).
HAND_WRITTEN = frozenset({"fonts/LICENSE.Roboto.txt", "fonts/LICENSE.FiraCode.txt"})
_DATA_URL = re.compile(r"url\((['\"]?)data:([a-z0-9.+/-]+);base64,([A-Za-z0-9+/=]+)\1\)")
_SUFFIX = {"font/woff2": ("fonts", "woff2"), "font/woff": ("fonts", "woff"), "image/png": ("images", "png")}
_SOURCE_MAP = re.compile(rb"\n?//# sourceMappingURL=\S+\s*$")


def npm_pack(spec: str, destination: Path) -> tuple[Path, str]:
    """The registry tarball of ``spec`` (name@version) and its integrity string."""
    done = subprocess.run(
        ["npm", "pack", spec, "--json", "--pack-destination", str(destination)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    (info,) = json.loads(done.stdout)
    return destination / info["filename"], info["integrity"]


def read_member(tarball: Path, name: str) -> bytes:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/{name}")
        if member is None:
            raise SystemExit(f"{tarball.name}: package/{name} is not a file")
        return member.read()


def extract_data_urls(css: str, out: Path) -> str:
    """``css`` with its base64 data: URLs written to files under ``out`` and referenced relatively."""

    def replace(match: re.Match[str]) -> str:
        mime, payload = match.group(2), match.group(3)
        if mime not in _SUFFIX:
            raise SystemExit(f"unexpected data: URL of type {mime} in graphiql.min.css; extend _SUFFIX")
        folder, suffix = _SUFFIX[mime]
        data = base64.b64decode(payload)
        name = f"{folder}/{hashlib.sha256(data).hexdigest()[:16]}.{suffix}"
        (out / folder).mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
        return f"url({name})"

    rewritten = _DATA_URL.sub(replace, css)
    if "data:" in rewritten or "@import" in rewritten or re.search(r"url\(['\"]?(https?:)?//", rewritten):
        raise SystemExit("graphiql.min.css still references data:, @import or another origin")
    return rewritten


def build(out: Path, work: Path, pinned: dict[str, str]) -> dict[str, object]:
    """Write the vendor files under ``out``; returns the manifest."""
    tarballs: dict[str, Path] = {}
    manifest_packages: dict[str, dict[str, str]] = {}
    for name, version in PACKAGES.items():
        tarball, integrity = npm_pack(f"{name}@{version}", work)
        expected = pinned.get(f"{name}@{version}")
        if expected is not None and expected != integrity:
            raise SystemExit(f"{name}@{version}: registry integrity {integrity} differs from {expected}")
        tarballs[name] = tarball
        manifest_packages[name] = {"version": version, "integrity": integrity}

    graphiql = tarballs["graphiql"]
    script = _SOURCE_MAP.sub(b"\n", read_member(graphiql, "graphiql.min.js"))
    (out / "graphiql.min.js").write_bytes(script)
    css = read_member(graphiql, "graphiql.min.css").decode("utf-8")
    (out / "graphiql.min.css").write_text(extract_data_urls(css, out), encoding="utf-8")
    (out / "react.production.min.js").write_bytes(
        read_member(tarballs["react"], "umd/react.production.min.js")
    )
    (out / "react-dom.production.min.js").write_bytes(
        read_member(tarballs["react-dom"], "umd/react-dom.production.min.js")
    )
    for name, tarball in tarballs.items():
        (out / f"LICENSE.{name}.txt").write_bytes(read_member(tarball, "LICENSE"))

    files = {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file() and path.name != "MANIFEST.json"
    }
    return {"packages": manifest_packages, "files": files}


def pinned_integrity() -> dict[str, str]:
    manifest = VENDOR / "MANIFEST.json"
    if not manifest.exists():
        return {}
    packages = json.loads(manifest.read_text())["packages"]
    return {f"{name}@{p['version']}": p["integrity"] for name, p in packages.items()}


def write_manifest(out: Path, manifest: dict[str, object], hand_written: dict[str, str]) -> None:
    files = dict(manifest["files"])  # type: ignore[call-overload]
    files.update(hand_written)
    manifest = {**manifest, "files": dict(sorted(files.items()))}
    (out / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="rebuild in a temporary dir and compare")
    args = parser.parse_args()
    if shutil.which("npm") is None:
        print("error: npm is not on PATH", file=sys.stderr)
        return 2
    hand_written = {
        name: hashlib.sha256((VENDOR / name).read_bytes()).hexdigest()
        for name in sorted(HAND_WRITTEN)
        if (VENDOR / name).exists()
    }
    with tempfile.TemporaryDirectory() as tmp:
        work, out = Path(tmp) / "packs", Path(tmp) / "vendor"
        work.mkdir()
        out.mkdir()
        manifest = build(out, work, pinned_integrity())
        write_manifest(out, manifest, hand_written)
        if args.check:
            produced = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
            shipped = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
            shipped -= HAND_WRITTEN
            differing = sorted(
                name
                for name in produced & shipped
                if not filecmp.cmp(out / name, VENDOR / name, shallow=False)
            )
            problems = [f"missing: {n}" for n in sorted(produced - shipped)]
            problems += [f"extra: {n}" for n in sorted(shipped - produced)]
            problems += [f"differs: {n}" for n in differing]
            for line in problems:
                print(line)
            print("vendor/ is up to date" if not problems else f"{len(problems)} difference(s)")
            return 1 if problems else 0
        saved = {name: (VENDOR / name).read_bytes() for name in HAND_WRITTEN if (VENDOR / name).exists()}
        if VENDOR.exists():
            shutil.rmtree(VENDOR)
        shutil.copytree(out, VENDOR)
        for name, data in saved.items():
            (VENDOR / name).parent.mkdir(parents=True, exist_ok=True)
            (VENDOR / name).write_bytes(data)
    print(f"wrote {VENDOR}: " + ", ".join(f"{n}@{v}" for n, v in PACKAGES.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
