# SPDX-License-Identifier: GPL-3.0-or-later
"""The one place where arrays become Blender data and back."""

from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import TYPE_CHECKING

import bpy

if TYPE_CHECKING:
    import numpy as np


COLOR_UV = "UVMap"  # the UV map the image colours are shown through
MAX_TEXTURE_SIDE = 4096  # colour textures are scaled down to this


def units_per_mm(scene) -> float:
    """Blender units in one millimetre for this scene's unit settings.

    Metric and imperial scenes: 1 BU is ``scale_length`` metres.  With the unit
    system set to None, 1 BU is taken as 1 mm (what slicers assume for STL).
    """
    us = scene.unit_settings
    if us.system == 'NONE':
        return 1.0
    return 0.001 / (us.scale_length or 1.0)


def _set_attribute(me, name: str, key: str, values) -> bool:
    """Bulk-set a mesh attribute; the attribute API is several times faster than
    ``vertices.foreach_set("co")`` / ``loops.foreach_set("vertex_index")``."""
    attribute = me.attributes.get(name)
    if attribute is None:
        return False
    attribute.data.foreach_set(key, values)
    return True


def mesh_from_arrays(name: str, co_bu: np.ndarray, loop_vert: np.ndarray, loop_start: np.ndarray,
                     uv_layers: dict[str, np.ndarray] | None = None, edges: np.ndarray | None = None,
                     corner_edge: np.ndarray | None = None):
    """A new mesh from flat arrays with ``foreach_set`` (no per-element Python).

    With ``edges`` and ``corner_edge`` given, Blender does not derive the edges itself.
    """
    import numpy as np

    me = bpy.data.meshes.new(name)
    try:
        co = np.ascontiguousarray(co_bu, dtype=np.float32).ravel()
        corner_vert = np.ascontiguousarray(loop_vert, dtype=np.int32)
        me.vertices.add(len(co_bu))
        if not _set_attribute(me, "position", "vector", co):
            me.vertices.foreach_set("co", co)
        me.loops.add(len(loop_vert))
        if not _set_attribute(me, ".corner_vert", "value", corner_vert):
            me.loops.foreach_set("vertex_index", corner_vert)
        me.polygons.add(len(loop_start))
        me.polygons.foreach_set("loop_start", np.ascontiguousarray(loop_start, dtype=np.int32))
        known_edges = False
        if edges is not None and corner_edge is not None:
            me.edges.add(len(edges))
            known_edges = _set_attribute(me, ".edge_verts", "value",
                                         np.ascontiguousarray(edges, dtype=np.int32).ravel()) and \
                _set_attribute(me, ".corner_edge", "value", np.ascontiguousarray(corner_edge, dtype=np.int32))
        me.update(calc_edges=not known_edges)
        for uv_name, uv in (uv_layers or {}).items():
            layer = me.uv_layers.new(name=uv_name)
            values = np.ascontiguousarray(uv, dtype=np.float32).ravel()
            if not _set_attribute(me, layer.name, "vector", values):
                layer.data.foreach_set("uv", values)
    except Exception:
        bpy.data.meshes.remove(me)
        raise
    return me


def image_from_array(name: str, rgba: np.ndarray, *, float_buffer: bool, data: bool):
    """A packed image datablock from (H, W, 4) floats, rows top to bottom.

    Float images are packed as OpenEXR (full float precision survives save
    and reload); byte images as PNG.
    """
    import numpy as np

    h, w = rgba.shape[:2]
    img = bpy.data.images.new(name, w, h, alpha=True, float_buffer=float_buffer)
    try:
        if data:
            img.colorspace_settings.is_data = True
        img.pixels.foreach_set(  # type: ignore[attr-defined]  # stubs type pixels as float
            np.ascontiguousarray(rgba[::-1], dtype=np.float32).ravel())
        img.file_format = 'OPEN_EXR' if float_buffer else 'PNG'
        img.pack()
    except Exception:
        bpy.data.images.remove(img)
        raise
    return img


def texture_rgba(rgba8: np.ndarray) -> np.ndarray:
    """Source colours as floats for the material, at most MAX_TEXTURE_SIDE px."""
    import numpy as np

    h, w = rgba8.shape[:2]
    if max(h, w) > MAX_TEXTURE_SIDE:
        from PIL import Image

        scale = MAX_TEXTURE_SIDE / max(h, w)
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        rgba8 = np.asarray(Image.fromarray(rgba8, "RGBA").resize(size, Image.Resampling.LANCZOS))
    return rgba8.astype(np.float32) / 255.0


def image_material(name: str, image, made: list):
    """A node material showing ``image`` through the COLOR_UV map (relief and AI colour)."""
    from typing import cast

    from . import compat

    mat = compat.node_material(name)
    made.append(mat)
    nodes = mat.node_tree.nodes
    bsdf = next(n for n in nodes if n.type == 'BSDF_PRINCIPLED')
    tex = cast(bpy.types.ShaderNodeTexImage, nodes.new('ShaderNodeTexImage'))
    tex.image = image
    tex.location = (bsdf.location[0] - 400, bsdf.location[1])
    uv = cast(bpy.types.ShaderNodeUVMap, nodes.new('ShaderNodeUVMap'))
    uv.uv_map = COLOR_UV
    uv.location = (tex.location[0] - 250, tex.location[1])
    mat.node_tree.links.new(uv.outputs['UV'], tex.inputs['Vector'])
    mat.node_tree.links.new(tex.outputs['Color'], bsdf.inputs['Base Color'])
    return mat


def _get(me, domain_seq, name: str, key: str, legacy: str, size: int, dtype, width: int = 1):
    """Bulk-read a mesh attribute (fast path), falling back to the legacy RNA property."""
    import numpy as np

    out = np.empty(size * width, dtype)
    attribute = me.attributes.get(name)
    if attribute is not None:
        attribute.data.foreach_get(key, out)
    else:
        domain_seq.foreach_get(legacy, out)
    return out if width == 1 else out.reshape(-1, width)


def positions(me):
    """Vertex positions of ``me`` as an (N, 3) float64 array (Blender units, object space)."""
    import numpy as np

    return _get(me, me.vertices, "position", "vector", "co", len(me.vertices), np.float32, 3).astype(np.float64)


def corner_verts(me):
    """The vertex of every face corner of ``me`` (int32)."""
    import numpy as np

    return _get(me, me.loops, ".corner_vert", "value", "vertex_index", len(me.loops), np.int32)


def evaluated_arrays(obj, depsgraph, mm_per_unit: float) -> dict:
    """World-space arrays of the evaluated mesh (modifiers applied), in mm; ``co_bu``: the positions in
    object space, in Blender units, as Blender holds them.

    A mirrored object (negative scale) has its faces' corner order reversed, so
    winding and normals describe the world-space solid.
    """
    import numpy as np

    ev = obj.evaluated_get(depsgraph)
    me = ev.to_mesh()
    try:
        nl, nf, ne = len(me.loops), len(me.polygons), len(me.edges)
        co_bu = positions(me)
        mat = np.array(obj.matrix_world, dtype=np.float64)
        co = (co_bu @ mat[:3, :3].T + mat[:3, 3]) * mm_per_unit
        loop_vert = corner_verts(me)
        loop_edge = _get(me, me.loops, ".corner_edge", "value", "edge_index", nl, np.int32)
        edge_verts = _get(me, me.edges, ".edge_verts", "value", "vertices", ne, np.int32, 2)
        loop_start = np.empty(nf, np.int32)
        me.polygons.foreach_get("loop_start", loop_start)
        loop_total = np.empty(nf, np.int32)
        me.polygons.foreach_get("loop_total", loop_total)
        me.calc_loop_triangles()
        nt = len(me.loop_triangles)
        tris = np.empty(nt * 3, np.int32)
        me.loop_triangles.foreach_get("vertices", tris)
        tri_face = np.empty(nt, np.int32)
        me.loop_triangles.foreach_get("polygon_index", tri_face)
    finally:
        ev.to_mesh_clear()
    tris = tris.reshape(-1, 3)
    if np.linalg.det(mat[:3, :3]) < 0:  # mirrored: reverse every face
        face = np.repeat(np.arange(nf), loop_total)
        reverse = loop_start[face] + loop_start[face] + loop_total[face] - 1 - np.arange(nl)
        before = np.where(reverse == loop_start[face], reverse + loop_total[face] - 1, reverse - 1)
        loop_vert, loop_edge = loop_vert[reverse], loop_edge[before]
        tris = tris[:, ::-1]
    return {
        "co": co, "co_bu": co_bu, "loop_vert": loop_vert, "loop_start": loop_start, "loop_total": loop_total,
        "loop_edge": loop_edge, "edge_verts": edge_verts, "tris": np.ascontiguousarray(tris), "tri_face": tri_face,
    }


SOLID_TYPES = {'MESH', 'CURVE'}  # curves: the traced route's filled, extruded splines


def selected_meshes(context) -> list:
    """The selected objects that evaluate to a mesh: meshes and curves (skipping the None
    entries Blender 5.0 can list before a sync)."""
    return [o for o in context.selected_objects if o is not None and o.type in SOLID_TYPES]


def active_mesh(context):
    """The active object if it is a mesh, else None."""
    obj = context.active_object
    return obj if obj is not None and obj.type == 'MESH' else None


def select_only(context, obj) -> None:
    """Make ``obj`` the only selected and the active object.

    Iterates the selection, not ``view_layer.objects``: right after linking an object,
    Blender 5.0 can list not-yet-synced entries there as None.
    """
    for other in list(context.selected_objects):
        if other is not None and other != obj:
            other.select_set(False)
    obj.select_set(True)
    context.view_layer.objects.active = obj


def _collection_of(block):
    """The ``bpy.data`` collection a datablock lives in, or None."""
    for kind, name in ((bpy.types.Object, "objects"), (bpy.types.Mesh, "meshes"), (bpy.types.Curve, "curves"),
                       (bpy.types.Image, "images"), (bpy.types.Material, "materials"),
                       (bpy.types.Texture, "textures"), (bpy.types.Collection, "collections"),
                       (bpy.types.NodeTree, "node_groups")):
        if isinstance(block, kind):
            return getattr(bpy.data, name)
    return None


def remove_datablocks(*blocks) -> None:
    """Remove the given datablocks (each once; ones already gone are skipped): the one way
    everything a failed or cancelled call made is taken back, by operators, the modal
    runner and the command line alike."""
    seen: set = set()
    for block in blocks:
        if block is None:
            continue
        try:
            pointer = block.as_pointer()
            if pointer in seen:
                continue
            seen.add(pointer)
            collection = _collection_of(block)
            if collection is not None:
                collection.remove(block)
        except ReferenceError:
            pass


@contextlib.contextmanager
def scratch_object(context, name: str, co_bu, tris):
    """A mesh object of the triangles ``tris`` over ``co_bu`` (its object space), linked into the scene only
    while the block runs, for what only an evaluated object gives (a BVH built in C): yields ``(object,
    depsgraph)``. Nothing redraws while it exists, and it is removed, with its mesh, afterwards."""
    import numpy as np

    me = mesh_from_arrays(name, co_bu, np.ascontiguousarray(tris, dtype=np.int32).ravel(),
                          np.arange(0, 3 * len(tris), 3, dtype=np.int32))
    obj = None
    try:
        obj = bpy.data.objects.new(name, me)
        context.scene.collection.objects.link(obj)
        yield obj, context.evaluated_depsgraph_get()
    finally:
        remove_datablocks(obj, me)


def made_with(objects) -> list:
    """The objects and every datablock that came with them and nothing else uses: their
    mesh or curve data, materials and the images their nodes show, modifier textures and
    images, Geometry Nodes groups, and collections holding only them. Objects come last,
    so removing in order never leaves an object without its data mid-way."""
    ours = {o.as_pointer() for o in objects}
    blocks: list = []
    for obj in objects:
        for collection in obj.users_collection:
            if (collection.name in bpy.data.collections and not collection.children
                    and all(o.as_pointer() in ours for o in collection.objects)):
                blocks.append(collection)
        data = obj.data
        if data is not None:
            blocks.append(data)
            for mat in getattr(data, "materials", []):
                if mat is None:
                    continue
                blocks.append(mat)
                if mat.node_tree is not None:
                    blocks.extend(n.image for n in mat.node_tree.nodes if getattr(n, "image", None) is not None)
        for modifier in obj.modifiers:
            texture = getattr(modifier, "texture", None)
            if texture is not None:
                blocks.append(texture)
                if getattr(texture, "image", None) is not None:
                    blocks.append(texture.image)
            group = getattr(modifier, "node_group", None)
            if group is not None:
                blocks.append(group)
    ours = {b.as_pointer() for b in [*blocks, *objects]}
    users = bpy.data.user_map(subset=list({b.as_pointer(): b for b in blocks}.values()))  # type: ignore[call-arg]
    # kept: what something we did not make also uses (the scene that links the collection does not count)
    keep = {b.as_pointer() for b in blocks
            if any(u.as_pointer() not in ours and not isinstance(u, bpy.types.Scene) for u in users.get(b, ()))}
    return [b for b in blocks if b.as_pointer() not in keep] + list(objects)


def remove_objects(objects) -> None:
    """Remove objects with everything :func:`made_with` finds."""
    remove_datablocks(*made_with(list(objects)))


@contextlib.contextmanager
def removed_on_failure(objects):
    """Run the block; if it fails or is interrupted, remove ``objects`` and all they came with."""
    try:
        yield
    except BaseException:
        remove_objects(objects)
        raise


@contextlib.contextmanager
def quiet_output():
    """Silence what importers and exporters print from C and Python ("Timer 'STL Export'
    took ...", "STL Importer: failed to read file"), so the command line prints only its own
    lines; their failures still arrive as exceptions."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in saved:
            os.dup2(devnull, fd)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)
        os.close(devnull)
