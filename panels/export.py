# SPDX-License-Identifier: GPL-3.0-or-later
"""The Export panel."""

import bpy

from .common import Sidebar, notice, progress


class IMAGE_TO_PRINT_PT_export(Sidebar, bpy.types.Panel):
    bl_label = "Export"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        layout = self.layout
        progress(layout, "Export")
        notice(layout, context, "Export")
        row = layout.row(align=True)
        row.operator("image_to_print.export", text="STL", icon='EXPORT').file_format = 'STL'
        row.operator("image_to_print.export", text="3MF", icon='EXPORT').file_format = '3MF'
        row = layout.row(align=True)
        row.operator("image_to_print.export", text="OBJ", icon='EXPORT').file_format = 'OBJ'
        row.operator("image_to_print.export", text="GLB", icon='EXPORT').file_format = 'GLB'
