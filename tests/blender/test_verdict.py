# SPDX-License-Identifier: GPL-3.0-or-later
"""One verdict: what a route's command says about printability is what ``check`` says about the file
it wrote, for every relief and AI mode; and the relief's height-field checks are the generic ones."""

from __future__ import annotations

import json
import os

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import ROOT
from images import ring_and_island, ring_rgba
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
        assert route["checks"]["shells"] == 2 and route["checks"]["floating_shells"] == 0  # both on the bed


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
