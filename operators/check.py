# SPDX-License-Identifier: GPL-3.0-or-later
"""Print checks on the evaluated mesh of selected objects.

Results live in this module (like the 3D-Print Toolbox's report), never in
the .blend file.
"""

from __future__ import annotations

import bpy

from . import blender_mesh

# object name -> report dict of the last check
RESULTS: dict[str, dict] = {}


def check_object(context, obj) -> dict:
    """Checks of one object's evaluated mesh, in world space and millimetres."""
    from ..core.errors import ImageToPrintError
    from ..core.meshcheck import basic_report

    if obj is None or obj.type != 'MESH':
        raise ImageToPrintError(f"{getattr(obj, 'name', 'nothing')} is not a mesh object")
    depsgraph = context.evaluated_depsgraph_get()
    mm = 1.0 / blender_mesh.units_per_mm(context.scene)
    arrays = blender_mesh.evaluated_arrays(obj, depsgraph, mm)
    if len(arrays["loop_start"]) == 0:
        raise ImageToPrintError(f"{obj.name} has no faces to check")
    report = basic_report(arrays["co"], arrays["loop_vert"], arrays["loop_start"], arrays["loop_total"],
                          tris=arrays["tris"], loop_edge=arrays["loop_edge"], edge_v1=arrays["edge_v1"],
                          n_edges=arrays["n_edges"])
    report["object"] = obj.name
    return report


def summary(report: dict) -> str:
    size = " x ".join(f"{v:.1f}" for v in report["bbox_mm"])
    verdict = "printable" if report["printable"] else "NOT printable: " + ", ".join(report["blocking"])
    return (f"{report['object']}: {size} mm, {report['triangles']:,} triangles, "
            f"{report['volume_mm3'] / 1000:.2f} cm3, {verdict}")


class IMAGE_TO_PRINT_OT_check(bpy.types.Operator):
    """Check the selected mesh objects for printability (modifiers applied, in mm)"""

    bl_idname = "image_to_print.check"
    bl_label = "Check Printability"
    bl_options = {'REGISTER'}

    @classmethod
    def poll(cls, context):
        if not any(o.type == 'MESH' for o in context.selected_objects):
            cls.poll_message_set("Select one or more mesh objects")
            return False
        return True

    def execute(self, context):
        from ..core.errors import ImageToPrintError

        RESULTS.clear()
        for obj in (o for o in context.selected_objects if o.type == 'MESH'):
            try:
                report = check_object(context, obj)
            except ImageToPrintError as exc:
                self.report({'ERROR'}, str(exc))
                continue
            RESULTS[obj.name] = report
            self.report({'INFO'} if report["printable"] else {'WARNING'}, summary(report))
        return {'FINISHED'}
