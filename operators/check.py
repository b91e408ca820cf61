# SPDX-License-Identifier: GPL-3.0-or-later
"""Print checks on the evaluated mesh of selected objects.

Results live in this module (like the 3D-Print Toolbox's report), never in
the .blend file.
"""

from __future__ import annotations

from typing import Any

import bpy

# object name -> report dict of the last check, and the offending elements per failing check
from ..ui.state import ELEMENTS, RESULTS
from . import blender_mesh


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


def intersecting_faces(obj, depsgraph):
    """Indices of faces that cut through other faces: one BVH of the evaluated mesh,
    overlapped with itself (the toolbox's method and tolerance, so the counts agree)."""
    import numpy as np
    from mathutils.bvhtree import BVHTree

    tree = BVHTree.FromObject(obj, depsgraph, epsilon=0.00001)
    if tree is None:  # no faces
        return np.zeros(0, np.int64)
    pairs = tree.overlap(tree)
    return np.unique(np.array(pairs, dtype=np.int64).ravel()) if pairs else np.zeros(0, np.int64)


WALL_ATTRIBUTE = "image_to_print_wall"
SOURCE_ATTRIBUTE = "image_to_print_ray_start"
DIRECTION_ATTRIBUTE = "image_to_print_ray_direction"


def _wall_node_group(length_bu: float):
    """Geometry Nodes: per face, cast the ray stored on the face (start, direction) against
    the mesh itself and store the hit distance, or -1 when nothing is hit within ``length_bu``."""
    # Nodes and sockets are typed loosely in the stubs: treat the tree as Any.
    ng: Any = bpy.data.node_groups.new(".image_to_print wall thickness", 'GeometryNodeTree')  # type: ignore[arg-type]
    ng.interface.new_socket("Geometry", in_out='INPUT', socket_type='NodeSocketGeometry')
    ng.interface.new_socket("Geometry", in_out='OUTPUT', socket_type='NodeSocketGeometry')
    nodes: Any = ng.nodes
    links = ng.links
    group_in, group_out = nodes.new('NodeGroupInput'), nodes.new('NodeGroupOutput')
    start, direction = nodes.new('GeometryNodeInputNamedAttribute'), nodes.new('GeometryNodeInputNamedAttribute')
    for node, name in ((start, SOURCE_ATTRIBUTE), (direction, DIRECTION_ATTRIBUTE)):
        node.data_type = 'FLOAT_VECTOR'
        node.inputs["Name"].default_value = name
    ray = nodes.new('GeometryNodeRaycast')
    links.new(group_in.outputs[0], ray.inputs["Target Geometry"])
    links.new(start.outputs["Attribute"], ray.inputs["Source Position"])
    links.new(direction.outputs["Attribute"], ray.inputs["Ray Direction"])
    ray.inputs["Ray Length"].default_value = length_bu
    missed = nodes.new('GeometryNodeSwitch')
    missed.input_type = 'FLOAT'
    links.new(ray.outputs["Is Hit"], missed.inputs["Switch"])
    missed.inputs["False"].default_value = -1.0
    links.new(ray.outputs["Hit Distance"], missed.inputs["True"])
    store = nodes.new('GeometryNodeStoreNamedAttribute')
    store.data_type = 'FLOAT'
    store.domain = 'FACE'
    store.inputs["Name"].default_value = WALL_ATTRIBUTE
    links.new(group_in.outputs[0], store.inputs["Geometry"])
    links.new(missed.outputs[0], store.inputs["Value"])
    links.new(store.outputs[0], group_out.inputs[0])
    return ng


def wall_thickness(context, arrays: dict, max_mm: float):
    """Per face of the evaluated mesh: wall thickness in mm up to ``max_mm`` (inf beyond).

    One ray per face, from just inside the centroid of the face's first triangle (a
    point on the surface even for a warped quad) straight inward; Geometry Nodes casts
    them all in C against one BVH.  Runs on a temporary mesh built from ``arrays`` (world
    space, mm), removed again.
    """
    import numpy as np

    from ..core.checks import ray_samples

    k = blender_mesh.units_per_mm(context.scene)
    start_mm = 1e-4
    origin, inward = ray_samples(arrays["co"], arrays["tris"], arrays["tri_face"], len(arrays["loop_start"]))
    # the probe mesh is built from the world-space arrays in hand (faster than copying the object)
    me = blender_mesh.mesh_from_arrays(".image_to_print wall probe", arrays["co"] * k, arrays["loop_vert"],
                                       arrays["loop_start"], edges=arrays["edge_verts"],
                                       corner_edge=arrays["loop_edge"])
    tmp = ng = None
    try:
        for name, values in ((SOURCE_ATTRIBUTE, (origin + inward * start_mm) * k), (DIRECTION_ATTRIBUTE, inward)):
            attribute: Any = me.attributes.new(name, 'FLOAT_VECTOR', 'FACE')
            attribute.data.foreach_set("vector", np.ascontiguousarray(values, dtype=np.float32).ravel())
        tmp = bpy.data.objects.new(".image_to_print wall probe", me)
        context.scene.collection.objects.link(tmp)
        ng = _wall_node_group(max_mm * k)
        modifier: Any = tmp.modifiers.new("wall", 'NODES')
        modifier.node_group = ng
        probe = tmp.evaluated_get(context.evaluated_depsgraph_get())
        result = probe.to_mesh()
        try:
            distance = np.empty(len(result.polygons), np.float32)
            attribute = result.attributes[WALL_ATTRIBUTE]
            attribute.data.foreach_get("value", distance)
        finally:
            probe.to_mesh_clear()
    finally:
        if tmp is not None:
            bpy.data.objects.remove(tmp)
        bpy.data.meshes.remove(me)
        if ng is not None:
            bpy.data.node_groups.remove(ng)
    return np.where(distance < 0, np.inf, distance / k + start_mm)


def height_field_report(context, obj, depsgraph, thresholds, elements: dict | None = None) -> dict | None:
    """The checks of a relief that is still the height field the route built (``core.gridcheck``), or None.

    The relief records its grid on the object; the evaluated mesh must have exactly that grid's
    corners (compared element by element) and positions that make it a height field over a flat
    bottom (``grid_report`` checks them), whatever modifiers, edits or transforms came since.
    """
    import numpy as np

    from ..core.gridcheck import grid_report
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
    return grid_report(co, rows, cols, thresholds, elements)


def check_steps(context, obj, thresholds=None, elements: dict | None = None):
    """The checks of one object as a generator: it yields ``(fraction, what comes next)``
    between stages, so a modal operator can show progress and cancel, and returns the report."""
    from ..core.checks import full_report
    from ..core.errors import ImageToPrintError

    if obj is None or obj.type not in blender_mesh.SOLID_TYPES:
        raise ImageToPrintError(f"{getattr(obj, 'name', 'nothing')} is not a mesh or curve object")
    yield 0.0, "reading the mesh"
    depsgraph = context.evaluated_depsgraph_get()
    thresholds = thresholds or thresholds_from_scene(context.scene)
    report = height_field_report(context, obj, depsgraph, thresholds, elements)
    if report is not None:
        report["object"] = obj.name
        return report
    mm = 1.0 / blender_mesh.units_per_mm(context.scene)
    arrays = blender_mesh.evaluated_arrays(obj, depsgraph, mm)
    if len(arrays["loop_start"]) == 0:
        raise ImageToPrintError(f"{obj.name} has no faces to check")
    yield 0.15, "finding intersections"
    crossing = intersecting_faces(obj, depsgraph)
    yield 0.5, "measuring walls"
    wall = wall_thickness(context, arrays, max(thresholds.min_thickness_mm, thresholds.nozzle_mm))
    yield 0.75, "checking edges, faces and shells"
    report = full_report(arrays["co"], arrays["loop_vert"], arrays["loop_start"], arrays["loop_total"],
                         tris=arrays["tris"], thresholds=thresholds, loop_edge=arrays["loop_edge"],
                         edge_verts=arrays["edge_verts"], intersecting_faces=crossing, wall_mm=wall,
                         elements=elements)
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


class IMAGE_TO_PRINT_OT_check(bpy.types.Operator):
    """Check the selected mesh objects for printability (modifiers applied, in mm)"""

    bl_idname = "image_to_print.check"
    bl_label = "Check Printability"
    bl_options = {'REGISTER'}

    # plain attributes, not annotations: Blender reads class annotations as properties
    _timer = None  # type: Any
    _steps = None  # type: Any

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
                self.report({'ERROR'}, str(exc))
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
        self._steps = self._all_steps(context)
        wm = context.window_manager
        wm.image_to_print_task = "Checking"
        wm.image_to_print_progress = 0.0
        self._timer = wm.event_timer_add(0.01, window=context.window)
        wm.modal_handler_add(self)
        return {'RUNNING_MODAL'}

    def modal(self, context, event):
        if event.type == 'ESC':
            self._finish(context)
            self.report({'WARNING'}, "Check cancelled")
            return {'CANCELLED'}
        if event.type != 'TIMER':
            return {'PASS_THROUGH'}
        try:
            fraction, what = next(self._steps)
        except StopIteration:
            self._finish(context)
            return {'FINISHED'}
        context.window_manager.image_to_print_progress = fraction
        context.window_manager.image_to_print_task = what
        for area in context.screen.areas if context.screen else ():
            if area.type == 'VIEW_3D':
                area.tag_redraw()
        return {'RUNNING_MODAL'}

    def _finish(self, context):
        if self._steps is not None:
            self._steps.close()  # between stages: no temporary data is alive
        wm = context.window_manager
        if self._timer is not None:
            wm.event_timer_remove(self._timer)
        wm.image_to_print_task = ""
        wm.image_to_print_progress = 0.0
        for area in context.screen.areas if context.screen else ():
            if area.type == 'VIEW_3D':
                area.tag_redraw()


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
