# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace panel: image, live binarised preview, mode presets, settings in mm, Create."""

import bpy

from .common import Sidebar


def draw_trace_settings(layout, props):
    """Settings of the trace route; used by the panel and the operator's Redo panel."""
    layout.use_property_split = True
    layout.use_property_decorate = False
    mode = props.mode
    col = layout.column()
    col.prop(props, "mode")
    col.prop(props, "width_mm")
    col.prop(props, "height_mm", text="Blade Height" if mode == 'CUTTER' else "Height")
    if mode == 'CUTTER':
        col.prop(props, "wall_mm")
        col.prop(props, "flange_mm")
        sub = col.column()
        sub.active = props.flange_mm > 0 or props.imprint
        sub.prop(props, "flange_thickness_mm")
        col.prop(props, "imprint")
        sub = col.column()
        sub.active = props.imprint
        sub.prop(props, "imprint_depth_mm")
    else:
        col.prop(props, "base_mm", text="Block" if mode == 'STAMP' else "Base")
        sub = col.column()
        sub.active = props.base_mm > 0 or mode == 'STAMP'
        sub.prop(props, "base_shape")
        sub.prop(props, "margin_mm")
        if props.base_shape == 'RECTANGLE':
            sub.prop(props, "corner_radius_mm")
        if mode != 'STAMP':
            col.prop(props, "hole_mm")
            sub = col.column()
            sub.active = props.hole_mm > 0
            sub.prop(props, "hole_position")
            sub.prop(props, "ring_mm")
        if mode == 'MULTI':
            col.prop(props, "colours")
        col.prop(props, "bevel_mm")
    header, body = layout.panel("image_to_print_trace_ink", default_closed=False)
    header.label(text="Ink")
    if body:
        body.prop(props, "source")
        if props.source == 'COLOR':
            body.prop(props, "pick_background")
            row = body.row()
            row.active = props.pick_background
            row.prop(props, "background")
            body.prop(props, "colour_tolerance")
        elif props.source != 'ALPHA':
            body.prop(props, "auto_threshold")
            row = body.row()
            row.active = not props.auto_threshold
            row.prop(props, "threshold")
        body.prop(props, "invert")
        body.prop(props, "speckle_mm2")
        body.prop(props, "hole_mm2")
        body.prop(props, "smooth_mm")
    header, body = layout.panel("image_to_print_trace_curves", default_closed=True)
    header.label(text="Tracing")
    if body:
        body.prop(props, "engine")
        body.prop(props, "corner_threshold")
        row = body.row()
        row.active = props.engine == 'POTRACE'
        row.prop(props, "optimize_tolerance")


class IMAGE_TO_PRINT_PT_trace(Sidebar, bpy.types.Panel):
    bl_label = "Trace and Extrude"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        from .trace_preview import preview

        settings = context.scene.image_to_print.trace
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(settings, "image_path")
        layout.operator_menu_enum("image_to_print.trace_preset", "preset", text="Mode Preset", icon='PRESET')
        ready = False
        if settings.image_path:
            layout.prop(settings, "preview")
            icon_id, info = preview(settings) if settings.preview else (None, "")
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
        draw_trace_settings(self.layout, context.scene.image_to_print.trace)
