#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Make Printable's union of overlapping parts: the Manifold solver (4.5+) against Exact.

The whole Make Printable operator (``bpy.ops.image_to_print.make_printable``, intersections
resolved by Boolean union) is timed end to end on overlapping UV spheres, once with the
solver it picks (Manifold where Blender has it) and once with Manifold switched off (Exact,
what 4.2 and every version before this change used), in one run, medians of ``--runs``.
The result's volume, shell count and verdict are printed for both.

    .venv/bpy-5.2/bin/python benchmarks/union_bench.py [--runs 3] [--spheres 4 16]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import launch  # noqa: E402


def spheres(n: int):
    import bmesh
    import bpy
    import numpy as np

    rng = np.random.default_rng(7)
    me = bpy.data.meshes.new(f"spheres-{n}")
    bm = bmesh.new()
    for i in range(n):  # a chain of 10 mm balls 7 mm apart, each crossing its neighbours, slightly jittered
        made = bmesh.ops.create_uvsphere(bm, u_segments=48, v_segments=24, radius=0.005)
        offset = np.array([0.007 * (i % 8), 0.007 * (i // 8), 0.005]) + rng.uniform(-0.0005, 0.0005, 3)
        bmesh.ops.translate(bm, verts=made["verts"], vec=tuple(offset))
    bm.to_mesh(me)
    bm.free()
    obj = bpy.data.objects.new(me.name, me)
    bpy.context.scene.collection.objects.link(obj)
    return obj


def one_run(ext, n: int, manifold: bool):
    import bpy

    compat = ext.operators.compat
    original = compat.has_manifold_boolean
    if not manifold:
        compat.has_manifold_boolean = lambda: False
    try:
        obj = spheres(n)
        for other in list(bpy.context.selected_objects):
            other.select_set(False)
        obj.select_set(True)
        bpy.context.view_layer.objects.active = obj
        t0 = time.perf_counter()
        assert bpy.ops.image_to_print.make_printable(intersections='UNION') == {'FINISHED'}
        seconds = time.perf_counter() - t0
        target = bpy.context.view_layer.objects.active
        report = ext.operators.check.check_object(bpy.context, target)
        for block in (target, obj):
            me = block.data
            bpy.data.objects.remove(block)
            bpy.data.meshes.remove(me)
        return seconds, report
    finally:
        compat.has_manifold_boolean = original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spheres", type=int, nargs="+", default=[4, 16])
    args = parser.parse_args()
    ext = launch.ensure_extension()
    import bpy

    print(f"Blender {bpy.app.version_string}; Manifold solver available: {ext.operators.compat.has_manifold_boolean()}")
    if not ext.operators.compat.has_manifold_boolean():
        print("union_bench: this Blender has no Manifold solver (4.5+); nothing to compare")
        return 0
    print(f"{'spheres':>8} {'triangles':>9} {'solver':>9} {'median s':>9} {'volume mm3':>11} {'shells':>6} "
          f"{'crossing':>8} printable")
    for n in args.spheres:
        medians = {}
        for manifold in (True, False):
            runs = [one_run(ext, n, manifold) for _ in range(args.runs)]
            seconds = statistics.median(r[0] for r in runs)
            report = runs[-1][1]
            medians[manifold] = seconds
            print(f"{n:>8} {n * 48 * 22 * 2 + n * 96:>9} {'Manifold' if manifold else 'Exact':>9} {seconds:>9.3f} "
                  f"{report['volume_mm3']:>11.2f} {report['checks']['shells']:>6} "
                  f"{report['checks']['intersecting_faces']:>8} {report['printable']}")
        print(f"{'':>8} Exact / Manifold, whole operator: {medians[False] / medians[True]:.1f}x")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)
