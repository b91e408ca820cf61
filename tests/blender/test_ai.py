# SPDX-License-Identifier: GPL-3.0-or-later
"""AI meshes inside real Blender: built-in, a test-built ONNX model, and servers on loopback."""

import importlib
import json
import os

import bpy
import numpy as np
import pytest
from ai_helpers import FakeServer, cube_glb, depth_model, json_reply, tripo_routes, wrong_model
from cli_run import run
from conftest import CLOSED, ROOT, datablock_counts, solid_checks
from judges import admesh, prusa_info
from PIL import Image

SAMPLE = os.path.join(ROOT, "samples", "sunflower.png")


def disc_png(path, size=160, radius=60, alpha=True):
    y, x = np.mgrid[0:size, 0:size]
    inside = (x - size / 2) ** 2 + (y - size / 2) ** 2 < radius ** 2
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., 0] = np.where(inside, 200, 255)
    rgba[..., 1] = np.where(inside, 80 + (x % 40), 255)
    rgba[..., 2] = np.where(inside, 40, 255)
    rgba[..., 3] = np.where(inside, 255, 0) if alpha else 255
    Image.fromarray(rgba, "RGBA" if alpha else None).convert("RGBA" if alpha else "RGB").save(path)
    return str(path)


@pytest.mark.parametrize("image", ["sample", "alpha"])
def test_builtin_backend_end_to_end_closed_outward_printable_and_sized(ext, scene, tmp_path, capfd, image):
    path = SAMPLE if image == "sample" else disc_png(tmp_path / "disc.png")
    stl, glb, rep = tmp_path / "m.stl", tmp_path / "m.glb", tmp_path / "m.json"
    code, out, err = run(ext, capfd, "ai", path, "-o", stl, "-o", glb, "--size", 60, "--resolution", 160,
                         "--report", rep)
    assert code == 0, err
    report = json.loads(rep.read_text())
    assert report["printable"] and solid_checks(report["checks"]) == CLOSED
    assert max(report["bbox_mm"]) == pytest.approx(60.0, rel=1e-3)
    assert report["bbox_min_mm"][2] == pytest.approx(0.0, abs=1e-4)
    assert report["meta"]["mask_from"] == ("background colour" if image == "sample" else "alpha")
    am = admesh(stl)
    assert am["disconnected_facets"] == 0 and am["facets"] == report["triangles"]
    assert prusa_info(stl)["manifold"] == "yes"
    from judges import gltf_validate

    assert gltf_validate(glb)["issues"]["numErrors"] == 0


def test_ai_operator_builds_a_textured_object(ext, scene, tmp_path):
    path = disc_png(tmp_path / "disc.png")
    assert bpy.ops.image_to_print.ai_mesh(filepath=path, size_mm=40.0, resolution=120, flat_back=False) == {
        'FINISHED'}
    obj = bpy.context.view_layer.objects.active
    assert obj.name == "disc AI Mesh" and obj.active_material is not None
    report = ext.operators.check.check_object(bpy.context, obj)
    assert report["printable"] and max(report["bbox_mm"]) == pytest.approx(40.0, rel=1e-3)


def test_onnx_backend_with_a_test_built_model(ext, scene, tmp_path, capfd):
    model = depth_model(tmp_path / "depth.onnx", size=56)
    rep = tmp_path / "d.json"
    code, _out, err = run(ext, capfd, "ai", disc_png(tmp_path / "disc.png"), "-o", tmp_path / "d.stl",
                          "--backend", "onnx", "--model", model, "--size", 50, "--resolution", 120,
                          "--inflation", 0.0, "--depth", 5.0, "--report", rep)
    assert code == 0, err
    report = json.loads(rep.read_text())
    assert report["meta"]["input"] == ["pixel_values", 56, 56]
    assert report["meta"]["licence"] == "Apache-2.0"
    assert report["printable"] and solid_checks(report["checks"]) == CLOSED
    # min thickness 1.2 + 5 mm of depth range from the stripes of the test image
    assert report["bbox_mm"][2] == pytest.approx(6.2, abs=0.3)
    assert prusa_info(tmp_path / "d.stl")["manifold"] == "yes"


@pytest.mark.parametrize("version", ["2.0", "2.1"])
def test_hunyuan_server_on_loopback(ext, scene, tmp_path, capfd, version):
    """Hunyuan3D-2.0's api_server.py (/send, /status; no /health) and 2.1's (/health, then /generate)."""
    import base64

    if version == "2.0":
        routes = {("POST", "/send"): json_reply({"uid": "u1"}),
                  ("GET", "/status/u1"): json_reply({"status": "completed",
                                                     "model_base64": base64.b64encode(cube_glb()).decode()})}
    else:
        routes = {("GET", "/health"): json_reply({"status": "healthy", "worker_id": "w1"}),
                  ("POST", "/generate"): lambda path, body: (200, {"Content-Type": "model/gltf-binary"}, cube_glb())}
    rep = tmp_path / "h.json"
    with FakeServer(routes) as server:
        code, _out, err = run(ext, capfd, "ai", disc_png(tmp_path / "d.png"), "-o", tmp_path / "h.stl",
                              "--backend", "hunyuan", "--server", server.url, "--size", 30, "--report", rep)
    assert code == 0, err
    report = json.loads(rep.read_text())
    assert report["bbox_mm"] == pytest.approx([30.0, 30.0, 30.0], rel=1e-4)
    assert report["printable"] and report["checks"]["shells"] == 1
    assert report["meta"]["service"] == f"hunyuan3d-{version}"
    assert prusa_info(tmp_path / "h.stl")["manifold"] == "yes"


def test_tripo_v3_on_loopback(ext, scene, tmp_path, capfd, monkeypatch):
    """Tripo's API v3 (a loopback fake written from the tripo3d 1.0.0 client): upload, task, polls, and the
    signed download without the key; the model comes out sized, closed and checked."""
    holder = {}
    monkeypatch.setenv("TRIPO_API_KEY", "tsk_secret")
    monkeypatch.setattr(ext.core.ai.remote.RemoteBackend, "poll_scale", 0.01)
    rep = tmp_path / "t.json"
    with FakeServer(tripo_routes(lambda: holder["url"], glb=cube_glb())) as server:
        holder["url"] = server.url
        code, _out, err = run(ext, capfd, "ai", disc_png(tmp_path / "d.png"), "-o", tmp_path / "t.stl",
                              "--backend", "tripo", "--server", server.url, "--size", 30, "--report", rep)
        keys = [(r[1].split("?")[0], r[2].get("Authorization")) for r in server.requests]
    assert code == 0, err
    assert keys[0] == ("/v3/files", "Bearer tsk_secret") and keys[-1] == ("/signed/model.glb", None)
    report = json.loads(rep.read_text())
    assert report["bbox_mm"] == pytest.approx([30.0, 30.0, 30.0], rel=1e-4)
    assert report["printable"] and report["meta"]["api"] == "v3"
    assert prusa_info(tmp_path / "t.stl")["manifold"] == "yes"


def test_tripo_balance_in_the_preferences(ext, scene, monkeypatch):
    monkeypatch.delenv("TRIPO_API_KEY", raising=False)
    prefs = ext.properties.preferences()
    state = importlib.import_module(ext.__name__ + ".ui.state")
    routes = {("GET", "/v3/account/balance"): json_reply({"code": 0, "data": {"balance": 1234.6, "frozen": 40}})}
    with FakeServer(routes) as server:
        prefs.tripo_url, prefs.tripo_api_key = server.url, "tsk_secret"
        try:
            assert bpy.ops.image_to_print.tripo_balance() == {'FINISHED'}
            assert state.ACCOUNT["tripo"].startswith("1,235 credits, 40 held by running tasks (at ")
            assert server.requests[0][2].get("Authorization") == "Bearer tsk_secret"
            prefs.tripo_api_key = ""
            with pytest.raises(RuntimeError, match="no Tripo API key"):
                bpy.ops.image_to_print.tripo_balance()
            assert state.ACCOUNT["tripo"] == ""
        finally:
            prefs.tripo_url = prefs.tripo_api_key = ""


@pytest.mark.parametrize("argv,message", [
    (["--backend", "tripo"], "online access is off"),
    (["--backend", "onnx", "--model", "{wrong}"], "wrong model signature"),
    (["--backend", "onnx", "--model", "{junk}"], "not a usable ONNX model"),
    (["--backend", "onnx"], "no depth model"),
    (["--backend", "hunyuan", "--server", "http://example.com"], "HTTPS"),
])
def test_ai_bad_input_one_line_nothing_left(ext, scene, tmp_path, capfd, argv, message):
    (tmp_path / "junk.onnx").write_bytes(b"junk")
    names = {"wrong": wrong_model(tmp_path / "wrong.onnx"), "junk": str(tmp_path / "junk.onnx")}
    before = datablock_counts()
    code, _out, err = run(ext, capfd, "ai", disc_png(tmp_path / "d.png"), "-o", tmp_path / "x.stl",
                          *[a.format(**names) for a in argv])
    assert code == 1, err
    assert message in err and len([line for line in err.splitlines() if line.strip()]) == 1, err
    assert datablock_counts() == before
    assert not (tmp_path / "x.stl").exists()


def test_no_foreground_and_a_corrupt_server_model(ext, scene, tmp_path, capfd):
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 64), (250, 250, 250)).save(blank)
    code, _out, err = run(ext, capfd, "ai", blank, "-o", tmp_path / "x.stl")
    assert code == 1 and "no foreground" in err
    routes = {("POST", "/send"): json_reply({"uid": "u"}),
              ("GET", "/status/u"): json_reply({"status": "completed", "model_base64": "Z2FyYmFnZQ=="})}
    before = datablock_counts()
    with FakeServer(routes) as server:
        code, _out, err = run(ext, capfd, "ai", disc_png(tmp_path / "d.png"), "-o", tmp_path / "x.stl",
                              "--backend", "hunyuan", "--server", server.url)
    assert code == 1 and "corrupt" in err
    assert datablock_counts() == before


def _tripo_failing(route, reply):
    def routes(holder):
        table = dict(tripo_routes(lambda: holder["url"], glb=cube_glb()))
        table[route] = reply
        return table
    return routes


REMOTE_FAILURES = {
    "tripo out of credit": ("tripo", _tripo_failing(("POST", "/v3/generation/image-to-model"), json_reply(
        {"code": 2010, "message": "Insufficient balance.", "suggestion": "Top up your account."}, 403)),
        "the account is out of credits (code 2010): Insufficient balance; Top up your account"),
    "tripo key refused": ("tripo", _tripo_failing(("POST", "/v3/files"), json_reply(
        {"code": 1002, "message": "Authentication failed"}, 401)), "the service rejected the API key (401)"),
    "tripo task failed": ("tripo", lambda holder: tripo_routes(lambda: holder["url"], status_seq=("running", "failed")),
                          "the task ended as 'failed': the image has no recognisable object"),
    "hunyuan gradio app": ("hunyuan", lambda holder: {("GET", "/health"): lambda p, b: (
        200, {"Content-Type": "text/html"}, b"<!doctype html><html>Gradio</html>")},
        "this is not the API server (api_server.py)"),
    "hunyuan 2.1 generation error": ("hunyuan", lambda holder: {
        ("GET", "/health"): json_reply({"status": "healthy", "worker_id": "w"}),
        ("POST", "/generate"): json_reply({"text": "NETWORK ERROR", "error_code": 1}, 404)},
        "the server could not make a model (error_code 1): NETWORK ERROR"),
}


@pytest.mark.parametrize("case", sorted(REMOTE_FAILURES))
def test_remote_failures_are_one_line_and_leave_nothing(ext, scene, tmp_path, capfd, monkeypatch, case):
    """Tripo v3 and Hunyuan3D-2.1 fakes answering as their servers fail: exit 1, one line naming the host and
    the cause, no key in it, nothing in the scene, no file."""
    backend, routes, message = REMOTE_FAILURES[case]
    monkeypatch.setenv("TRIPO_API_KEY", "tsk_secret")
    monkeypatch.setattr(ext.core.ai.remote.RemoteBackend, "poll_scale", 0.01)
    holder = {}
    before = datablock_counts()
    with FakeServer(routes(holder)) as server:
        holder["url"] = server.url
        code, _out, err = run(ext, capfd, "ai", disc_png(tmp_path / "d.png"), "-o", tmp_path / "x.stl",
                              "--backend", backend, "--server", server.url)
    assert code == 1, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "127.0.0.1" in lines[0] and message in lines[0], err
    assert "tsk_secret" not in err and datablock_counts() == before and not (tmp_path / "x.stl").exists()


def test_a_mask_image_from_the_command_line_and_never_written_over(ext, scene, tmp_path, capfd):
    """``--mask`` gives the outline; an output aimed at the mask is refused before any work."""
    mask = tmp_path / "mask.png"
    y, x = np.mgrid[0:160, 0:160] + 0.5
    Image.fromarray(np.where(np.hypot(x - 80, y - 80) < 50, 255, 0).astype(np.uint8)).save(mask)
    noise = (np.random.default_rng(2).random((160, 160, 3)) * 255).astype(np.uint8)
    Image.fromarray(noise).save(tmp_path / "noise.png")
    rep = tmp_path / "m.json"
    code, _out, err = run(ext, capfd, "ai", tmp_path / "noise.png", "-o", tmp_path / "m.stl", "--mask", mask,
                          "--size", 30, "--report", rep)
    assert code == 0, err
    report = json.loads(rep.read_text())
    assert report["meta"]["mask_from"] == "mask image" and report["printable"]
    assert report["bbox_mm"][:2] == pytest.approx([30.0, 30.0], rel=0.05)
    odd = tmp_path / "outline.stl"  # a PNG under an output's name
    odd.write_bytes(mask.read_bytes())
    code, _out, err = run(ext, capfd, "ai", tmp_path / "noise.png", "-o", odd, "--mask", odd)
    assert code == 1 and "outline.stl is the input file" in err and odd.read_bytes() == mask.read_bytes()
