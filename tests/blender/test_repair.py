# SPDX-License-Identifier: GPL-3.0-or-later
"""Make Printable on meshes with known defects: they come out passing the blocking checks."""

import bpy
import numpy as np
import pytest
from test_check import CUBE, CUBE_TRIS


def mesh_object(co, faces, name="defect"):
    me = bpy.data.meshes.new(name)
    me.from_pydata([tuple(v) for v in co], [], [tuple(f) for f in faces])
    me.update()
    obj = bpy.data.objects.new(name, me)
    bpy.context.scene.collection.objects.link(obj)
    for other in list(bpy.context.selected_objects):
        other.select_set(False)
    obj.select_set(True)
    bpy.context.view_layer.objects.active = obj
    return obj


def repaired(ext, obj, **kw):
    assert bpy.ops.image_to_print.make_printable(**kw) == {'FINISHED'}
    target = bpy.context.view_layer.objects.active
    return target, ext.operators.check.check_object(bpy.context, target)


MM = 0.001  # metre scene: 1 mm in Blender units


@pytest.mark.parametrize("name,faces,failing", [
    ("open-hole", CUBE_TRIS[2:], "non_manifold_edges"),
    ("flipped", np.vstack([CUBE_TRIS[:2, ::-1], CUBE_TRIS[2:]]), "bad_contiguous_edges"),
    ("inside-out", CUBE_TRIS[:, ::-1], "inside_out"),
])
def test_defective_cube_is_repaired_on_a_copy(ext, scene, name, faces, failing):
    obj = mesh_object(CUBE * 10 * MM, faces, name)
    assert failing in ext.operators.check.check_object(bpy.context, obj)["blocking"]
    target, report = repaired(ext, obj)
    assert target is not obj and target.name == f"{name} (printable)"
    assert report["printable"], report["blocking"]
    assert report["volume_mm3"] == pytest.approx(1000.0, rel=1e-6)
    assert failing in ext.operators.check.check_object(bpy.context, obj)["blocking"]  # the original is kept


def test_loose_vertex_doubles_and_crumbs_are_removed_in_place(ext, scene):
    co = np.vstack([CUBE * 10, CUBE * 10, CUBE * 0.5 + 30, [[50, 50, 50]]]) * MM
    # second copy of the cube's vertices is unused except by one face: welded by merge-by-distance
    faces = [tuple(f) for f in CUBE_TRIS[1:]] + [(8, 10, 9)]
    faces += [tuple(f + 16) for f in CUBE_TRIS]  # a 0.125 mm³ crumb
    obj = mesh_object(co, faces, "messy")
    target, report = repaired(ext, obj, in_place=True, min_shell_mm3=1.0)
    assert target is obj and not obj.modifiers
    assert report["printable"] and report["checks"]["shells"] == 1
    assert len(obj.data.vertices) == 8 and report["volume_mm3"] == pytest.approx(1000.0, rel=1e-6)


def test_overlapping_cubes_are_united(ext, scene):
    co = np.vstack([CUBE * 10, CUBE * 10 + 5]) * MM
    obj = mesh_object(co, np.vstack([CUBE_TRIS, CUBE_TRIS + 8]), "overlap")
    assert ext.operators.check.check_object(bpy.context, obj)["checks"]["intersecting_faces"] > 0
    target, report = repaired(ext, obj)
    assert report["printable"], report["blocking"]
    assert report["checks"]["shells"] == 1 and report["checks"]["intersecting_faces"] == 0
    assert report["volume_mm3"] == pytest.approx(2000.0 - 125.0, rel=1e-4)


def test_relief_repair_keeps_a_printable_relief_unchanged(ext, scene, tmp_path):
    from images import gradient

    bpy.ops.image_to_print.relief(filepath=gradient(tmp_path / "g.png"), width_mm=20.0, sample_mm=0.5)
    obj = bpy.context.view_layer.objects.active
    before = ext.operators.check.check_object(bpy.context, obj)
    target, report = repaired(ext, obj)
    assert report["printable"]
    assert report["volume_mm3"] == pytest.approx(before["volume_mm3"], rel=1e-6)
    assert report["triangles"] == before["triangles"]


def test_repair_needs_a_mesh(ext, scene):
    assert not bpy.ops.image_to_print.make_printable.poll()
