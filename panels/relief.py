# SPDX-License-Identifier: GPL-3.0-or-later
"""The Relief / Lithophane panel."""

import bpy

from ..ui.layout import draw_relief_details, draw_relief_sizes, units_note
from ..ui.state import running
from .common import Sidebar, image_size, notice, progress


class IMAGE_TO_PRINT_PT_relief(Sidebar, bpy.types.Panel):
    bl_label = "Relief / Lithophane"

    def draw(self, context):
        settings = context.scene.image_to_print.relief
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        progress(layout, "Relief")
        notice(layout, context, "Relief")
        layout.prop(settings, "image_path")
        layout.operator_menu_enum("image_to_print.relief_preset", "preset", text="Preset", icon='PRESET')
        draw_relief_sizes(layout, settings)
        units_note(layout, context)
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
        row.enabled = bool(size) and not running()
        op = row.operator("image_to_print.relief", text="Create", icon='MOD_DISPLACE')
        op.from_scene = True
        obj = context.object
        backlit = bpy.data.images.get(obj.get("image_to_print_backlit", "")) if obj is not None else None
        if backlit is not None:  # a lithophane made here: what it will look like with the light behind it
            box = layout.box()
            box.label(text="Lit from behind", icon='LIGHT')
            box.template_icon(icon_value=backlit.preview_ensure().icon_id, scale=8.0)
        if obj is not None and len(getattr(obj, "image_to_print_swaps", ())):
            from ..ui.layout import draw_swap_plan

            draw_swap_plan(layout, obj)


class IMAGE_TO_PRINT_PT_relief_image(Sidebar, bpy.types.Panel):
    bl_label = "Details"
    bl_parent_id = "IMAGE_TO_PRINT_PT_relief"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        draw_relief_details(self.layout, context.scene.image_to_print.relief)
