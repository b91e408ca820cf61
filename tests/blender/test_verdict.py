# SPDX-License-Identifier: GPL-3.0-or-later
"""One verdict: what a route's command says about printability is what ``check`` says about the file
it wrote, for every relief, trace and AI mode; and the relief's height-field checks are the generic ones."""

from __future__ import annotations

import importlib
import json
import os

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import ROOT
from core_3mf import read_3mf
from images import letter_l, ring_and_island, ring_rgba, two_colours
from PIL import Image, ImageDraw

SAMPLE = os.path.join(ROOT, "samples", "sunflower.png")
AGREE = ("non_manifold_edges", "bad_contiguous_edges", "intersecting_faces", "shells", "floating_shells",
         "non_manifold_vertices", "inside_out", "outside_build_volume")


def two_pieces(path, n=200):
    """Two separate shapes of different sizes on white (the mirrored back of the smaller one is thinner)."""
    im = Image.new("RGB", (n, n), "white")
    d = ImageDraw.Draw(im)
    d.ellipse((n // 10, n // 2, n * 9 // 20, n * 19 // 20), fill=(120, 60, 30))
    d.ellipse((n * 3 // 5, n // 5, n * 9 // 10, n // 2), fill=(40, 90, 160))
    im.save(path)
    return path


def route_then_check(ext, capfd, tmp_path, *argv):
    stl, rep, checked = tmp_path / "out.stl", tmp_path / "route.json", tmp_path / "check.json"
    code, out, err = run(ext, capfd, *argv, "-o", stl, "--report", rep)
    route = json.loads(rep.read_text())
    code_check, out_check, err_check = run(ext, capfd, "check", stl, "--report", checked)
    return (code, route, out + err), (code_check, json.loads(checked.read_text()), out_check + err_check)


CASES = {
    "relief": lambda p: ["relief", SAMPLE, "--width", 60, "--sample-mm", 0.4],
    "relief-native": lambda p: ["relief", ring_and_island(p / "ri.png", 80), "--native", "--width", 40],
    "relief-adaptive": lambda p: ["relief", SAMPLE, "--width", 60, "--sample-mm", 0.4, "--adaptive"],
    "lithophane": lambda p: ["relief", SAMPLE, "--preset", "lithophane", "--width", 60, "--sample-mm", 0.5],
    "curved-lithophane": lambda p: ["relief", SAMPLE, "--preset", "curved-lithophane", "--width", 60,
                                    "--sample-mm", 0.5],
    "cut-out": lambda p: ["relief", ring_rgba(p / "ring.png"), "--alpha", "cut", "--width", 40],
    "ai-flat": lambda p: ["ai", two_pieces(p / "two.png"), "--size", 60],
    "ai-symmetric": lambda p: ["ai", two_pieces(p / "two.png"), "--size", 60, "--symmetric"],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_route_says_what_check_says_of_its_file(ext, scene, tmp_path, capfd, case):
    (code, route, said), (code_check, checked, said_check) = route_then_check(ext, capfd, tmp_path,
                                                                              *CASES[case](tmp_path))
    assert code == code_check == 0, (said, said_check)
    assert route["printable"] and checked["printable"]
    assert route["blocking"] == checked["blocking"] == []
    assert route["triangles"] == checked["triangles"]
    for name in AGREE:
        assert route["checks"][name] == checked["checks"][name], name
    assert route["volume_mm3"] == pytest.approx(checked["volume_mm3"], rel=1e-4)
    assert route["bbox_mm"] == pytest.approx(checked["bbox_mm"], abs=1e-3)
    if case.startswith("ai"):
        # one solid: the smaller piece is left out, and the report says so; nothing floats
        assert route["checks"]["shells"] == 1 and route["checks"]["floating_shells"] == 0
        assert any(w.startswith("1 separate piece left out") for w in route["warnings"]), route["warnings"]


TRACES = {
    "plate": lambda p: ["trace", ring_and_island(p / "r.png"), "--mode", "plate", "--width", 50],
    "keychain": lambda p: ["trace", ring_and_island(p / "r.png"), "--mode", "keychain", "--width", 40],
    "cutter": lambda p: ["trace", letter_l(p / "l.png"), "--mode", "cutter", "--width", 60],
    "stamp": lambda p: ["trace", ring_and_island(p / "r.png"), "--mode", "stamp", "--width", 40],
}


def agree(part, checked):
    """A solid as the route reported it and ``check``'s report of the file holding it: the same verdict and
    the same counts, the wall-thickness warnings included (both cast the same rays on the same triangles)."""
    assert part["printable"] == checked["printable"] and part["blocking"] == checked["blocking"] == []
    assert part["triangles"] == checked["triangles"]
    for name in AGREE + ("thin_faces", "narrow_faces", "zero_length_edges"):
        assert part["checks"][name] == checked["checks"][name], name
    for name in ("zero_area_faces", "non_planar_faces"):  # a sliver at the threshold may cross it in float32 mm
        assert abs(part["checks"][name] - checked["checks"][name]) <= 1, name
    assert part["volume_mm3"] == pytest.approx(checked["volume_mm3"], rel=1e-4)
    assert part["bbox_mm"] == pytest.approx(checked["bbox_mm"], abs=1e-3)


@pytest.mark.parametrize("case", sorted(TRACES))
def test_a_traced_design_is_one_solid_and_check_agrees_with_the_route(ext, scene, tmp_path, capfd, case):
    """The parts of a design (plate and design, blade and flange, block and face) overlap on purpose: they
    are united before the verdict and the file, so the file holds one closed solid that check passes."""
    (code, route, said), (code_check, checked, said_check) = route_then_check(ext, capfd, tmp_path,
                                                                              *TRACES[case](tmp_path))
    assert code == code_check == 0, (said, said_check)
    assert "united into one solid" in said
    [part] = route["parts"]
    assert len(part["united"]) == 2 and part["union"] in ("MANIFOLD", "EXACT")
    assert checked["checks"]["shells"] == 1 and checked["checks"]["intersecting_faces"] == 0
    agree(part, checked)
    assert route["printable"] and route["outputs"] == [str(tmp_path / "out.stl")]


def test_multi_colour_writes_one_file_per_colour_and_check_agrees_with_each(ext, scene, tmp_path, capfd):
    """Each colour is printed in its own filament: an STL holds one object for a slicer, so each colour gets
    its own STL (never all merged into one), and a 3MF keeps them as separate objects of one file."""
    image = two_colours(tmp_path / "c.png")
    code, out, err = run(ext, capfd, "trace", image, "--mode", "multi", "--colours", 2, "--width", 60,
                         "-o", tmp_path / "c.stl", "-o", tmp_path / "c.3mf", "--report", tmp_path / "c.json")
    assert code == 0, err
    route = json.loads((tmp_path / "c.json").read_text())
    names = ["c-base.stl", "c-colour-1.stl", "c-colour-2.stl"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names + ["c.3mf", "c.json", "c.png"])
    assert route["outputs"] == [str(tmp_path / n) for n in names] + [str(tmp_path / "c.3mf")]
    assert "one solid each" in out and "(Colour 1, #" in out
    assert [p["object"] for p in route["parts"]] == ["c Base", "c Colour 1", "c Colour 2"]
    for name, part in zip(names, route["parts"]):
        code_check, _, _ = run(ext, capfd, "check", tmp_path / name, "--report", tmp_path / "one.json")
        assert code_check == 0
        agree(part, json.loads((tmp_path / "one.json").read_text()))
    objects = read_3mf(tmp_path / "c.3mf")  # one object per colour, each the very solid checked
    assert [o["name"] for o in objects] == [p["object"] for p in route["parts"]]
    assert [len(o["triangles"]) for o in objects] == [p["triangles"] for p in route["parts"]]
    assert route["triangles"] == sum(p["triangles"] for p in route["parts"])


def test_a_grid_relief_is_checked_as_a_height_field_with_the_generic_counts(ext, scene, tmp_path):
    bpy.ops.image_to_print.relief(filepath=str(SAMPLE), width_mm=60.0, sample_mm=0.3)
    obj = bpy.context.active_object
    rows, cols = obj["image_to_print"]["grid"]
    assert len(obj.data.vertices) == rows * cols + 2 * (rows + cols - 2) + 1 and cols == round(60 / 0.3) + 1
    check = ext.operators.check
    fast_elements, slow_elements = {}, {}
    fast = check.check_object(bpy.context, obj, elements=fast_elements)
    assert fast["method"] == "height field"
    # the same mesh in an object that does not say what it is: the generic checks run
    depsgraph = bpy.context.evaluated_depsgraph_get()
    plain = bpy.data.objects.new("plain", bpy.data.meshes.new_from_object(obj.evaluated_get(depsgraph)))
    plain.matrix_world = obj.matrix_world
    bpy.context.scene.collection.objects.link(plain)
    slow = check.check_object(bpy.context, plain, elements=slow_elements)
    assert "method" not in slow
    for name, value in slow["checks"].items():
        if name not in ("thin_faces", "narrow_faces"):
            assert fast["checks"][name] == value, name
            if name in slow_elements:
                assert np.array_equal(np.sort(fast_elements[name][1]), np.sort(slow_elements[name][1])), name
    for key in ("triangles", "vertices", "faces", "edges", "bbox_mm", "first_layer_area_mm2"):
        assert fast[key] == slow[key], key
    assert fast["volume_mm3"] == pytest.approx(slow["volume_mm3"], rel=1e-6)


@pytest.mark.parametrize("change", ["move_vertex", "rotate", "solidify"])
def test_an_edited_relief_is_checked_by_the_generic_checks(ext, scene, change):
    bpy.ops.image_to_print.relief(filepath=str(SAMPLE), width_mm=40.0, sample_mm=0.5)
    obj = bpy.context.active_object
    if change == "move_vertex":
        obj.data.vertices[50].co.x += 0.0003
    elif change == "rotate":
        obj.rotation_euler = (0.3, 0.0, 0.0)
    else:
        obj.modifiers.new("thicker", 'SOLIDIFY')
    report = ext.operators.check.check_object(bpy.context, obj)
    assert "method" not in report


def test_parts_too_big_to_unite_are_written_joined_and_check_agrees(ext, scene, tmp_path, capfd, monkeypatch):
    """Without Manifold and over Exact's limit, the parts are written as they are, overlapping: the route
    says NOT printable (intersecting faces), exactly as check of its STL does, and says why."""
    monkeypatch.setattr(ext.operators.compat, "has_manifold_boolean", lambda: False)
    monkeypatch.setattr(ext.operators.repair, "EXACT_MAX_TRIANGLES", 0)
    (code, route, said), (code_check, checked, said_check) = route_then_check(
        ext, capfd, tmp_path, "trace", ring_and_island(tmp_path / "r.png"), "--mode", "plate", "--width", 50)
    assert code == code_check == 3, (said, said_check)
    [part] = route["parts"]
    assert part["union"] == "JOINED" and "joined, not united" in said and "written as they are" in said
    assert route["blocking"] == checked["blocking"] and "intersecting_faces" in checked["blocking"]
    assert part["triangles"] == checked["triangles"]
    for name in AGREE:
        assert part["checks"][name] == checked["checks"][name], name


def test_long_slivers_get_a_tree_of_their_own_with_the_same_counts(ext, scene, monkeypatch):
    """A relief copied out as a plain mesh (its bottom a fan of long slivers) with three cubes through it:
    one through the bottom fan, one through the top and the bottom, one through a wall. The checks on split
    trees (the slivers apart) find exactly the faces and the walls one tree finds."""
    import bmesh
    from mathutils import Matrix

    bpy.ops.image_to_print.relief(filepath=str(SAMPLE), width_mm=40.0, sample_mm=0.5)
    relief = bpy.context.active_object
    depsgraph = bpy.context.evaluated_depsgraph_get()
    bm = bmesh.new()
    bm.from_mesh(relief.evaluated_get(depsgraph).data)
    co = np.array([v.co for v in bm.verts])
    (x0, y0, z0), (x1, y1, z1) = co.min(axis=0), co.max(axis=0)
    cx, cy, mm = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 40.0  # mm: one mm in object units
    for centre, size in (((cx, cy, z0), (2, 2, 2)), ((cx + 8 * mm, cy, (z0 + z1) / 2), (2, 2, 1.5 * (z1 - z0) / mm)),
                         ((x0, cy + 5 * mm, z0 + 0.4 * mm), (1, 1, 1))):
        scale = Matrix.Diagonal((size[0] * mm, size[1] * mm, size[2] * mm, 1.0))
        bmesh.ops.create_cube(bm, size=1.0, matrix=Matrix.Translation(centre) @ scale)
    me = bpy.data.meshes.new("crossed")
    bm.to_mesh(me)
    bm.free()
    obj = bpy.data.objects.new("crossed", me)
    obj.matrix_world = relief.matrix_world
    scene.collection.objects.link(obj)

    check = ext.operators.check
    arrays = ext.operators.blender_mesh.evaluated_arrays(obj, bpy.context.evaluated_depsgraph_get(), 1.0)
    meshcheck = importlib.import_module(ext.__name__ + ".core.meshcheck")
    split = meshcheck.long_triangles(arrays["co_bu"], arrays["tris"], check.SLIVER_FACTOR, check.SLIVER_MOST)
    rows, cols = relief["image_to_print"]["grid"]
    fan = np.flatnonzero((arrays["co_bu"][arrays["tris"], 2] == z0).all(axis=1))  # the bottom: one fan
    assert split is not None and len(fan) == 2 * (rows + cols - 2) and split[0][fan].all()
    apart, together = {}, {}
    report = check.check_object(bpy.context, obj, elements=apart)
    monkeypatch.setattr(check, "SLIVER_MOST", 0.0)  # every split refused: one tree
    one = check.check_object(bpy.context, obj, elements=together)
    assert report["checks"] == one["checks"] and report["checks"]["intersecting_faces"] > 0
    for name in ("intersecting_faces", "thin_faces", "narrow_faces"):
        assert np.array_equal(np.sort(apart[name][1]), np.sort(together[name][1])), name
    assert np.isin(arrays["tri_face"][fan], apart["intersecting_faces"][1]).any()  # the slivers' own pairs
    assert len(bpy.data.objects) == 2 and len(bpy.data.meshes) == 2  # the scratch object is gone
