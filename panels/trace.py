# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace panel: image, live binarised preview, mode presets, settings in mm, Create."""

import bpy

from .relief import Sidebar


def draw_trace_settings(layout, props):
    """Settings of the trace route; used by the panel and the operator's Redo panel."""
    layout.use_property_split = True
    layout.use_property_decorate = False
    mode = props.trace_mode
    col = layout.column()
    col.prop(props, "trace_mode")
    col.prop(props, "trace_width_mm")
    col.prop(props, "trace_height_mm", text="Blade Height" if mode == 'CUTTER' else "Height")
    if mode == 'CUTTER':
        col.prop(props, "trace_wall_mm")
        col.prop(props, "trace_flange_mm")
        sub = col.column()
        sub.active = props.trace_flange_mm > 0 or props.trace_imprint
        sub.prop(props, "trace_flange_thickness_mm")
        col.prop(props, "trace_imprint")
        sub = col.column()
        sub.active = props.trace_imprint
        sub.prop(props, "trace_imprint_depth_mm")
    else:
        col.prop(props, "trace_base_mm", text="Block" if mode == 'STAMP' else "Base")
        sub = col.column()
        sub.active = props.trace_base_mm > 0 or mode == 'STAMP'
        sub.prop(props, "trace_base_shape")
        sub.prop(props, "trace_margin_mm")
        if props.trace_base_shape == 'RECTANGLE':
            sub.prop(props, "trace_corner_radius_mm")
        if mode != 'STAMP':
            col.prop(props, "trace_hole_mm")
            sub = col.column()
            sub.active = props.trace_hole_mm > 0
            sub.prop(props, "trace_hole_position")
            sub.prop(props, "trace_ring_mm")
        if mode == 'MULTI':
            col.prop(props, "trace_colours")
        col.prop(props, "trace_bevel_mm")
    header, body = layout.panel("image_to_print_trace_ink", default_closed=False)
    header.label(text="Ink")
    if body:
        body.prop(props, "trace_source")
        if props.trace_source == 'COLOR':
            body.prop(props, "trace_pick_background")
            row = body.row()
            row.active = props.trace_pick_background
            row.prop(props, "trace_background")
            body.prop(props, "trace_colour_tolerance")
        elif props.trace_source != 'ALPHA':
            body.prop(props, "trace_auto_threshold")
            row = body.row()
            row.active = not props.trace_auto_threshold
            row.prop(props, "trace_threshold")
        body.prop(props, "trace_invert")
        body.prop(props, "trace_speckle_mm2")
        body.prop(props, "trace_hole_mm2")
        body.prop(props, "trace_smooth_mm")
    header, body = layout.panel("image_to_print_trace_curves", default_closed=True)
    header.label(text="Tracing")
    if body:
        body.prop(props, "trace_engine")
        body.prop(props, "trace_corner_threshold")
        row = body.row()
        row.active = props.trace_engine == 'POTRACE'
        row.prop(props, "trace_optimize_tolerance")
        body.prop(props, "trace_nozzle_mm")


class IMAGE_TO_PRINT_PT_trace(Sidebar, bpy.types.Panel):
    bl_label = "Trace and Extrude"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        from ..operators.trace_preview import preview

        settings = context.scene.image_to_print
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(settings, "trace_image_path")
        layout.operator_menu_enum("image_to_print.trace_preset", "preset", text="Mode Preset", icon='PRESET')
        ready = False
        if settings.trace_image_path:
            layout.prop(settings, "trace_preview")
            icon_id, info = preview(settings) if settings.trace_preview else (None, "")
            if icon_id is not None:
                layout.template_icon(icon_value=icon_id, scale=8.0)
            if info:
                layout.label(text=info, icon='ERROR' if info.startswith("Cannot") else 'INFO')
            ready = not info.startswith("Cannot")
        row = layout.row()
        row.scale_y = 1.4
        row.enabled = ready
        op = row.operator("image_to_print.trace", text="Create", icon='CURVE_BEZCURVE')
        op.from_scene = True


class IMAGE_TO_PRINT_PT_trace_settings(Sidebar, bpy.types.Panel):
    bl_label = "Settings"
    bl_parent_id = "IMAGE_TO_PRINT_PT_trace"

    def draw(self, context):
        draw_trace_settings(self.layout, context.scene.image_to_print)
