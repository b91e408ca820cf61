#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Image to a checked lampshade STL, end to end: ours against the manual Blender way, in one run.

What the user waits for, as whole commands in fresh processes (start-up included):

* ours: ``image-to-print relief PHOTO --preset cylinder-lamp --diameter D --sample-mm S -o shade.stl``
  (the shade with rims, every print check, export, verify), and the same with ``sphere-lamp``;
* the manual way: in the same bpy, a grid primitive of the same samples (round the circumference, up
  the height) + Displace (the image as a texture) + Solidify + Simple Deform (Bend 360 degrees) + Weld,
  exported to STL with modifiers applied (no checks; its seam and rims are left as they come).

Runs alternate (manual, ours, manual, ...) so a busy machine slows both alike; medians and the ratio
are printed.

    python benchmarks/lamp_bench.py [--runs 3] [--diameter 80] [--sample-mm 0.2]
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from print_bench import stl_triangles, timed  # noqa: E402
from relief_bench import photo_like_image, run_timed  # noqa: E402

MANUAL = r'''
import math, os, sys
import bpy
image_path, out = sys.argv[1], sys.argv[2]
cols, rows, spacing_mm = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
for obj in list(bpy.data.objects):
    bpy.data.objects.remove(obj)
units = bpy.context.scene.unit_settings
units.scale_length, units.length_unit = 0.001, 'MILLIMETERS'
img = bpy.data.images.load(image_path)
img.colorspace_settings.is_data = True
bpy.ops.mesh.primitive_grid_add(x_subdivisions=cols, y_subdivisions=rows - 1, size=1.0, calc_uvs=True)
obj = bpy.context.active_object
obj.scale = (cols * spacing_mm, (rows - 1) * spacing_mm, 1.0)
obj.rotation_euler = (math.radians(90), 0, 0)
bpy.ops.object.transform_apply(location=False, rotation=True, scale=True)
tex = bpy.data.textures.new("heights", 'IMAGE')
tex.image, tex.extension = img, 'EXTEND'
displace = obj.modifiers.new("Displace", 'DISPLACE')
displace.texture, displace.texture_coords, displace.mid_level, displace.strength = tex, 'UV', 0.0, -2.2
displace.direction = 'Y'
solidify = obj.modifiers.new("Solidify", 'SOLIDIFY')
solidify.thickness, solidify.offset = 0.8, 1.0
bend = obj.modifiers.new("Bend", 'SIMPLE_DEFORM')
bend.deform_method, bend.deform_axis, bend.angle = 'BEND', 'Z', math.radians(360)
obj.modifiers.new("Weld", 'WELD')
export = bpy.ops.wm.stl_export if hasattr(bpy.ops.wm, "stl_export") else bpy.ops.export_mesh.stl
export(filepath=out, export_selected_objects=True, apply_modifiers=True, global_scale=1.0)
sys.stdout.flush()
os._exit(0 if os.path.getsize(out) > 84 else 1)
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--diameter", type=float, default=80.0)
    parser.add_argument("--sample-mm", type=float, default=0.2)
    parser.add_argument("--size", type=int, default=1024, help="image side in pixels")
    parser.add_argument("--blender", default=os.environ.get("IMAGE_TO_PRINT_BLENDER", "5.2"),
                        help="bpy series of .venv/bpy-<series> (default 5.2)")
    args = parser.parse_args()
    python = os.path.join(ROOT, ".venv", f"bpy-{args.blender}", "bin", "python")
    # the shade's own sampling (core.lamp.layout): round the mid-wall circumference, the height as the image
    circumference = math.pi * (args.diameter - 2.2)
    cols = max(int(round(circumference / args.sample_mm)), 16)
    rows = int(round((circumference + 6.0) / (circumference / cols))) + 1
    with tempfile.TemporaryDirectory() as tmp:
        image = os.path.join(tmp, "photo.png")
        photo_like_image(image, args.size)
        manual_py = os.path.join(tmp, "manual.py")
        with open(manual_py, "w") as fh:
            fh.write(MANUAL)
        manual_stl = os.path.join(tmp, "manual.stl")
        manual_cmd = [python, manual_py, image, manual_stl, str(cols), str(rows), f"{circumference / cols:g}"]
        env_note = f"bpy {args.blender}, {os.cpu_count()} cores, {args.runs} alternating runs of each"
        print(f"Image to checked lampshade STL, {args.size}² photograph-like image, {args.diameter:g} mm, "
              f"{args.sample_mm:g} mm samples ({env_note})")
        for shape in ("cylinder", "sphere"):
            ours_stl = os.path.join(tmp, f"{shape}.stl")
            ours_cmd = [os.path.join(ROOT, "image-to-print"), "relief", image, "--preset", f"{shape}-lamp",
                        "--diameter", f"{args.diameter:g}", "--sample-mm", f"{args.sample_mm:g}", "-o", ours_stl]
            timed(ours_cmd)  # warm: the first run installs the extension if the sources changed
            ours, manual = [], []
            for _ in range(args.runs):
                manual.append(timed(manual_cmd))
                ours.append(timed(ours_cmd))
            m, o = statistics.median(manual), statistics.median(ours)
            print(f"  {shape}:")
            print(f"    manual way (grid + Displace + Solidify + Bend 360 + Weld -> STL): {m:6.2f} s  "
                  f"({', '.join(f'{t:.2f}' for t in manual)}), {stl_triangles(manual_stl):,} triangles")
            print(f"    ours (shade -> every print check -> STL):                      {o:6.2f} s  "
                  f"({', '.join(f'{t:.2f}' for t in ours)}), {stl_triangles(ours_stl):,} triangles")
            print(f"    ratio ours / manual: {o / m:.2f}x")
    return 0


if __name__ == "__main__":
    run_timed(main)
