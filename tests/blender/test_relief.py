# SPDX-License-Identifier: GPL-3.0-or-later
"""The relief route through bpy.ops.image_to_print.relief, in real Blender."""

import math
import os

import bpy
import numpy as np
import pytest
from conftest import CLOSED, datablock_counts, solid_checks
from images import gradient, noise, ring_rgba, smooth


def evaluated(ext, obj):
    """Checks and world-space vertex arrays (mm) of the evaluated object."""
    context = bpy.context
    mm = 1.0 / ext.operators.blender_mesh.units_per_mm(context.scene)
    arrays = ext.operators.blender_mesh.evaluated_arrays(obj, context.evaluated_depsgraph_get(), mm)
    return ext.operators.check.check_object(context, obj), arrays


def plan_for(ext, path, **settings):
    from_core = ext.core.relief
    s = ext.core.settings.ReliefSettings(**settings)
    return from_core.plan_relief(ext.core.image.load_image(path), s)


def relief(path, **kw):
    result = bpy.ops.image_to_print.relief(filepath=str(path), **kw)
    assert result == {'FINISHED'}
    return bpy.context.view_layer.objects.active


def test_relief_is_closed_sized_in_mm_and_on_the_bed(ext, scene, tmp_path):
    path = gradient(tmp_path / "g.png", 80, 60)
    obj = relief(path, width_mm=40.0, sample_mm=0.5, base_mm=1.0, depth_mm=2.0, smoothing=0.0)
    report, arrays = evaluated(ext, obj)
    assert solid_checks(report["checks"]) == CLOSED
    assert report["printable"]
    cols, rows = 81, round(30.0 / 0.5) + 1
    ring = 2 * (cols - 1) + 2 * (rows - 1)
    assert len(arrays["co"]) == cols * rows + ring + 1
    assert report["triangles"] == 2 * (cols - 1) * (rows - 1) + 3 * ring
    assert report["bbox_mm"][0] == pytest.approx(40.0, abs=1e-3)
    assert report["bbox_mm"][1] == pytest.approx(30.0, abs=1e-3)
    assert report["bbox_mm"][2] == pytest.approx(3.0, abs=0.02)  # black column: base + depth
    assert report["bbox_min_mm"][2] == pytest.approx(0.0, abs=1e-6)


def test_live_displace_modifier_reads_a_packed_float_texture(ext, scene, tmp_path):
    obj = relief(gradient(tmp_path / "g.png"), width_mm=40.0, sample_mm=0.5, depth_mm=2.0, smoothing=0.0)
    disp = [m for m in obj.modifiers if m.type == 'DISPLACE']
    assert len(disp) == 1
    disp = disp[0]
    assert disp.direction == 'Z' and disp.texture_coords == 'UV' and disp.mid_level == 0.0
    assert disp.vertex_group == "Relief Top"
    assert disp.strength == pytest.approx(0.002)  # 2 mm in a metre-unit scene
    image = disp.texture.image
    assert image.is_float and image.packed_file is not None and image.colorspace_settings.is_data
    assert obj.active_material and obj.data.materials[0].node_tree


def test_every_top_vertex_lands_within_one_percent_of_depth(ext, scene, tmp_path):
    path = noise(tmp_path / "n.png", 64, 48)
    settings = dict(width_mm=32.0, sample_mm=0.5, base_mm=1.0, depth_mm=2.5, smoothing=1.0)
    obj = relief(path, **settings)
    plan = plan_for(ext, path, **settings)
    _report, arrays = evaluated(ext, obj)
    co = arrays["co"]
    top = co[: plan.rows * plan.cols]
    col = np.rint(top[:, 0] / plan.spacing_mm + (plan.cols - 1) / 2).astype(int)
    row = np.rint((plan.rows - 1) / 2 - top[:, 1] / plan.spacing_mm).astype(int)
    expected = plan.base_mm + plan.depth_mm * plan.t[row, col]
    error = np.abs(top[:, 2] - expected).max()
    assert error <= 0.01 * plan.depth_mm, error
    assert plan.t.std() > 0.05  # the noise really is displaced, not flat


def test_changing_the_modifier_strength_changes_the_depth(ext, scene, tmp_path):
    obj = relief(gradient(tmp_path / "g.png"), width_mm=40.0, sample_mm=0.5, base_mm=1.0, depth_mm=2.0,
                 smoothing=0.0)
    obj.modifiers["Relief"].strength *= 2.0
    report, _ = evaluated(ext, obj)
    assert report["bbox_mm"][2] == pytest.approx(1.0 + 4.0, abs=0.03)
    assert report["printable"]


@pytest.mark.parametrize("system,scale,unit", [("METRIC", 0.001, "MILLIMETERS"), ("NONE", 1.0, "METERS"),
                                               ("IMPERIAL", 1.0, "INCHES"), ("METRIC", 0.01, "CENTIMETERS")])
def test_size_in_mm_whatever_the_scene_units(ext, scene, tmp_path, system, scale, unit):
    scene.unit_settings.system = system
    scene.unit_settings.scale_length = scale
    if system != "NONE":
        scene.unit_settings.length_unit = unit
    obj = relief(gradient(tmp_path / "g.png"), width_mm=40.0, sample_mm=0.5, base_mm=1.0, depth_mm=2.0,
                 smoothing=0.0)
    report, _ = evaluated(ext, obj)
    assert report["bbox_mm"] == pytest.approx([40.0, 30.0, 3.0], abs=0.03)
    k = ext.operators.blender_mesh.units_per_mm(scene)
    assert obj.dimensions.x == pytest.approx(40.0 * k, rel=1e-4)


def test_lithophane_spans_min_to_max_thickness(ext, scene, tmp_path):
    obj = relief(gradient(tmp_path / "g.png"), mode='LITHOPHANE', width_mm=40.0, sample_mm=0.5,
                 min_thickness_mm=0.8, max_thickness_mm=3.0, smoothing=0.0)
    report, arrays = evaluated(ext, obj)
    assert report["printable"]
    top = arrays["co"][: 81 * 61]
    assert top[:, 2].min() == pytest.approx(0.8, abs=0.01)
    assert top[:, 2].max() == pytest.approx(3.0, abs=0.01)
    left = top[np.isclose(top[:, 0], -20.0), 2]  # black edge of the gradient: thickest
    assert left.min() == pytest.approx(3.0, abs=0.01)


def test_curved_lithophane_stands_up_and_stays_watertight(ext, scene, tmp_path):
    obj = relief(gradient(tmp_path / "g.png"), mode='LITHOPHANE', width_mm=60.0, sample_mm=1.0,
                 curve_angle=math.radians(120), smoothing=0.0)
    assert [m.type for m in obj.modifiers] == ['DISPLACE', 'SIMPLE_DEFORM']
    report, _ = evaluated(ext, obj)
    assert solid_checks(report["checks"]) == CLOSED
    assert report["bbox_min_mm"][2] == pytest.approx(0.0, abs=1e-4)
    assert report["bbox_mm"][2] == pytest.approx(45.0, abs=0.01)  # image height, standing
    # a 60 mm arc of 120 degrees: chord = 2 r sin(60°), r = 60 / (2π/3)
    r = 60.0 / (2 * math.pi / 3)
    assert report["bbox_mm"][0] == pytest.approx(2 * r * math.sin(math.pi / 3), abs=3.5)


def test_adaptive_mode_bounds_the_error_with_far_fewer_triangles(ext, scene, tmp_path):
    path = smooth(tmp_path / "dome.png", 256, 256)
    full = relief(path, width_mm=51.0, sample_mm=0.2, smoothing=0.0)
    full_tris = evaluated(ext, full)[0]["triangles"]
    obj = relief(path, width_mm=51.0, sample_mm=0.2, smoothing=0.0, adaptive=True, max_error_mm=0.02)
    report, _ = evaluated(ext, obj)
    assert report["printable"]
    assert report["triangles"] * 10 <= full_tris, (report["triangles"], full_tris)
    assert report["bbox_mm"] == pytest.approx(evaluated(ext, full)[0]["bbox_mm"], abs=1e-3)


def test_transparent_pixels_cut_out_of_the_solid(ext, scene, tmp_path):
    path = ring_rgba(tmp_path / "ring.png", 80, 80)
    kept = relief(path, width_mm=40.0, sample_mm=0.5, smoothing=0.0)
    cut = relief(path, width_mm=40.0, sample_mm=0.5, smoothing=0.0, alpha_mode='CUT')
    kept_report, _ = evaluated(ext, kept)
    cut_report, _ = evaluated(ext, cut)
    assert solid_checks(cut_report["checks"]) == CLOSED
    # the ring, not the square image around it, covers the bed; and it is as wide as asked (to half a sample)
    assert cut_report["first_layer_area_mm2"] < 0.75 * kept_report["first_layer_area_mm2"]
    assert cut_report["bbox_mm"][0] == pytest.approx(40.0, abs=0.25)
    assert kept_report["bbox_mm"][0] == pytest.approx(40.0, abs=1e-3)


def test_frame_and_hanging_hole_stay_printable(ext, scene, tmp_path):
    obj = relief(gradient(tmp_path / "g.png"), width_mm=40.0, sample_mm=0.5, frame_width_mm=3.0,
                 hole_diameter_mm=4.0, smoothing=0.0)
    report, _ = evaluated(ext, obj)
    assert report["printable"]
    assert report["bbox_mm"][0] == pytest.approx(40.0, abs=1e-3)
    assert report["bbox_mm"][1] > 30.0 + 2 * 3.0  # frame plus the tab above


def test_saved_file_keeps_the_height_texture(ext, scene, tmp_path):
    obj = relief(noise(tmp_path / "n.png"), width_mm=40.0, sample_mm=0.5)
    name = obj.name
    before = evaluated(ext, obj)[1]["co"]
    blend = str(tmp_path / "saved.blend")
    bpy.ops.wm.save_as_mainfile(filepath=blend)
    bpy.ops.wm.open_mainfile(filepath=blend)
    obj = bpy.data.objects[name]
    after = evaluated(ext, obj)[1]["co"]
    assert np.abs(after - before).max() < 1e-6


def test_redo_panel_settings_rebuild_the_object(ext, scene, tmp_path):
    path = gradient(tmp_path / "g.png")
    relief(path, width_mm=40.0, sample_mm=0.5)
    relief(path, width_mm=20.0, sample_mm=0.5)
    sizes = sorted(round(o.dimensions.x * 1000, 3) for o in bpy.data.objects)
    assert sizes == [20.0, 40.0]


def test_panel_settings_drive_the_create_button(ext, scene, tmp_path):
    settings = scene.image_to_print.relief
    settings.image_path = gradient(tmp_path / "g.png")
    bpy.ops.image_to_print.relief_preset(preset="lithophane")
    assert settings.mode == 'LITHOPHANE' and settings.curve_angle == 0.0
    settings.width_mm = 30.0
    settings.sample_mm = 0.5
    assert bpy.ops.image_to_print.relief('INVOKE_DEFAULT', from_scene=True) == {'FINISHED'}
    obj = bpy.context.view_layer.objects.active
    report, _ = evaluated(ext, obj)
    assert report["bbox_mm"][0] == pytest.approx(30.0, abs=1e-3)
    assert report["bbox_mm"][2] == pytest.approx(3.0, abs=0.05)  # lithophane max thickness


BAD = [
    ("missing.png", None, "not found"),
    ("empty.png", b"", "empty"),
    ("text.png", b"this is not an image\n", "not an image"),
]


@pytest.mark.parametrize("name,content,message", BAD)
def test_bad_image_reports_one_line_and_leaves_nothing(ext, scene, tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before = datablock_counts()
    with pytest.raises(RuntimeError) as info:
        bpy.ops.image_to_print.relief(filepath=str(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value).strip()
    assert datablock_counts() == before


@pytest.mark.parametrize("settings,message", [
    (dict(mode='LITHOPHANE', min_thickness_mm=3.0, max_thickness_mm=1.0), "less than"),
    (dict(frame_width_mm=30.0, width_mm=50.0), "frame width"),
])
def test_nonsense_settings_are_refused(ext, scene, tmp_path, settings, message):
    before = datablock_counts()
    with pytest.raises(RuntimeError) as info:
        bpy.ops.image_to_print.relief(filepath=gradient(tmp_path / "g.png"), **settings)
    assert message in str(info.value)
    assert datablock_counts() == before


def test_export_operator_writes_stl_in_mm(ext, scene, tmp_path):
    from judges import prusa_info

    obj = relief(gradient(tmp_path / "g.png"), width_mm=40.0, sample_mm=0.5, smoothing=0.0)
    scene.unit_settings.scale_length = 0.001
    scene.unit_settings.length_unit = 'MILLIMETERS'
    out = tmp_path / "plate.stl"
    obj.select_set(True)
    assert bpy.ops.image_to_print.export(filepath=str(out), file_format='STL') == {'FINISHED'}
    info = prusa_info(out)
    assert info["manifold"] == "yes"
    # the object was built in a metre scene: 0.04 BU; now 1 BU = 1 mm, so it is 0.04 mm wide
    assert float(info["size_x"]) == pytest.approx(0.04, abs=1e-3)
    assert not [f for f in os.listdir(tmp_path) if ".part" in f]


def test_check_operator_reports_every_selected_object(ext, scene, tmp_path):
    a = relief(gradient(tmp_path / "g.png"), width_mm=40.0, sample_mm=0.5)
    b = relief(gradient(tmp_path / "g.png"), width_mm=20.0, sample_mm=0.5)
    a.select_set(True)
    b.select_set(True)
    assert bpy.ops.image_to_print.check() == {'FINISHED'}
    results = ext.operators.check.RESULTS
    assert set(results) == {a.name, b.name}
    assert all(r["printable"] for r in results.values())
    assert sorted(r["bbox_mm"][0] for r in results.values()) == pytest.approx([20.0, 40.0], abs=1e-3)


def test_check_operator_greys_out_without_a_mesh(ext, scene):
    assert not bpy.ops.image_to_print.check.poll()


@pytest.mark.parametrize("kw", [dict(), dict(alpha_mode='CUT'), dict(adaptive=True),
                                dict(curve_angle=math.radians(90), mode='LITHOPHANE'),
                                dict(frame_width_mm=2.0, hole_diameter_mm=3.0)])
def test_blender_finds_nothing_to_correct_in_the_base_mesh(ext, scene, tmp_path, kw):
    """Mesh.validate() returns True when it had to fix something (bad edges, indices, ...)."""
    obj = relief(ring_rgba(tmp_path / "ring.png", 60, 60), width_mm=30.0, sample_mm=0.5, **kw)
    counts = (len(obj.data.vertices), len(obj.data.edges), len(obj.data.polygons))
    assert obj.data.validate(verbose=False) is False
    assert (len(obj.data.vertices), len(obj.data.edges), len(obj.data.polygons)) == counts


def test_a_failure_after_the_build_takes_back_everything_the_relief_made(ext, scene, tmp_path):
    """Regression: a failed command-line export removed the object and mesh but left the relief's
    height image, its texture, the colour image and the material in the file."""
    settings = ext.core.settings.ReliefSettings(width_mm=30.0, sample_mm=0.5)
    before = datablock_counts()
    (obj,) = ext.operators.relief.ROUTE.build(bpy.context, gradient(tmp_path / "g.png"), settings).objects
    made = {k: v - before[k] for k, v in datablock_counts().items()}
    assert made == {"objects": 1, "meshes": 1, "curves": 0, "materials": 1, "textures": 1, "images": 2,
                    "collections": 0, "node_groups": 0}
    with pytest.raises(RuntimeError, match="export failed"):
        with ext.operators.blender_mesh.removed_on_failure([obj]):
            raise RuntimeError("export failed")
    assert datablock_counts() == before


def test_a_curved_lithophane_reads_the_right_way_round_from_outside(ext, scene, tmp_path):
    """Seen from the arc's convex side (where the viewer stands, the light inside), the thickness map is
    the image, not its mirror: a lithophane is thick where the image is dark."""
    from PIL import Image

    size = (120, 80)
    y, x = np.mgrid[0:size[1], 0:size[0]]
    grey = np.full(size[::-1], 230, np.uint8)
    grey[10:70, 10:40] = 20  # a dark bar on the left, a mid one on the right, top half only
    grey[10:40, 80:110] = 120
    path = tmp_path / "lr.png"
    Image.fromarray(grey).save(path)
    obj = relief(str(path), mode='LITHOPHANE', width_mm=60.0, sample_mm=0.5, curve_angle=math.radians(120),
                 smoothing=0.0)
    n_top = sum(1 for v in obj.data.vertices if v.groups)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    bent = np.array([v.co for v in obj.evaluated_get(depsgraph).data.vertices])[:n_top]
    obj.modifiers["Curve"].show_viewport = False
    depsgraph = bpy.context.evaluated_depsgraph_get()
    flat = np.array([v.co for v in obj.evaluated_get(depsgraph).data.vertices])[:n_top]
    obj.modifiers["Curve"].show_viewport = True
    thickness = np.abs(flat[:, 1])
    # the convex side: the arc's middle lies further out than its ends
    middle = np.abs(bent[:, 0]) < 0.1 * np.ptp(bent[:, 0])
    ends = np.abs(bent[:, 0]) > 0.4 * np.ptp(bent[:, 0])
    outside_is_minus_y = bent[middle, 1].mean() < bent[ends, 1].mean()
    right = bent[:, 0] if outside_is_minus_y else -bent[:, 0]  # the viewer's right, looking at the outside
    # along the arc (its length is the image's width), in the direction of the viewer's right
    along = flat[:, 0] if np.corrcoef(flat[:, 0], right)[0, 1] > 0 else -flat[:, 0]
    u = (along - along.min()) / np.ptp(along)
    v = 1.0 - (bent[:, 2] - bent[:, 2].min()) / np.ptp(bent[:, 2])  # image rows run downward
    cols = np.clip((u * (size[0] - 1)).round().astype(int), 0, size[0] - 1)
    rows = np.clip((v * (size[1] - 1)).round().astype(int), 0, size[1] - 1)
    dark = 255.0 - grey.astype(float)
    straight = np.corrcoef(thickness, dark[rows, cols])[0, 1]
    mirrored = np.corrcoef(thickness, dark[rows, size[0] - 1 - cols])[0, 1]
    assert straight > 0.9 and mirrored < 0.5, (straight, mirrored)
