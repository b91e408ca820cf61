#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Run the extension's command line inside the ``bpy`` wheel, as an installed user's Blender would.

The extension is built with Blender's own tool and installed with Blender's own
installer (``extensions.package_install_files``) into an isolated user folder
(``BLENDER_USER_RESOURCES``, default ``build/blender-user-<version>``), then
enabled, and its registered ``image_to_print`` command is run with the
arguments given.  A rebuild happens only when the sources change.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import io
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PKG_ID = "image_to_print"
MODULE = f"bl_ext.user_default.{PKG_ID}"
SOURCES = ("__init__.py", "cli.py", "properties.py", "blender_manifest.toml", "core", "operators", "panels", "ui")


def source_hash() -> str:
    digest = hashlib.sha256()
    for entry in SOURCES:
        path = os.path.join(ROOT, entry)
        files = [path] if os.path.isfile(path) else sorted(
            os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs if f.endswith((".py", ".toml")))
        for name in files:
            digest.update(os.path.relpath(name, ROOT).encode())
            with open(name, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()


def _series() -> str:
    import importlib.metadata

    version = importlib.metadata.version("bpy")
    return ".".join(version.split(".")[:2])


def prepare_environment() -> str:
    """Point Blender at an isolated user folder; must run before ``import bpy``."""
    if "bpy" in sys.modules:
        return os.environ.get("BLENDER_USER_RESOURCES", "")
    user = os.environ.get("BLENDER_USER_RESOURCES") or os.path.join(ROOT, "build", f"blender-user-{_series()}")
    os.makedirs(user, exist_ok=True)
    os.environ["BLENDER_USER_RESOURCES"] = user
    return user


def build_zip() -> str:
    """The per-platform zips built by blender_ext.py from the current sources; return this machine's.

    Built once per source state into build/dist (a stamp holds the source hash) under a
    file lock, so test suites of several Blender versions running side by side install
    the very same zip.
    """
    import fcntl
    import platform
    import subprocess

    out = os.path.join(ROOT, "build", "dist")
    os.makedirs(out, exist_ok=True)
    machine = {"x86_64": "x64", "AMD64": "x64", "arm64": "arm64", "aarch64": "arm64"}[platform.machine()]
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}[sys.platform]
    stamp = os.path.join(out, "sources.sha256")
    wanted = source_hash()
    with open(os.path.join(out, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        names = [n for n in os.listdir(out) if n.startswith(PKG_ID) and n.endswith(f"{system}_{machine}.zip")]
        have = open(stamp).read().strip() if os.path.exists(stamp) else ""
        if have != wanted or not names:
            if os.path.exists(stamp):
                os.remove(stamp)
            subprocess.run([sys.executable, os.path.join(ROOT, "tools", "build_extension.py"), "--output-dir", out],
                           check=True, stdout=subprocess.DEVNULL)
            with open(stamp, "w") as fh:
                fh.write(wanted + "\n")
            names = [n for n in os.listdir(out) if n.startswith(PKG_ID) and n.endswith(f"{system}_{machine}.zip")]
    if not names:
        raise SystemExit(f"launch: no zip for {system}-{machine} in {out}")
    return os.path.join(out, sorted(names)[-1])


@contextlib.contextmanager
def _install_lock(user: str):
    """One install at a time into ``user``: two runs started together after a change would otherwise both
    install, and Blender refuses the second ("lock exists")."""
    import fcntl

    with open(os.path.join(user, f".{PKG_ID}.install.lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def ensure_extension(force: bool = False):
    """Install (if the sources changed) and enable the extension; return its module."""
    user = prepare_environment()
    import bpy  # noqa: I001  (bpy first: it puts addon_utils on the path)
    import addon_utils

    stamp = os.path.join(user, f"{PKG_ID}.sha256")
    wanted = source_hash()
    with _install_lock(user), contextlib.redirect_stdout(io.StringIO()):
        # read under the lock: a run started beside one that is installing waits, then finds it done
        have = open(stamp).read().strip() if os.path.exists(stamp) else ""
        installed = os.path.isdir(os.path.join(user, "extensions", "user_default", PKG_ID))
        if force or have != wanted or not installed:
            zip_path = build_zip()
            result = bpy.ops.extensions.package_install_files(
                filepath=zip_path, repo="user_default", enable_on_install=True, overwrite=True)
            if result != {'FINISHED'}:
                raise SystemExit(f"launch: installing {zip_path} failed: {result}")
            with open(stamp, "w") as fh:
                fh.write(wanted + "\n")
        if MODULE not in bpy.context.preferences.addons:
            addon_utils.enable(MODULE, default_set=True, handle_error=None)
    if MODULE not in bpy.context.preferences.addons:
        raise SystemExit(f"launch: could not enable {MODULE}")
    return importlib.import_module(MODULE)


def main(argv: list[str]) -> int:
    module = ensure_extension()
    return module.cli.main(argv)


if __name__ == "__main__":
    code = main(sys.argv[1:])
    # Leave without the interpreter's teardown: the bpy 4.2 module segfaults there once
    # its glTF exporter has run (a bpy-module bug, not Blender's), turning exit 0 into 139.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
