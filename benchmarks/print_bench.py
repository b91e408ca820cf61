#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image to checked STL, end to end: ours against the manual Blender way, in one run.

What the user waits for, as whole commands in fresh processes (start-up included):

* ours: ``image-to-print relief PHOTO --width 204.8 --sample-mm 0.1 -o r.stl`` (one sample per
  pixel of a 2048² photograph-like image, 8.4M triangles: build, every print check, export, verify);
* the manual way (the issue's baseline): in the same bpy, a grid primitive of the same resolution
  + Displace (the image as a texture) + Solidify, exported to STL with modifiers applied (no checks).

Runs alternate (manual, ours, manual, ...) so a busy machine slows both alike; medians and the
ratio are printed, with the goal of issue 13 (ours <= 0.5x the manual way).  The second goal, the
full checks on an arbitrary 1M-triangle mesh against the 3D-Print Toolbox, is
``benchmarks/check_bench.py``; ``--with-checks`` runs it after this one.

    python benchmarks/print_bench.py [--runs 3] [--size 2048] [--with-checks]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from relief_bench import photo_like_image, run_timed  # noqa: E402

MANUAL = r'''
import os, sys
import bpy
image_path, out, size, spacing_mm = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
for obj in list(bpy.data.objects):
    bpy.data.objects.remove(obj)
units = bpy.context.scene.unit_settings
units.scale_length, units.length_unit = 0.001, 'MILLIMETERS'
img = bpy.data.images.load(image_path)
img.colorspace_settings.is_data = True
bpy.ops.mesh.primitive_grid_add(x_subdivisions=size - 1, y_subdivisions=size - 1, size=(size - 1) * spacing_mm,
                                calc_uvs=True)
obj = bpy.context.active_object
tex = bpy.data.textures.new("heights", 'IMAGE')
tex.image, tex.extension = img, 'EXTEND'
displace = obj.modifiers.new("Displace", 'DISPLACE')
displace.texture, displace.texture_coords, displace.mid_level, displace.strength = tex, 'UV', 0.0, 2.5
solidify = obj.modifiers.new("Solidify", 'SOLIDIFY')
solidify.thickness, solidify.offset = 1.0, 1.0
export = bpy.ops.wm.stl_export if hasattr(bpy.ops.wm, "stl_export") else bpy.ops.export_mesh.stl
export(filepath=out, export_selected_objects=True, apply_modifiers=True, global_scale=1.0)
sys.stdout.flush()
os._exit(0 if os.path.getsize(out) > 84 else 1)
'''


def timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(argv)}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return seconds


def stl_triangles(path: str) -> int:
    with open(path, "rb") as fh:
        fh.seek(80)
        return int.from_bytes(fh.read(4), "little")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=2048, help="image side in pixels (one sample per pixel)")
    parser.add_argument("--blender", default=os.environ.get("IMAGE_TO_PRINT_BLENDER", "5.2"),
                        help="bpy series of .venv/bpy-<series> (default 5.2)")
    parser.add_argument("--with-checks", action="store_true", help="then run check_bench.py (the toolbox ratio)")
    args = parser.parse_args()
    python = os.path.join(ROOT, ".venv", f"bpy-{args.blender}", "bin", "python")
    spacing = 0.1
    width = args.size * spacing
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "photo.png")
        photo_like_image(image, args.size)
        manual_py = os.path.join(tmp, "manual.py")
        with open(manual_py, "w") as fh:
            fh.write(MANUAL)
        ours_stl, manual_stl = os.path.join(tmp, "ours.stl"), os.path.join(tmp, "manual.stl")
        ours_cmd = [os.path.join(ROOT, "image-to-print"), "relief", image, "--width", f"{width:g}",
                    "--sample-mm", f"{spacing:g}", "-o", ours_stl]
        manual_cmd = [python, manual_py, image, manual_stl, str(args.size), f"{spacing:g}"]
        env_note = f"bpy {args.blender}, {os.cpu_count()} cores, {args.runs} alternating runs of each"
        print(f"Image to checked STL, {args.size}² photograph-like image at one sample per pixel ({env_note})")
        timed(ours_cmd)  # warm: the first run installs the extension if the sources changed
        ours, manual = [], []
        for _ in range(args.runs):
            manual.append(timed(manual_cmd))
            ours.append(timed(ours_cmd))
        m, o = statistics.median(manual), statistics.median(ours)
        print(f"  manual way (grid + Displace + Solidify -> STL): {m:6.2f} s  "
              f"({', '.join(f'{t:.2f}' for t in manual)}), {stl_triangles(manual_stl):,} triangles")
        print(f"  ours (relief -> every print check -> STL):      {o:6.2f} s  "
              f"({', '.join(f'{t:.2f}' for t in ours)}), {stl_triangles(ours_stl):,} triangles")
        ratio = o / m
        print(f"  ratio ours / manual: {ratio:.2f}x (goal <= 0.50x): {'met' if ratio <= 0.5 else 'NOT met'}")
    if args.with_checks:
        print()
        sys.stdout.flush()
        subprocess.run([python, os.path.join(HERE, "check_bench.py")], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":
    run_timed(main)
