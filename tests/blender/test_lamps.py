# SPDX-License-Identifier: GPL-3.0-or-later
"""Lithophane lamps in real Blender: cylinder and sphere shades, live, closed, at the asked diameter, judged
by admesh and PrusaSlicer, the right way round from outside, with the backlit material and preview."""

import json
import math

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import CLOSED, solid_checks
from judges import admesh, prusa_info
from PIL import Image
from shade_reading import reads


def gamma_png(path, w=160, h=80):
    """A dark 'Γ' on light grey: no turn round the axis makes it its own mirror."""
    grey = np.full((h, w), 230, np.uint8)
    grey[8:72, 30:50] = 15
    grey[8:26, 50:110] = 15
    Image.fromarray(grey).save(path)
    return path, grey


@pytest.mark.parametrize("shape", ["cylinder", "sphere"])
def test_a_shade_is_manifold_at_the_asked_diameter_for_admesh_and_prusaslicer(ext, scene, tmp_path, capfd, shape):
    path, _grey = gamma_png(tmp_path / "g.png")
    stl, rep = tmp_path / f"{shape}.stl", tmp_path / "r.json"
    extra = ["--height", 50, "--lip", 40] if shape == "cylinder" else ["--opening", 30]
    code, out, err = run(ext, capfd, "relief", path, "-o", stl, "--preset", f"{shape}-lamp", "--diameter", 70,
                         "--sample-mm", 0.6, *extra, "--report", rep)
    assert code == 0, err
    report = json.loads(rep.read_text())
    assert report["printable"] and solid_checks(report["checks"]) == CLOSED
    assert report["bbox_min_mm"][2] == pytest.approx(0.0, abs=1e-4)
    if shape == "cylinder":  # the rims are at the thickest, all round
        assert report["bbox_mm"][0] == pytest.approx(70.0, abs=0.01)
        assert report["bbox_mm"][1] == pytest.approx(70.0, abs=0.01)
        assert report["bbox_mm"][2] == pytest.approx(50.0, abs=1e-3)
    else:  # the light image is thinner than the thickest wall, the stand band at it
        assert 66.0 < report["bbox_mm"][0] <= 70.0 + 1e-3
        top = 35.0 + math.sqrt(32.0 ** 2 - 15.0 ** 2)  # the pole, over the ring round a 30 mm opening
        assert top - 2.2 < report["bbox_mm"][2] <= top + 1e-3
    am = admesh(stl)
    assert am["disconnected_facets"] == 0 and am["facets"] == report["triangles"]
    info = prusa_info(stl)
    assert info["manifold"] == "yes"
    assert float(info["size_x"]) == pytest.approx(report["bbox_mm"][0], abs=0.01)


def evaluated_top(ext, obj):
    n_top = sum(1 for v in obj.data.vertices if v.groups)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    mm = 1.0 / ext.operators.blender_mesh.units_per_mm(bpy.context.scene)
    co = np.array([v.co[:] for v in obj.evaluated_get(depsgraph).data.vertices]) * mm
    return co[:n_top], co[n_top:]


@pytest.mark.parametrize("shape", ["CYLINDER", "SPHERE"])
def test_a_live_shade_reads_the_right_way_round_from_outside(ext, scene, tmp_path, shape):
    path, grey = gamma_png(tmp_path / "g.png")
    kw = dict(mode='LITHOPHANE', shape=shape, diameter_mm=60.0, sample_mm=0.8, smoothing=0.0,
              rim_mm=0.0 if shape == "CYLINDER" else 3.0)
    for inside in (False, True):
        assert bpy.ops.image_to_print.relief(filepath=str(path), inside_view=inside, **kw) == {'FINISHED'}
        obj = bpy.context.view_layer.objects.active
        disp = obj.modifiers["Relief"]
        assert disp.direction == 'RGB_TO_XYZ' and len(obj.modifiers) == 1  # live, and nothing else to apply
        s = ext.core.settings.ReliefSettings(**{k: v for k, v in kw.items()}, inside_view=inside)
        plan = ext.core.relief.plan_relief(ext.core.image.load_image(str(path)), s)
        top, inner = evaluated_top(ext, obj)
        centre = None if shape == "CYLINDER" else inner[:, 2].max() - 27.0  # the inside pole: r_in up
        seen = reads(top, plan.lamp, 255.0 - grey, centre)
        if inside:
            assert seen["mirrored"] > 0.9 and seen["straight"] < 0.6, seen
        else:
            assert seen["straight"] > 0.9 and seen["mirrored"] < 0.6, seen
        # every outside vertex is where the plan puts it: base + depth * t along its direction
        r = np.hypot(top[:, 0], top[:, 1]) if shape == "CYLINDER" else None
        if r is not None:
            wall = r - (30.0 - 3.0)
            assert wall.min() >= 0.8 - 1e-3 and wall.max() <= 3.0 + 1e-3
            assert abs(np.sort(wall)[-20:].mean() - (0.8 + 2.2 * plan.t.max())) < 0.01


def test_halving_the_strength_halves_the_relief_of_a_cylinder(ext, scene, tmp_path):
    path, _grey = gamma_png(tmp_path / "g.png")
    assert bpy.ops.image_to_print.relief(filepath=str(path), mode='LITHOPHANE', shape='CYLINDER',
                                         diameter_mm=60.0, sample_mm=0.8, rim_mm=0.0) == {'FINISHED'}
    obj = bpy.context.view_layer.objects.active
    top, _ = evaluated_top(ext, obj)
    before = np.hypot(top[:, 0], top[:, 1]) - 27.8
    obj.modifiers["Relief"].strength /= 2
    top, _ = evaluated_top(ext, obj)
    after = np.hypot(top[:, 0], top[:, 1]) - 27.8
    assert np.allclose(after, before / 2, atol=1e-3)


def test_a_lithophane_shows_its_light_in_the_viewport_and_follows_the_depth(ext, scene, tmp_path):
    path, _grey = gamma_png(tmp_path / "g.png")
    assert bpy.ops.image_to_print.relief(filepath=str(path), mode='LITHOPHANE', shape='CYLINDER',
                                         diameter_mm=60.0, sample_mm=0.8, transmittance_1mm=0.4) == {'FINISHED'}
    obj = bpy.context.view_layer.objects.active
    mat = obj.data.materials[0]
    assert mat.name.endswith("Backlit")
    nodes = mat.node_tree.nodes
    out = next(n for n in nodes if n.type == 'OUTPUT_MATERIAL')
    assert out.inputs['Surface'].links[0].from_node.type == 'EMISSION'
    power = next(n for n in nodes if n.type == 'MATH' and n.operation == 'POWER')
    assert power.inputs[0].default_value == pytest.approx(0.4)
    depth = next(n for n in nodes if n.type == 'VALUE')
    bpy.context.view_layer.update()
    assert depth.outputs[0].default_value == pytest.approx(2.2, abs=1e-4)  # mm, whatever the scene's unit
    obj.modifiers["Relief"].strength *= 0.5
    bpy.context.view_layer.update()
    assert depth.outputs[0].default_value == pytest.approx(1.1, abs=1e-4)
    backlit = bpy.data.images[obj["image_to_print_backlit"]]
    s = ext.core.settings.ReliefSettings(mode="LITHOPHANE", shape="CYLINDER", diameter_mm=60.0, sample_mm=0.8)
    plan = ext.core.relief.plan_relief(ext.core.image.load_image(str(path)), s)
    assert tuple(backlit.size) == (plan.cols, plan.rows)  # what the panel shows: one pixel a sample
    assert obj.data.materials[1].name == obj.name  # the image's colours stay at hand in the second slot


def test_a_shade_preview_is_the_image_unrolled_lit_from_behind(ext, scene, tmp_path, capfd):
    path, grey = gamma_png(tmp_path / "g.png")
    preview, stl = tmp_path / "lit.png", tmp_path / "c.stl"
    code, out, err = run(ext, capfd, "relief", path, "-o", stl, "--preset", "cylinder-lamp", "--diameter", 60,
                         "--sample-mm", 0.8, "--rim", 0, "--preview", preview)
    assert code == 0, err
    lit = np.asarray(Image.open(preview).convert("L"), float)
    small = np.asarray(Image.fromarray(grey).resize(lit.shape[::-1]), float)
    assert np.corrcoef(lit.ravel(), small.ravel())[0, 1] > 0.95  # light where the image is light, unmirrored
