# SPDX-License-Identifier: GPL-3.0-or-later
"""Export the evaluated mesh to STL (mm) and GLB (metres, textured), atomically."""

from __future__ import annotations

import contextlib
import os

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty
from bpy_extras.io_utils import ExportHelper

from . import blender_mesh

FORMATS = {".stl": "STL", ".glb": "GLB", ".3mf": "3MF", ".obj": "OBJ"}


@contextlib.contextmanager
def _export_copy(context, obj, scale):
    """A temporary object holding ``obj``'s evaluated mesh in world space × ``scale``."""
    from mathutils import Matrix

    depsgraph = context.evaluated_depsgraph_get()
    me = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True,
                                         depsgraph=depsgraph)
    tmp = None
    try:
        me.transform(Matrix.Scale(scale, 4) @ obj.matrix_world)
        if obj.matrix_world.determinant() < 0:
            me.flip_normals()
        tmp = bpy.data.objects.new(f"{obj.name} (export)", me)
        context.scene.collection.objects.link(tmp)
        yield tmp
    finally:
        if tmp is not None:
            bpy.data.objects.remove(tmp)
        bpy.data.meshes.remove(me)


@contextlib.contextmanager
def _only_selected(context, obj):
    view_layer = context.view_layer
    before = [o for o in context.selected_objects if o is not None]
    active = view_layer.objects.active
    for o in before:
        o.select_set(False)
    obj.select_set(True)
    view_layer.objects.active = obj
    try:
        yield
    finally:
        with contextlib.suppress(ReferenceError, RuntimeError):
            obj.select_set(False)
        for o in before:
            with contextlib.suppress(ReferenceError, RuntimeError):
                o.select_set(True)
        view_layer.objects.active = active


def export_object(context, obj, path: str, ascii_stl: bool = False) -> str:
    """Write ``obj`` (modifiers applied) to ``path``; the extension picks the format.

    STL, 3MF and OBJ are written in millimetres; GLB in glTF's metres.
    """
    from ..core.errors import ImageToPrintError
    from ..core.report import atomic_path

    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise ImageToPrintError(f"unsupported output format '{ext or path}' (use .stl, .3mf, .obj or .glb)")
    mm_per_unit = 1.0 / blender_mesh.units_per_mm(context.scene)
    with atomic_path(path) as tmp_path:
        if ext == ".stl":
            with _export_copy(context, obj, mm_per_unit) as tmp, _only_selected(context, tmp), \
                    blender_mesh.quiet_output():
                bpy.ops.wm.stl_export(filepath=tmp_path, check_existing=False, export_selected_objects=True,
                                      apply_modifiers=True, global_scale=1.0, use_scene_unit=False,
                                      ascii_format=ascii_stl, forward_axis='Y', up_axis='Z')
        elif ext == ".3mf":
            from ..core.threemf import write_3mf

            arrays = blender_mesh.evaluated_arrays(obj, context.evaluated_depsgraph_get(), mm_per_unit)
            write_3mf(tmp_path, [(obj.name, arrays["co"], arrays["tris"])])
        elif ext == ".obj":
            with _export_copy(context, obj, mm_per_unit) as tmp, _only_selected(context, tmp), \
                    blender_mesh.quiet_output():
                bpy.ops.wm.obj_export(filepath=tmp_path, check_existing=False, export_selected_objects=True,
                                      apply_modifiers=True, global_scale=1.0, export_materials=False,
                                      export_uv=True, export_normals=True)
        else:
            # glTF is metres, Y up; the exporter converts axes itself.
            with _export_copy(context, obj, mm_per_unit / 1000.0) as tmp, _only_selected(context, tmp), \
                    blender_mesh.quiet_output():
                bpy.ops.export_scene.gltf(filepath=tmp_path, check_existing=False, export_format='GLB',
                                          use_selection=True, export_apply=True, export_materials='EXPORT',
                                          export_texcoords=True, export_normals=True)
            if not os.path.exists(tmp_path):
                # some versions append the extension themselves
                alt = os.path.splitext(tmp_path)[0] + ".glb"
                if os.path.exists(alt) and alt != tmp_path:
                    os.replace(alt, tmp_path)
    if not os.path.exists(path):
        raise ImageToPrintError(f"could not write {path}")
    return os.path.abspath(path)


class IMAGE_TO_PRINT_OT_export(bpy.types.Operator, ExportHelper):
    """Export the active object's evaluated mesh to STL (millimetres) or GLB (textured)"""

    bl_idname = "image_to_print.export"
    bl_label = "Export for Printing"
    bl_options = {'REGISTER'}

    filename_ext = ".stl"
    filter_glob: StringProperty(default="*.stl;*.3mf;*.obj;*.glb", options={'HIDDEN'})
    file_format: EnumProperty(name="Format", items=(("STL", "STL", "STL in millimetres"),
                                                     ("3MF", "3MF", "3MF in millimetres"),
                                                     ("OBJ", "OBJ", "Wavefront OBJ in millimetres"),
                                                     ("GLB", "GLB", "Binary glTF with the image as texture")),
                              default='STL')
    ascii_stl: BoolProperty(name="ASCII STL", default=False, description="Write STL as text instead of binary")
    force: BoolProperty(name="Export Even If Not Printable", default=False,
                        description="Write the file although blocking print checks fail")

    @classmethod
    def poll(cls, context):
        obj = context.active_object
        if obj is None or obj.type != 'MESH':
            cls.poll_message_set("Select a mesh object to export")
            return False
        return True

    def check(self, context):
        ext = "." + self.file_format.lower()
        self.filename_ext = ext
        root, old = os.path.splitext(self.filepath)
        if old.lower() != ext:
            self.filepath = (root if old.lower() in FORMATS else self.filepath) + ext
            return True
        return False

    def invoke(self, context, event):
        blend = bpy.path.display_name_from_filepath(bpy.data.filepath) or "untitled"
        self.filepath = bpy.path.clean_name(f"{blend}-{context.active_object.name}") + "." + self.file_format.lower()
        return ExportHelper.invoke(self, context, event)

    def execute(self, context):
        from ..core.errors import ImageToPrintError
        from .check import check_object, summary

        obj = context.active_object
        self.check(context)
        try:
            report = check_object(context, obj)
            if not report["printable"] and not self.force:
                self.report({'ERROR'}, f"not exported: {summary(report)} (enable 'Export Even If Not Printable')")
                return {'CANCELLED'}
            path = export_object(context, obj, bpy.path.abspath(self.filepath), ascii_stl=self.ascii_stl)
        except ImageToPrintError as exc:
            self.report({'ERROR'}, str(exc))
            return {'CANCELLED'}
        self.report({'INFO'}, f"wrote {path}")
        return {'FINISHED'}
