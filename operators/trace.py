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

from ..properties import TraceProperties, copy_trace_settings, preferences, trace_settings
from . import blender_mesh, compat
from .image_import import ImageImport

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


def build_traced(context, filepath: str, settings, progress=None, measure: bool = True):
    """Make the traced parts in ``context.scene``; return (objects, plan).

    Raises ImageToPrintError for bad input; on any failure every datablock it
    made is removed again.
    """
    from ..core.image import load_image
    from ..core.trace.plan import plan_trace

    img = load_image(filepath, settings.max_megapixels)
    plan = plan_trace(img, settings, progress, measure=measure)
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
            obj["image_to_print"] = {
                "route": "trace", "mode": settings.mode, "role": part.role, "source": os.path.abspath(filepath),
                "z0_mm": part.z0, "height_mm": part.height, "warnings": list(plan.warnings),
            }
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
        remove_made(made)
        raise
    return objects, plan


def remove_traced(objects) -> None:
    """Remove traced objects with their curves, materials and collection."""
    made: list = []
    ours = set(objects)
    for obj in objects:
        made.extend(c for c in obj.users_collection
                    if c.name in bpy.data.collections and set(c.objects) <= ours and not c.children)
        made.extend(m for m in obj.data.materials if m is not None)
        made.append(obj.data)
        made.append(obj)
    unique = list({b.as_pointer(): b for b in made}.values())
    remove_made([b for b in unique if isinstance(b, bpy.types.Collection)] +
                [b for b in unique if not isinstance(b, (bpy.types.Collection, bpy.types.Object))] +
                [b for b in unique if isinstance(b, bpy.types.Object)])


def remove_made(made: list) -> None:
    for block in reversed(made):
        try:
            if isinstance(block, bpy.types.Object):
                bpy.data.objects.remove(block)
            elif isinstance(block, bpy.types.Curve):
                bpy.data.curves.remove(block)
            elif isinstance(block, bpy.types.Material):
                bpy.data.materials.remove(block)
            elif isinstance(block, bpy.types.Collection):
                bpy.data.collections.remove(block)
            elif isinstance(block, bpy.types.NodeTree):
                bpy.data.node_groups.remove(block)
        except ReferenceError:
            pass


class IMAGE_TO_PRINT_OT_trace(TraceProperties, ImageImport, bpy.types.Operator):
    """Trace a logo or line art into Bezier curves, extruded into a printable plate, keychain, cookie cutter, \
stamp or multi-colour print"""

    bl_idname = "image_to_print.trace"
    bl_label = "Image as Traced Solid"
    bl_options = {'REGISTER', 'UNDO', 'PRESET'}

    def draw(self, context):
        from ..panels.trace import draw_trace_settings

        draw_trace_settings(self.layout, self)

    def execute(self, context):
        from ..core.errors import ImageToPrintError

        if self.from_scene:
            settings_pg = context.scene.image_to_print
            copy_trace_settings(self, settings_pg)
            self.filepath = bpy.path.abspath(settings_pg.trace_image_path)
            self.from_scene = False
        settings = trace_settings(self)
        prefs = preferences(context)
        if prefs is not None:
            settings.max_megapixels = prefs.max_megapixels
        wm = context.window_manager if not bpy.app.background else None
        if wm is not None:
            wm.progress_begin(0, 100)
        try:
            objects, plan = build_traced(
                context, bpy.path.abspath(self.filepath), settings,
                progress=(lambda f, _t: wm.progress_update(int(100 * f))) if wm is not None else None,
                measure=False)
        except ImageToPrintError as exc:
            self.report({'ERROR'}, str(exc))
            return {'CANCELLED'}
        finally:
            if wm is not None:
                wm.progress_end()
        for warning in plan.warnings:
            self.report({'WARNING'}, warning)
        w, d, h = plan.size_mm
        st = plan.stats
        self.report({'INFO'}, f"{len(objects)} object{'s' if len(objects) != 1 else ''}, {w:.1f} x {d:.1f} x "
                              f"{h:.1f} mm; {st['loops']} loops, {st['segments']} segments ({st['engine']})")
        return {'FINISHED'}
