# SPDX-License-Identifier: GPL-3.0-or-later
"""Print checks on the evaluated mesh of selected objects.

Results live in this module (like the 3D-Print Toolbox's report), never in
the .blend file.
"""

from __future__ import annotations

import sys
from typing import Any

import bpy

from ..ui.notice import clear, tell

# object name -> report dict of the last check, and the offending elements per failing check
from ..ui.state import ELEMENTS, RESULTS
from . import blender_mesh
from .stepped import SteppedModal


def thresholds_from_scene(scene):
    """The check limits set on the Scene, as core Thresholds (mm, degrees)."""
    from ..core.limits import CheckDefaults
    from ..properties import settings_from

    t = settings_from(scene.image_to_print.check, CheckDefaults)
    # float32 properties: 45 degrees would read 45.0000012, 0.4 mm 0.40000001
    for name, value in t.to_dict().items():
        if isinstance(value, float):
            setattr(t, name, round(value, 6 if name == "zero_mm" else 4))
    t.build_volume_mm = tuple(round(v, 4) for v in t.build_volume_mm)
    return t


BVH_EPSILON = 0.00001  # the toolbox's, in scene units
RAY_START_MM = 1e-3  # a wall ray starts this far inside its face, whatever the scene's units
RAY_CHUNK = 20_000  # wall rays cast between two looks at the clock (about 30 ms)
RAY_BATCH = 1_000  # wall rays cast in one call in C, which holds Python's lock: the other checks run between
RAY_SWITCH_S = 0.0005  # Python's thread switch interval while the rays are cast (its default is 5 ms)


def _bvh(obj, depsgraph, epsilon: float = BVH_EPSILON):
    """A BVH of the evaluated mesh (object space), by default with the toolbox's overlap tolerance;
    None: no faces. With a tolerance its rays are fat (a sphere of that radius swept along), so the wall
    rays take a tree without one, as the toolbox's own rays are thin."""
    from mathutils.bvhtree import BVHTree

    return BVHTree.FromObject(obj, depsgraph, epsilon=epsilon)


def _overlapping(tree):
    """Indices of faces that cut through other faces: the BVH overlapped with itself (the toolbox's method
    and tolerance, so the counts agree).  Runs in C without holding Python's lock."""
    import numpy as np

    if tree is None:
        return np.zeros(0, np.int64)
    pairs = tree.overlap(tree)
    return np.unique(np.array(pairs, dtype=np.int64).ravel()) if pairs else np.zeros(0, np.int64)


SLIVER_FACTOR = 16.0  # a triangle over this many times the median triangle across gets a tree of its own
SLIVER_MOST = 0.05  # unless more than this share of the triangles are that long


def _tree_of(co_bu, tris, epsilon: float):
    """A BVH of a few triangles (object space, Blender units), its indices those of ``tris``."""
    import numpy as np
    from mathutils.bvhtree import BVHTree

    used, inverse = np.unique(tris, return_inverse=True)
    return BVHTree.FromPolygons(co_bu[used].tolist(), inverse.reshape(-1, 3).tolist(), all_triangles=True,
                                epsilon=epsilon)


def _indices(pairs):
    import numpy as np

    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _trees(context, obj, depsgraph, arrays):
    """``(faces cutting others, the trees the wall rays are cast on)``. A tree of every triangle with the
    toolbox's tolerance, overlapped with itself, and one without a tolerance for the rays; or, when a few
    triangles are long slivers (``core.meshcheck.long_triangles``: a large flat face's fan swells every box
    of one tree and slows every query several times), the same pairs from three trees:

    * the other triangles (the slivers' neighbours among them) with themselves;
    * the slivers and their neighbours with themselves;
    * the slivers against the other triangles, less their neighbours, met already: whether two triangles
      share a corner is told only within one tree.

    The rays then take a tree of the other triangles and one of the slivers, cast on the latter only
    where a ray can reach its box: ``[(tree, box or None)]``."""
    import numpy as np

    from ..core.meshcheck import long_triangles

    co, tris, tri_face = arrays["co_bu"], arrays["tris"], arrays["tri_face"]
    split = long_triangles(co, tris, SLIVER_FACTOR, SLIVER_MOST)
    if split is None:
        return _overlapping(_bvh(obj, depsgraph)), [(_bvh(obj, depsgraph, 0.0), None)]
    from mathutils.bvhtree import BVHTree

    long, ring = split
    rest, near, slivers = np.flatnonzero(~long), np.flatnonzero(long | ring), np.flatnonzero(long)
    with blender_mesh.scratch_object(context, "Image to Print checks", co, tris[rest]) as (scratch, graph):
        rest_tree = BVHTree.FromObject(scratch, graph, epsilon=BVH_EPSILON)
        rest_rays = BVHTree.FromObject(scratch, graph, epsilon=0.0)
    assert rest_tree is not None and rest_rays is not None  # never empty: most triangles are short
    near_tree, sliver_tree = _tree_of(co, tris[near], BVH_EPSILON), _tree_of(co, tris[slivers], BVH_EPSILON)
    across = _indices(sliver_tree.overlap(rest_tree))
    across = across[~ring[rest[across[:, 1]]]]
    found = [rest[_indices(rest_tree.overlap(rest_tree)).ravel()], near[_indices(near_tree.overlap(near_tree)).ravel()],
             slivers[across[:, 0]], rest[across[:, 1]]]
    corners = co[tris[slivers]]
    pad = 1e-5 * (float(np.ptp(corners, axis=(0, 1)).max()) + 1.0)
    box = (corners.min(axis=(0, 1)) - pad, corners.max(axis=(0, 1)) + pad)
    return (np.unique(tri_face[np.concatenate(found)]).astype(np.int64),
            [(rest_rays, None), (_tree_of(co, tris[slivers], 0.0), box)])


def intersecting_faces(obj, depsgraph):
    """Indices of faces of ``obj``'s evaluated mesh that cut through other faces."""
    return _overlapping(_bvh(obj, depsgraph))


def _wall_rays(trees, matrix, k: float, arrays: dict, max_mm: float):
    """Per face: the wall thickness in mm up to ``max_mm`` (inf beyond), by one ray from just inside the
    centroid of the face's first triangle (a point on the surface even for a warped quad) straight inward,
    cast on ``trees`` (:func:`_trees`: object space, no tolerance: a fat ray would touch a wall it runs
    beside, as from a sliver at the foot of a wall; rays are taken there and their lengths back), the
    nearest hit of all.
    A generator: it yields the fraction done between chunks and returns the thicknesses."""
    from operator import itemgetter

    import numpy as np

    from ..core.checks import ray_samples

    origin, inward = ray_samples(arrays["co"], arrays["tris"], arrays["tri_face"], len(arrays["loop_start"]))
    wall = np.full(len(origin), np.inf)
    inverse = np.linalg.inv(matrix)
    local_origin = ((origin + inward * RAY_START_MM) * k) @ inverse[:3, :3].T + inverse[:3, 3]
    local_dir = (inward * k) @ inverse[:3, :3].T  # one mm of the ray, in object units
    per_mm = np.linalg.norm(local_dir, axis=1)
    local_dir /= np.where(per_mm > 0, per_mm, 1.0)[:, None]
    reach = max_mm * per_mm
    jobs: list = []
    for tree, box in trees:
        if box is None:
            jobs.append((tree, None, len(origin)))
            continue
        end = local_origin + local_dir * reach[:, None]
        meets = np.all((np.minimum(local_origin, end) <= box[1]) & (np.maximum(local_origin, end) >= box[0]), axis=1)
        jobs.append((tree, np.flatnonzero(meets), int(meets.sum())))
    total, done = max(1, sum(count for _, _, count in jobs)), 0
    switch = sys.getswitchinterval()
    sys.setswitchinterval(RAY_SWITCH_S)
    try:
        for tree, rays, count in jobs:
            for first in range(0, count, RAY_CHUNK):
                for start in range(first, min(first + RAY_CHUNK, count), RAY_BATCH):
                    # map() casts in C; between batches other threads run
                    sel = slice(start, start + RAY_BATCH) if rays is None else rays[start:start + RAY_BATCH]
                    hits = list(map(tree.ray_cast, local_origin[sel].tolist(), local_dir[sel].tolist(),
                                    reach[sel].tolist()))
                    distance = np.array(list(map(itemgetter(3), hits)), dtype=np.float64)  # a miss: None -> nan
                    wall[sel] = np.minimum(wall[sel], np.where(np.isnan(distance), np.inf,
                                                               distance / per_mm[sel] + RAY_START_MM))
                done += min(RAY_CHUNK, count - first)
                yield min(1.0, done / total)
    finally:
        sys.setswitchinterval(switch)
    return wall


class _Pending:
    """A value another thread waits for (calling it), set once."""

    def __init__(self):
        import threading

        self._ready = threading.Event()
        self._value: Any = None

    def set(self, value) -> None:
        if not self._ready.is_set():
            self._value = value
            self._ready.set()

    def __call__(self):
        self._ready.wait()
        return self._value


class _Background:
    """A function of arrays run in a thread, polled by the checks: numpy leaves Python's lock in its loops,
    so the array checks run beside the wall rays."""

    def __init__(self, fn, *args):
        import threading

        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self.thread.start()

    def _run(self, fn, args):
        try:
            self.result = fn(*args)
        except BaseException as exc:  # handed to the main thread by value()
            self.error = exc

    def value(self):
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.result


def height_field_grid(context, obj, depsgraph):
    """``(co in mm, rows, cols)`` of a relief that may still be the height field the route built, or None.

    The relief records its grid on the object; the evaluated mesh must have exactly that grid's
    corners (compared element by element here) and positions that make it a height field over a
    flat bottom (``core.gridcheck.grid_report`` checks them, and gives None otherwise), whatever
    modifiers, edits or transforms came since.
    """
    import numpy as np

    from ..core.gridmesh import grid_topology

    info = obj.get("image_to_print") if obj.type == 'MESH' else None
    grid = info.get("grid") if info is not None and hasattr(info, "get") else None
    if grid is None or len(grid) != 2:
        return None
    rows, cols = int(grid[0]), int(grid[1])
    loop_vert, loop_start, _ = grid_topology(rows, cols)
    n_verts = rows * cols + 2 * (rows + cols - 2) + 1
    me = obj.evaluated_get(depsgraph).data  # a mesh object's evaluated mesh: read in place, not copied
    if (len(me.vertices), len(me.loops), len(me.polygons)) != (n_verts, len(loop_vert), len(loop_start)):
        return None
    corners = blender_mesh.corner_verts(me)
    starts = np.empty(len(me.polygons), np.int32)
    me.polygons.foreach_get("loop_start", starts)
    if not (np.array_equal(corners, loop_vert) and np.array_equal(starts, loop_start)):
        return None
    co = blender_mesh.positions(me)
    del corners, starts, loop_vert, loop_start
    mat = np.array(obj.matrix_world, dtype=np.float64)
    co = (co @ mat[:3, :3].T + mat[:3, 3]) / blender_mesh.units_per_mm(context.scene)
    return co, rows, cols


def check_steps(context, obj, thresholds=None, elements: dict | None = None):
    """The checks of one object as a generator: it yields ``(fraction, what comes next)``
    between stages, so a modal operator can show progress and cancel, and returns the report."""
    import numpy as np

    from ..core.checks import full_report
    from ..core.errors import ImageToPrintError

    if obj is None or obj.type not in blender_mesh.SOLID_TYPES:
        raise ImageToPrintError(f"{getattr(obj, 'name', 'nothing')} is not a mesh or curve object")
    yield 0.0, "reading the mesh"
    depsgraph = context.evaluated_depsgraph_get()
    thresholds = thresholds or thresholds_from_scene(context.scene)
    grid = height_field_grid(context, obj, depsgraph)
    if grid is not None:
        from ..core.gridcheck import grid_report

        job = _Background(grid_report, *grid, thresholds, elements)  # numpy in a thread: the window answers
        del grid
        while job.thread.is_alive():
            job.thread.join(0.05)
            yield 0.5, "checking the relief"
        report = job.value()
        if report is not None:
            report["object"] = obj.name
            return report
    arrays = blender_mesh.evaluated_arrays(obj, depsgraph, 1.0 / blender_mesh.units_per_mm(context.scene))
    if len(arrays["loop_start"]) == 0:
        raise ImageToPrintError(f"{obj.name} has no faces to check")
    yield 0.1, "finding intersections"
    # Blender's BVH: calls in C that keep Python's lock (about 1 s per million triangles)
    crossing, ray_trees = _trees(context, obj, depsgraph, arrays)
    yield 0.2, "measuring walls"
    walls = _Pending()
    report_job = _Background(lambda: full_report(  # every other check, in a thread, while the rays are cast
        arrays["co"], arrays["loop_vert"], arrays["loop_start"], arrays["loop_total"], tris=arrays["tris"],
        thresholds=thresholds, loop_edge=arrays["loop_edge"], edge_verts=arrays["edge_verts"],
        intersecting_faces=crossing, wall_mm=walls, elements=elements))
    rays = _wall_rays(ray_trees, np.array(obj.matrix_world, dtype=np.float64),
                      blender_mesh.units_per_mm(context.scene),
                      arrays, max(thresholds.min_thickness_mm, thresholds.nozzle_mm))
    try:
        while True:
            yield 0.2 + 0.5 * next(rays), "measuring walls"
    except StopIteration as done:
        walls.set(done.value)
    finally:
        walls.set(None)  # cancelled or failed: let the thread end (its report is never read)
    while report_job.thread.is_alive():  # the window stays live, and Esc and signals work, meanwhile
        report_job.thread.join(0.05)
        yield 0.8, "checking edges, faces and shells"
    report = report_job.value()
    report["object"] = obj.name
    return report


def check_object(context, obj, thresholds=None, elements: dict | None = None) -> dict:
    """Checks of one object's evaluated mesh, in world space and millimetres.

    ``elements``, when given, receives ``check -> (domain, indices)`` of the offenders."""
    steps = check_steps(context, obj, thresholds, elements)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def summary(report: dict) -> str:
    size = " x ".join(f"{v:.1f}" for v in report["bbox_mm"])
    verdict = "printable" if report["printable"] else "NOT printable: " + ", ".join(report["blocking"])
    return (f"{report['object']}: {size} mm, {report['triangles']:,} triangles, "
            f"{report['volume_mm3'] / 1000:.2f} cm3, {verdict}")


class IMAGE_TO_PRINT_OT_check(SteppedModal, bpy.types.Operator):
    """Check the selected mesh objects for printability (modifiers applied, in mm)"""

    bl_idname = "image_to_print.check"
    bl_label = "Check Printability"
    bl_options = {'REGISTER'}

    task_title, where, cancel_text = "Checking", "Check", "Check cancelled"

    @classmethod
    def poll(cls, context):
        if not blender_mesh.selected_meshes(context):
            cls.poll_message_set("Select one or more mesh objects")
            return False
        return True

    def _all_steps(self, context):
        """Every selected object's stages, one after the other, reporting as each finishes."""
        from ..core.errors import ImageToPrintError

        RESULTS.clear()
        ELEMENTS.clear()
        clear("Check")
        objects = blender_mesh.selected_meshes(context)
        for number, obj in enumerate(objects):
            elements: dict = {}
            steps = check_steps(context, obj, elements=elements)
            try:
                while True:
                    fraction, what = next(steps)
                    yield (number + fraction) / len(objects), f"{obj.name}: {what}"
            except StopIteration as done:
                report = done.value
            except ImageToPrintError as exc:
                tell(self, context, {'ERROR'}, str(exc), "Check")
                continue
            RESULTS[obj.name] = report
            elements["_counts"] = (report["vertices"], report["edges"], report["faces"])
            ELEMENTS[obj.name] = elements
            self.report({'INFO'} if report["printable"] else {'WARNING'}, summary(report))

    def execute(self, context):
        for _ in self._all_steps(context):
            pass
        return {'FINISHED'}

    def invoke(self, context, event):
        if bpy.app.background or context.window is None:  # timers do not run headless
            return self.execute(context)
        return self.start_steps(context, self._all_steps(context))

    def steps_done(self, context, value) -> set:
        return {'FINISHED'}


class IMAGE_TO_PRINT_OT_select_check(bpy.types.Operator):
    """Select the faces, edges or vertices a print check found, in Edit Mode"""

    bl_idname = "image_to_print.select_check"
    bl_label = "Select Offending Elements"
    bl_options = {'REGISTER', 'UNDO', 'INTERNAL'}

    object_name: bpy.props.StringProperty(name="Object")
    check: bpy.props.StringProperty(name="Check")

    def execute(self, context):
        import bmesh
        import numpy as np

        obj = bpy.data.objects.get(self.object_name)
        found = ELEMENTS.get(self.object_name, {})
        if obj is None or obj.type != 'MESH' or self.check not in found:
            self.report({'ERROR'}, "Check results are out of date: run Check Printability again")
            return {'CANCELLED'}
        domain, indices = found[self.check]
        if context.mode != 'OBJECT':
            bpy.ops.object.mode_set(mode='OBJECT')
        me = obj.data
        n_verts, n_edges, n_faces = found["_counts"]
        if (len(me.vertices), len(me.edges), len(me.polygons)) != (n_verts, n_edges, n_faces):
            self.report({'ERROR'}, "The checked mesh (modifiers applied) differs from this object's mesh: "
                                   "apply the modifiers or use Make Printable, then check again")
            return {'CANCELLED'}
        blender_mesh.select_only(context, obj)
        bpy.ops.object.mode_set(mode='EDIT')
        context.tool_settings.mesh_select_mode = (domain == 'VERT', domain == 'EDGE', domain == 'FACE')
        bpy.ops.mesh.reveal(select=False)
        bpy.ops.mesh.select_all(action='DESELECT')
        bm = bmesh.from_edit_mesh(me)
        seq: Any = {"VERT": bm.verts, "EDGE": bm.edges, "FACE": bm.faces}[domain]
        seq.ensure_lookup_table()
        for index in np.asarray(indices).tolist():
            seq[index].select_set(True)
        bm.select_flush_mode()
        bmesh.update_edit_mesh(me)
        self.report({'INFO'}, f"{len(indices)} {self.check.replace('_', ' ')} selected")
        return {'FINISHED'}
