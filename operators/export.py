# SPDX-License-Identifier: GPL-3.0-or-later
"""Export evaluated meshes to STL, 3MF, OBJ (millimetres) and GLB (metres, textured), atomically."""

from __future__ import annotations

import contextlib
import os

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty
from bpy_extras.io_utils import ExportHelper

from . import blender_mesh, compat

FORMATS = {".stl": "STL", ".glb": "GLB", ".3mf": "3MF", ".obj": "OBJ"}


@contextlib.contextmanager
def _export_copies(context, objects, scale):
    """Temporary objects holding each object's evaluated mesh in world space x ``scale``."""
    from mathutils import Matrix

    depsgraph = context.evaluated_depsgraph_get()
    made: list = []
    try:
        for obj in objects:
            me = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True,
                                                 depsgraph=depsgraph)
            made.append(me)
            me.transform(Matrix.Scale(scale, 4) @ obj.matrix_world)
            if obj.matrix_world.determinant() < 0:
                me.flip_normals()
            tmp = bpy.data.objects.new(obj.name, me)  # the file keeps the object's name
            made.append(tmp)
            context.scene.collection.objects.link(tmp)
        yield [block for block in made if isinstance(block, bpy.types.Object)]
    finally:
        blender_mesh.remove_datablocks(*reversed(made))


@contextlib.contextmanager
def _only_selected(context, objects):
    view_layer = context.view_layer
    before = [o for o in context.selected_objects if o is not None]
    active = view_layer.objects.active
    for o in before:
        o.select_set(False)
    for o in objects:
        o.select_set(True)
    view_layer.objects.active = objects[0]
    try:
        yield
    finally:
        for o in objects:
            with contextlib.suppress(ReferenceError, RuntimeError):
                o.select_set(False)
        for o in before:
            with contextlib.suppress(ReferenceError, RuntimeError):
                o.select_set(True)
        view_layer.objects.active = active


def default_name(obj, ext: str) -> str:
    """``<blend name>-<object>.<ext>``, without characters file systems refuse."""
    blend = bpy.path.display_name_from_filepath(bpy.data.filepath) or "untitled"
    name = f"{blend}-{obj.name}"
    return "".join(c for c in name if c not in '\\/:*?"<>|') + ext


def export_object(context, obj, path: str, ascii_stl: bool = False) -> str:
    """Write ``obj`` (modifiers applied) to ``path``; the extension picks the format."""
    return export_objects(context, [obj], path, ascii_stl)


def export_objects(context, objects, path: str, ascii_stl: bool = False, inputs=()) -> str:
    """Write ``objects`` (modifiers applied, world space) into one file; the extension picks the format.

    STL, 3MF and OBJ are written in millimetres; GLB in glTF's metres.  3MF keeps one object
    per input object.  The file appears only when complete and read back (``core/outputs.py``).
    """
    from ..core.outputs import Outputs

    with Outputs([path], inputs) as out:
        write_export(context, objects, out, path, ascii_stl)
        out.commit()
    return os.path.abspath(path)


def write_export(context, objects, out, path: str, ascii_stl: bool = False) -> None:
    """Write ``objects`` into ``out``'s temporary file for ``path`` and say what it must hold."""
    from ..core.errors import ImageToPrintError
    from ..core.outputs import cause

    ext = os.path.splitext(path)[1].lower()
    if ext not in FORMATS:
        raise ImageToPrintError(f"unsupported output format '{ext or path}' (use .stl, .3mf, .obj or .glb)")
    if not objects:
        raise ImageToPrintError("nothing to export: select one or more mesh objects")
    tmp_path = out.temp(path)
    mm_per_unit = 1.0 / blender_mesh.units_per_mm(context.scene)
    if ext == ".3mf":
        from ..core.threemf import write_3mf

        depsgraph = context.evaluated_depsgraph_get()
        parts = []
        for obj in objects:
            arrays = blender_mesh.evaluated_arrays(obj, depsgraph, mm_per_unit)
            parts.append((obj.name, arrays["co"], arrays["tris"]))
        try:
            write_3mf(tmp_path, parts)
        except OSError as exc:
            raise ImageToPrintError(f"cannot write {path}: {cause(exc, os.path.dirname(path))}") from None
        return
    scale = mm_per_unit / 1000.0 if ext == ".glb" else mm_per_unit  # glTF is metres
    with _export_copies(context, objects, scale) as copies, _only_selected(context, copies), \
            blender_mesh.quiet_output():
        if ext == ".stl":  # Blender's exporter triangulates every face: a polygon of n corners is n - 2
            out.expect(path, triangles=sum(len(o.data.loops) - 2 * len(o.data.polygons) for o in copies))
        try:
            if ext == ".stl":
                compat.stl_export(filepath=tmp_path, check_existing=False, export_selected_objects=True,
                                  apply_modifiers=True, global_scale=1.0, use_scene_unit=False,
                                  ascii_format=ascii_stl, forward_axis='Y', up_axis='Z')
            elif ext == ".obj":
                compat.obj_export(filepath=tmp_path, check_existing=False, export_selected_objects=True,
                                  apply_modifiers=True, global_scale=1.0, export_materials=False,
                                  export_uv=True, export_normals=True)
            else:  # the glTF exporter converts to Y up itself
                bpy.ops.export_scene.gltf(filepath=tmp_path, check_existing=False, export_format='GLB',
                                          use_selection=True, export_apply=True, export_materials='EXPORT',
                                          export_texcoords=True, export_normals=True)
        except (RuntimeError, OSError) as exc:  # the glTF exporter raises on a full disk
            raise ImageToPrintError(f"cannot write {path}: {cause(exc, os.path.dirname(path))}") from None


class IMAGE_TO_PRINT_OT_export(bpy.types.Operator, ExportHelper):
    """Export the selected objects' evaluated meshes, in millimetres, after checking they are printable"""

    bl_idname = "image_to_print.export"
    bl_label = "Export for Printing"
    bl_options = {'REGISTER'}

    filename_ext = ".stl"
    filter_glob: StringProperty(default="*.stl;*.3mf;*.obj;*.glb", options={'HIDDEN'})
    file_format: EnumProperty(name="Format", items=(("STL", "STL", "STL in millimetres"),
                                                     ("3MF", "3MF", "3MF in millimetres, one object per object"),
                                                     ("OBJ", "OBJ", "Wavefront OBJ in millimetres"),
                                                     ("GLB", "GLB", "Binary glTF with the image as texture")),
                              default='STL')
    batch: EnumProperty(name="Files", items=(("ONE", "One File", "All selected objects in one file"),
                                             ("EACH", "One per Object", "A file per object, named "
                                              "<blend>-<object>, beside the chosen file")),
                        default='ONE')
    ascii_stl: BoolProperty(name="ASCII STL", default=False, description="Write STL as text instead of binary")
    force: BoolProperty(name="Export Even If Not Printable", default=False,
                        description="Write the file although blocking print checks fail")

    @classmethod
    def poll(cls, context):
        if not blender_mesh.selected_meshes(context):
            cls.poll_message_set("Select one or more mesh objects to export")
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
        obj = blender_mesh.active_mesh(context) or blender_mesh.selected_meshes(context)[0]
        self.filepath = default_name(obj, "." + self.file_format.lower())
        return ExportHelper.invoke(self, context, event)

    def execute(self, context):
        from ..core.errors import ImageToPrintError
        from .check import check_object, summary

        objects = blender_mesh.selected_meshes(context)
        self.check(context)
        path = bpy.path.abspath(self.filepath)
        try:
            for obj in objects:
                report = check_object(context, obj)
                if not report["printable"] and not self.force:
                    self.report({'ERROR'}, f"not exported: {summary(report)} "
                                           "(enable 'Export Even If Not Printable')")
                    return {'CANCELLED'}
            if self.batch == 'EACH':
                folder = os.path.dirname(path)
                written = [export_objects(context, [obj], os.path.join(folder, default_name(obj, self.filename_ext)),
                                          self.ascii_stl) for obj in objects]
            else:
                written = [export_objects(context, objects, path, self.ascii_stl)]
        except ImageToPrintError as exc:
            self.report({'ERROR'}, str(exc))
            return {'CANCELLED'}
        self.report({'INFO'}, "wrote " + ", ".join(written))
        return {'FINISHED'}
