# SPDX-License-Identifier: GPL-3.0-or-later
"""The command line: the registered `image_to_print` command and the ./image-to-print launcher.

Exported files are judged by admesh, PrusaSlicer and the Khronos glTF Validator.
"""

import json
import os
import subprocess

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import CLOSED, ROOT, datablock_counts, solid_checks
from images import gradient, ring_rgba
from judges import admesh, glb_json, gltf_validate, prusa_info, stl_triangles
from PIL import Image

SAMPLE = os.path.join(ROOT, "samples", "sunflower.png")


def test_relief_cli_writes_stl_glb_and_report_judged_by_real_tools(ext, scene, tmp_path, capfd):
    stl, glb, rep = tmp_path / "s.stl", tmp_path / "s.glb", tmp_path / "s.json"
    code, out, err = run(ext, capfd, "relief", SAMPLE, "-o", stl, "-o", glb, "--width", 80, "--sample-mm", 0.4,
                         "--report", rep)
    assert code == 0, err
    assert f"wrote {stl}" in out and f"wrote {glb}" in out and f"wrote {rep}" in out
    report = json.loads(rep.read_text())
    assert report["printable"] is True and report["blocking"] == []
    assert solid_checks(report["checks"]) == CLOSED
    assert isinstance(report["triangles"], int) and report["volume_mm3"] > 0
    assert report["bbox_mm"][0] == pytest.approx(80.0, abs=1e-3)
    assert report["bbox_mm"][1] == pytest.approx(60.0, abs=0.4)  # 640x480 image
    assert 1.0 < report["bbox_mm"][2] <= 3.5 + 1e-3

    assert stl_triangles(stl) == report["triangles"]
    am = admesh(stl)
    assert am["facets"] == report["triangles"]
    assert am["disconnected_facets"] == 0 and am["parts"] == 1
    assert am["degenerate_facets"] == 0 and am["backwards_edges"] == 0 and am["facets_reversed"] == 0
    assert am["volume"] == pytest.approx(report["volume_mm3"], rel=1e-3)
    info = prusa_info(stl)
    assert info["manifold"] == "yes"
    assert float(info["size_x"]) == pytest.approx(80.0, abs=1e-3)
    assert float(info["size_z"]) == pytest.approx(report["bbox_mm"][2], abs=1e-3)
    assert float(info["min_z"]) == pytest.approx(0.0, abs=1e-6)

    validation = gltf_validate(glb)
    assert validation["issues"]["numErrors"] == 0, validation
    gltf = glb_json(glb)
    assert len(gltf["images"]) == 1
    material = gltf["materials"][0]
    assert "baseColorTexture" in material["pbrMetallicRoughness"]
    # glTF is in metres: 80 mm wide
    accessor = gltf["accessors"][gltf["meshes"][0]["primitives"][0]["attributes"]["POSITION"]]
    assert accessor["max"][0] - accessor["min"][0] == pytest.approx(0.080, abs=1e-5)
    assert not [f for f in os.listdir(tmp_path) if ".part" in f]


@pytest.mark.parametrize("preset,extra", [("lithophane", []), ("curved-lithophane", []),
                                          ("relief-lighter", ["--adaptive", "--max-error", "0.05"])])
def test_presets_give_manifold_stls(ext, scene, tmp_path, capfd, preset, extra):
    stl, rep = tmp_path / "p.stl", tmp_path / "p.json"
    code, _out, err = run(ext, capfd, "relief", SAMPLE, "-o", stl, "--preset", preset, "--width", 60,
                          "--sample-mm", 0.5, "--report", rep, *extra)
    assert code == 0, err
    report = json.loads(rep.read_text())
    am = admesh(stl)
    assert am["disconnected_facets"] == 0 and am["facets"] == report["triangles"]
    assert prusa_info(stl)["manifold"] == "yes"
    if "--adaptive" in extra:
        assert 0 < report["max_deviation_mm"] <= 0.05
    if preset == "lithophane":
        assert 2.0 < report["bbox_mm"][2] <= 3.0 + 1e-4  # darkest pixel of the sample is not pure black


def test_translucency_model_and_cut_out_alpha(ext, scene, tmp_path, capfd):
    stl = tmp_path / "ring.stl"
    code, _out, err = run(ext, capfd, "relief", ring_rgba(tmp_path / "ring.png"), "-o", stl, "--preset",
                          "lithophane", "--translucency", "--alpha", "cut", "--width", 40, "--sample-mm", 0.5)
    assert code == 0, err
    am = admesh(stl)
    assert am["disconnected_facets"] == 0 and am["parts"] == 1
    assert prusa_info(stl)["manifold"] == "yes"


def test_sixteen_bit_png_has_no_eight_bit_steps(ext, scene, tmp_path, capfd):
    ramp = np.tile(np.linspace(0, 65535, 400).astype(np.uint16), (40, 1))
    path = tmp_path / "ramp16.png"
    Image.fromarray(ramp).save(path)
    rep = tmp_path / "r.json"
    code, _out, err = run(ext, capfd, "relief", path, "-o", tmp_path / "r.stl", "--native", "--width", 39.9,
                          "--smoothing", 0, "--depth", 10, "--report", rep)
    assert code == 0, err
    obj = bpy.context.view_layer.objects.active
    image = obj.modifiers["Relief"].texture.image
    px = np.empty(len(image.pixels), np.float32)
    image.pixels.foreach_get(px)
    levels = np.unique(px.reshape(-1, 4)[:, 0])
    assert len(levels) > 300  # 400 distinct 16-bit levels, not 256 at most


def test_help_lists_every_flag(ext, capfd):
    code, out, _err = run(ext, capfd, "relief", "--help")
    assert code == 0
    for flag in ("-o", "--width", "--sample-mm", "--depth", "--base", "--lighter-is-higher", "--preset",
                 "--min-thickness", "--max-thickness", "--adaptive", "--max-error", "--report"):
        assert flag in out


BAD_ARGS = [
    (["relief"], "IMAGE"),
    (["relief", "{img}"], "-o"),
    (["frobnicate"], "invalid choice"),
    (["relief", "{img}", "-o", "{tmp}/x.stl", "--depth", "-1"], "depth"),
    (["relief", "{img}", "-o", "{tmp}/x.stl", "--width", "0"], "width"),
    (["relief", "{img}", "-o", "{tmp}/x.stl", "--preset", "lithophane", "--min-thickness", "3",
      "--max-thickness", "1"], "minimum thickness"),
    (["relief", "{img}", "-o", "{tmp}/x.stl", "--width", "abc"], "expected a finite number"),
    (["relief", "{img}", "-o", "{tmp}/no/such/folder/x.stl"], "does not exist"),
    (["relief", "{img}", "-o", "{tmp}"], "folder"),
    (["relief", "{img}", "-o", "{tmp}/x.fbx"], "unsupported"),
    (["relief", "{tmp}/missing.png", "-o", "{tmp}/x.stl"], "not found"),
    (["relief", "{zero}", "-o", "{tmp}/x.stl"], "empty"),
    (["relief", "{text}", "-o", "{tmp}/x.stl"], "not an image"),
    (["relief", "{trunc}", "-o", "{tmp}/x.stl"], "truncated"),
    (["relief", "{tiny}", "-o", "{tmp}/x.stl"], "too thin to make a relief from"),
    (["relief", "{img}", "-o", "{tmp}/x.stl", "--max-megapixels", "0.001"], "megapixel"),
]


@pytest.fixture
def bad_inputs(tmp_path):
    (tmp_path / "zero.png").write_bytes(b"")
    (tmp_path / "text.png").write_text("hello")
    rgb = (np.random.default_rng(1).random((200, 300, 3)) * 255).astype(np.uint8)
    Image.fromarray(rgb).save(tmp_path / "photo.jpg", quality=90)
    data = (tmp_path / "photo.jpg").read_bytes()
    (tmp_path / "trunc.jpg").write_bytes(data[: len(data) // 3])
    Image.new("L", (1, 1), 128).save(tmp_path / "tiny.png")
    return {"img": gradient(tmp_path / "g.png"), "tmp": str(tmp_path), "zero": str(tmp_path / "zero.png"),
            "text": str(tmp_path / "text.png"), "trunc": str(tmp_path / "trunc.jpg"),
            "tiny": str(tmp_path / "tiny.png")}


@pytest.mark.parametrize("argv,message", BAD_ARGS)
def test_bad_input_exits_1_with_one_line_and_leaves_nothing(ext, scene, tmp_path, capfd, bad_inputs, argv,
                                                            message):
    argv = [a.format(**bad_inputs) for a in argv]
    before = datablock_counts()
    files_before = sorted(os.listdir(tmp_path))
    code, out, err = run(ext, capfd, *argv)
    assert code == 1
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 or (lines[0].startswith("usage:") and len(lines) <= 12), err
    assert message in lines[-1], err
    assert "Traceback" not in err
    assert datablock_counts() == before
    assert sorted(os.listdir(tmp_path)) == files_before


def test_decompression_bomb_guard_on_a_real_100_megapixel_file(ext, scene, tmp_path, capfd):
    big = tmp_path / "big.png"
    Image.new("1", (10_050, 10_000), 0).save(big)  # 100.5 MP, tiny on disk
    code, _out, err = run(ext, capfd, "relief", big, "-o", tmp_path / "x.stl")
    assert code == 1 and "100 megapixel limit" in err and "--max-megapixels" in err


def test_unicode_paths(ext, scene, tmp_path, capfd):
    folder = tmp_path / "Bilder-ü-画像"
    folder.mkdir()
    image = gradient(folder / "relief-ß.png")
    code, out, err = run(ext, capfd, "relief", image, "-o", folder / "résultat.stl", "--width", 30,
                         "--sample-mm", 0.5)
    assert code == 0, err
    assert prusa_info(folder / "résultat.stl")["manifold"] == "yes"


def launcher(*argv, **env):
    environ = dict(os.environ, IMAGE_TO_PRINT_BLENDER=".".join(bpy.app.version_string.split(".")[:2]), **env)
    return subprocess.run([os.path.join(ROOT, "image-to-print"), *map(str, argv)], capture_output=True,
                          text=True, env=environ, cwd=ROOT)


def test_launcher_has_the_same_flags_output_and_exit_codes(ext, scene, tmp_path, capfd):
    stl = tmp_path / "l.stl"
    proc = launcher("relief", gradient(tmp_path / "g.png"), "-o", stl, "--width", 30, "--sample-mm", 0.5)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == f"wrote {stl}"
    assert "printable" in proc.stdout.splitlines()[-1]
    assert prusa_info(stl)["manifold"] == "yes"
    _, in_process_out, _ = run(ext, capfd, "relief", tmp_path / "g.png", "-o", stl, "--width", 30,
                               "--sample-mm", 0.5)
    assert in_process_out.splitlines()[0] == proc.stdout.splitlines()[0]

    help_proc = launcher("relief", "--help")
    assert help_proc.returncode == 0 and "--sample-mm" in help_proc.stdout
    bad = launcher("relief", tmp_path / "missing.png", "-o", stl)
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and "not found" in bad.stderr


def test_3mf_and_obj_outputs_in_mm(ext, scene, tmp_path, capfd):
    from core_3mf import read_3mf

    out3, outobj, rep = tmp_path / "r.3mf", tmp_path / "r.obj", tmp_path / "r.json"
    code, out, err = run(ext, capfd, "relief", gradient(tmp_path / "g.png"), "-o", out3, "-o", outobj,
                         "--width", 40, "--sample-mm", 0.5, "--report", rep)
    assert code == 0, err
    report = json.loads(rep.read_text())
    objects = read_3mf(str(out3))  # lib3mf, strict: no warnings, millimetres
    assert len(objects) == 1
    assert len(objects[0]["triangles"]) == report["triangles"]
    size = objects[0]["vertices"].max(axis=0) - objects[0]["vertices"].min(axis=0)
    assert size == pytest.approx(report["bbox_mm"], abs=1e-3)
    info = prusa_info(out3)  # a slicer reads it back
    assert info["manifold"] == "yes" and float(info["size_x"]) == pytest.approx(40.0, abs=1e-3)
    assert float(info["size_z"]) == pytest.approx(report["bbox_mm"][2], abs=1e-3)
    code, _out, err = run(ext, capfd, "check", outobj, "--report", tmp_path / "o.json")
    assert code == 0, err
    assert sorted(json.loads((tmp_path / "o.json").read_text())["bbox_mm"]) == pytest.approx(
        sorted(report["bbox_mm"]), abs=1e-3)


def test_relief_preview_shows_the_lithophane_lit_from_behind(ext, scene, tmp_path, capfd):
    """``--preview``: a PNG of the print lit from behind, one pixel a sample, the right way round (light
    where the image is light, not its mirror); anything but .png is refused before any work."""
    import json

    from PIL import Image

    grey = np.full((60, 90), 235, np.uint8)
    grey[8:52, 10:24] = 30  # a dark bar on the left only
    src = tmp_path / "bar.png"
    Image.fromarray(grey).save(src)
    preview, rep = tmp_path / "lit.png", tmp_path / "r.json"
    code, out, err = run(ext, capfd, "relief", src, "-o", tmp_path / "l.stl", "--preset", "curved-lithophane",
                         "--width", 45, "--sample-mm", 0.5, "--preview", preview, "--report", rep)
    assert code == 0, err
    report = json.loads(rep.read_text())
    lit = np.asarray(Image.open(preview).convert("L"), float)
    assert list(lit.shape[::-1]) == report["samples"] and str(preview) in report["outputs"]
    image = np.asarray(Image.fromarray(grey).resize(lit.shape[::-1]), float)
    assert np.corrcoef(lit.ravel(), image.ravel())[0, 1] > 0.9
    assert np.corrcoef(lit.ravel(), image[:, ::-1].ravel())[0, 1] < 0.3
    code, _out, err = run(ext, capfd, "relief", src, "-o", tmp_path / "m.stl", "--preview", tmp_path / "lit.jpg")
    assert code == 1 and "the preview is a PNG picture" in err and not (tmp_path / "m.stl").exists()
