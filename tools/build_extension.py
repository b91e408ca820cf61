#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Build the extension zips with Blender's own extension tool.

1. Download the wheels the manifest lists (pinned, per platform) into ./wheels/.
2. ``blender_ext.py validate`` and ``blender_ext.py build --split-platforms``,
   the script shipped inside the bpy wheel, into ./dist/.

Run with the Python of an environment that has the ``bpy`` wheel installed.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLATFORM_TAGS = {  # wheel platform tag -> pip --platform
    "win_amd64": "win_amd64",
    "macosx_11_0_arm64": "macosx_11_0_arm64",
    "manylinux_2_27_x86_64.manylinux_2_28_x86_64": "manylinux_2_28_x86_64",
    "macosx_14_0_arm64": "macosx_14_0_arm64",
    "manylinux_2_28_x86_64": "manylinux_2_28_x86_64",
    "manylinux_2_17_x86_64.manylinux2014_x86_64": "manylinux2014_x86_64",
}


def blender_ext_script() -> str:
    import importlib.util

    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("build_extension: the bpy wheel is not installed in this Python")
    base = list(spec.submodule_search_locations)[0]
    for entry in sorted(os.listdir(base)):
        candidate = os.path.join(base, entry, "scripts", "addons_core", "bl_pkg", "cli", "blender_ext.py")
        if os.path.isfile(candidate):
            return candidate
    sys.exit(f"build_extension: blender_ext.py not found under {base}")


def manifest() -> dict:
    with open(os.path.join(ROOT, "blender_manifest.toml"), "rb") as fh:
        return tomllib.load(fh)


def fetch_wheels(data: dict) -> None:
    folder = os.path.join(ROOT, "wheels")
    os.makedirs(folder, exist_ok=True)
    for rel in data.get("wheels", []):
        path = os.path.join(ROOT, rel)
        if os.path.exists(path):
            continue
        name = os.path.basename(rel)
        m = re.match(r"^([^-]+)-([^-]+)-([^-]+)-([^-]+)-(.+)\.whl$", name)
        if not m:
            sys.exit(f"build_extension: cannot parse wheel name {name}")
        dist, version, pytag, _abi, plat = m.groups()
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
               "--dest", folder, f"{dist}=={version}"]
        if plat == "any":  # ask for the pure-Python wheel, not a platform build of the same version
            cmd += ["--python-version", "3.11", "--implementation", "py", "--platform", "any"]
        elif pytag == "py3":  # a ctypes wheel: any Python 3, one platform
            cmd += ["--python-version", "3.11", "--implementation", "py",
                    "--platform", PLATFORM_TAGS.get(plat, plat)]
        else:
            cmd += ["--python-version", pytag[2:3] + "." + pytag[3:], "--implementation", "cp",
                    "--platform", PLATFORM_TAGS.get(plat, plat)]
        print("downloading", name, flush=True)
        subprocess.run(cmd, check=True)
        if not os.path.exists(path):
            sys.exit(f"build_extension: pip did not produce {name}")


def run_blender_ext(*args: str) -> None:
    subprocess.run([sys.executable, blender_ext_script(), *args], check=True, cwd=ROOT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", default=os.path.join(ROOT, "dist"))
    parser.add_argument("--no-split", action="store_true", help="one zip with every platform's wheels")
    args = parser.parse_args()
    data = manifest()
    fetch_wheels(data)
    run_blender_ext("validate", ROOT)
    os.makedirs(args.output_dir, exist_ok=True)
    build = ["build", "--source-dir", ROOT, "--output-dir", args.output_dir]
    if not args.no_split:
        build.append("--split-platforms")
    run_blender_ext(*build)
    return 0


if __name__ == "__main__":
    sys.exit(main())
