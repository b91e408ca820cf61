# SPDX-License-Identifier: GPL-3.0-or-later
"""The Print Checks panel: results of the last check of each object, with select buttons."""

import bpy

from ..ui import state as check_results
from .common import Sidebar, notice, progress

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
        progress(layout)
        notice(layout, context, "Check")
        layout.operator("image_to_print.check", icon='CHECKMARK')
        layout.operator("image_to_print.toolbox_check", text="3D-Print Toolbox Checks", icon='MODIFIER')
        layout.operator("image_to_print.make_printable", icon='TOOL_SETTINGS')
        settings = context.scene.image_to_print.check
        header, body = layout.panel("image_to_print_limits", default_closed=True)
        header.label(text="Limits and Printer")
        if body:
            body.use_property_split = True
            for name in ("nozzle_mm", "min_thickness_mm", "build_volume_mm", "overhang", "density_g_cm3", "zero_mm",
                         "nonplanar", "sharp"):
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
