# SPDX-License-Identifier: GPL-3.0-or-later
"""Print checks on meshes with known defects, through the operator and the `check` command."""

import json
import struct

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import datablock_counts

CUBE = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1]], float)
CUBE_TRIS = np.array([[0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4], [1, 2, 6], [1, 6, 5],
                      [2, 3, 7], [2, 7, 6], [3, 0, 4], [3, 4, 7]])


def write_stl(path, co, tris):
    """Binary STL with real unit normals (admesh and PrusaSlicer sniff for them)."""
    p = co[tris]
    n = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    n /= np.linalg.norm(n, axis=1, keepdims=True)
    with open(path, "wb") as fh:
        fh.write(b"\0" * 80 + struct.pack("<I", len(tris)))
        for normal, tri in zip(n, p):
            fh.write(struct.pack("<12fH", *normal, *tri.ravel(), 0))
    return str(path)


def test_closed_cube_stl_is_printable_in_mm(ext, scene, tmp_path, capfd):
    stl = write_stl(tmp_path / "cube.stl", CUBE * 20.0, CUBE_TRIS)
    before = datablock_counts()
    code, out, err = run(ext, capfd, "check", stl, "--report", tmp_path / "r.json")
    assert code == 0, err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["bbox_mm"] == pytest.approx([20.0, 20.0, 20.0])
    assert report["volume_mm3"] == pytest.approx(8000.0, rel=1e-6)
    assert report["triangles"] == 12 and report["printable"] and report["blocking"] == []
    assert report["checks"]["intersecting_faces"] == 0 and report["checks"]["shells"] == 1
    assert report["thresholds"]["overhang_deg"] == 45.0
    assert datablock_counts() == before  # a check leaves the scene as it was
    assert "printable" in out.splitlines()[-1]


@pytest.mark.parametrize("name,make,blocking,counts", [
    ("open-hole", lambda: (CUBE * 10, CUBE_TRIS[1:]), ["non_manifold_edges"], {"non_manifold_edges": 3}),
    ("flipped", lambda: (CUBE * 10, np.vstack([CUBE_TRIS[:1, ::-1], CUBE_TRIS[1:]])), ["bad_contiguous_edges"],
     {"bad_contiguous_edges": 3}),
    ("inside-out", lambda: (CUBE * 10, CUBE_TRIS[:, ::-1]), ["inside_out"], {"inside_out": True}),
    ("too-big", lambda: (CUBE * 300, CUBE_TRIS), ["outside_build_volume"], {"outside_build_volume": True}),
])
def test_defective_stl_exits_3_with_the_failed_checks(ext, scene, tmp_path, capfd, name, make, blocking, counts):
    co, tris = make()
    stl = write_stl(tmp_path / f"{name}.stl", co, tris)
    code, out, err = run(ext, capfd, "check", stl, "--report", tmp_path / "r.json")
    assert code == 3, out + err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["blocking"] == blocking and report["printable"] is False
    for key, value in counts.items():
        assert report["checks"][key] == value
    assert "NOT printable" in out


def test_two_overlapping_cubes_intersect_like_the_toolbox_says(ext, scene):
    bpy.ops.mesh.primitive_cube_add(size=2)
    a = bpy.context.active_object
    bpy.ops.mesh.primitive_cube_add(size=2, location=(1, 1, 1))
    b = bpy.context.active_object
    a.select_set(True)
    b.select_set(True)
    bpy.context.view_layer.objects.active = a
    bpy.ops.object.join()
    report = ext.operators.check.check_object(bpy.context, bpy.context.active_object)
    assert report["checks"]["intersecting_faces"] == 6  # the 3D-Print Toolbox's "Intersect Face: 6"
    assert "intersecting_faces" in report["blocking"]
    assert report["checks"]["shells"] == 2 and report["checks"]["floating_shells"] == 1


def test_build_volume_and_overhang_flags(ext, scene, tmp_path, capfd):
    stl = write_stl(tmp_path / "cube.stl", CUBE * 100.0, CUBE_TRIS)
    code, _out, _err = run(ext, capfd, "check", stl, "--build-volume", 90, 90, 90, "--report", tmp_path / "r.json")
    assert code == 3
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["thresholds"]["build_volume_mm"] == [90.0, 90.0, 90.0]
    code, _out, _err = run(ext, capfd, "check", stl, "--overhang", 30, "--report", tmp_path / "r2.json")
    assert code == 0
    assert json.loads((tmp_path / "r2.json").read_text())["thresholds"]["overhang_deg"] == 30.0


def test_obj_and_glb_inputs(ext, scene, tmp_path, capfd):
    obj = tmp_path / "cube.obj"
    lines = [f"v {x * 10} {y * 10} {z * 10}" for x, y, z in CUBE]
    lines += ["f " + " ".join(str(i + 1) for i in tri) for tri in CUBE_TRIS]
    obj.write_text("\n".join(lines) + "\n")
    code, _out, err = run(ext, capfd, "check", obj, "--report", tmp_path / "o.json")
    assert code == 0, err
    # OBJ is Y-up on import; the size is what matters
    assert sorted(json.loads((tmp_path / "o.json").read_text())["bbox_mm"]) == pytest.approx([10.0] * 3)

    from images import gradient

    glb = tmp_path / "relief.glb"
    code, _out, err = run(ext, capfd, "relief", gradient(tmp_path / "g.png"), "-o", glb, "--width", 30,
                          "--sample-mm", 0.5)
    assert code == 0, err
    code, _out, err = run(ext, capfd, "check", glb, "--report", tmp_path / "g.json")
    assert code == 0, err
    report = json.loads((tmp_path / "g.json").read_text())
    assert report["bbox_mm"][0] == pytest.approx(30.0, abs=1e-3)  # glTF metres back to mm


@pytest.mark.parametrize("name,content,message", [
    ("missing.stl", None, "not found"),
    ("empty.stl", b"", "empty"),
    ("junk.stl", b"solid junk\n this is not an stl at all\nendsolid\n", "cannot read"),
    ("random.stl", bytes(range(256)) * 3, "cannot read"),
    ("notes.txt", b"hello", "unsupported mesh format"),
])
def test_unreadable_mesh_exits_1_with_one_line(ext, scene, tmp_path, capfd, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = datablock_counts()
    code, _out, err = run(ext, capfd, "check", path)
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], err
    assert datablock_counts() == before


def test_truncated_stl_exits_1(ext, scene, tmp_path, capfd):
    stl = write_stl(tmp_path / "cube.stl", CUBE * 10, CUBE_TRIS)
    data = open(stl, "rb").read()
    (tmp_path / "cut.stl").write_bytes(data[:200])
    code, _out, err = run(ext, capfd, "check", tmp_path / "cut.stl")
    assert code == 1, err
    assert "cannot read cut.stl" in err and err.count("\n") == 1


def test_thin_plate_and_narrow_wall_are_found(ext, scene, tmp_path, capfd):
    plate = CUBE * np.array([20.0, 20.0, 0.5])  # 0.5 mm: thinner than a 0.8 mm wall, wider than the nozzle
    stl = write_stl(tmp_path / "plate.stl", plate, CUBE_TRIS)
    code, _out, err = run(ext, capfd, "check", stl, "--report", tmp_path / "r.json")
    assert code == 0, err  # thin walls are a warning, not a blocking failure
    checks = json.loads((tmp_path / "r.json").read_text())["checks"]
    assert checks["thin_faces"] == 4  # the two triangles on top and the two below
    assert checks["narrow_faces"] == 0
    foil = CUBE * np.array([20.0, 20.0, 0.2])
    stl = write_stl(tmp_path / "foil.stl", foil, CUBE_TRIS)
    run(ext, capfd, "check", stl, "--report", tmp_path / "f.json")
    checks = json.loads((tmp_path / "f.json").read_text())["checks"]
    assert checks["thin_faces"] == 4 and checks["narrow_faces"] == 4
    code, _out, _err = run(ext, capfd, "check", stl, "--min-thickness", 0.1, "--report", tmp_path / "g.json")
    assert json.loads((tmp_path / "g.json").read_text())["checks"]["thin_faces"] == 0


def test_thick_cube_and_relief_have_no_thin_walls(ext, scene, tmp_path, capfd):
    stl = write_stl(tmp_path / "cube.stl", CUBE * 5.0, CUBE_TRIS)
    run(ext, capfd, "check", stl, "--report", tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text())["checks"]["thin_faces"] == 0
    assert "wall probe" not in " ".join(o.name for o in bpy.data.objects)
    assert not [g for g in bpy.data.node_groups if "wall thickness" in g.name]


def test_toolbox_runner_says_why_it_is_unavailable(ext, scene):
    """Without Blender's 3D-Print Toolbox the button is grey with a reason, and nothing crashes."""
    bpy.ops.mesh.primitive_cube_add(size=2)
    assert ext.operators.toolbox.find_toolbox() is None
    assert not bpy.ops.image_to_print.toolbox_check.poll()
    with pytest.raises(ext.core.errors.ImageToPrintError, match="not installed"):
        thresholds = ext.operators.check.thresholds_from_scene(scene)
        ext.operators.toolbox.run_toolbox(bpy.context, bpy.context.active_object, thresholds)
    assert len(bpy.data.objects) == 1 and len(bpy.data.meshes) == 1


def test_failing_check_selects_its_edges_in_edit_mode(ext, scene):
    import bmesh

    me = bpy.data.meshes.new("open")
    me.from_pydata([tuple(v) for v in CUBE * 0.01], [], [tuple(f) for f in CUBE_TRIS[1:]])
    me.update()
    obj = bpy.data.objects.new("open", me)
    scene.collection.objects.link(obj)
    ext.operators.blender_mesh.select_only(bpy.context, obj)
    assert bpy.ops.image_to_print.check() == {'FINISHED'}
    assert ext.operators.check.RESULTS["open"]["checks"]["non_manifold_edges"] == 3
    assert bpy.ops.image_to_print.select_check(object_name="open", check="non_manifold_edges") == {'FINISHED'}
    assert bpy.context.mode == 'EDIT_MESH'
    bm = bmesh.from_edit_mesh(obj.data)
    selected = sorted(tuple(sorted(v.index for v in e.verts)) for e in bm.edges if e.select)
    assert selected == [(0, 1), (0, 2), (1, 2)]  # the rim of the missing triangle
    bpy.ops.object.mode_set(mode='OBJECT')
    with pytest.raises(RuntimeError, match="out of date"):
        bpy.ops.image_to_print.select_check(object_name="open", check="sharp_edges")


def _object(scene, name, co, tris):
    me = bpy.data.meshes.new(name)
    me.from_pydata([tuple(v) for v in co], [], [tuple(t) for t in tris])
    me.update()
    obj = bpy.data.objects.new(name, me)
    scene.collection.objects.link(obj)
    return obj


def test_export_refuses_a_blocking_failure_unless_forced(ext, scene, tmp_path):
    from judges import prusa_info

    obj = _object(scene, "holey", CUBE * 0.01, CUBE_TRIS[1:])
    ext.operators.blender_mesh.select_only(bpy.context, obj)
    out = tmp_path / "holey.stl"
    with pytest.raises(RuntimeError, match="not exported.*non_manifold_edges"):
        bpy.ops.image_to_print.export(filepath=str(out), file_format='STL')
    assert not out.exists() and not list(tmp_path.iterdir())
    assert bpy.ops.image_to_print.export(filepath=str(out), file_format='STL', force=True) == {'FINISHED'}
    assert prusa_info(out)["manifold"] == "no"


def test_export_several_objects_to_one_3mf_or_one_file_each(ext, scene, tmp_path):
    from core_3mf import read_3mf
    from judges import prusa_info

    a = _object(scene, "A", CUBE * 0.01, CUBE_TRIS)
    b = _object(scene, "B", CUBE * 0.02 + [0.05, 0, 0], CUBE_TRIS)
    ext.operators.blender_mesh.select_only(bpy.context, a)
    b.select_set(True)
    out = tmp_path / "both.3mf"
    assert bpy.ops.image_to_print.export(filepath=str(out), file_format='3MF') == {'FINISHED'}
    objects = read_3mf(str(out))
    assert sorted(o["name"] for o in objects) == ["A", "B"]
    sizes = sorted(float((o["vertices"].max(0) - o["vertices"].min(0))[0]) for o in objects)
    assert sizes == pytest.approx([10.0, 20.0])
    assert prusa_info(out)["manifold"] == "yes"
    assert bpy.ops.image_to_print.export(filepath=str(tmp_path / "x.stl"), file_format='STL',
                                         batch='EACH') == {'FINISHED'}
    assert sorted(p.name for p in tmp_path.glob("*.stl")) == ["untitled-A.stl", "untitled-B.stl"]
    assert float(prusa_info(tmp_path / "untitled-B.stl")["size_x"]) == pytest.approx(20.0)


def test_export_never_writes_over_the_image_an_object_was_made_from(ext, scene, tmp_path):
    """A traced design's source image given as the export path (an image named .stl): refused in one
    line, the image untouched, nothing written."""
    from images import ring_and_island

    image = tmp_path / "logo.stl"
    image.write_bytes(open(ring_and_island(tmp_path / "logo.png"), "rb").read())
    assert bpy.ops.image_to_print.trace(filepath=str(image), mode='PLATE', width_mm=30.0) == {'FINISHED'}
    before = image.read_bytes()
    with pytest.raises(RuntimeError, match="is the input file"):
        bpy.ops.image_to_print.export(filepath=str(image), file_format='STL')
    assert image.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["logo.png", "logo.stl"]


def test_export_refuses_a_file_the_scene_reads_before_any_check(ext, scene, tmp_path, monkeypatch):
    """An image the blend uses (here a texture named .stl) as the export path: refused at once, before
    the checks run; the file untouched."""
    from PIL import Image

    texture = tmp_path / "texture.stl"
    Image.new("L", (4, 4), 128).save(texture, format="PNG")
    bpy.data.images.load(str(texture))
    ext.operators.blender_mesh.select_only(bpy.context, _object(scene, "cube", CUBE * 0.01, CUBE_TRIS))
    before = texture.read_bytes()

    def no_checks(*args, **kwargs):
        raise AssertionError("the checks ran before the paths were checked")

    monkeypatch.setattr(ext.operators.check, "check_steps", no_checks)
    with pytest.raises(RuntimeError, match="texture.stl is the input file"):
        bpy.ops.image_to_print.export(filepath=str(texture), file_format='STL')
    assert texture.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["texture.stl"]


def test_object_without_faces_and_non_finite_coordinates(ext, scene):
    empty = _object(scene, "points", CUBE * 0.01, [])
    with pytest.raises(ext.core.errors.ImageToPrintError, match="no faces"):
        ext.operators.check.check_object(bpy.context, empty)
    broken_co = CUBE * 0.01
    broken_co[6] = [float("nan"), 0, 0]
    broken = _object(scene, "nan", broken_co, CUBE_TRIS)
    report = ext.operators.check.check_object(bpy.context, broken)
    assert "non_finite_coordinates" in report["blocking"] and not report["printable"]


def test_corrupt_glb_exits_1(ext, scene, tmp_path, capfd):
    (tmp_path / "bad.glb").write_bytes(b"glTF\x02\x00\x00\x00" + b"\x00" * 40)
    code, _out, err = run(ext, capfd, "check", tmp_path / "bad.glb")
    assert code == 1 and "cannot read bad.glb" in err and err.count("\n") == 1
