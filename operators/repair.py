# SPDX-License-Identifier: GPL-3.0-or-later
"""Make Printable: clean up a mesh so it passes the blocking print checks."""

from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty

from ..ui.notice import clear, tell
from . import blender_mesh, compat
from .stepped import SteppedModal, realized, scaled


def _arrays(me):
    import numpy as np

    nl, ne, nf = len(me.loops), len(me.edges), len(me.polygons)
    loop_edge = np.empty(nl, np.int32)
    me.loops.foreach_get("edge_index", loop_edge)
    edge_verts = np.empty(ne * 2, np.int32)
    me.edges.foreach_get("vertices", edge_verts)
    loop_start = np.empty(nf, np.int32)
    me.polygons.foreach_get("loop_start", loop_start)
    loop_total = np.empty(nf, np.int32)
    me.polygons.foreach_get("loop_total", loop_total)
    return loop_edge, edge_verts.reshape(-1, 2), loop_start, loop_total


def _delete(bm, kind: str, indices) -> int:
    import bmesh

    if len(indices) == 0:
        return 0
    seq = {"VERTS": bm.verts, "EDGES": bm.edges, "FACES": bm.faces}[kind]
    seq.ensure_lookup_table()
    bmesh.ops.delete(bm, geom=[seq[int(i)] for i in indices], context=kind)  # type: ignore[arg-type]
    return len(indices)


def clean_mesh(me, merge_bu: float, min_shell_mm3: float, mm_per_bu: float) -> dict:
    """Loose geometry, doubles, degenerate and interior faces, holes, normals, tiny shells."""
    import bmesh
    import numpy as np

    from ..core.repair import interior_faces, loose_elements, small_shells

    done: dict[str, int] = {}
    loop_edge, edge_verts, loop_start, loop_total = _arrays(me)
    loose_edges, loose_verts = loose_elements(len(me.vertices), edge_verts, loop_edge)
    interior = interior_faces(loop_start, loop_total, loop_edge, len(edge_verts))
    bm = bmesh.new()
    try:
        bm.from_mesh(me)
        done["interior faces removed"] = _delete(bm, "FACES", interior)
        bm.edges.ensure_lookup_table()
        loose = [bm.edges[int(i)] for i in loose_edges if bm.edges[int(i)].is_valid and not bm.edges[int(i)].link_faces]
        bmesh.ops.delete(bm, geom=loose, context="EDGES")
        done["loose edges removed"] = len(loose)
        lonely = [v for v in bm.verts if not v.link_edges]
        bmesh.ops.delete(bm, geom=lonely, context="VERTS")
        done["loose vertices removed"] = len(lonely)
        before = len(bm.verts)
        bmesh.ops.remove_doubles(bm, verts=bm.verts[:], dist=merge_bu)
        done["vertices merged"] = before - len(bm.verts)
        before = len(bm.faces)
        bmesh.ops.dissolve_degenerate(bm, dist=merge_bu, edges=bm.edges[:])
        done["degenerate faces dissolved"] = before - len(bm.faces)
        before = len(bm.faces)
        filled = bmesh.ops.holes_fill(bm, edges=bm.edges[:], sides=0)
        done["holes filled"] = len(filled.get("faces", []))
        bmesh.ops.triangulate(bm, faces=filled.get("faces", []))
        bmesh.ops.recalc_face_normals(bm, faces=bm.faces[:])
        bm.to_mesh(me)
    finally:
        bm.free()
    me.update()
    # tiny shells (crumbs) go last, measured on the cleaned, consistently wound mesh
    me.calc_loop_triangles()
    co = np.empty(len(me.vertices) * 3, np.float32)
    me.vertices.foreach_get("co", co)
    tris = np.empty(len(me.loop_triangles) * 3, np.int32)
    me.loop_triangles.foreach_get("vertices", tris)
    tri_face = np.empty(len(me.loop_triangles), np.int32)
    me.loop_triangles.foreach_get("polygon_index", tri_face)
    _, edge_verts, _, _ = _arrays(me)
    faces, shells = small_shells(co.reshape(-1, 3) * mm_per_bu, tris.reshape(-1, 3), tri_face, edge_verts,
                                 min_shell_mm3)
    if shells:
        bm = bmesh.new()
        try:
            bm.from_mesh(me)
            _delete(bm, "FACES", faces)
            bm.to_mesh(me)
        finally:
            bm.free()
        me.update()
    done["small shells removed"] = shells
    return done


def _apply_modifier(context, me, setup) -> Any:
    """``me`` with one modifier applied (through a temporary object); returns the new mesh."""
    tmp = bpy.data.objects.new(".image_to_print repair", me)
    context.scene.collection.objects.link(tmp)
    try:
        modifier: Any = tmp.modifiers.new("repair", setup["type"])
        for name, value in setup.items():
            if name != "type":
                setattr(modifier, name, value)
        depsgraph = context.evaluated_depsgraph_get()
        return bpy.data.meshes.new_from_object(tmp.evaluated_get(depsgraph), depsgraph=depsgraph)
    finally:
        bpy.data.objects.remove(tmp)


def _is_closed(me) -> bool:
    """Every edge shared by exactly two faces, and some faces at all."""
    import numpy as np

    if not len(me.polygons):
        return False
    loop_edge = np.empty(len(me.loops), np.int32)
    me.loops.foreach_get("edge_index", loop_edge)
    return bool(np.all(np.bincount(loop_edge, minlength=len(me.edges)) == 2))


def _parts(me) -> list:
    """One triangulated mesh per connected part of ``me`` (callers remove them)."""
    import numpy as np

    from ..core.checks import components

    me.calc_loop_triangles()
    co = np.empty(len(me.vertices) * 3, np.float32)
    me.vertices.foreach_get("co", co)
    tris = np.empty(len(me.loop_triangles) * 3, np.int32)
    me.loop_triangles.foreach_get("vertices", tris)
    tris = tris.reshape(-1, 3)
    edge_verts = np.empty(len(me.edges) * 2, np.int32)
    me.edges.foreach_get("vertices", edge_verts)
    label = components(len(me.vertices), edge_verts[0::2], edge_verts[1::2])
    tri_label = label[tris[:, 0]]
    parts = []
    try:
        for part in np.unique(tri_label):
            part_tris = tris[tri_label == part]
            used, local = np.unique(part_tris, return_inverse=True)
            parts.append(blender_mesh.mesh_from_arrays(
                ".image_to_print part", co.reshape(-1, 3)[used], local.ravel(),
                np.arange(0, 3 * len(part_tris), 3)))
    except BaseException:
        blender_mesh.remove_datablocks(*parts)
        raise
    return parts


def _manifold_union(context, me):
    """The union of ``me``'s connected parts by the Manifold solver (4.5+), or None where it cannot.

    The solver needs closed operands and does no self-union within one mesh, so the
    mesh is split into its parts: the first carries the modifier, the others are its
    operand collection.
    """
    if not _is_closed(me):
        return None
    parts = _parts(me)
    try:
        if len(parts) < 2:
            return None
        merged = _union(context, parts, 'MANIFOLD')
        merged.name = me.name
        return merged
    finally:
        blender_mesh.remove_datablocks(*parts)


def _union(context, meshes, solver: str, degenerate_bu: float = 0.0):
    """A new mesh: the Boolean union of ``meshes`` (the first carries the modifier, the others are
    its operand collection), beauty-triangulated (``_triangulate``); the meshes are left as they were."""
    collection = bpy.data.collections.new(".image_to_print union")
    operands = [bpy.data.objects.new(".image_to_print part", me) for me in meshes[1:]]
    try:
        for obj in operands:
            collection.objects.link(obj)
        setup = {"type": 'BOOLEAN', "operation": 'UNION', "operand_type": 'COLLECTION', "collection": collection,
                 "solver": solver}
        if solver == 'EXACT':
            setup["material_mode"] = 'TRANSFER'  # each part's faces keep its material (Manifold does so itself)
        merged = _apply_modifier(context, meshes[0], setup)
        _triangulate(merged, degenerate_bu)
        return merged
    finally:
        blender_mesh.remove_datablocks(*operands, collection)


EXACT_MAX_TRIANGLES = 100_000  # Exact takes about 15 s per 100k triangles here: beyond, the parts are joined only


def union_solids(context, meshes) -> tuple[Any, str]:
    """One solid from closed, outward ``meshes`` that overlap (the parts of a traced design): a new mesh,
    their Boolean union, beauty-triangulated (every face a triangle, so what is checked is what an STL
    holds, and no face under the checks' zero size is left where the parts' edges nearly met), and the
    solver used. Manifold (4.5+) when every mesh is closed and its result is closed, otherwise Exact up
    to ``EXACT_MAX_TRIANGLES``. Beyond that ("JOINED", a photograph traced into thousands of specks, say)
    the meshes are only put together in one mesh, as a file would hold them, so the checks say what
    check of that file says (intersecting faces). The meshes are left as they were."""
    from .check import thresholds_from_scene

    degenerate_bu = thresholds_from_scene(context.scene).zero_mm * blender_mesh.units_per_mm(context.scene)
    if compat.has_manifold_boolean() and all(_is_closed(me) for me in meshes):
        merged = _union(context, meshes, 'MANIFOLD', degenerate_bu)
        if _is_closed(merged):
            return merged, 'MANIFOLD'
        bpy.data.meshes.remove(merged)
    triangles = sum(len(me.loops) - 2 * len(me.polygons) for me in meshes)  # a polygon of n corners: n - 2
    if triangles <= EXACT_MAX_TRIANGLES:
        return _union(context, meshes, 'EXACT', degenerate_bu), 'EXACT'
    return _joined(meshes), 'JOINED'


def _joined(meshes):
    """A new mesh holding every one of ``meshes`` as it is, triangulated."""
    out = bpy.data.meshes.new(".image_to_print joined")
    _triangulate(out, extra=meshes)
    return out


def _triangulate(me, degenerate_bu: float = 0.0, extra=()) -> None:
    """Beauty-triangulate ``me`` in place. Manifold rebuilds the original faces as n-gons along the
    seams, and some are far from flat: cut in a fan (as an STL export does) their triangles cross
    their neighbours'. With ``degenerate_bu``, edges shorter than that and faces thinner are dissolved
    first (slivers a union leaves where two parts' edges nearly meet). The meshes in ``extra`` are
    added to ``me`` first, as they are."""
    import bmesh

    bm = bmesh.new()
    try:
        for part in (me, *extra):
            bm.from_mesh(part)  # each adds to what the bmesh holds
        if degenerate_bu > 0:
            bmesh.ops.dissolve_degenerate(bm, dist=degenerate_bu, edges=bm.edges[:])
        bmesh.ops.triangulate(bm, faces=bm.faces[:], quad_method='BEAUTY', ngon_method='BEAUTY')
        bm.to_mesh(me)
    finally:
        bm.free()
    me.update()


def _self_union(context, me) -> tuple[Any, str]:
    """``me`` united with itself, overlapping parts become one closed solid; returns (mesh, solver).

    From 4.5 the Manifold solver is tried first: on the unions Make Printable does it is
    about 10x faster than Exact for the same volume (``benchmarks/union_bench.py``). It
    needs closed parts and cannot untangle a single part that crosses itself, so it runs
    only on a closed mesh of two or more parts, and its result is kept only when it is
    closed and nothing in it crosses. Otherwise, and before 4.5, Exact with self-union.
    """
    from .check import intersecting_faces

    merged = _manifold_union(context, me) if compat.has_manifold_boolean() else None
    if merged is not None:
        if _is_closed(merged) and not _intersections(context, merged, intersecting_faces):
            return merged, 'MANIFOLD'
        bpy.data.meshes.remove(merged)
    return _apply_modifier(context, me, {"type": 'BOOLEAN', "operation": 'UNION', "operand_type": 'COLLECTION',
                                         "solver": 'EXACT', "use_self": True}), 'EXACT'


def _intersections(context, me, intersecting_faces) -> int:
    probe = bpy.data.objects.new(".image_to_print probe", me)
    context.scene.collection.objects.link(probe)
    try:
        return len(intersecting_faces(probe, context.evaluated_depsgraph_get()))
    finally:
        bpy.data.objects.remove(probe)


def make_printable_steps(context, obj, *, in_place: bool, merge_mm: float, min_shell_mm3: float,
                         intersections: str, voxel_mm: float):
    """Repair ``obj`` (modifiers applied) in place or into a new object, in steps: yields (fraction, what
    comes next) between stages, returns (object, summary). Closed before its end (Esc), it removes what it
    made and leaves ``obj`` as it was: in place, the repaired mesh goes onto ``obj`` only at the end."""
    from ..core.errors import ImageToPrintError
    from .check import check_steps

    if obj is None or obj.type != 'MESH':
        raise ImageToPrintError("select a mesh object to repair")
    before = yield from scaled(check_steps(context, obj), 0.0, 0.4)
    k = blender_mesh.units_per_mm(context.scene)
    depsgraph = context.evaluated_depsgraph_get()
    me = bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph), preserve_all_data_layers=True,
                                         depsgraph=depsgraph)
    made: list = [me]
    method = None
    try:
        yield 0.4, "cleaning"
        done = clean_mesh(me, merge_mm * k, min_shell_mm3, 1.0 / k)
        if intersections != 'NONE':
            from .check import intersecting_faces

            yield 0.45, "finding intersections"
            crossing = _intersections(context, me, intersecting_faces)
            done["intersecting faces resolved"] = 0
            if crossing:
                yield 0.5, "resolving intersections"
                if intersections == 'VOXEL':
                    merged = _apply_modifier(context, me, {"type": 'REMESH', "mode": 'VOXEL',
                                                           "voxel_size": voxel_mm * k})
                    method = 'VOXEL'
                else:
                    merged, method = _self_union(context, me)
                made.append(merged)
                bpy.data.meshes.remove(me)
                made.remove(me)
                me = merged
                done["intersecting faces resolved"] = crossing
        target = bpy.data.objects.new(f"{obj.name} (printable)", me)
        made.append(target)
        target.matrix_world = obj.matrix_world.copy()
        (obj.users_collection[0] if obj.users_collection else context.scene.collection).objects.link(target)
        after = yield from scaled(check_steps(context, target), 0.6, 1.0)
    except BaseException:  # GeneratorExit (closed: Esc) included
        blender_mesh.remove_datablocks(*reversed(made))
        raise
    if in_place:  # the repaired mesh onto the object itself; the stand-in it was checked on goes
        bpy.data.objects.remove(target)
        old = obj.data
        obj.modifiers.clear()
        obj.data = me
        if old.users == 0:
            bpy.data.meshes.remove(old)
        target = obj
        after["object"] = obj.name
    return target, {"before": before, "after": after, "steps": done, "intersections_by": method}


def make_printable(context, obj, **options):
    """:func:`make_printable_steps` run to the end (scripts, headless, the Redo panel)."""
    return realized(make_printable_steps(context, obj, **options))


class IMAGE_TO_PRINT_OT_make_printable(SteppedModal, bpy.types.Operator):
    """Repair the active mesh so it passes the blocking print checks: remove loose and interior geometry, merge
    doubles, fill holes, make normals consistent and outward, drop crumbs, resolve self-intersections"""

    bl_idname = "image_to_print.make_printable"
    bl_label = "Make Printable"
    bl_options = {'REGISTER', 'UNDO'}

    in_place: BoolProperty(name="In Place", default=False,
                           description="Repair this object (modifiers applied) instead of a copy")
    merge_mm: FloatProperty(name="Merge Distance", default=0.01, min=0.0, soft_max=1.0, precision=3,
                            subtype='DISTANCE_CAMERA', unit='CAMERA',  # shown in mm (properties.py)
                            description="Vertices closer than this are merged (mm)")
    min_shell_mm3: FloatProperty(name="Smallest Piece (mm³)", default=1.0, min=0.0, soft_max=100.0,
                                 description="Separate pieces with less volume are removed (mm³)")
    intersections: EnumProperty(
        name="Intersections",
        items=(('UNION', "Union", "Unite overlapping and self-intersecting parts (exact Boolean)"),
               ('VOXEL', "Voxel Remesh", "Rebuild the surface on a voxel grid: robust, loses fine detail"),
               ('NONE', "Leave", "Do not touch intersections")),
        default='UNION')
    voxel_mm: FloatProperty(name="Voxel Size", default=0.2, min=0.01, soft_max=5.0, precision=3,
                            subtype='DISTANCE_CAMERA', unit='CAMERA',
                            description="Voxel size for Voxel Remesh (mm)")

    @classmethod
    def poll(cls, context):
        if blender_mesh.active_mesh(context) is None:
            cls.poll_message_set("Select a mesh object")
            return False
        return True

    task_title, where, cancel_text = "Make Printable", "Check", "Make Printable cancelled; the scene is unchanged"

    def _options(self) -> dict:
        return {"in_place": self.in_place, "merge_mm": self.merge_mm, "min_shell_mm3": self.min_shell_mm3,
                "intersections": self.intersections, "voxel_mm": self.voxel_mm}

    def execute(self, context):
        from ..core.errors import ImageToPrintError

        clear("Check")
        try:
            target, summary = make_printable(context, context.active_object, **self._options())
        except ImageToPrintError as exc:
            tell(self, context, {'ERROR'}, str(exc), "Check")
            return {'CANCELLED'}
        return self._done(context, target, summary)

    def invoke(self, context, event):
        """In a window: the repair in steps between events, its progress in the Print Checks panel, Esc
        cancels and leaves the scene as it was."""
        if bpy.app.background or context.window is None:  # timers do not run headless
            return self.execute(context)
        clear("Check")
        return self.start_steps(context, make_printable_steps(context, context.active_object, **self._options()))

    def steps_done(self, context, value) -> set:
        return self._done(context, *value)

    def _done(self, context, target, summary) -> set:
        from .check import RESULTS

        RESULTS[target.name] = summary["after"]
        blender_mesh.select_only(context, target)
        changed = ", ".join(f"{v} {k}" for k, v in summary["steps"].items() if v) or "nothing to change"
        fixed = [name for name in summary["before"]["blocking"] if name not in summary["after"]["blocking"]]
        left = summary["after"]["blocking"]
        self.report({'INFO'} if not left else {'WARNING'},
                    f"{target.name}: {changed}; fixed: {', '.join(fixed) or 'none'}; "
                    f"{'printable' if not left else 'still failing: ' + ', '.join(left)}")
        return {'FINISHED'}
