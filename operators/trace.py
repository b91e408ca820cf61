# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace and extrude: image -> 2D Bezier curve objects, filled and extruded, in mm, on the bed.

Each part (design, base plate, cutter blade and flange, colour layer) is its own
Curve object the user can still edit. A Weld modifier joins the caps and walls
Blender's curve extrusion makes as separate vertex sets, so the evaluated mesh
that checks and export read is watertight; loops are wound outlines
counter-clockwise and holes clockwise, so its normals point out.
"""

from __future__ import annotations

import math
import os
from typing import cast

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty
from bpy_extras.io_utils import ImportHelper

from ..core.trace.settings import TRACE_PRESETS
from ..properties import TraceProperties, apply_trace_preset, copy_trace_settings, preferences, trace_settings
from . import blender_mesh

WELD_MM = 1e-4  # merge distance for the caps and walls of the extruded curves
CURVE_RESOLUTION = 12  # points per Bezier segment in the evaluated mesh


def _material(name: str, colour, made: list):
    mat = bpy.data.materials.new(name)
    made.append(mat)
    mat.diffuse_color = colour
    if bpy.app.version < (5, 0, 0):
        mat.use_nodes = True
    bsdf = next((n for n in mat.node_tree.nodes if n.type == 'BSDF_PRINCIPLED'), None)
    if bsdf is not None:
        bsdf.inputs['Base Color'].default_value = colour
    return mat


def curve_from_loops(name: str, loops, k: float):
    """A 2D Curve datablock with one cyclic Bezier spline per loop (mm x ``k`` = scene units)."""
    import numpy as np

    from ..core.trace.loops import straight as straight_loop

    cu = bpy.data.curves.new(name, 'CURVE')
    cu.dimensions = '2D'
    cu.fill_mode = 'BOTH'  # type: ignore[assignment]  # 2D curves fill both caps; the stubs list 3D modes
    cu.resolution_u = CURVE_RESOLUTION
    cu.render_resolution_u = CURVE_RESOLUTION
    for loop in loops:
        n = len(loop)
        spline = cu.splines.new('BEZIER')
        spline.bezier_points.add(n - 1)
        spline.use_cyclic_u = True
        pts = spline.bezier_points
        # Straight segments get vector handles: Blender then makes one edge of them, not
        # `resolution` collinear points (which its cap fill turns into zero-area triangles).
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


def build_traced(context, filepath: str, settings, progress=None):
    """Make the traced parts in ``context.scene``; return (objects, plan).

    Raises ImageToPrintError for bad input; on any failure every datablock it
    made is removed again.
    """
    from ..core.image import load_image
    from ..core.trace.plan import plan_trace

    img = load_image(filepath, settings.max_megapixels)
    plan = plan_trace(img, settings, progress)
    scene = context.scene
    k = blender_mesh.units_per_mm(scene)
    stem = os.path.splitext(os.path.basename(filepath))[0] or "Image"
    made: list = []
    try:
        collection = bpy.data.collections.new(f"{stem} Traced")
        made.append(collection)
        cursor = scene.cursor.location
        objects = []
        for part in plan.parts:
            name = f"{stem} {part.name}"
            cu = curve_from_loops(name, part.loops, k)
            made.append(cu)
            cu.extrude = part.height / 2.0 * k
            cu.materials.append(_material(name, part.colour, made))
            obj = bpy.data.objects.new(name, cu)
            made.append(obj)
            # Blender extrudes both ways from the curve's plane: lift it by half the height
            obj.location = (cursor.x, cursor.y, (part.z0 + part.height / 2.0) * k)
            weld = cast(bpy.types.WeldModifier, obj.modifiers.new("Weld", 'WELD'))
            weld.merge_threshold = WELD_MM * k
            if part.bevel_mm > 0:
                # a mesh bevel after the weld: it cuts into the solid and clamps where rounds would
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
    unique = list({id(b): b for b in made}.values())
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
        except ReferenceError:
            pass


def preset_items():
    return [(key, label, desc) for key, (label, desc, _) in TRACE_PRESETS.items()]


class IMAGE_TO_PRINT_OT_trace(TraceProperties, bpy.types.Operator, ImportHelper):
    """Trace a logo or line art into Bezier curves, extruded into a printable plate, keychain, cookie cutter, \
stamp or multi-colour print"""

    bl_idname = "image_to_print.trace"
    bl_label = "Image as Traced Solid"
    bl_options = {'REGISTER', 'UNDO', 'PRESET'}

    filter_glob: StringProperty(default="*.png;*.jpg;*.jpeg;*.tif;*.tiff;*.webp;*.bmp;*.gif",
                                options={'HIDDEN'})
    from_scene: BoolProperty(default=False, options={'HIDDEN', 'SKIP_SAVE'},
                             description="Take the settings and image from the sidebar")

    def invoke(self, context, event):
        if self.from_scene:
            return self.execute(context)
        return ImportHelper.invoke(self, context, event)

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
                progress=(lambda f, _t: wm.progress_update(int(100 * f))) if wm is not None else None)
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
                              f"{h:.1f} mm; {st['loops']} loops, {st['segments']} segments "
                              f"({st['engine']}, {st.get('pixel_error_percent', 0):.2f}% pixel error)")
        return {'FINISHED'}


class IMAGE_TO_PRINT_OT_trace_preset(bpy.types.Operator):
    """Fill in the sidebar's trace settings for a kind of print"""

    bl_idname = "image_to_print.trace_preset"
    bl_label = "Trace Preset"
    bl_options = {'REGISTER', 'UNDO'}

    preset: EnumProperty(name="Preset", items=preset_items())

    def execute(self, context):
        apply_trace_preset(context.scene.image_to_print, self.preset)
        self.report({'INFO'}, f"Preset: {TRACE_PRESETS[self.preset][0]}")
        return {'FINISHED'}
