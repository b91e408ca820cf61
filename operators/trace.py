# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace and extrude: image -> 2D Bezier curve objects, filled and extruded, in mm, on the bed.

Each part (design, base plate, cutter blade and flange, colour layer) is its own
Curve object the user can still edit. A Geometry Nodes modifier makes the solid:
Fill Curve (constrained Delaunay triangles: exact even-odd holes, and no
overlapping slivers where edges of different loops are collinear, which the
legacy curve fill produces on pixel-aligned logos), extruded up by the part's
height (a live modifier input), a flipped copy as the bottom, merged by
distance. So the evaluated mesh that checks and export read is watertight and
outward, with its origin on the bed.
"""

from __future__ import annotations

import math
import os
from typing import Any, cast

import bpy

from ..core.trace.settings import TraceSettings
from ..properties import TraceProperties
from . import blender_mesh, compat
from .route import Made, Route, RouteOperator, check_cancel

WELD_MM = 1e-4  # merge distance joining the bottom to the walls (mm)
CURVE_RESOLUTION = 12  # points per Bezier segment in the evaluated mesh


def _material(name: str, colour, made: list):
    mat = compat.node_material(name)
    made.append(mat)
    mat.diffuse_color = colour
    bsdf = next((n for n in mat.node_tree.nodes if n.type == 'BSDF_PRINCIPLED'), None)
    if bsdf is not None:
        bsdf.inputs['Base Color'].default_value = colour
    return mat


SOLID_GROUP = ".image_to_print traced solid"


def solid_node_group():
    """The shared node group: filled curve -> closed solid of the given height."""
    ng: Any = bpy.data.node_groups.get(SOLID_GROUP)
    if ng is not None:
        return ng
    ng = bpy.data.node_groups.new(SOLID_GROUP, 'GeometryNodeTree')  # type: ignore[arg-type]
    ng.interface.new_socket("Curve", in_out='INPUT', socket_type='NodeSocketGeometry')
    height = ng.interface.new_socket("Height", in_out='INPUT', socket_type='NodeSocketFloat')
    height.subtype = 'DISTANCE'
    height.min_value = 0.0
    height.default_value = 0.002
    merge = ng.interface.new_socket("Merge Distance", in_out='INPUT', socket_type='NodeSocketFloat')
    merge.subtype = 'DISTANCE'
    merge.min_value = 0.0
    merge.default_value = 1e-7
    ng.interface.new_socket("Solid", in_out='OUTPUT', socket_type='NodeSocketGeometry')
    nodes: Any = ng.nodes
    link = ng.links.new
    group_in, group_out = nodes.new('NodeGroupInput'), nodes.new('NodeGroupOutput')
    fill = nodes.new('GeometryNodeFillCurve')
    compat.fill_curve_triangles(fill)
    up = nodes.new('ShaderNodeCombineXYZ')
    extrude = nodes.new('GeometryNodeExtrudeMesh')
    extrude.mode = 'FACES'
    extrude.inputs["Individual"].default_value = False
    flip = nodes.new('GeometryNodeFlipFaces')
    join = nodes.new('GeometryNodeJoinGeometry')
    weld = nodes.new('GeometryNodeMergeByDistance')
    link(group_in.outputs["Curve"], fill.inputs["Curve"])
    link(group_in.outputs["Height"], up.inputs["Z"])
    link(fill.outputs["Mesh"], extrude.inputs["Mesh"])
    link(up.outputs["Vector"], extrude.inputs["Offset"])
    link(fill.outputs["Mesh"], flip.inputs["Mesh"])
    link(extrude.outputs["Mesh"], join.inputs["Geometry"])
    link(flip.outputs["Mesh"], join.inputs["Geometry"])
    link(join.outputs["Geometry"], weld.inputs["Geometry"])
    link(group_in.outputs["Merge Distance"], weld.inputs["Distance"])
    link(weld.outputs["Geometry"], group_out.inputs["Solid"])
    for i, node in enumerate((group_in, fill, extrude, join, weld, group_out)):
        node.location = (i * 200.0, 0.0)
    up.location, flip.location = (200.0, -200.0), (400.0, -200.0)
    return ng


def set_solid_inputs(modifier, height_bu: float, merge_bu: float) -> None:
    """Set the Height and Merge Distance inputs of a traced-solid modifier (scene units)."""
    compat.node_input_set(modifier, "Height", height_bu)
    compat.node_input_set(modifier, "Merge Distance", merge_bu)


def curve_from_loops(name: str, loops, k: float):
    """A 2D Curve datablock with one cyclic Bezier spline per loop (mm x ``k`` = scene units)."""
    import numpy as np

    from ..core.trace.loops import straight as straight_loop

    cu = bpy.data.curves.new(name, 'CURVE')
    cu.dimensions = '2D'
    cu.fill_mode = 'NONE'  # type: ignore[assignment]  # the Geometry Nodes modifier fills and extrudes
    cu.resolution_u = CURVE_RESOLUTION
    cu.render_resolution_u = CURVE_RESOLUTION
    for loop in loops:
        n = len(loop)
        spline = cu.splines.new('BEZIER')
        spline.bezier_points.add(n - 1)
        spline.use_cyclic_u = True
        pts = spline.bezier_points
        # Straight segments get vector handles: Blender then makes one edge of each, not
        # `resolution` collinear points, and editing keeps them straight.
        straight = straight_loop(loop, 1e-6)
        left = np.roll(straight, 1)  # the segment arriving at each anchor
        for p, in_straight, out_straight in zip(pts, left.tolist(), straight.tolist()):
            p.handle_left_type = 'VECTOR' if in_straight else 'FREE'
            p.handle_right_type = 'VECTOR' if out_straight else 'FREE'
        z = np.zeros((n, 1))
        pts.foreach_set("co", (np.hstack([loop[:, 1], z]) * k).ravel())
        pts.foreach_set("handle_left", (np.hstack([loop[:, 0], z]) * k).ravel())
        pts.foreach_set("handle_right", (np.hstack([loop[:, 2], z]) * k).ravel())
    return cu


def _compute(filepath: str, settings, options, progress=None, cancel=None):
    """The pure half (no bpy, runs in a worker thread from the sidebar): image -> traced parts."""
    from ..core.image import load_image
    from ..core.trace.plan import plan_trace

    img = load_image(filepath, settings.max_megapixels)
    check_cancel(cancel)

    def step(fraction: float, text: str) -> None:
        check_cancel(cancel)
        if progress is not None:
            progress(fraction, text)

    return plan_trace(img, settings, step, measure=bool(options.get("measure")))


def realize_traced(context, filepath: str, settings, plan):
    """Make the traced parts in ``context.scene``: one collection, one Curve object per part.

    On any failure every datablock it made is removed again.
    """
    scene = context.scene
    k = blender_mesh.units_per_mm(scene)
    stem = os.path.splitext(os.path.basename(filepath))[0] or "Image"
    made: list = []
    try:
        collection = bpy.data.collections.new(f"{stem} Traced")
        made.append(collection)
        new_group = SOLID_GROUP not in bpy.data.node_groups
        group = solid_node_group()
        if new_group:
            made.append(group)
        cursor = scene.cursor.location
        objects = []
        for part in plan.parts:
            name = f"{stem} {part.name}"
            cu = curve_from_loops(name, part.loops, k)
            made.append(cu)
            cu.materials.append(_material(name, part.colour, made))
            obj = bpy.data.objects.new(name, cu)
            made.append(obj)
            obj.location = (cursor.x, cursor.y, part.z0 * k)  # the solid rises from the origin
            solid = cast(bpy.types.NodesModifier, obj.modifiers.new("Traced Solid", 'NODES'))
            solid.node_group = group
            set_solid_inputs(solid, part.height * k, WELD_MM * k)
            if part.bevel_mm > 0:
                # a mesh bevel after the solid: it cuts into it and clamps where rounds would
                # overlap (a curve bevel with offset self-intersects at every sharp inner corner)
                bevel = cast(bpy.types.BevelModifier, obj.modifiers.new("Bevel", 'BEVEL'))
                bevel.width = part.bevel_mm * k
                bevel.segments = 3
                bevel.limit_method = 'ANGLE'
                bevel.angle_limit = math.radians(30.0)
                bevel.use_clamp_overlap = True
            info = {
                "route": "trace", "mode": settings.mode, "role": part.role, "source": os.path.abspath(filepath),
                "z0_mm": part.z0, "height_mm": part.height, "warnings": list(plan.warnings),
                "part": part.name,
                # the parts are printed as one solid (united before checks and export: export.printed), except
                # multi-colour's, each its own filament: a file of its own where a format holds one object
                "solid": collection.name if settings.mode != "MULTI" else obj.name,
            }
            if settings.mode == "MULTI":
                info["file_suffix"] = part.name.lower().replace(" ", "-")
                info["colour"] = "#" + "".join(f"{round(255 * min(max(c, 0.0), 1.0)):02x}" for c in part.colour[:3])
            obj["image_to_print"] = info
            collection.objects.link(obj)
            objects.append(obj)
        (context.collection or scene.collection).children.link(collection)
        for o in list(context.selected_objects):
            if o is not None:
                o.select_set(False)
        for obj in objects:
            obj.select_set(True)
        main = next((o for o in objects if o["image_to_print"]["role"] in ("design", "blade", "layer")), objects[0])
        context.view_layer.objects.active = main
    except BaseException:
        blender_mesh.remove_datablocks(*reversed(made))
        raise
    return objects


class IMAGE_TO_PRINT_OT_trace(TraceProperties, RouteOperator, bpy.types.Operator):
    """Trace a logo or line art into Bezier curves, extruded into a printable plate, keychain, cookie cutter, \
stamp or multi-colour print"""

    bl_idname = "image_to_print.trace"
    bl_label = "Image as Traced Solid"
    bl_options = {'REGISTER', 'UNDO', 'PRESET'}
    route_name = "trace"
    build_options = {"measure": False}  # fidelity is a command-line report field

    def draw(self, context):
        from ..ui.layout import draw_trace_settings

        draw_trace_settings(self.layout, self)

    def route_settings(self, context):
        settings = super().route_settings(context)
        settings.nozzle_mm = context.scene.image_to_print.check.nozzle_mm  # the printer's one nozzle
        return settings

    def summary(self, context, made):
        w, d, h = made.info["bbox_mm"]
        st = made.info["trace"]
        n = len(made.objects)
        return {'INFO'}, (f"{n} object{'s' if n != 1 else ''}, {w:.1f} x {d:.1f} x {h:.1f} mm; "
                          f"{st['loops']} loops, {st['segments']} segments ({st['engine']})")


def _from_args(args):
    from ..core.errors import ImageToPrintError
    from ..core.schema import from_args
    from ..core.trace.settings import MODE_PRESET, TRACE_PRESETS

    s = from_args(TraceSettings.from_dict(TRACE_PRESETS[MODE_PRESET[args.mode.upper()]][2]), args)
    if args.nozzle_mm is not None:  # the printer's nozzle (core.limits), which the trace warnings read
        s.nozzle_mm = args.nozzle_mm
    if args.threshold != "auto":
        try:
            s.threshold = float(args.threshold)
            if not 0.0 <= s.threshold <= 1.0:  # NaN too
                raise ValueError
        except ValueError:
            raise ImageToPrintError(f"--threshold must be auto or a number from 0 to 1, got '{args.threshold}'") \
                from None
    if args.background:
        text = args.background.lstrip("#")
        try:
            if len(text) != 6:
                raise ValueError
            s.background = (int(text[0:2], 16) / 255.0, int(text[2:4], 16) / 255.0, int(text[4:6], 16) / 255.0)
        except ValueError:
            raise ImageToPrintError(f"--background must be a colour like ffffff, got '{args.background}'") from None
    return s, {"measure": True}


def _validate(settings) -> None:
    from ..core.trace.plan import validate

    validate(settings)


def _realize(context, image_path: str, settings, options, plan) -> Made:
    objects = realize_traced(context, image_path, settings, plan)
    stem = os.path.splitext(os.path.basename(image_path))[0]
    n = len(objects)
    if settings.mode == "MULTI":
        label = f"{stem} ({n} part{'s' if n != 1 else ''}: one solid each)"
    else:
        label = f"{stem} ({n} part{'s' if n != 1 else ''}{' united into one solid' if n > 1 else ''})"
    return Made(objects, label, info={"mode": settings.mode, "bbox_mm": [round(v, 4) for v in plan.size_mm],
                                      "trace": plan.stats}, warnings=list(plan.warnings), parts=True)


ROUTE = Route("trace", "Trace", TraceSettings, _from_args, _validate, _compute, _realize)
