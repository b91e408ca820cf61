# SPDX-License-Identifier: GPL-3.0-or-later
"""The AI Mesh panel."""

import bpy

from ..ui.layout import units_note
from ..ui.state import running
from .common import Sidebar, notice, progress, wrapped


class IMAGE_TO_PRINT_PT_ai(Sidebar, bpy.types.Panel):
    bl_label = "AI Mesh"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        from ..core.ai import backends

        settings = context.scene.image_to_print.ai
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        progress(layout, "AI")
        notice(layout, context, "AI mesh")
        layout.prop(settings, "image_path")
        layout.prop(settings, "backend")
        backend = backends()[settings.backend]
        box = layout.box()
        wrapped(box, context, backend.label, 'INFO')
        wrapped(box, context, f"Licence: {backend.licence}")
        if backend.network and not bpy.app.online_access:
            wrapped(box, context, "Online access is off: only loopback servers work", 'ERROR')
        col = layout.column()
        col.prop(settings, "size_mm")
        units_note(col, context)
        col.prop(settings, "flat_back")
        col.prop(settings, "min_thickness_mm")
        if backend.output == "heightfield":
            col.prop(settings, "mask_path")
            col.prop(settings, "inflation")
            col.prop(settings, "detail_mm" if settings.backend == 'builtin' else "depth_mm")
            col.prop(settings, "resolution")
        row = layout.row()
        row.scale_y = 1.4
        row.enabled = bool(settings.image_path) and not running()
        row.operator("image_to_print.ai_mesh", text="Create", icon='MESH_MONKEY').from_scene = True
