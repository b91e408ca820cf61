# SPDX-License-Identifier: GPL-3.0-or-later
"""The Relief / Lithophane panel."""

import bpy

from .common import Sidebar, image_size


def draw_relief_settings(layout, props):
    """Settings of the relief route; used by the panel and the operator's Redo panel."""
    layout.use_property_split = True
    layout.use_property_decorate = False
    col = layout.column()
    col.prop(props, "mode")
    col.prop(props, "width_mm")
    row = col.row()
    row.active = not props.native_resolution
    row.prop(props, "sample_mm")
    col.prop(props, "native_resolution")
    col.separator()
    if props.mode == 'RELIEF':
        col.prop(props, "base_mm")
        col.prop(props, "depth_mm")
        col.prop(props, "lighter_is_higher")
    else:
        col.prop(props, "min_thickness_mm")
        col.prop(props, "max_thickness_mm")
        col.prop(props, "translucency")
        if props.translucency == 'BEER_LAMBERT':
            col.prop(props, "transmittance_1mm")
    col.prop(props, "curve_angle")
    header, body = layout.panel("image_to_print_tone", default_closed=True)
    header.label(text="Image Adjustments")
    if body:
        body.prop(props, "alpha_mode")
        body.prop(props, "black_point")
        body.prop(props, "white_point")
        body.prop(props, "gamma")
        body.prop(props, "smoothing")
        body.prop(props, "invert")
    header, body = layout.panel("image_to_print_shape", default_closed=True)
    header.label(text="Frame, Hole, Mesh")
    if body:
        body.prop(props, "frame_width_mm")
        row = body.row()
        row.active = props.frame_width_mm > 0
        row.prop(props, "frame_height_mm")
        body.prop(props, "hole_diameter_mm")
        body.prop(props, "adaptive")
        row = body.row()
        row.active = props.adaptive
        row.prop(props, "max_error_mm")


class IMAGE_TO_PRINT_PT_relief(Sidebar, bpy.types.Panel):
    bl_label = "Relief / Lithophane"

    def draw(self, context):
        settings = context.scene.image_to_print.relief
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(settings, "image_path")
        layout.operator_menu_enum("image_to_print.relief_preset", "preset", text="Preset", icon='PRESET')
        path = bpy.path.abspath(settings.image_path)
        size = image_size(path) if settings.image_path else None
        col = layout.column(align=True)
        if size:
            from ..core.relief import estimate
            from ..core.settings import ReliefSettings
            from ..properties import settings_from

            try:
                est = estimate(size[0], size[1], settings_from(settings, ReliefSettings))
            except (ZeroDivisionError, ValueError):
                est = None
            if est:
                box = col.box()
                box.label(text="Size: {:.1f} x {:.1f} x {:.1f} mm".format(*est["size_mm"]), icon='CUBE')
                box.label(text=f"Triangles: {est['triangles']:,}", icon='MESH_DATA')
                box.label(text=f"STL: {est['stl_bytes'] / 1e6:.1f} MB", icon='FILE')
        elif settings.image_path:
            col.label(text="Cannot read this image", icon='ERROR')
        row = layout.row()
        row.scale_y = 1.4
        row.enabled = bool(size)
        op = row.operator("image_to_print.relief", text="Create", icon='MOD_DISPLACE')
        op.from_scene = True


class IMAGE_TO_PRINT_PT_relief_image(Sidebar, bpy.types.Panel):
    bl_label = "Settings"
    bl_parent_id = "IMAGE_TO_PRINT_PT_relief"

    def draw(self, context):
        draw_relief_settings(self.layout, context.scene.image_to_print.relief)
