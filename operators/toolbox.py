# SPDX-License-Identifier: GPL-3.0-or-later
"""Run Blender's own 3D-Print Toolbox beside our checks, when the user has it.

The toolbox is found by its add-on module name (the 4.2+ extension ends in
``.print3d_toolbox``; the legacy add-on is ``object_print3d_utils``), and its
Check All operator is confirmed through ``get_rna_type()`` (``hasattr`` on
``bpy.ops`` is always true).  It runs on a temporary copy of the evaluated mesh
in world space, with our limits converted to its Blender units, so both
reports describe the same geometry; the toolbox's own report is read back.
"""

from __future__ import annotations

import math
import sys

import bpy

from . import blender_mesh


def find_toolbox() -> str | None:
    """The enabled toolbox's module name, or None."""
    for name in bpy.context.preferences.addons.keys():
        if name == "object_print3d_utils" or name.endswith(".print3d_toolbox"):
            try:
                bpy.ops.mesh.print3d_check_all.get_rna_type()  # type: ignore[attr-defined]  # another add-on
            except KeyError:
                return None
            return name
    return None


def _report_lines(module: str) -> list[str]:
    report = sys.modules.get(module + ".report")
    if report is None:
        return []
    if hasattr(report, "info"):  # legacy and 1.x: (text, data) pairs
        return [str(item[0]) for item in report.info()]
    if hasattr(report, "get"):  # newest: items with a name and a value
        return [f"{item.name}: {item.value}" for item in report.get()]
    return []


def _set_limits(scene, thresholds, k: float) -> None:
    settings = getattr(scene, "print3d_toolbox", None) or getattr(scene, "print_3d", None)
    if settings is None:
        return
    values = {
        "threshold_zero": thresholds.zero_mm * k, "thickness_min": thresholds.min_thickness_mm * k,
        "angle_nonplanar": math.radians(thresholds.nonplanar_deg), "angle_distort": math.radians(45.0),
        "angle_sharp": math.radians(thresholds.sharp_deg), "angle_overhang": math.radians(thresholds.overhang_deg),
    }
    for name, value in values.items():
        if hasattr(settings, name):
            setattr(settings, name, value)


def run_toolbox(context, obj, thresholds) -> list[str]:
    """The toolbox's Check All report lines for ``obj`` (modifiers applied, world space)."""
    from ..core.errors import ImageToPrintError

    module = find_toolbox()
    if module is None:
        raise ImageToPrintError("Blender's 3D-Print Toolbox is not installed and enabled "
                                "(Edit > Preferences > Get Extensions > 3D Print Toolbox)")
    depsgraph = context.evaluated_depsgraph_get()
    me = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), depsgraph=depsgraph)
    tmp = None
    try:
        me.transform(obj.matrix_world)
        tmp = bpy.data.objects.new(f"{obj.name} (toolbox)", me)
        context.scene.collection.objects.link(tmp)
        _set_limits(context.scene, thresholds, blender_mesh.units_per_mm(context.scene))
        with context.temp_override(object=tmp, active_object=tmp, selected_objects=[tmp],
                                   selected_editable_objects=[tmp]), blender_mesh.quiet_output():
            bpy.ops.mesh.print3d_check_all()  # type: ignore[attr-defined]  # another add-on
        return _report_lines(module)
    finally:
        if tmp is not None:
            bpy.data.objects.remove(tmp)
        bpy.data.meshes.remove(me)


class IMAGE_TO_PRINT_OT_toolbox_check(bpy.types.Operator):
    """Run Blender's 3D-Print Toolbox Check All on the active object and show its report beside ours"""

    bl_idname = "image_to_print.toolbox_check"
    bl_label = "Run Blender's 3D-Print Toolbox Checks"
    bl_options = {'REGISTER'}

    @classmethod
    def poll(cls, context):
        if find_toolbox() is None:
            cls.poll_message_set("Install and enable Blender's 3D Print Toolbox extension")
            return False
        if blender_mesh.active_mesh(context) is None:
            cls.poll_message_set("Select a mesh object")
            return False
        return True

    def execute(self, context):
        from ..core.errors import ImageToPrintError
        from .check import RESULTS, check_object, thresholds_from_scene

        obj = context.active_object
        thresholds = thresholds_from_scene(context.scene)
        try:
            ours = RESULTS.get(obj.name) or check_object(context, obj, thresholds)
            ours["toolbox"] = run_toolbox(context, obj, thresholds)
        except ImageToPrintError as exc:
            self.report({'ERROR'}, str(exc))
            return {'CANCELLED'}
        RESULTS[obj.name] = ours
        self.report({'INFO'}, f"3D-Print Toolbox: {'; '.join(ours['toolbox'])}")
        return {'FINISHED'}
