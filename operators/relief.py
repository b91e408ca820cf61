# SPDX-License-Identifier: GPL-3.0-or-later
"""Relief / lithophane: image file -> closed base mesh + live Displace modifier."""

from __future__ import annotations

import math
import os
from typing import cast

import bpy

from ..core.settings import ReliefSettings
from ..properties import ReliefProperties
from . import blender_mesh
from .route import Made, Route, RouteOperator, check_cancel

HEIGHT_UV = "Heights"
COLOR_UV = blender_mesh.COLOR_UV
TOP_GROUP = "Relief Top"


def _compute(filepath: str, settings, options, progress=None, cancel=None):
    """The pure half (no bpy, runs in a worker thread from the sidebar): image -> plan -> solid."""
    from ..core.image import load_image
    from ..core.relief import plan_relief
    from ..core.solid import build_solid

    def step(fraction: float, text: str) -> None:
        check_cancel(cancel)
        if progress is not None:
            progress(fraction, text)

    img = load_image(filepath, settings.max_megapixels)
    step(0.15, "planning")
    plan = plan_relief(img, settings, lambda: check_cancel(cancel))
    step(0.4, "building the solid")
    solid = build_solid(plan)
    step(0.9, "making the object")
    return img, plan, solid


def realize_relief(context, filepath: str, settings, img, plan, solid):
    """Make the relief object in ``context.scene``; return (object, info dict).

    On any failure every datablock it made is removed again.
    """
    import numpy as np

    made = []
    try:
        scene = context.scene
        k = blender_mesh.units_per_mm(scene)
        stem = os.path.splitext(os.path.basename(filepath))[0] or "Image"
        kind = {'LITHOPHANE': "Lithophane", 'SWAP': "Colour Relief"}.get(settings.mode, "Relief")
        name = f"{stem} {kind}"

        co = solid.co
        lamp = solid.height_rgb is not None  # a cylinder or sphere (core.lamp): built in place, upright
        if plan.curved:
            # Printed standing: image up = +Z, bottom edge on the bed, image right = +X, thickness
            # along -Y (a proper rotation, so faces keep winding outward). SimpleDeform bends X
            # around Z with its centre on +Y, so -Y is the arc's convex outside: there the relief
            # is, and from there (the viewer's side, with the light inside) the image reads the
            # right way round.
            co = np.stack([co[:, 0], -co[:, 2], co[:, 1] + plan.size_mm[1] / 2], axis=1)
        # Without frame or tab the image covers the whole plate: one UV map serves both
        # the height texture (pixel centres) and the colour texture.
        whole = solid.uv_color is None and solid.loop_uv_color is None
        height_uv = COLOR_UV if whole else HEIGHT_UV
        uv_layers = {COLOR_UV: solid.uv_color_per_loop()}
        if not whole:
            uv_layers[HEIGHT_UV] = solid.uv_per_loop()
        me = blender_mesh.mesh_from_arrays(name, co * k, solid.loop_vert, solid.loop_start, uv_layers,
                                           edges=solid.edges, corner_edge=solid.corner_edge)
        made.append(me)
        me.uv_layers.active = me.uv_layers[COLOR_UV]
        me.uv_layers[COLOR_UV].active_render = True

        heights = np.empty(plan.t.shape + (4,), np.float32)
        heights[..., :3] = plan.t[..., None] if solid.height_rgb is None else solid.height_rgb
        heights[..., 3] = 1.0
        height_img = blender_mesh.image_from_array(f"{name} Heights", heights, float_buffer=True, data=True)
        made.append(height_img)
        color_img = blender_mesh.image_from_array(f"{name} Image", blender_mesh.texture_rgba(img.rgba8),
                                                  float_buffer=False, data=False)
        made.append(color_img)
        obj = bpy.data.objects.new(name, me)
        made.append(obj)
        obj["image_to_print"] = {
            "route": "relief", "mode": settings.mode, "source": os.path.abspath(filepath),
            "base_mm": plan.base_mm, "depth_mm": plan.depth_mm, "spacing_mm": plan.spacing_mm,
            "shape": plan.shape,
        }
        if settings.mode == 'LITHOPHANE':  # what it looks like is the light through it
            from ..core.relief import backlit

            me.materials.append(_backlit_material(f"{name} Backlit", obj, height_img, height_uv, lamp,
                                                  settings.transmittance_1mm, 1.0 / k, made))
            rgba = np.empty(plan.t.shape + (4,), np.float32)
            rgba[..., :3] = backlit(plan, settings)[..., None]
            rgba[..., 3] = 1.0
            made.append(blender_mesh.image_from_array(f"{name} Backlit", rgba, float_buffer=False, data=False))
            obj["image_to_print_backlit"] = made[-1].name
        if plan.swap is not None:  # the plan's colours first: the viewport shows the print
            from . import swap

            swap.store_plan(obj, plan.swap, made)
        me.materials.append(blender_mesh.image_material(name, color_img, made))

        group = obj.vertex_groups.new(name=TOP_GROUP)
        group.add(np.arange(solid.top_count).tolist(), 1.0, 'REPLACE')  # a list is 3x faster than a range

        tex = cast(bpy.types.ImageTexture, bpy.data.textures.new(f"{name} Heights", 'IMAGE'))
        made.append(tex)
        tex.image = height_img
        tex.extension = 'REPEAT' if lamp else 'EXTEND'  # a shade's UVs run on past the seam
        tex.use_interpolation = False  # each vertex reads exactly its own texel
        tex.use_clamp = False  # a shade's texels are directions: negative parts too
        for attr in ("use_mipmap", "use_mipmap_gauss"):
            if hasattr(tex, attr):
                setattr(tex, attr, False)
        disp = cast(bpy.types.DisplaceModifier, obj.modifiers.new("Relief", 'DISPLACE'))
        disp.texture = tex
        disp.texture_coords = 'UV'
        disp.uv_layer = height_uv
        disp.direction = 'RGB_TO_XYZ' if lamp else 'Y' if plan.curved else 'Z'
        disp.space = 'LOCAL'
        disp.mid_level = 0.0
        disp.strength = (-plan.depth_mm if plan.curved else plan.depth_mm) * k  # curved: outward is -Y
        disp.vertex_group = TOP_GROUP

        cursor = scene.cursor.location
        obj.location = (cursor.x, cursor.y, 0.0)
        if plan.curved:
            bend = cast(bpy.types.SimpleDeformModifier, obj.modifiers.new("Curve", 'SIMPLE_DEFORM'))
            bend.deform_method = 'BEND'
            bend.deform_axis = 'Z'
            bend.angle = math.radians(settings.curve_angle_deg)

        if solid.grid is not None and not plan.curved:  # the print checks know this construction
            obj["image_to_print"]["grid"] = list(solid.grid)
        (context.collection or scene.collection).objects.link(obj)
        blender_mesh.select_only(context, obj)
    except BaseException:
        blender_mesh.remove_datablocks(*reversed(made))
        raise

    info = {
        "samples": [plan.cols, plan.rows],
        "spacing_mm": plan.spacing_mm,
        "warnings": list(plan.warnings),
    }
    if solid.max_error_mm is not None:
        info["max_deviation_mm"] = round(solid.max_error_mm, 5)
    return obj, info


def _backlit_material(name, obj, height_img, height_uv, lamp, transmittance, mm_per_unit, made):
    """A material that shows the light through the lithophane: Beer-Lambert through the thickness over the
    base, ``transmittance ** (depth * t)`` emitted, white where the wall is thinnest. The depth follows the
    Displace modifier's strength (a driver), so it stays right when the relief is tweaked."""
    from . import compat

    mat = compat.node_material(name)
    made.append(mat)
    tree = mat.node_tree
    nodes, links = tree.nodes, tree.links
    for node in list(nodes):
        if node.type != 'OUTPUT_MATERIAL':
            nodes.remove(node)
    out = next(n for n in nodes if n.type == 'OUTPUT_MATERIAL')
    uv = cast(bpy.types.ShaderNodeUVMap, nodes.new('ShaderNodeUVMap'))
    uv.uv_map = height_uv
    tex = cast(bpy.types.ShaderNodeTexImage, nodes.new('ShaderNodeTexImage'))
    tex.image = height_img
    tex.interpolation = 'Closest'  # the samples as the Displace modifier reads them
    tex.extension = 'REPEAT' if lamp else 'EXTEND'
    links.new(uv.outputs['UV'], tex.inputs['Vector'])
    if lamp:  # the texels are t * direction: t is their length
        length = cast(bpy.types.ShaderNodeVectorMath, nodes.new('ShaderNodeVectorMath'))
        length.operation = 'LENGTH'
        links.new(tex.outputs['Color'], length.inputs[0])
        t_out = length.outputs['Value']
    else:
        t_out = tex.outputs['Color']
    depth = cast(bpy.types.ShaderNodeValue, nodes.new('ShaderNodeValue'))
    depth.label = "Depth (mm)"
    curve = depth.outputs[0].driver_add("default_value")
    var = curve.driver.variables.new()
    var.name = "strength"
    var.targets[0].id_type = 'OBJECT'
    var.targets[0].id = obj
    var.targets[0].data_path = 'modifiers["Relief"].strength'
    curve.driver.expression = f"abs(strength) * {mm_per_unit!r}"
    thick = cast(bpy.types.ShaderNodeMath, nodes.new('ShaderNodeMath'))
    thick.operation = 'MULTIPLY'
    links.new(t_out, thick.inputs[0])
    links.new(depth.outputs[0], thick.inputs[1])
    light = cast(bpy.types.ShaderNodeMath, nodes.new('ShaderNodeMath'))
    light.operation = 'POWER'
    light.inputs[0].default_value = float(transmittance)
    links.new(thick.outputs[0], light.inputs[1])
    emit = cast(bpy.types.ShaderNodeEmission, nodes.new('ShaderNodeEmission'))
    links.new(light.outputs[0], emit.inputs['Color'])
    links.new(emit.outputs['Emission'], out.inputs['Surface'])
    for i, node in enumerate((uv, tex, depth, thick, light, emit)):
        node.location = (-1200 + 220 * i, 0)
    if lamp:
        length.location = (tex.location[0] + 110, -200)
    return mat


class IMAGE_TO_PRINT_OT_relief(ReliefProperties, RouteOperator, bpy.types.Operator):
    """Make a printable relief or lithophane from an image: a closed base plate with a live Displace modifier"""

    bl_idname = "image_to_print.relief"
    bl_label = "Image as Relief / Lithophane"
    bl_options = {'REGISTER', 'UNDO', 'PRESET'}
    route_name = "relief"

    def draw(self, context):
        from ..ui.layout import draw_relief_settings

        draw_relief_settings(self.layout, self)

    def summary(self, context, made):
        obj, info = made.objects[0], made.info
        dims = " x ".join(f"{v / blender_mesh.units_per_mm(context.scene):.1f}" for v in obj.dimensions)
        extra = f", max deviation {info['max_deviation_mm']:.3f} mm" if "max_deviation_mm" in info else ""
        return {'INFO'}, f"{obj.name}: {dims} mm, {info['samples'][0]} x {info['samples'][1]} samples{extra}"


def _from_args(args):
    from ..core.relief import apply_preset
    from ..core.schema import from_args

    settings = from_args(apply_preset(ReliefSettings(), args.preset), args)
    from ..properties import preferences

    prefs = preferences()
    if prefs is not None:  # the user's own filaments, by name
        settings.filament_library = prefs.my_filaments
    if args.levels:
        settings.black_point, settings.white_point = args.levels
    return settings, {"max_triangles": args.max_triangles, "preview": bool(getattr(args, "preview", None))}


def _validate(settings) -> None:
    from ..core.relief import validate

    validate(settings)


def _check_work(image_path: str, settings, options) -> None:
    from ..core.image import image_size
    from ..core.relief import check_work

    try:
        w, h = image_size(image_path)
    except Exception:  # unreadable: load_image says why, in one line
        return
    check_work(w, h, settings, options.get("max_triangles"))


def _realize(context, image_path: str, settings, options, payload) -> Made:
    obj, info = realize_relief(context, image_path, settings, *payload)
    extra = {"mode": settings.mode, "samples": info["samples"], "spacing_mm": round(info["spacing_mm"], 6)}
    if "max_deviation_mm" in info:
        extra["max_deviation_mm"] = info["max_deviation_mm"]
    _img, plan, _solid = payload
    if plan.swap is not None:  # what was chosen, and how close it comes against the naive plan
        extra.update(swaps=plan.swap.swaps(), delta_e_mean=plan.swap.delta_e_mean,
                     delta_e_naive=plan.swap.delta_e_naive, first_filament={
                         "colour": plan.swap.filaments[0].colour, "td_mm": plan.swap.filaments[0].td_mm})
    made = Made([obj], obj.name, info=extra, warnings=info["warnings"])
    if options.get("preview"):
        from ..core.relief import backlit

        made.preview = plan.swap.simulated() if plan.swap is not None else backlit(plan, settings)
    return made


ROUTE = Route("relief", "Relief", ReliefSettings, _from_args, _validate, _compute, _realize,
              check_work=_check_work)
