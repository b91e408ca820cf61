# SPDX-License-Identifier: GPL-3.0-or-later
"""The `trace` command: outputs judged by admesh, PrusaSlicer and the Khronos glTF Validator."""

import json
import os
import zipfile

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import CLOSED, solid_checks
from images import blank, letter_l, ring_and_island
from judges import admesh, gltf_validate, prusa_info


def test_plate_stl_glb_3mf_and_report(ext, scene, tmp_path, capfd):
    image = ring_and_island(tmp_path / "r.png")
    stl, glb, tmf, rep = (tmp_path / f"r.{e}" for e in ("stl", "glb", "3mf", "json"))
    code, out, err = run(ext, capfd, "trace", image, "-o", stl, "-o", glb, "-o", tmf, "--width", 40,
                         "--height", 2.5, "--base", 0, "--report", rep)
    assert code == 0, err
    assert f"wrote {stl}" in out and f"wrote {glb}" in out and f"wrote {tmf}" in out
    assert "not attached to the main piece" in err  # three pieces without a base
    report = json.loads(rep.read_text())
    assert report["route"] == "trace" and report["printable"] and report["blocking"] == []
    assert len(report["parts"]) == 1 and solid_checks(report["parts"][0]["checks"]) == CLOSED
    assert report["trace"]["holes_traced"] == report["trace"]["holes_in_image"] == 1
    assert report["trace"]["pixel_error_percent"] <= 1.5
    assert report["bbox_mm"][0] == pytest.approx(40.0, abs=1e-6)

    am = admesh(stl)
    assert am["disconnected_facets"] == 0 and am["backwards_edges"] == 0 and am["facets_reversed"] == 0
    assert am["parts"] == 3  # ring, dot and bar are separate pieces
    assert am["volume"] == pytest.approx(report["volume_mm3"], rel=1e-3)
    info = prusa_info(stl)
    assert info["manifold"] == "yes"
    assert float(info["size_x"]) == pytest.approx(40.0, abs=0.01)  # the design's width, as asked
    assert float(info["size_z"]) == pytest.approx(2.5, abs=1e-4)
    assert float(info["min_z"]) == pytest.approx(0.0, abs=1e-5)
    assert prusa_info(tmf)["manifold"] == "yes"
    validation = gltf_validate(glb)
    assert validation["issues"]["numErrors"] == 0, validation


@pytest.mark.parametrize("mode, extra, parts", [  # parts: how many were united
    ("keychain", ["--width", 30], 2),
    ("cutter", ["--width", 60], 2),
    ("stamp", ["--width", 30], 2),
    ("plate", ["--engine", "fast", "--width", 30, "--base", 1.5, "--bevel", 0.4], 2),
])
def test_every_mode_gives_one_closed_solid_of_its_parts(ext, scene, tmp_path, capfd, mode, extra, parts):
    stl, rep = tmp_path / "m.stl", tmp_path / "m.json"
    code, _out, err = run(ext, capfd, "trace", letter_l(tmp_path / "l.png"), "-o", stl, "--mode", mode,
                          "--report", rep, *extra)
    assert code == 0, err
    report = json.loads(rep.read_text())
    [solid] = report["parts"]  # the overlapping parts, united
    assert len(solid["united"]) == parts
    assert solid_checks(solid["checks"]) == CLOSED and solid["checks"]["shells"] == 1
    am = admesh(stl)
    assert am["disconnected_facets"] == 0 and am["backwards_edges"] == 0 and am["parts"] == 1
    assert prusa_info(stl)["manifold"] == "yes"
    if mode == "cutter":
        assert report["bbox_mm"][2] == pytest.approx(12.0)
        assert report["bbox_mm"][0] == pytest.approx(60.0 + 2 * (1.0 + 5.0), abs=0.3)  # wall and flange


def test_3mf_holds_the_united_design_as_one_object(ext, scene, tmp_path, capfd):
    tmf = tmp_path / "k.3mf"
    code, _out, err = run(ext, capfd, "trace", letter_l(tmp_path / "l.png"), "-o", tmf, "--mode", "keychain")
    assert code == 0, err
    with zipfile.ZipFile(tmf) as zf:
        model = zf.read("3D/3dmodel.model").decode()
    assert model.count("<object ") == 1 and 'unit="millimeter"' in model and 'name="l Traced"' in model


BAD = [
    (["trace", "{img}", "-o", "{tmp}/x.stl", "--threshold", "2"], "threshold"),
    (["trace", "{img}", "-o", "{tmp}/x.stl", "--threshold", "dark"], "threshold"),
    (["trace", "{img}", "-o", "{tmp}/x.stl", "--mode", "keychain", "--hole", "0"], "needs a hole"),
    (["trace", "{img}", "-o", "{tmp}/x.stl", "--width", "-5"], "width"),
    (["trace", "{img}", "-o", "{tmp}/x.stl", "--ink", "color", "--background", "zz"], "background"),
    (["trace", "{img}", "-o", "{tmp}/x.dxf"], "unsupported"),
    (["trace", "{white}", "-o", "{tmp}/x.stl"], "nothing to trace"),
    (["trace", "{tmp}/missing.png", "-o", "{tmp}/x.stl"], "not found"),
    (["trace", "{img}", "-o", "{tmp}/x.stl", "--engine", "magic"], "invalid choice"),
]


@pytest.mark.parametrize("argv, message", BAD)
def test_bad_input_exits_1_with_one_line_and_leaves_nothing(ext, scene, tmp_path, capfd, argv, message):
    names = {"img": letter_l(tmp_path / "l.png"), "white": blank(tmp_path / "w.png"), "tmp": str(tmp_path)}
    before = {n: len(getattr(bpy.data, n)) for n in ("objects", "curves", "materials", "collections")}
    code, out, err = run(ext, capfd, *[a.format(**names) for a in argv])
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], err
    assert "Traceback" not in err
    assert {n: len(getattr(bpy.data, n)) for n in before} == before
    assert sorted(os.listdir(tmp_path)) == sorted(f for f in ("l.png", "w.png") if (tmp_path / f).exists())


def test_help_lists_the_trace_flags(ext, capfd):
    code, out, _err = run(ext, capfd, "trace", "--help")
    assert code == 0
    for flag in ("--mode", "--width", "--height", "--base", "--threshold", "--invert", "--engine", "--report",
                 "--hole", "--wall", "--flange", "--colours", "--bevel", "--speckle"):
        assert flag in out


def test_cutter_imprint_walls_stand_on_a_web_and_are_shorter(ext, scene, tmp_path, capfd):
    stl, rep = tmp_path / "c.stl", tmp_path / "c.json"
    code, _out, err = run(ext, capfd, "trace", ring_and_island(tmp_path / "r.png"), "-o", stl, "--mode", "cutter",
                          "--width", 60, "--imprint", "--report", rep)
    assert code == 0, err
    assert "2 separate outlines" in err  # the ring and the bar each get a wall
    report = json.loads(rep.read_text())
    [solid] = report["parts"]
    assert sorted(name.split()[-1] for name in solid["united"]) == ["Blade", "Flange", "Imprint"]
    assert solid_checks(solid["checks"]) == CLOSED and solid["checks"]["shells"] == 1
    z = np.fromfile(stl, dtype=np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")]), offset=84)["v"][..., 2]
    flat = np.unique(np.round(z[np.ptp(z, axis=1) < 1e-4][:, 0], 3))  # heights of the horizontal faces
    assert list(flat) == [0.0, 2.0, 10.0, 12.0]  # bed, web (the 2 mm flange), imprint tops (2 mm below), blade
    assert prusa_info(stl)["manifold"] == "yes"


def test_a_photograph_gets_the_relief_command_and_that_command_runs(ext, scene, tmp_path, capfd, monkeypatch):
    """Tracing a photograph proposes the relief route with a command that runs as written."""
    import shlex

    from PIL import Image

    rng = np.random.default_rng(3)
    y, x = np.mgrid[0:120, 0:160] / 160.0
    rgb = np.stack([0.5 + 0.4 * np.sin(6 * x + 2 * y), 0.4 + 0.3 * y, 0.6 - 0.3 * x], axis=-1)
    rgb = np.clip(rgb + rng.normal(0.0, 0.08, rgb.shape), 0, 1)
    Image.fromarray((255 * rgb).astype(np.uint8)).save(tmp_path / "my photo.jpg", quality=90)
    monkeypatch.chdir(tmp_path)
    code, _out, err = run(ext, capfd, "trace", tmp_path / "my photo.jpg", "-o", tmp_path / "t.stl", "--width", 50)
    assert code in (0, 3), err
    [line] = [line for line in err.splitlines() if "looks like a photograph" in line]
    command = shlex.split(line.split("a relief suits it better: ", 1)[1])
    assert command[:3] == ["./image-to-print", "relief", str(tmp_path / "my photo.jpg")]
    assert command[3:] == ["--width", "50", "-o", "my photo-relief.stl"]
    code, out, err = run(ext, capfd, *command[1:])
    assert code == 0, err
    assert (tmp_path / "my photo-relief.stl").stat().st_size > 84 and "my photo Relief: 50.00 x 37." in out
