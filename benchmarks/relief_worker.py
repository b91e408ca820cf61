# SPDX-License-Identifier: GPL-3.0-or-later
"""One measured run in a fresh process (so peak memory is this run's own).

    python relief_worker.py ours|baseline|adaptive IMAGE SIZE [MAX_ERROR_MM]

Prints one JSON line: seconds, peak memory above the start (MiB), triangles.
"""

import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools"))
import launch


def rss_mib():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def evaluate(obj):
    import bpy

    dg = bpy.context.evaluated_depsgraph_get()
    ev = obj.evaluated_get(dg)
    me = ev.to_mesh()
    me.calc_loop_triangles()
    tris = len(me.loop_triangles)
    ev.to_mesh_clear()
    return tris


def baseline(image_path, size, spacing_mm):
    """The manual Blender way: grid primitive + Displace + Solidify, evaluated."""
    import bpy

    width = (size - 1) * spacing_mm / 1000.0
    img = bpy.data.images.load(image_path)
    img.colorspace_settings.is_data = True
    bpy.ops.mesh.primitive_grid_add(x_subdivisions=size - 1, y_subdivisions=size - 1, size=width,
                                    calc_uvs=True)
    obj = bpy.context.active_object
    tex = bpy.data.textures.new("h", 'IMAGE')
    tex.image = img
    tex.extension = 'EXTEND'
    disp = obj.modifiers.new("Displace", 'DISPLACE')
    disp.texture = tex
    disp.texture_coords = 'UV'
    disp.mid_level = 0.0
    disp.strength = 0.0025
    sol = obj.modifiers.new("Solidify", 'SOLIDIFY')
    sol.thickness = 0.001
    sol.offset = 1.0
    return evaluate(obj)


def ours(image_path, size, spacing_mm, adaptive=False, max_error=0.02, smoothing=0.0):
    import bpy

    width_mm = (size - 1) * spacing_mm
    result = bpy.ops.image_to_print.relief(filepath=image_path, width_mm=width_mm, native_resolution=True,
                                           smoothing=smoothing, adaptive=adaptive, max_error_mm=max_error,
                                           depth_mm=2.5, base_mm=1.0)
    assert result == {'FINISHED'}
    return evaluate(bpy.context.view_layer.objects.active)


def main():
    mode, image_path, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    launch.ensure_extension()
    import bpy

    for obj in list(bpy.data.objects):
        bpy.data.objects.remove(obj)
    spacing = 0.2
    start_rss = rss_mib()
    t0 = time.perf_counter()
    if mode == "baseline":
        tris = baseline(image_path, size, spacing)
    elif mode == "ours":
        tris = ours(image_path, size, spacing)
    else:
        max_error = float(sys.argv[4])
        smoothing = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
        tris = ours(image_path, size, spacing, adaptive=True, max_error=max_error, smoothing=smoothing)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - start_rss
    print(json.dumps({"mode": mode, "size": size, "seconds": seconds, "peak_mib": peak, "triangles": tris}),
          flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
