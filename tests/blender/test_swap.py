# SPDX-License-Identifier: GPL-3.0-or-later
"""Filament-swap reliefs in real Blender: heights on layers, the plan in the report, the 3MF's colour
changes (read back by lib3mf), the swap table, the viewport colours that follow the plan and its edits."""

import json
import os

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import CLOSED, ROOT, solid_checks
from core_3mf import read_package

SAMPLE = os.path.join(ROOT, "samples", "sunflower.png")
FOUR = "#202020:0.6,#c0392b:1.2,#f1c40f:2.0,#f5f5f5:4.0"


def test_the_command_writes_the_plan_into_the_3mf_the_table_and_the_report(ext, scene, tmp_path, capfd):
    out3, rep, preview = tmp_path / "c.3mf", tmp_path / "c.json", tmp_path / "c.png"
    code, out, err = run(ext, capfd, "relief", SAMPLE, "-o", out3, "--preset", "filament-swap", "--filaments", FOUR,
                         "--layer-height", 0.08, "--first-layer", 0.16, "--width", 40, "--sample-mm", 0.5,
                         "--report", rep, "--preview", preview)
    assert code == 0, err
    report = json.loads(rep.read_text())
    assert report["printable"] and solid_checks(report["checks"]) == CLOSED
    swaps = report["swaps"]
    assert [s["colour"] for s in swaps] == ["#c0392b", "#f1c40f", "#f5f5f5"]
    assert [s["td_mm"] for s in swaps] == [1.2, 2.0, 4.0]
    assert all(s["z_mm"] == pytest.approx(0.16 + (s["layer"] - 1) * 0.08) for s in swaps)
    assert report["delta_e_mean"] < report["delta_e_naive"]
    assert report["bbox_mm"][2] <= 2.08 + 1e-4
    package = read_package(out3)  # lib3mf, strict, no warnings
    prusa = package["parts"]["Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml"].decode()
    assert [float(z) for z in __import__("re").findall(r'print_z="([0-9.]+)"', prusa)] == \
        pytest.approx([s["z_mm"] for s in swaps])
    assert prusa.count('gcode="M600"') == 3 and '<mode value="SingleExtruder"/>' in prusa
    bambu = package["parts"]["Metadata/custom_gcode_per_layer.xml"].decode()
    assert bambu.count("<layer top_z=") == 3 and 'color="#C0392B"' in bambu
    table = (tmp_path / "c.swaps.txt").read_text().splitlines()
    assert table[1] == "Start with #202020 (TD 0.6 mm)" and len(table) == 4 + 3
    assert str(tmp_path / "c.swaps.txt") in report["outputs"]
    from PIL import Image

    assert Image.open(preview).mode == "RGB"  # the simulated print, in colour


def test_every_top_vertex_sits_on_a_layer_and_the_viewport_colours_are_the_plans(ext, scene, tmp_path):
    assert bpy.ops.image_to_print.relief(filepath=SAMPLE, mode='SWAP', filaments=FOUR, width_mm=30.0,
                                         sample_mm=0.5, base_mm=0.48, depth_mm=1.6) == {'FINISHED'}
    obj = bpy.context.view_layer.objects.active
    mm = 1.0 / ext.operators.blender_mesh.units_per_mm(bpy.context.scene)
    n_top = sum(1 for v in obj.data.vertices if v.groups)
    depsgraph = bpy.context.evaluated_depsgraph_get()
    z = np.array([v.co.z for v in obj.evaluated_get(depsgraph).data.vertices])[:n_top] * mm
    layers = (z - 0.16) / 0.08 + 1
    assert np.abs(layers - np.round(layers)).max() < 1e-3  # on a layer boundary, every one
    mat = obj.data.materials[0]
    to_u = next(n for n in mat.node_tree.nodes if n.type == 'MATH' and n.operation == 'MULTIPLY_ADD')
    image = next(n for n in mat.node_tree.nodes if n.type == 'TEX_IMAGE').image
    width = image.size[0]
    pixels = np.array(image.pixels[:]).reshape(-1, width, 4)[0, :, :3]
    u = z / mm * to_u.inputs[1].default_value + to_u.inputs[2].default_value
    shown = pixels[np.floor(u * width).astype(int)]
    # the plan's own simulated colour of each sample (core), against what the material shows there
    s = ext.core.settings.ReliefSettings(mode="SWAP", filaments=FOUR, width_mm=30.0, sample_mm=0.5, base_mm=0.48,
                                         depth_mm=1.6)
    plan = ext.core.relief.plan_relief(ext.core.image.load_image(SAMPLE), s)
    expected = plan.swap.simulated().reshape(-1, 3)
    assert np.abs(shown - expected).max() < 2.5 / 255  # one byte of the palette image
    # moving a swap repaints the palette as the core simulates the edited plan
    entries = obj.image_to_print_swaps
    assert [e.layer for e in entries] == plan.swap.starts
    entries[1].layer -= 3
    entries[2].colour = (0.2, 0.4, 0.6)
    edited = ext.operators.swap.plan_of(obj)
    assert edited["swaps"][0]["layer"] == plan.swap.starts[1] - 3 and edited["swaps"][1]["colour"] == "#336699"
    pixels = np.array(image.pixels[:]).reshape(-1, width, 4)[0, :, :3]
    from_core = ext.core.image.linear_to_srgb(ext.operators.swap.colours(edited))
    assert np.abs(pixels - from_core).max() < 2.5 / 255
    assert not np.allclose(pixels, np.array(plan.swap.simulated()[0, 0]))


def test_the_export_button_writes_the_edited_plan(ext, scene, tmp_path):
    assert bpy.ops.image_to_print.relief(filepath=SAMPLE, mode='SWAP', filaments=FOUR, width_mm=20.0,
                                         sample_mm=0.5, base_mm=0.48, depth_mm=1.6) == {'FINISHED'}
    obj = bpy.context.view_layer.objects.active
    obj.image_to_print_swaps[1].layer = 9
    out = tmp_path / "edited.3mf"
    assert bpy.ops.image_to_print.export(filepath=str(out), file_format='3MF') == {'FINISHED'}
    prusa = read_package(out)["parts"]["Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml"].decode()
    assert 'print_z="0.8"' in prusa  # layer 9: 0.16 + 8 x 0.08
    assert "    9     0.800" in (tmp_path / "edited.swaps.txt").read_text()


def test_bad_filaments_are_one_line_and_nothing_is_made(ext, scene, tmp_path, capfd):
    before = set(bpy.data.objects)
    code, out, err = run(ext, capfd, "relief", SAMPLE, "-o", tmp_path / "x.3mf", "--preset", "filament-swap",
                         "--filaments", "#202020:0.6,red:1")
    assert code != 0 and err.strip().count("\n") == 0 and "#rrggbb:TD" in err and "Traceback" not in err
    assert set(bpy.data.objects) == before and not list(tmp_path.iterdir())
