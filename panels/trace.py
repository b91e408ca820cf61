# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace panel: image, live binarised preview, mode presets, settings in mm, Create."""

import bpy

from ..ui.layout import draw_trace_settings
from .common import Sidebar, progress


class IMAGE_TO_PRINT_PT_trace(Sidebar, bpy.types.Panel):
    bl_label = "Trace and Extrude"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        from ..ui.trace_preview import preview

        settings = context.scene.image_to_print.trace
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        progress(layout, context.window_manager, "Trace")
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
        row.enabled = ready and not context.window_manager.image_to_print_task
        op = row.operator("image_to_print.trace", text="Create", icon='CURVE_BEZCURVE')
        op.from_scene = True


class IMAGE_TO_PRINT_PT_trace_settings(Sidebar, bpy.types.Panel):
    bl_label = "Settings"
    bl_parent_id = "IMAGE_TO_PRINT_PT_trace"

    def draw(self, context):
        draw_trace_settings(self.layout, context.scene.image_to_print.trace)
