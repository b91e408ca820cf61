# SPDX-License-Identifier: GPL-3.0-or-later
"""The "Image to Print" sidebar tab."""

import os

import bpy

from ..operators import check as check_results


class Sidebar:
    bl_space_type = 'VIEW_3D'
    bl_region_type = 'UI'
    bl_category = "Image to Print"


_size_cache: dict = {}


def _image_size(path):
    """Image size from its header, cached by path and mtime (panels redraw often)."""
    from ..core.image import image_size

    try:
        key = (path, os.path.getmtime(path))
    except OSError:
        return None
    if key not in _size_cache:
        try:
            _size_cache.clear()
            _size_cache[key] = image_size(path)
        except Exception:
            _size_cache[key] = None
    return _size_cache[key]


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
        settings = context.scene.image_to_print
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(settings, "image_path")
        layout.operator_menu_enum("image_to_print.relief_preset", "preset", text="Preset", icon='PRESET')
        path = bpy.path.abspath(settings.image_path)
        size = _image_size(path) if settings.image_path else None
        col = layout.column(align=True)
        if size:
            from ..core.relief import estimate
            from ..properties import relief_settings

            try:
                est = estimate(size[0], size[1], relief_settings(settings))
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
        draw_relief_settings(self.layout, context.scene.image_to_print)


class IMAGE_TO_PRINT_PT_ai(Sidebar, bpy.types.Panel):
    bl_label = "AI Mesh"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        from ..core.ai import backends

        settings = context.scene.image_to_print
        layout = self.layout
        layout.use_property_split = True
        layout.use_property_decorate = False
        wm = context.window_manager
        if wm.image_to_print_task.startswith("AI"):
            layout.progress(factor=wm.image_to_print_progress, type='BAR',
                            text=f"{wm.image_to_print_task} (Esc cancels)")
        layout.prop(settings, "ai_image_path")
        layout.prop(settings, "backend")
        backend = backends()[settings.backend]
        box = layout.box()
        box.label(text=backend.label, icon='INFO')
        box.label(text=f"Licence: {backend.licence}")
        if backend.network and not bpy.app.online_access:
            box.label(text="Online access is off: only loopback servers work", icon='ERROR')
        col = layout.column()
        col.prop(settings, "size_mm")
        col.prop(settings, "flat_back")
        col.prop(settings, "wall_mm")
        if backend.output == "heightfield":
            col.prop(settings, "inflation")
            col.prop(settings, "detail_mm" if settings.backend == 'builtin' else "depth_mm")
            col.prop(settings, "resolution")
        row = layout.row()
        row.scale_y = 1.4
        row.enabled = bool(settings.ai_image_path) and not wm.image_to_print_task
        row.operator("image_to_print.ai_mesh", text="Create", icon='MESH_MONKEY').from_scene = True


CHECK_LABELS = (
    ("non_manifold_edges", "Non-manifold Edges"), ("bad_contiguous_edges", "Bad Contiguous Edges"),
    ("intersecting_faces", "Intersecting Faces"), ("inside_out", "Inside Out"),
    ("outside_build_volume", "Outside Build Volume"), ("non_manifold_vertices", "Non-manifold Vertices"),
    ("zero_area_faces", "Zero-area Faces"), ("zero_length_edges", "Zero-length Edges"),
    ("thin_faces", "Thin Faces"), ("narrow_faces", "Narrower Than Nozzle"),
    ("non_planar_faces", "Non-planar Faces"), ("sharp_edges", "Sharp Edges"), ("overhang_faces", "Overhang Faces"),
    ("floating_shells", "Floating Shells"), ("shells", "Shells"),
)


class IMAGE_TO_PRINT_PT_check(Sidebar, bpy.types.Panel):
    bl_label = "Print Checks"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        layout = self.layout
        wm = context.window_manager
        if wm.image_to_print_task:
            layout.progress(factor=wm.image_to_print_progress, type='BAR',
                            text=f"{wm.image_to_print_task} (Esc cancels)")
        layout.operator("image_to_print.check", icon='CHECKMARK')
        layout.operator("image_to_print.toolbox_check", icon='MODIFIER')
        layout.operator("image_to_print.make_printable", icon='TOOL_SETTINGS')
        settings = context.scene.image_to_print
        header, body = layout.panel("image_to_print_limits", default_closed=True)
        header.label(text="Limits")
        if body:
            body.use_property_split = True
            for name in ("check_min_thickness_mm", "nozzle_mm", "check_zero_mm", "check_nonplanar", "check_sharp",
                         "check_overhang", "build_volume_mm", "density_g_cm3"):
                body.prop(settings, name)
        for name, report in check_results.RESULTS.items():
            box = layout.box()
            ok = report["printable"]
            box.label(text=f"{name}: {'printable' if ok else 'NOT printable'}", icon='CHECKMARK' if ok else 'ERROR')
            col = box.column(align=True)
            checks = report["checks"]
            selectable = check_results.ELEMENTS.get(name, {})
            for key, label in CHECK_LABELS:
                value = checks.get(key)
                text = ("yes" if value else "no") if isinstance(value, bool) else f"{value}"
                row = col.row(align=True)
                if key in report["blocking"]:
                    row.label(text=f"{label}: {text}", icon='ERROR')
                elif value and key != "shells":
                    row.label(text=f"{label}: {text}", icon='INFO')
                else:
                    row.label(text=f"{label}: {text}", icon='BLANK1')
                if key in selectable:
                    op = row.operator("image_to_print.select_check", text="", icon='RESTRICT_SELECT_OFF')
                    op.object_name = name
                    op.check = key
            col.separator()
            col.label(text="Size: {:.1f} x {:.1f} x {:.1f} mm".format(*report["bbox_mm"]))
            col.label(text=f"Volume: {report['volume_mm3']:,.1f} mm³ ({report['volume_cm3']:.2f} cm³)")
            col.label(text=f"Area: {report['area_mm2']:,.1f} mm²")
            col.label(text=f"Triangles: {report['triangles']:,}")
            col.label(text=f"Mass: {report['mass_g']:.1f} g at {report['thresholds']['density_g_cm3']} g/cm³")
            if report.get("toolbox"):
                col.separator()
                col.label(text="3D-Print Toolbox says:", icon='MODIFIER')
                for line in report["toolbox"]:
                    col.label(text=line)


class IMAGE_TO_PRINT_PT_export(Sidebar, bpy.types.Panel):
    bl_label = "Export"
    bl_options = {'DEFAULT_CLOSED'}

    def draw(self, context):
        layout = self.layout
        row = layout.row(align=True)
        row.operator("image_to_print.export", text="STL", icon='EXPORT').file_format = 'STL'
        row.operator("image_to_print.export", text="3MF", icon='EXPORT').file_format = '3MF'
        row = layout.row(align=True)
        row.operator("image_to_print.export", text="OBJ", icon='EXPORT').file_format = 'OBJ'
        row.operator("image_to_print.export", text="GLB", icon='EXPORT').file_format = 'GLB'
