# SPDX-License-Identifier: GPL-3.0-or-later
"""Bring a mesh file into the scene with Blender's own importers, in millimetres."""

from __future__ import annotations

import contextlib
import os

import bpy

from . import blender_mesh

IMPORTERS = {".stl": "STL", ".obj": "OBJ", ".ply": "PLY", ".glb": "GLTF", ".gltf": "GLTF"}


def _import(context, path: str, kind: str) -> None:
    k = blender_mesh.units_per_mm(context.scene)  # STL, OBJ and PLY carry no unit: millimetres
    if kind == "STL":
        bpy.ops.wm.stl_import(filepath=path, global_scale=k)
    elif kind == "OBJ":
        bpy.ops.wm.obj_import(filepath=path, global_scale=k)
    elif kind == "PLY":
        bpy.ops.wm.ply_import(filepath=path, global_scale=k)
    else:  # glTF is in metres
        bpy.ops.import_scene.gltf(filepath=path)


@contextlib.contextmanager
def imported_meshes(context, path: str, max_triangles: int | None = None):
    """Import ``path``; yield its mesh objects; remove everything it brought in afterwards.

    The file is read through ``core.meshfile.precheck`` first: counts that do not fit the
    file's bytes (which make Blender's PLY importer abort the process) and work over the
    triangle limit stop here, in one line.
    """
    from ..core.errors import ImageToPrintError
    from ..core.limits import check_work
    from ..core.meshfile import precheck

    if not os.path.isfile(path):
        raise ImageToPrintError(f"mesh file not found: {path}")
    if os.path.getsize(path) == 0:
        raise ImageToPrintError(f"mesh file is empty (0 bytes): {path}")
    ext = os.path.splitext(path)[1].lower()
    if ext not in IMPORTERS:
        raise ImageToPrintError(f"unsupported mesh format '{ext}' (use .stl, .obj, .ply or .glb)")
    try:
        triangles = precheck(path)
    except OSError as exc:
        raise ImageToPrintError(f"cannot read {os.path.basename(path)}: {exc.strerror or exc}") from None
    check_work(triangles, os.path.basename(path), max_triangles, "simplify it first (Decimate)")
    before: dict[str, set] = {
        "objects": set(bpy.data.objects), "meshes": set(bpy.data.meshes),
        "materials": set(bpy.data.materials), "images": set(bpy.data.images),
    }
    name = os.path.basename(path)
    try:
        try:
            with blender_mesh.quiet_output():
                _import(context, path, IMPORTERS[ext])
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[-1] if str(exc).strip() else "import failed"
            raise ImageToPrintError(f"cannot read {name}: {first}") from None
        objects = [o for o in bpy.data.objects if o not in before["objects"] and o.type == 'MESH']
        if not objects or not any(len(o.data.polygons) for o in objects):
            raise ImageToPrintError(f"cannot read {name}: no mesh faces found (corrupt or truncated?)")
        context.view_layer.update()
        yield [o for o in objects if len(o.data.polygons)]
    finally:
        for kind in ("objects", "meshes", "materials", "images"):
            collection = getattr(bpy.data, kind)
            for block in [b for b in collection if b not in before[kind]]:
                with contextlib.suppress(ReferenceError, RuntimeError):
                    collection.remove(block)
