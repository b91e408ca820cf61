# SPDX-License-Identifier: GPL-3.0-or-later
"""The trace-and-extrude route through bpy.ops.image_to_print.trace, in real Blender."""

import bpy
import numpy as np
import pytest
from conftest import CLOSED, MODULE, solid_checks
from images import blank, letter_l, ring_and_island, two_colours


def trace(path, **kw):
    result = bpy.ops.image_to_print.trace(filepath=str(path), **kw)
    assert result == {'FINISHED'}
    parts = [o for o in bpy.context.selected_objects if o is not None]
    return {o["image_to_print"]["role"] + (o.name[-1] if o["image_to_print"]["role"] == "layer" else ""): o
            for o in parts}


def check(ext, obj):
    report = ext.operators.check.check_object(bpy.context, obj)
    report["bbox_max_mm"] = [a + b for a, b in zip(report["bbox_min_mm"], report["bbox_mm"])]
    return report


def vertices_mm(ext, obj):
    context = bpy.context
    mm = 1.0 / ext.operators.blender_mesh.units_per_mm(context.scene)
    return ext.operators.blender_mesh.evaluated_arrays(obj, context.evaluated_depsgraph_get(), mm)["co"]


def spline_bounds(obj, index):
    """(width, height) in scene units of one spline, the curve itself (not its control points)."""
    import importlib

    loops = importlib.import_module(f"{MODULE}.core.trace.loops")
    bp = obj.data.splines[index].bezier_points
    loop = np.array([[p.handle_left[:2], p.co[:2], p.handle_right[:2]] for p in bp])
    poly = loops.flatten(loop, 64)
    return poly.max(axis=0) - poly.min(axis=0)


def test_plate_is_editable_curves_watertight_sized_and_on_the_bed(ext, scene, tmp_path):
    parts = trace(ring_and_island(tmp_path / "r.png"), mode='PLATE', width_mm=50.0,
                  height_mm=3.0, base_mm=0.0)
    assert set(parts) == {"design"}
    obj = parts["design"]
    cu = obj.data
    assert obj.type == 'CURVE' and cu.dimensions == '2D'
    assert len(cu.splines) == 4  # ring outline, ring hole, the dot in the hole, the bar
    assert all(s.type == 'BEZIER' and s.use_cyclic_u for s in cu.splines)
    assert [m.type for m in obj.modifiers] == ['NODES']  # fill, extrude, close: a live modifier
    report = check(ext, obj)
    assert solid_checks(report["checks"]) == CLOSED
    assert report["printable"]
    assert report["bbox_mm"][0] == pytest.approx(50.0, abs=0.02)  # the design's own width
    assert report["bbox_min_mm"][2] == pytest.approx(0.0, abs=1e-5)  # on the bed, though curves extrude both ways
    assert report["bbox_mm"][2] == pytest.approx(3.0, abs=1e-5)
    # volume = traced ink area x height; the bitmap's ink area at 50 mm / 160 px
    y, x = np.mgrid[0:200, 0:200]
    r = np.hypot(x - 80 + 0.5, y - 100 + 0.5)
    ink = ((r < 60) & (r > 35)) | (r < 15) | ((x >= 160) & (x < 180) & (y >= 40) & (y < 160))
    area = ink.sum() * (50.0 / 160) ** 2
    assert report["volume_mm3"] == pytest.approx(area * 3.0, rel=0.01)
    warnings = list(obj["image_to_print"]["warnings"])
    assert any("2 pieces are not attached" in w for w in warnings), warnings


def test_height_stays_live_and_splines_stay_editable(ext, scene, tmp_path):
    obj = trace(letter_l(tmp_path / "l.png"), mode='PLATE', width_mm=30.0, height_mm=2.0,
                base_mm=0.0)["design"]
    solid = obj.modifiers[0]
    assert ext.operators.compat.node_input_get(solid, "Height") == pytest.approx(0.002)
    ext.operators.compat.node_input_set(solid, "Height", 0.005)  # 5 mm in a metre scene
    obj.update_tag()
    report = check(ext, obj)
    assert report["bbox_mm"][2] == pytest.approx(5.0, abs=1e-5) and solid_checks(report["checks"]) == CLOSED
    before = report["volume_mm3"]
    for point in obj.data.splines[0].bezier_points:  # scale the outline in edit data: the solid follows
        point.co.x *= 0.5
        point.handle_left.x *= 0.5
        point.handle_right.x *= 0.5
    obj.data.update_tag()
    report = check(ext, obj)
    assert report["volume_mm3"] == pytest.approx(before / 2, rel=1e-3)
    assert solid_checks(report["checks"]) == CLOSED


def test_keychain_has_a_round_hole_in_its_plate_and_the_design_on_top(ext, scene, tmp_path):
    parts = trace(ring_and_island(tmp_path / "r.png"), mode='KEYCHAIN', width_mm=40.0,
                  height_mm=1.5, base_mm=2.0, margin_mm=2.0, hole_mm=4.0,
                  hole_position='LEFT')
    assert set(parts) == {"design", "base"}
    base, design = parts["base"], parts["design"]
    assert len(base.data.splines) == 2  # the plate's outline and the keyring hole
    hole = min(range(2), key=lambda i: spline_bounds(base, i)[0])
    assert spline_bounds(base, hole) == pytest.approx([0.004, 0.004], abs=0.0002)  # 4 mm in a metre scene
    for obj in (base, design):
        report = check(ext, obj)
        assert solid_checks(report["checks"]) == CLOSED, obj.name
    rb, rd = check(ext, base), check(ext, design)
    assert rb["bbox_min_mm"][2] == pytest.approx(0.0, abs=1e-5) and rb["bbox_mm"][2] == pytest.approx(2.0, abs=1e-5)
    assert rd["bbox_max_mm"][2] == pytest.approx(3.5, abs=1e-5)  # base + height
    assert rd["bbox_min_mm"][2] < 2.0  # reaches into the plate: one piece when sliced
    assert rd["bbox_mm"][0] == pytest.approx(40.0, abs=0.02)
    # the hole is left of the design, on the plate
    hx = np.array([p.co.x for p in base.data.splines[hole].bezier_points]).mean() + base.location.x
    assert hx * 1000 < rd["bbox_min_mm"][0]
    assert not [w for w in design["image_to_print"]["warnings"] if "fall out" in w]


def test_cookie_cutter_wall_and_flange_have_the_asked_thickness(ext, scene, tmp_path):
    parts = trace(letter_l(tmp_path / "l.png"), mode='CUTTER', width_mm=70.0, height_mm=12.0,
                  wall_mm=1.0, flange_mm=5.0, flange_thickness_mm=2.0)
    assert set(parts) == {"blade", "flange"}
    blade, flange = parts["blade"], parts["flange"]
    assert len(blade.data.splines) == 2 and len(flange.data.splines) == 2
    widths = sorted(spline_bounds(blade, i)[0] * 1000 for i in range(2))
    assert widths[0] == pytest.approx(70.0, abs=0.1)  # the inner face hugs the design's outline
    assert widths[1] == pytest.approx(72.0, abs=0.1)  # one 1 mm wall each side
    outer = max(spline_bounds(flange, i)[0] * 1000 for i in range(2))
    assert outer == pytest.approx(82.0, abs=0.6)  # the flange is shaped on a grid of (wall + flange) / 12
    rb, rf = check(ext, blade), check(ext, flange)
    assert solid_checks(rb["checks"]) == CLOSED and solid_checks(rf["checks"]) == CLOSED
    assert rb["bbox_mm"][2] == pytest.approx(12.0, abs=1e-5) and rf["bbox_mm"][2] == pytest.approx(2.0, abs=1e-5)
    assert rb["bbox_min_mm"][2] == pytest.approx(0.0, abs=1e-5)


def test_stamp_is_mirrored_on_a_block(ext, scene, tmp_path):
    parts = trace(letter_l(tmp_path / "l.png"), mode='STAMP', width_mm=35.0, height_mm=2.0,
                  base_mm=5.0, base_shape='RECTANGLE', margin_mm=3.0)
    assert set(parts) == {"design", "base"}
    co = vertices_mm(ext, parts["design"])
    top = co[co[:, 1] > co[:, 1].max() - 5.0]  # the L's upright, far from its foot
    middle = (co[:, 0].min() + co[:, 0].max()) / 2
    assert top[:, 0].min() > middle  # the upright is on the right: mirrored
    rb = check(ext, parts["base"])
    assert rb["bbox_mm"][0] == pytest.approx(41.0, abs=0.1)  # 35 + 2 x 3 mm margin
    assert rb["bbox_mm"][2] == pytest.approx(5.0, abs=1e-5)
    assert check(ext, parts["design"])["bbox_max_mm"][2] == pytest.approx(7.0, abs=1e-5)


def test_multi_colour_makes_one_object_per_colour_at_its_own_height(ext, scene, tmp_path):
    parts = trace(two_colours(tmp_path / "c.png"), mode='MULTI', colours=2, width_mm=60.0,
                  height_mm=3.0, base_mm=1.0)
    assert set(parts) == {"base", "layer1", "layer2"}
    first, second = parts["layer1"], parts["layer2"]
    c1 = first.data.materials[0].diffuse_color
    c2 = second.data.materials[0].diffuse_color
    assert c1[2] > 0.6 and c1[0] < 0.3  # blue: the darker colour stands tallest
    assert c2[0] > 0.6 and c2[2] < 0.3  # red
    r1, r2 = check(ext, first), check(ext, second)
    assert r1["bbox_max_mm"][2] == pytest.approx(4.0, abs=1e-5)
    assert r2["bbox_max_mm"][2] == pytest.approx(2.5, abs=1e-5)
    assert len(first.data.splines) == 1 and len(second.data.splines) == 1
    assert solid_checks(r1["checks"]) == CLOSED and solid_checks(r2["checks"]) == CLOSED


def test_sizes_are_millimetres_whatever_the_scene_units(ext, scene, tmp_path):
    scene.unit_settings.system = 'METRIC'
    scene.unit_settings.scale_length = 0.001
    parts = trace(letter_l(tmp_path / "l.png"), mode='PLATE', width_mm=30.0, height_mm=2.0,
                  base_mm=0.0)
    obj = parts["design"]
    assert obj.dimensions.x == pytest.approx(30.0, abs=0.02)  # one unit is a millimetre here
    assert check(ext, obj)["bbox_mm"][0] == pytest.approx(30.0, abs=0.02)


def counts():
    return {n: len(getattr(bpy.data, n)) for n in ("objects", "curves", "materials", "collections", "node_groups")}


@pytest.mark.parametrize("make, message", [
    (lambda p: blank(p / "w.png"), "nothing to trace"),
    (lambda p: blank(p / "k.png", value=0), "whole image"),
    (lambda p: (p / "x.png").write_bytes(b"not a png") and str(p / "x.png"), "not an image"),
])
def test_bad_input_is_refused_and_leaves_nothing(ext, scene, tmp_path, make, message, capsys):
    path = make(tmp_path)
    before = counts()
    with pytest.raises(RuntimeError, match=message):
        bpy.ops.image_to_print.trace(filepath=str(path))
    assert counts() == before


def test_preview_shows_the_binarised_image_and_follows_the_threshold(ext, scene, tmp_path):
    import importlib

    from ext_preview import preview_pixels

    preview = importlib.import_module(ext.__name__ + ".ui.trace_preview")
    settings = scene.image_to_print.trace
    settings.image_path = str(ring_and_island(tmp_path / "r.png"))
    settings.auto_threshold = False
    settings.threshold = 0.5
    info = preview.refresh(settings)
    assert "ink" in info
    pixels, size = preview_pixels(ext)
    assert tuple(size) == (200, 200)
    dark = (pixels[..., 0] < 0.5).mean()
    settings.invert = True
    preview.refresh(settings)
    pixels, _ = preview_pixels(ext)
    assert (pixels[..., 0] < 0.5).mean() == pytest.approx(1.0 - dark, abs=1e-6)


def test_a_failure_after_the_build_takes_back_every_part(ext, scene, tmp_path):
    """The command line's cleanup: curves, materials, the shared solid node group and the collection go too."""
    from conftest import datablock_counts

    before = datablock_counts()
    parts = trace(two_colours(tmp_path / "c.png"), mode='MULTI', colours=2, width_mm=60.0, height_mm=3.0,
                  base_mm=1.0)
    made = {k: v - before[k] for k, v in datablock_counts().items()}
    assert made["objects"] == len(parts) == 3 and made["curves"] == 3 and made["collections"] == 1
    assert made["node_groups"] == 1 and made["materials"] == 3
    with pytest.raises(KeyboardInterrupt):
        with ext.operators.blender_mesh.removed_on_failure(list(parts.values())):
            raise KeyboardInterrupt
    assert datablock_counts() == before
