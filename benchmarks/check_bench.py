#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check-suite benchmark: our full print checks vs the 3D-Print Toolbox's Check All.

On a relief of about 1M triangles (modifiers applied), in one run:

* ours: ``check_object`` (every check: solid, intersections, degenerate,
  non-planar, wall thickness, sharp, overhang, shells, bow-ties, ...);
* the toolbox's own Check All when you pass its zip (``--toolbox PATH.zip``,
  installed into the isolated user folder), otherwise a re-implementation of
  its published per-face method (bmesh loops; six ray casts per triangle for
  Thickness), and the script says which one ran;
* Make Printable on the same mesh with 1% of its faces damaged (0.5% deleted,
  0.5% flipped): time and the before/after verdict.

    python benchmarks/check_bench.py [--size 708] [--toolbox print3d_toolbox-1.2.2.zip]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import launch  # noqa: E402


def toolbox_method_check_all(obj, thickness_bu: float, zero_bu: float) -> dict:
    """The toolbox's Check All as its documentation describes it (not its code):
    Python loops over a bmesh copy; Thickness casts 6 rays per triangle from a temporary object."""
    import bmesh
    import bpy
    from mathutils import Vector
    from mathutils.bvhtree import BVHTree

    counts = {}
    bm = bmesh.new()
    bm.from_mesh(obj.data)
    counts["non_manifold"] = sum(1 for e in bm.edges if not e.is_manifold)
    counts["bad_contiguous"] = sum(1 for e in bm.edges if e.is_manifold and not e.is_contiguous)
    tree = BVHTree.FromBMesh(bm, epsilon=0.00001)
    counts["intersect"] = len({i for pair in tree.overlap(tree) for i in pair})
    counts["zero_faces"] = sum(1 for f in bm.faces if f.calc_area() <= zero_bu ** 2)
    counts["zero_edges"] = sum(1 for e in bm.edges if e.calc_length() <= zero_bu)
    bm.normal_update()
    limit = math.radians(5.0)
    nonflat = 0
    for f in bm.faces:
        if len(f.verts) > 3:
            for loop in f.loops:
                n = loop.calc_normal()
                if n.dot(f.normal) < 0:
                    n.negate()
                if n.angle(f.normal, 0.0) * 2 > limit:
                    nonflat += 1
                    break
    counts["non_flat"] = nonflat
    sharp = math.radians(160.0)
    counts["sharp"] = sum(1 for e in bm.edges if e.is_manifold and e.calc_face_angle_signed(0.0) > sharp)
    down = Vector((0.0, 0.0, -1.0))
    overhang = math.radians(90.0 - 45.0)
    counts["overhang"] = sum(1 for f in bm.faces if f.normal.length > 0 and f.normal.angle(down, 4.0) < overhang)
    # Thickness: triangulate, temporary object, 6 seeded samples per triangle, ray cast inward
    bmesh.ops.triangulate(bm, faces=bm.faces[:])
    me = bpy.data.meshes.new("~temp~")
    bm.to_mesh(me)
    bm.free()
    tmp = bpy.data.objects.new("~temp~", me)
    bpy.context.scene.collection.objects.link(tmp)
    bpy.context.view_layer.update()
    thin = set()
    eps = 1e-4
    for poly in me.polygons:
        rng = random.Random(poly.index)
        a, b, c = (me.vertices[i].co for i in poly.vertices)
        no = poly.normal
        for _ in range(6):
            u, v = rng.uniform(0.05, 0.95), rng.uniform(0.05, 0.95)
            if u + v > 1.0:
                u, v = 1.0 - u, 1.0 - v
            p = a + (b - a) * u + (c - a) * v - no * eps
            hit, _loc, _n, index = tmp.ray_cast(p, -no, distance=thickness_bu - eps)
            if hit:
                thin.add(poly.index)
                thin.add(index)
                break
    counts["thin"] = len(thin)
    bpy.data.objects.remove(tmp)
    bpy.data.meshes.remove(me)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=708, help="height-field samples per side (708: ~1M triangles)")
    parser.add_argument("--toolbox", help="zip of Blender's 3D-Print Toolbox extension, to time the real thing")
    args = parser.parse_args()

    ext = launch.ensure_extension()
    import bpy
    import numpy as np
    from PIL import Image

    context = bpy.context
    with tempfile.TemporaryDirectory() as tmp:
        n = args.size
        y, x = np.mgrid[0:n, 0:n] * (1024.0 / n)
        v = 0.5 + 0.25 * np.sin(x / 47.0) * np.cos(y / 31.0)
        path = os.path.join(tmp, "relief.png")
        Image.fromarray(np.round(v * 65535).astype(np.uint16)).save(path)
        bpy.ops.image_to_print.relief(filepath=path, width_mm=(n - 1) * 0.2, native_resolution=True, smoothing=0.0)
        relief = context.view_layer.objects.active
        depsgraph = context.evaluated_depsgraph_get()
        me = bpy.data.meshes.new_from_object(relief.evaluated_get(depsgraph), depsgraph=depsgraph)
        obj = bpy.data.objects.new("applied relief", me)
        context.scene.collection.objects.link(obj)
        bpy.data.objects.remove(relief)
        ext.operators.blender_mesh.select_only(context, obj)
        me.calc_loop_triangles()
        print(f"bpy {bpy.app.version_string}: relief {n}x{n} samples, {len(me.loop_triangles):,} triangles, "
              f"{len(me.polygons):,} faces\n")

        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            ours = ext.operators.check.check_object(context, obj)
            times.append(time.perf_counter() - t0)
        t_ours = statistics.median(times)
        print(f"ours, full suite:   {t_ours:7.2f} s (median of 3: {', '.join(f'{t:.2f}' for t in times)})  "
              f"{ours['checks']}")

        k = ext.operators.blender_mesh.units_per_mm(context.scene)
        if args.toolbox:
            bpy.ops.extensions.package_install_files(filepath=os.path.abspath(args.toolbox), repo="user_default",
                                                     enable_on_install=True)
        if ext.operators.toolbox.find_toolbox():
            t0 = time.perf_counter()
            lines = ext.operators.toolbox.run_toolbox(context, obj, ext.operators.check.thresholds_from_scene(
                context.scene))
            t_base = time.perf_counter() - t0
            label = "3D-Print Toolbox Check All (installed)"
            print(f"toolbox Check All:  {t_base:7.2f} s  {lines}")
        else:
            print("The 3D-Print Toolbox is not installed here (pass --toolbox ZIP to time it); timing a "
                  "re-implementation of its per-face method instead.")
            t0 = time.perf_counter()
            counts = toolbox_method_check_all(obj, 0.8 * k, 0.001 * k)
            t_base = time.perf_counter() - t0
            label = "toolbox method re-implemented"
            print(f"toolbox method:     {t_base:7.2f} s  {counts}")
        print(f"\nspeed-up vs {label}: {t_base / t_ours:.1f}x")

        # Make Printable on 1% damage
        rng = np.random.default_rng(1)
        import bmesh

        bm = bmesh.new()
        bm.from_mesh(me)
        bm.faces.ensure_lookup_table()
        picks = rng.choice(len(bm.faces), size=len(bm.faces) // 100, replace=False)
        half = len(picks) // 2
        for i in picks[half:]:
            bm.faces[int(i)].normal_flip()
        bmesh.ops.delete(bm, geom=[bm.faces[int(i)] for i in picks[:half]], context="FACES_ONLY")
        bm.to_mesh(me)
        bm.free()
        me.update()
        print(f"\nMake Printable on {len(picks):,} damaged faces ({half:,} deleted, {len(picks) - half:,} flipped):")
        t0 = time.perf_counter()
        target, summary = ext.operators.repair.make_printable(context, obj, in_place=False, merge_mm=0.01,
                                                              min_shell_mm3=1.0, intersections='UNION', voxel_mm=0.2)
        t_repair = time.perf_counter() - t0
        b, a = summary["before"], summary["after"]
        print(f"  {t_repair:.2f} s (two full check passes included); steps: {summary['steps']}")
        print(f"  before: non-manifold {b['checks']['non_manifold_edges']}, bad contiguous "
              f"{b['checks']['bad_contiguous_edges']}, printable {b['printable']}")
        print(f"  after:  non-manifold {a['checks']['non_manifold_edges']}, bad contiguous "
              f"{a['checks']['bad_contiguous_edges']}, printable {a['printable']}, volume "
              f"{a['volume_mm3']:.1f} mm3 (undamaged {ours['volume_mm3']:.1f})")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
