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


def thresholds_from_scene(scene):
    """The check limits set on the Scene, as core Thresholds (mm, degrees)."""
    import math

    from ..core.checks import Thresholds

    s = scene.image_to_print
    def degrees(radians):  # float32 properties: 45 degrees would read 45.0000012
        return round(math.degrees(radians), 4)

    return Thresholds(zero_mm=round(s.check_zero_mm, 6), nonplanar_deg=degrees(s.check_nonplanar),
                      sharp_deg=degrees(s.check_sharp), overhang_deg=degrees(s.check_overhang),
                      build_volume_mm=tuple(round(v, 4) for v in s.build_volume_mm),
                      density_g_cm3=round(s.density_g_cm3, 4))


def intersecting_faces(obj, depsgraph) -> int:
    """Faces that cut through other faces: one BVH of the evaluated mesh, overlapped with
    itself (the toolbox's method and tolerance, so the counts agree)."""
    from mathutils.bvhtree import BVHTree

    tree = BVHTree.FromObject(obj, depsgraph, epsilon=0.00001)
    if tree is None:  # no faces
        return 0
    return len({index for pair in tree.overlap(tree) for index in pair})


def check_object(context, obj, thresholds=None) -> dict:
    """Checks of one object's evaluated mesh, in world space and millimetres."""
    from ..core.checks import full_report
    from ..core.errors import ImageToPrintError

    if obj is None or obj.type != 'MESH':
        raise ImageToPrintError(f"{getattr(obj, 'name', 'nothing')} is not a mesh object")
    depsgraph = context.evaluated_depsgraph_get()
    mm = 1.0 / blender_mesh.units_per_mm(context.scene)
    arrays = blender_mesh.evaluated_arrays(obj, depsgraph, mm)
    if len(arrays["loop_start"]) == 0:
        raise ImageToPrintError(f"{obj.name} has no faces to check")
    report = full_report(arrays["co"], arrays["loop_vert"], arrays["loop_start"], arrays["loop_total"],
                         tris=arrays["tris"], thresholds=thresholds or thresholds_from_scene(context.scene),
                         loop_edge=arrays["loop_edge"], edge_verts=arrays["edge_verts"],
                         intersecting_faces=intersecting_faces(obj, depsgraph))
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
