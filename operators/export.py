# SPDX-License-Identifier: GPL-3.0-or-later
"""Export evaluated meshes to STL, 3MF, OBJ (millimetres) and GLB (metres, textured), atomically."""

from __future__ import annotations

import contextlib
import os

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty
from bpy_extras.io_utils import ExportHelper

from ..ui.notice import clear, tell
from . import blender_mesh, compat
from .stepped import SteppedModal, realized, scaled

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


def default_name(name: str, ext: str) -> str:
    """``<blend name>-<name>.<ext>``, without characters file systems refuse."""
    blend = bpy.path.display_name_from_filepath(bpy.data.filepath) or "untitled"
    name = f"{blend}-{name}"
    return "".join(c for c in name if c not in '\\/:*?"<>|') + ext


def _info(obj) -> dict:
    info = obj.get("image_to_print")
    return info if hasattr(info, "get") else {}


def _scene_files(objects) -> set[str]:
    """Files an export must never write over: the images the objects were made from, every image,
    library and sound the blend reads, and the blend itself."""
    files = {_info(obj).get("source") for obj in objects} | {bpy.data.filepath}
    for block in (*bpy.data.images, *bpy.data.libraries, *bpy.data.sounds):
        if getattr(block, "filepath", ""):
            files.add(bpy.path.abspath(block.filepath, library=getattr(block, "library", None)))
    return {f for f in files if f}


def solids(objects) -> list[tuple[str, list]]:
    """The printed solids among ``objects``, in order, as (name, objects): objects whose ``image_to_print``
    data names the same ``solid`` (the parts of one traced design: a plate and the design raised on it,
    a blade and its flange) are one solid; every other object is a solid alone."""
    groups: dict = {}
    for obj in objects:
        key = _info(obj).get("solid") or obj.as_pointer()
        groups.setdefault(key, (key if isinstance(key, str) else obj.name, []))[1].append(obj)
    return list(groups.values())


@contextlib.contextmanager
def printed(context, objects):
    """``objects`` as they are printed, one object per solid (:func:`solids`), for the checks and every
    writer alike, so a verdict is about the very geometry a file holds. A solid of one object is that
    object; the overlapping parts of one solid are united (``repair.union_solids``, on their evaluated
    meshes in world space) into a temporary mesh object in scene units, removed afterwards."""
    import time

    from .repair import union_solids

    made: list = []
    try:
        out = []
        for name, group in solids(objects):
            if len(group) == 1:
                out.append(group[0])
                continue
            start = time.perf_counter()
            with _export_copies(context, group, 1.0) as copies:
                me, solver = union_solids(context, [c.data for c in copies])
            made.append(me)
            me.name = name
            obj = bpy.data.objects.new(name, me)
            made.append(obj)
            obj["image_to_print"] = {"solid": name, "parts": [o.name for o in group], "union": solver,
                                     "union_seconds": round(time.perf_counter() - start, 3)}
            context.scene.collection.objects.link(obj)
            out.append(obj)
        yield out
    finally:
        blender_mesh.remove_datablocks(*reversed(made))


ONE_OBJECT = (".stl", ".obj")  # formats a slicer reads as one object, whatever they hold


def files_for(path: str, objects) -> list[tuple[str, list, str]]:
    """Where printed ``objects`` go for the output ``path``, as (file, objects, note): all in ``path``, except
    that separate prints (the colours of a multi-colour trace, each printed in its own filament: their
    ``file_suffix``) never share a file a slicer reads as one object (STL, OBJ): there each gets its own,
    ``<stem>-<suffix><ext>`` beside ``path``, and its note says which it is."""
    suffixes = [_info(obj).get("file_suffix") for obj in objects]
    root, ext = os.path.splitext(path)
    if ext.lower() not in ONE_OBJECT or len(objects) < 2 or not any(suffixes):
        return [(path, list(objects), "")]
    files = []
    for obj, suffix in zip(objects, suffixes):
        info = _info(obj)
        note = ", ".join(str(v) for v in (info.get("part"), info.get("colour")) if v)
        files.append((f"{root}-{suffix or obj.name}{ext}", [obj], note))
    return files


def write_files(context, objects, out, path: str, ascii_stl: bool = False) -> list[tuple[str, list, str]]:
    """Write printed ``objects`` for the output ``path`` into ``out`` (one file, or one per separate print:
    :func:`files_for`, through ``out.split`` so they are committed with every other output); what went where."""
    files = files_for(path, objects)
    if [f for f, _, _ in files] != [path]:
        out.split(path, [f for f, _, _ in files])
    for file, group, _note in files:
        write_export(context, group, out, file, ascii_stl)
    from .swap import table

    text = table(objects)
    if text:  # a filament-swap relief: its swaps as a checklist beside the file, for any slicer
        listed = os.path.splitext(path)[0] + ".swaps.txt"
        if out.also(listed):
            with open(out.temp(listed), "w", encoding="utf-8") as fh:
                fh.write(text)
            files = files + [(listed, [], "the filament swaps")]
    return files


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
        from .swap import slicer_parts

        try:
            write_3mf(tmp_path, parts, slicer_parts(objects))
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


class IMAGE_TO_PRINT_OT_export(SteppedModal, bpy.types.Operator, ExportHelper):
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
        self.filepath = default_name(obj.name, "." + self.file_format.lower())
        return ExportHelper.invoke(self, context, event)

    task_title, where, cancel_text = "Export", "Export", "Export cancelled; no file was written"

    def _export_steps(self, context, objects, path: str):
        """The checks, then the files, in steps (yields (fraction, what comes next)); returns the files
        written. Closed before its end (Esc), it writes nothing: the files are committed at its very end."""
        from ..core.errors import ImageToPrintError
        from ..core.outputs import Outputs
        from .check import check_steps, summary

        # before any work: never over the images the objects were made from, nor a file the scene reads
        if self.batch == 'EACH':
            paths = [os.path.join(os.path.dirname(path), default_name(name, self.filename_ext))
                     for name, _ in solids(objects)]
        else:
            paths = [path]
        out = Outputs(paths, sorted(_scene_files(objects)))
        with printed(context, objects) as solid_objects:  # the checks and the files: the same solids
            targets = list(zip(paths, ([obj] for obj in solid_objects))) if self.batch == 'EACH' else \
                [(path, solid_objects)]
            for number, obj in enumerate(solid_objects):
                share = 0.8 / len(solid_objects)
                report = yield from scaled(check_steps(context, obj), share * number, share * (number + 1),
                                           f"checking {obj.name}: ")
                if not report["printable"] and not self.force:
                    raise ImageToPrintError(f"not exported: {summary(report)} (enable 'Export Even If Not "
                                            "Printable')")
            with out:
                written: list[str] = []
                for target, group in targets:
                    yield 0.8 + 0.2 * len(written) / len(targets), f"writing {os.path.basename(target)}"
                    written += [file for file, _, _ in write_files(context, group, out, target, self.ascii_stl)]
                out.commit()
        return written

    def execute(self, context):
        """From the file browser in a window: modal, the progress in the Export panel, Esc cancels and
        writes nothing. From a script or headless: at once."""
        from ..core.errors import ImageToPrintError

        objects = blender_mesh.selected_meshes(context)
        self.check(context)
        clear("Export")
        steps = self._export_steps(context, objects, bpy.path.abspath(self.filepath))
        if self.options.is_invoke and not bpy.app.background and context.window is not None:
            return self.start_steps(context, steps)
        try:
            written = realized(steps)
        except ImageToPrintError as exc:
            tell(self, context, {'ERROR'}, str(exc), "Export")
            return {'CANCELLED'}
        return self._done(written)

    def steps_done(self, context, value) -> set:
        return self._done(value)

    def _done(self, written) -> set:
        self.report({'INFO'}, "wrote " + ", ".join(os.path.abspath(f) for f in written))
        return {'FINISHED'}
