# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace panel: image, live binarised preview, mode presets, settings in mm, Create."""

import bpy

from ..ui.layout import draw_trace_details, draw_trace_sizes, units_note
from ..ui.state import running
from .common import Sidebar, notice, progress, wrapped


class IMAGE_TO_PRINT_PT_trace(Sidebar, bpy.types.Panel):
    bl_label = "Trace and Extrude"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        from ..ui.trace_preview import preview

        settings = context.scene.image_to_print.trace
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        progress(layout, "Trace")
        notice(layout, context, "Trace")
        layout.prop(settings, "image_path")
        layout.operator_menu_enum("image_to_print.trace_preset", "preset", text="Mode Preset", icon='PRESET')
        ready = False
        if settings.image_path:
            layout.prop(settings, "preview")
            icon_id, info = preview(settings) if settings.preview else (None, "")
            if icon_id is not None:
                layout.template_icon(icon_value=icon_id, scale=8.0)
            if info:
                wrapped(layout, context, info, 'ERROR' if info.startswith("Cannot") else 'INFO')
            ready = not info.startswith("Cannot")
        draw_trace_sizes(layout, settings)
        units_note(layout, context)
        row = layout.row()
        row.scale_y = 1.4
        row.enabled = ready and not running()
        op = row.operator("image_to_print.trace", text="Create", icon='CURVE_BEZCURVE')
        op.from_scene = True


class IMAGE_TO_PRINT_PT_trace_settings(Sidebar, bpy.types.Panel):
    bl_label = "Details"
    bl_parent_id = "IMAGE_TO_PRINT_PT_trace"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        draw_trace_details(self.layout, context.scene.image_to_print.trace)
