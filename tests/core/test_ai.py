# SPDX-License-Identifier: GPL-3.0-or-later
"""core.ai: backends on real images, a test-built ONNX model and loopback servers (no network)."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest
from ai_helpers import (
    FakeServer,
    b64_glb,
    depth_model,
    json_reply,
    self_signed,
    slow,
    tiny_glb,
    tripo_routes,
    wrong_model,
)
from core_helpers import make_image

from core import checks
from core.ai import Cancelled, Job, run_job
from core.ai.builtin import inflate, poisson
from core.ai.depth import normalise
from core.ai.remote import HunyuanBackend, TripoBackend
from core.ai.solid import heightfields_to_solid
from core.errors import ImageToPrintError


def disc_rgba(size=120, radius=40, transparent=True):
    y, x = np.mgrid[0:size, 0:size]
    inside = (x - size / 2) ** 2 + (y - size / 2) ** 2 < radius ** 2
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = np.where(inside[..., None], 180, 255)
    rgba[..., 3] = np.where(inside, 255, 0) if transparent else 255
    if not transparent:
        rgba[..., :3] = np.where(inside[..., None], np.array([200, 60, 40], np.uint8), 250)
    return rgba, inside


def image_from(rgba, with_alpha=True):
    grey = rgba[..., :3].mean(axis=-1).astype(np.float32) / 255.0
    img = make_image(grey)
    img.rgba8 = rgba
    img.alpha = rgba[..., 3].astype(np.float32) / 255.0 if with_alpha else None
    return img


def closed(mesh):
    r = checks.full_report(mesh.co, mesh.loop_vert, mesh.loop_start, mesh.loop_total)
    c = r["checks"]
    assert (c["non_manifold_edges"], c["bad_contiguous_edges"], c["inside_out"], c["non_manifold_vertices"]) == (
        0, 0, False, 0), c
    return r


@pytest.mark.parametrize("transparent", [True, False])
def test_builtin_inflates_a_disc_into_a_closed_dome_of_the_requested_size(transparent):
    rgba, _inside = disc_rgba(transparent=transparent)
    job = Job(image=image_from(rgba, transparent), size_mm=50.0, resolution=100, inflation=0.5, detail_mm=0.0,
              min_thickness_mm=1.0)
    hf = run_job("builtin", job)
    assert hf.meta["mask_from"] == ("alpha" if transparent else "background colour")
    report = closed(heightfields_to_solid(hf))
    assert max(report["bbox_mm"][:2]) == pytest.approx(50.0, rel=0.03)
    # flat back: the front half of the round shape: the thickest point is inflation x radius
    assert report["bbox_mm"][2] == pytest.approx(0.5 * 25.0, rel=0.05)
    assert report["bbox_min_mm"][2] == 0.0


def test_symmetric_back_is_mirrored_and_the_rim_keeps_the_minimum_thickness():
    rgba, _ = disc_rgba()
    hf = run_job("builtin", Job(image=image_from(rgba), size_mm=40.0, resolution=80, flat_back=False,
                                min_thickness_mm=1.5, detail_mm=0.0))
    assert np.allclose(hf.front[hf.mask], hf.back[hf.mask])
    assert (hf.front + hf.back)[hf.mask].min() >= 1.5 - 1e-5
    closed(heightfields_to_solid(hf))


def test_inflation_of_a_disc_is_a_hemisphere_with_no_direction_of_its_own():
    n, radius = 160, 60.0
    y, x = np.mgrid[0:n, 0:n] + 0.5
    r = np.hypot(x - n / 2, y - n / 2)
    mask = r < radius
    h = inflate(mask)
    exact = np.sqrt(np.clip(radius ** 2 - r ** 2, 0.0, None))
    assert np.sqrt(((h - exact)[mask] ** 2).mean()) < 0.015 * radius
    assert h[~mask].max() == 0.0 and (h[mask] > 0).all()
    # round: along every ring the height is the same (a distance measured on the grid is not, at 45 degrees)
    ring = mask & (np.abs(r - 30.0) < 0.5)
    assert np.ptp(h[ring]) < 0.01 * radius
    assert np.allclose(h, h.T) and np.allclose(h, h[::-1]) and np.allclose(h, h[:, ::-1])


def test_poisson_solves_the_square_to_its_known_centre():
    """-Laplacian(u) = 1 on a square of side a, u = 0 on its edge: u(centre) = 0.07367 a^2."""
    a = 200
    mask = np.ones((a - 1, a - 1), bool)  # the frame around it is the edge
    u = poisson(mask)
    assert u[a // 2 - 1, a // 2 - 1] == pytest.approx(0.0736713 * a * a, rel=0.01)


def test_a_ball_drawn_on_transparency_comes_back_a_ball():
    """A shaded ball drawn with alpha, --symmetric --size 60: a sphere of radius 30 mm, its mirrored back
    included, within 2% RMS, and 60 mm along every axis."""
    size, radius = 240, 100
    y, x = np.mgrid[0:size, 0:size] + 0.5
    r = np.hypot(x - size / 2, y - size / 2)
    inside = r < radius
    shade = np.clip(255 * (0.3 + 0.7 * np.sqrt(np.clip(1 - (r / radius) ** 2, 0, 1))), 0, 255).astype(np.uint8)
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2] = shade, shade // 2, 40
    rgba[..., 3] = np.where(inside, 255, 0)
    hf = run_job("builtin", Job(image=image_from(rgba), size_mm=60.0, flat_back=False, detail_mm=0.0))
    mesh = heightfields_to_solid(hf)
    report = closed(mesh)
    assert report["bbox_mm"] == pytest.approx([60.0, 60.0, 60.0], rel=0.02)
    co = mesh.co.astype(np.float64)
    centre = (co.max(axis=0) + co.min(axis=0)) / 2
    distance = np.linalg.norm(co - centre, axis=1)
    assert np.sqrt(((distance - 30.0) ** 2).mean()) < 0.02 * 30.0


def test_no_foreground_and_busy_background_are_refused():
    blank = np.full((60, 60, 4), 255, np.uint8)
    with pytest.raises(ImageToPrintError, match="no foreground"):
        run_job("builtin", Job(image=image_from(blank, with_alpha=False)))
    noisy = (np.random.default_rng(0).random((60, 60, 4)) * 255).astype(np.uint8)
    noisy[..., 3] = 255
    with pytest.raises(ImageToPrintError) as info:  # noise: no object to find
        run_job("builtin", Job(image=image_from(noisy, with_alpha=False)))
    assert str(info.value) == ("cannot tell the object from the busy background: give a mask image of its "
                               "outline (--mask, or Mask Image in the panel), a cut-out with a transparent "
                               "background, or a photo of it on a plain one")


PHOTOS = os.path.join(os.path.dirname(__file__), "..", "data", "photos")


def photo(name, size=None):
    from PIL import Image

    im = Image.open(os.path.join(PHOTOS, name)).convert("RGB")
    return np.asarray(im.resize(size) if size else im)


def rgba_of(rgb):
    return np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])


def test_an_object_pasted_on_a_real_photograph_is_found():
    """A five-lobed orange toy, shaded, pasted on a photograph of gravel (CC0): the built-in backend finds
    it (the busy border is no plain background) within 0.9 IoU, and makes one closed, sized solid of it."""
    from core.ai.mask import foreground

    rgb = photo("gravel.jpg", (400, 300)).copy()
    h, w = rgb.shape[:2]
    y, x = np.mgrid[0:h, 0:w] + 0.5
    r, angle = np.hypot(x - w / 2, y - h / 2), np.arctan2(y - h / 2, x - w / 2)
    toy = r < 80 * (1 + 0.25 * np.cos(5 * angle))
    shade = np.clip(1.0 - r / 140, 0.4, 1.0)[..., None]
    rgb[toy] = (np.array([242, 115, 25]) * shade)[toy].astype(np.uint8)
    mask, how = foreground(rgba_of(rgb), None)
    assert how == "object told from a busy background"
    assert (mask & toy).sum() / (mask | toy).sum() > 0.9
    hf = run_job("builtin", Job(image=image_from(rgba_of(rgb), with_alpha=False), size_mm=50.0, resolution=120))
    report = closed(heightfields_to_solid(hf))
    assert max(report["bbox_mm"]) == pytest.approx(50.0, rel=0.02) and report["checks"]["shells"] == 1


def test_a_cup_on_a_table_and_a_cat_are_found_not_refused():
    """Photographs no one here took (CC0): the cup keeps its white rim and its saucer, in one piece; the
    cat's face is found."""
    from core.ai.mask import foreground
    from core.raster import label

    cup, how = foreground(rgba_of(photo("coffee.jpg")), None)
    assert how == "object told from a busy background" and 0.3 < cup.mean() < 0.6
    assert label(cup, eight=False)[1].size == 1  # one piece
    assert cup[150, 225] and cup[40, 225]  # the coffee, and the white rim above it
    assert not cup[:30, :60].any() and not cup[-30:, :60].any()  # the table's corners
    cat, _ = foreground(rgba_of(photo("chelsea.jpg")), None)
    assert 0.2 < cat.mean() < 0.6 and cat[150, 225]  # between the eyes


def test_foreground_touching_the_border_warns():
    rgba, _ = disc_rgba(size=60, radius=40)
    hf = run_job("builtin", Job(image=image_from(rgba), resolution=60))
    assert any("border" in w for w in hf.warnings)
    closed(heightfields_to_solid(hf))


def test_cancel_stops_the_job():
    cancel = threading.Event()
    cancel.set()
    rgba, _ = disc_rgba()
    with pytest.raises(Cancelled):
        run_job("builtin", Job(image=image_from(rgba)), cancel=cancel)


def test_bad_job_settings():
    rgba, _ = disc_rgba()
    with pytest.raises(ImageToPrintError, match=r"^--size must be from 1 to 5000 mm, got -5$"):
        run_job("builtin", Job(image=image_from(rgba), size_mm=-5))
    for flag, field in (("--size", "size_mm"), ("--inflation", "inflation"), ("--min-thickness", "min_thickness_mm"),
                        ("--timeout", "timeout_s")):
        for bad in (float("inf"), float("nan"), -1.0):
            with pytest.raises(ImageToPrintError, match=f"^{flag} must be from "):
                run_job("builtin", Job(image=image_from(rgba), **{field: bad}))
    with pytest.raises(ImageToPrintError, match="unknown backend"):
        run_job("magic", Job(image=image_from(rgba)))


# ---- ONNX depth model -------------------------------------------------------------------------------

def test_onnx_backend_preprocesses_runs_and_postprocesses(tmp_path):
    model = depth_model(tmp_path / "depth.onnx", size=56)
    rgba, inside = disc_rgba(size=112, radius=50)
    # left half of the disc darker: the test model's "disparity" is the mean of the normalised RGB
    rgba[:, :56, :3] = np.where(inside[:, :56, None], 60, rgba[:, :56, :3])
    job = Job(image=image_from(rgba), model_path=model, size_mm=50.0, resolution=112, inflation=0.0,
              depth_mm=5.0, min_thickness_mm=1.0)
    hf = run_job("onnx", job)
    assert hf.meta["input"] == ["pixel_values", 56, 56] and hf.meta["output"] == "predicted_depth"
    assert hf.meta["licence"] == "Apache-2.0"
    rows = hf.front.shape[0]
    mid = rows // 2
    left, right = hf.front[mid, 20:40], hf.front[mid, 75:95]
    # brighter (right) is "nearer" for this model, so it stands out by about the depth range
    assert right.mean() - left.mean() == pytest.approx(5.0, rel=0.15)
    assert hf.front[hf.mask].min() >= 1.0 - 1e-5
    closed(heightfields_to_solid(hf))


def test_normalise_uses_robust_percentiles_inside_the_mask():
    d = np.linspace(0, 1, 100, dtype=np.float32).reshape(10, 10)
    d[0, 0] = 50.0  # an outlier
    mask = np.ones((10, 10), bool)
    n = normalise(d, mask)
    assert n.max() == 1.0 and n.min() == 0.0 and np.median(n) == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize("make,message", [
    (lambda p: (p.write_bytes(b"not a model"), str(p))[1], "not a usable ONNX model"),
    (lambda p: wrong_model(p), "wrong model signature"),
    (lambda p: str(p.parent / "missing.onnx"), "not found"),
])
def test_bad_model_files(tmp_path, make, message):
    rgba, _ = disc_rgba()
    path = make(tmp_path / "model.onnx")
    with pytest.raises(ImageToPrintError, match=message):
        run_job("onnx", Job(image=image_from(rgba), model_path=path))


# ---- remote services on loopback ---------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _remove_downloaded_models():
    """A remote backend's MeshFile is the caller's to remove (the Blender adapter does, after import)."""
    import glob
    import tempfile

    yield
    for path in glob.glob(os.path.join(tempfile.gettempdir(), "image-to-print-*.glb")):
        os.remove(path)


def fast(backend):
    backend.poll_scale = 0.01
    return backend


def hunyuan(job, monkeypatch):
    monkeypatch.setattr("core.ai.backends", lambda: {"hunyuan": fast(HunyuanBackend())})
    return run_job("hunyuan", job)


def test_hunyuan_send_and_status_until_completed(tmp_path, monkeypatch):
    calls = {"n": 0}

    def status(path, body):
        calls["n"] += 1
        done = calls["n"] >= 3
        value = {"status": "completed", "model_base64": b64_glb()} if done else {"status": "processing"}
        return 200, {"Content-Type": "application/json"}, __import__("json").dumps(value).encode()

    routes = {("POST", "/send"): json_reply({"uid": "abc"}), ("GET", "/status/abc"): status}
    rgba, _ = disc_rgba()
    with FakeServer(routes) as server:
        result = hunyuan(Job(image=image_from(rgba), server=server.url), monkeypatch)
        paths = [r[1] for r in server.requests]
        sent = __import__("json").loads(server.requests[1][3])
    assert open(result.path, "rb").read() == tiny_glb()
    assert paths == ["/health", "/send", "/status/abc", "/status/abc", "/status/abc"]  # 2.0: no /health
    assert calls["n"] == 3 and "image" in sent and result.meta["service"] == "hunyuan3d-2.0"


def test_hunyuan_falls_back_to_generate(monkeypatch):
    routes = {("POST", "/generate"): lambda path, body: (200, {"Content-Type": "model/gltf-binary"}, tiny_glb())}
    rgba, _ = disc_rgba()
    with FakeServer(routes) as server:
        result = hunyuan(Job(image=image_from(rgba), server=server.url), monkeypatch)
    assert open(result.path, "rb").read()[:4] == b"glTF"


def test_hunyuan_job_stuck_in_processing_times_out(monkeypatch):
    routes = {("POST", "/send"): json_reply({"uid": "x"}), ("GET", "/status/x"): json_reply({"status": "processing"})}
    rgba, _ = disc_rgba()
    with FakeServer(routes) as server, pytest.raises(ImageToPrintError, match="did not finish within 0.5 s"):
        hunyuan(Job(image=image_from(rgba), server=server.url, timeout_s=0.5), monkeypatch)


@pytest.mark.parametrize("routes,message", [
    ({("POST", "/send"): json_reply({}, status=500)}, "failed \\(HTTP 500\\)"),
    ({("POST", "/send"): lambda p, b: (200, {"Content-Type": "text/html"}, b"<html>Gradio</html>")},
     "this is not the API server"),
    ({("POST", "/send"): json_reply({"uid": "c"}),
      ("GET", "/status/c"): json_reply({"status": "completed", "model_base64": "bm90IGEgZ2xi"})}, "corrupt"),
])
def test_hunyuan_failures(monkeypatch, routes, message):
    monkeypatch.setattr("core.ai.http._sleep", lambda seconds, cancel: None)  # retries without the waits
    rgba, _ = disc_rgba()
    with FakeServer(routes) as server, pytest.raises(ImageToPrintError, match=message):
        hunyuan(Job(image=image_from(rgba), server=server.url), monkeypatch)


HEALTHY = json_reply({"status": "healthy", "worker_id": "a1b2c3"})


def test_hunyuan_2_1_answers_generate_with_the_model(monkeypatch):
    """Hunyuan3D-2.1's api_server.py: /health says healthy; a job sent to /send without texture stays
    'texturing' for ever there, so the model comes from /generate (texture off), answered when done."""
    def generate(path, body):
        assert __import__("json").loads(body)["texture"] is False
        return 200, {"Content-Type": "model/gltf-binary"}, tiny_glb()

    routes = {("GET", "/health"): HEALTHY, ("POST", "/generate"): generate, ("POST", "/send"): json_reply(
        {"uid": "never"}), ("GET", "/status/never"): json_reply({"status": "texturing"})}
    rgba, _ = disc_rgba()
    with FakeServer(routes) as server:
        result = hunyuan(Job(image=image_from(rgba), server=server.url), monkeypatch)
        paths = [r[1] for r in server.requests]
    assert open(result.path, "rb").read() == tiny_glb()
    assert paths == ["/health", "/generate"] and result.meta["service"] == "hunyuan3d-2.1"


def test_hunyuan_2_0_status_through_texturing_to_completed(monkeypatch):
    seq = iter(["processing", "texturing", "completed"])

    def status(path, body):
        value = {"status": next(seq)}
        if value["status"] == "completed":
            value.update(model_base64=b64_glb(), initial_model_base64=b64_glb())
        return 200, {"Content-Type": "application/json"}, __import__("json").dumps(value).encode()

    routes = {("POST", "/send"): json_reply({"uid": "u"}), ("GET", "/status/u"): status}
    rgba, _ = disc_rgba()
    with FakeServer(routes) as server:
        result = hunyuan(Job(image=image_from(rgba), server=server.url), monkeypatch)
    assert open(result.path, "rb").read() == tiny_glb()


@pytest.mark.parametrize("routes,message", [
    # 2.1's generation error: HTTP 404 with error_code 1
    ({("GET", "/health"): HEALTHY, ("POST", "/generate"): json_reply(
        {"text": "**NETWORK ERROR DUE TO HIGH TRAFFIC. PLEASE REGENERATE OR REFRESH THIS PAGE.**", "error_code": 1},
        404)}, "^127.0.0.1: the server could not make a model \\(error_code 1\\): \\*\\*NETWORK ERROR"),
    # the Gradio app: a web page at /health ...
    ({("GET", "/health"): lambda p, b: (200, {"Content-Type": "text/html"}, b"<!doctype html><html>Gradio</html>")},
     "^127.0.0.1: this is not the API server \\(api_server.py\\): start Hunyuan3D's api_server.py"),
    # ... or FastAPI's 404 for every route
    ({}, "^127.0.0.1: this is not the API server"),
    ({("GET", "/health"): json_reply({"status": "starting", "worker_id": "x"})}, "the server is not ready"),
])
def test_hunyuan_2_1_failures_and_the_gradio_app(monkeypatch, routes, message):
    monkeypatch.setattr("core.ai.http._sleep", lambda seconds, cancel: None)
    rgba, _ = disc_rgba()
    with FakeServer(routes) as server, pytest.raises(ImageToPrintError, match=message) as info:
        hunyuan(Job(image=image_from(rgba), server=server.url), monkeypatch)
    assert "\n" not in str(info.value)


def test_plain_http_to_a_remote_host_is_refused():
    rgba, _ = disc_rgba()
    with pytest.raises(ImageToPrintError, match="HTTPS"):
        run_job("hunyuan", Job(image=image_from(rgba), server="http://example.com:8081"))


def tripo(job, monkeypatch):
    monkeypatch.setattr("core.ai.backends", lambda: {"tripo": fast(TripoBackend())})
    return run_job("tripo", job)


def test_tripo_upload_task_poll_download(monkeypatch):
    rgba, _ = disc_rgba()
    holder = {}
    with FakeServer(tripo_routes(lambda: holder["url"])) as server:
        holder["url"] = server.url
        result = tripo(Job(image=image_from(rgba), server=server.url, api_key="tsk_secret"), monkeypatch)
        auth = [r[2].get("Authorization") for r in server.requests]
        upload_body = server.requests[0][3]
        paths = [(r[0], r[1].split("?")[0]) for r in server.requests]
        create = __import__("json").loads(server.requests[1][3])
    assert open(result.path, "rb").read() == tiny_glb()
    assert paths == [("POST", "/v3/files"), ("POST", "/v3/generation/image-to-model"), ("GET", "/v3/tasks/t1"),
                     ("GET", "/v3/tasks/t1"), ("GET", "/v3/tasks/t1"), ("GET", "/signed/model.glb")]
    assert auth == ["Bearer tsk_secret"] * 5 + [None]  # the key in the header; never to the signed download
    assert b'name="file"' in upload_body and b"\x89PNG" in upload_body and create == {"input": "file_tok"}
    assert result.meta == {"service": "tripo", "api": "v3", "task_id": "t1"}


@pytest.mark.parametrize("status,message", [(401, "rejected the API key"), (402, "out of credits"),
                                            (429, "rate limiting"), (500, "HTTP 500")])
def test_tripo_http_errors_name_the_cause_and_never_the_key(monkeypatch, status, message):
    rgba, _ = disc_rgba()
    routes = {("POST", "/v3/files"): json_reply({"message": "nope"}, status=status)}
    with FakeServer(routes) as server, pytest.raises(ImageToPrintError) as info:
        backend = fast(TripoBackend())
        monkeypatch.setattr("core.ai.backends", lambda: {"tripo": backend})
        monkeypatch.setattr("core.ai.http._sleep", lambda seconds, cancel: None)
        run_job("tripo", Job(image=image_from(rgba), server=server.url, api_key="tsk_secret"))
    assert message in str(info.value) and "tsk_secret" not in str(info.value)


def _tripo_with(monkeypatch, changes, **job):
    """Run a Tripo job against the v3 fake with some routes changed; (result or error, requests, sleeps)."""
    rgba, _ = disc_rgba()
    holder, sleeps = {}, []
    routes = dict(tripo_routes(lambda: holder["url"]))
    routes.update(changes)
    monkeypatch.setattr("core.ai.http._sleep", lambda seconds, cancel: sleeps.append(seconds))
    with FakeServer(routes) as server:
        holder["url"] = server.url
        try:
            outcome = tripo(Job(image=image_from(rgba), server=server.url, api_key="tsk_secret", **job), monkeypatch)
        except ImageToPrintError as exc:
            outcome = exc
    return outcome, [(m, p.split("?")[0], h.get("Authorization"), b) for m, p, h, b in server.requests], sleeps


def test_tripo_v3_out_of_credit_is_403_code_2010_in_one_line(monkeypatch):
    body = {"code": 2010, "message": "Insufficient balance.", "suggestion": "Top up your account."}
    error, requests, _ = _tripo_with(monkeypatch, {("POST", "/v3/generation/image-to-model"): json_reply(body, 403)})
    assert str(error) == ("127.0.0.1: the account is out of credits (code 2010): Insufficient balance; Top up "
                          "your account")
    assert [r[1] for r in requests].count("/v3/generation/image-to-model") == 1  # paid work: never sent twice


def test_tripo_v3_error_envelope_with_200_and_a_refused_key(monkeypatch):
    error, _, _ = _tripo_with(monkeypatch, {("POST", "/v3/files"): json_reply(
        {"code": 1004, "message": "Unsupported file type", "suggestion": "Send a PNG or JPEG"})})
    assert str(error) == ("127.0.0.1: the service refused the request (code 1004): Unsupported file type; Send a "
                          "PNG or JPEG")
    error, _, _ = _tripo_with(monkeypatch, {("POST", "/v3/files"): json_reply(
        {"code": 1002, "message": "Authentication failed"}, 401)})
    assert str(error) == "127.0.0.1: the service rejected the API key (401) (code 1002): Authentication failed"
    assert "tsk_secret" not in str(error)


def test_tripo_v3_waits_for_retry_after_and_never_resends_paid_work_after_a_5xx(monkeypatch):
    calls = {"n": 0}

    def limited(path, body):
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Content-Type": "application/json", "Retry-After": "7"}, b'{"code": 2000, "message": "slow"}'
        return 200, {"Content-Type": "application/json"}, b'{"code": 0, "data": {"task_id": "t1"}}'

    result, requests, sleeps = _tripo_with(monkeypatch, {("POST", "/v3/generation/image-to-model"): limited})
    assert not isinstance(result, Exception) and open(result.path, "rb").read() == tiny_glb()
    assert calls["n"] == 2 and 7.0 in sleeps  # Retry-After honoured
    error, requests, _ = _tripo_with(monkeypatch, {("POST", "/v3/generation/image-to-model"): json_reply({}, 503)})
    assert str(error) == "127.0.0.1: the service failed (HTTP 503)"
    assert [r[1] for r in requests].count("/v3/generation/image-to-model") == 1


def test_tripo_v3_large_image_goes_through_a_presigned_put_without_the_key(monkeypatch):
    monkeypatch.setattr("core.ai.remote.TRIPO_UPLOAD_MAX", 100)  # every image counts as large
    holder = {}

    def presign(path, body):
        assert __import__("json").loads(body) == {"format": "png"}
        data = {"file_token": "file_big", "presigned_url": f"{holder['url']}/bucket/x?sig=1"}
        return 200, {"Content-Type": "application/json"}, __import__("json").dumps({"code": 0, "data": data}).encode()

    def created(path, body):
        assert __import__("json").loads(body) == {"input": "file_big"}
        return 200, {"Content-Type": "application/json"}, b'{"code": 0, "data": {"task_id": "t1"}}'

    routes = {("POST", "/v3/files/presign"): presign, ("PUT", "/bucket/x"): lambda p, b: (200, {}, b""),
              ("POST", "/v3/generation/image-to-model"): created}
    rgba, _ = disc_rgba()
    base = dict(tripo_routes(lambda: holder["url"]))
    del base[("POST", "/v3/files")]
    base.update(routes)
    with FakeServer(base) as server:
        holder["url"] = server.url
        result = tripo(Job(image=image_from(rgba), server=server.url, api_key="tsk_secret"), monkeypatch)
        put = [r for r in server.requests if r[0] == "PUT"]
    assert open(result.path, "rb").read() == tiny_glb()
    assert len(put) == 1 and put[0][2].get("Authorization") is None and put[0][3].startswith(b"\x89PNG")


def test_tripo_v3_balance(monkeypatch):
    from core.ai.remote import tripo_balance

    routes = {("GET", "/v3/account/balance"): json_reply({"code": 0, "data": {"balance": 1234.5, "frozen": 40}})}
    with FakeServer(routes) as server:
        assert tripo_balance("tsk_secret", server.url) == (1234.5, 40.0)
        assert server.requests[0][2].get("Authorization") == "Bearer tsk_secret"
    routes = {("GET", "/v3/account/balance"): json_reply({"code": 1002, "message": "Authentication failed"}, 401)}
    with FakeServer(routes) as server, pytest.raises(ImageToPrintError, match="rejected the API key"):
        tripo_balance("bad", server.url)


def test_tripo_needs_a_key():
    rgba, _ = disc_rgba()
    with pytest.raises(ImageToPrintError, match="TRIPO_API_KEY"):
        run_job("tripo", Job(image=image_from(rgba), api_key=""))


def test_tripo_failed_task_timeout_and_oversized_download(monkeypatch):
    rgba, _ = disc_rgba()
    holder = {}
    with FakeServer(tripo_routes(lambda: holder["url"], status_seq=("running", "failed"))) as server:
        holder["url"] = server.url
        with pytest.raises(ImageToPrintError, match="ended as 'failed': the image has no recognisable object"):
            tripo(Job(image=image_from(rgba), server=server.url, api_key="k"), monkeypatch)
    with FakeServer(tripo_routes(lambda: holder["url"], status_seq=("running",))) as server:
        holder["url"] = server.url
        with pytest.raises(ImageToPrintError, match="did not finish"):
            tripo(Job(image=image_from(rgba), server=server.url, api_key="k", timeout_s=0.3), monkeypatch)
    with FakeServer(tripo_routes(lambda: holder["url"], glb=tiny_glb() * 4000)) as server:
        holder["url"] = server.url
        with pytest.raises(ImageToPrintError, match="download limit"):
            tripo(Job(image=image_from(rgba), server=server.url, api_key="k", max_download_mb=0.1), monkeypatch)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    """A self-signed certificate for the HTTPS fakes (real TLS on loopback)."""
    return self_signed(str(tmp_path_factory.mktemp("tls")))


def test_tripo_over_tls_follows_an_https_redirect_to_another_host_without_the_key(monkeypatch, tls):
    monkeypatch.setenv("SSL_CERT_FILE", tls[0])
    rgba, _ = disc_rgba()
    holder = {}
    moved = tripo_routes(lambda: holder["url"])
    with FakeServer(moved, tls=tls, host="localhost") as other:  # the same machine under another name
        routes = dict(tripo_routes(lambda: holder["url"]))
        routes[("GET", "/v3/tasks/t1")] = lambda path, body: (302, {"Location": f"{other.url}/v3/tasks/t1"}, b"")
        with FakeServer(routes, tls=tls) as server:
            holder["url"] = server.url
            assert server.url.startswith("https://127.0.0.1:") and other.url.startswith("https://localhost:")
            result = tripo(Job(image=image_from(rgba), server=server.url, api_key="tsk_secret"), monkeypatch)
            ours = [(r[0], r[1], r[2].get("Authorization")) for r in server.requests]
        theirs = [(r[0], r[1], r[2].get("Authorization")) for r in other.requests]
    assert open(result.path, "rb").read() == tiny_glb()
    assert ours[:3] == [("POST", "/v3/files", "Bearer tsk_secret"),
                        ("POST", "/v3/generation/image-to-model", "Bearer tsk_secret"),
                        ("GET", "/v3/tasks/t1", "Bearer tsk_secret")]
    assert theirs and all(auth is None for _, _, auth in theirs)  # the key stays with the configured host
    assert [path for _, path, _ in theirs] == ["/v3/tasks/t1"] * len(theirs)


def test_tripo_over_tls_refuses_a_redirect_to_plain_http_on_another_host(monkeypatch, tls):
    monkeypatch.setenv("SSL_CERT_FILE", tls[0])
    rgba, _ = disc_rgba()
    with FakeServer({}, host="localhost") as landing:
        routes = dict(tripo_routes(lambda: ""))
        moved = {"Location": f"{landing.url}/steal"}
        routes[("POST", "/v3/generation/image-to-model")] = lambda path, body: (302, moved, b"")
        with FakeServer(routes, tls=tls) as server, pytest.raises(ImageToPrintError) as info:
            tripo(Job(image=image_from(rgba), server=server.url, api_key="tsk_secret"), monkeypatch)
        assert landing.requests == []
    assert str(info.value) == "127.0.0.1 redirected to http://localhost: only HTTPS redirects are followed"


def test_an_untrusted_certificate_is_one_line_naming_the_host(monkeypatch, tls):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    rgba, _ = disc_rgba()
    with FakeServer(tripo_routes(lambda: ""), tls=tls) as server, pytest.raises(ImageToPrintError) as info:
        monkeypatch.setattr("core.ai.http._sleep", lambda seconds, cancel: None)
        tripo(Job(image=image_from(rgba), server=server.url, api_key="tsk_secret"), monkeypatch)
        assert server.requests == []
    assert str(info.value) == ("cannot reach 127.0.0.1: its certificate is not trusted (self-signed certificate); a "
                               "server with its own authority needs SSL_CERT_FILE set to that authority's certificate")
    assert "\n" not in str(info.value) and "tsk_secret" not in str(info.value)


def test_a_server_that_never_answers_times_out(monkeypatch):
    from core.ai import http

    routes = {("POST", "/slow"): slow(2.0, json_reply({}))}
    with FakeServer(routes) as server, pytest.raises(ImageToPrintError, match="no answer within 0.3 s"):
        http.request_json("POST", f"{server.url}/slow", body={}, timeout_s=0.3, retries=0)


def test_download_checks_the_pinned_checksum(tmp_path):
    import hashlib

    from core.ai.download import download

    payload = b"model bytes" * 100
    routes = {("GET", "/m.onnx"): lambda p, b: (200, {}, payload)}
    with FakeServer(routes) as server:
        good = download(f"{server.url}/m.onnx", str(tmp_path / "m.onnx"), hashlib.sha256(payload).hexdigest(),
                        max_bytes=10_000)
        assert open(good, "rb").read() == payload
        with pytest.raises(ImageToPrintError, match="checksum"):
            download(f"{server.url}/m.onnx", str(tmp_path / "bad.onnx"), "0" * 64, max_bytes=10_000)
    assert not (tmp_path / "bad.onnx").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["m.onnx"]


def test_separate_pieces_give_one_solid_and_a_warning():
    """Two discs of different size on transparency: the larger is the solid, and a warning says one piece
    (of about a fifth of the outline) was left out; the mesh is one shell."""
    size = 160
    y, x = np.mgrid[0:size, 0:size] + 0.5
    big = np.hypot(x - 55, y - 80) < 40
    small = np.hypot(x - 128, y - 80) < 18
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = 180
    rgba[..., 3] = np.where(big | small, 255, 0)
    hf = run_job("builtin", Job(image=image_from(rgba), size_mm=40.0, resolution=160))
    assert hf.warnings == ["1 separate piece left out (17% of the outline): the result is one solid; cut the "
                           "image into one picture per piece to print them all"]
    report = closed(heightfields_to_solid(hf))
    assert report["checks"]["shells"] == 1 and max(report["bbox_mm"]) == pytest.approx(40.0, rel=0.02)


def test_a_mask_image_gives_the_outline(tmp_path):
    """Noise no finder can read, with a mask image of a disc (white on black, another size): the disc is the
    object; a mask marking nothing is one line."""
    from PIL import Image

    noisy = (np.random.default_rng(1).random((90, 120, 4)) * 255).astype(np.uint8)
    noisy[..., 3] = 255
    y, x = np.mgrid[0:180, 0:240] + 0.5
    Image.fromarray(np.where(np.hypot(x - 120, y - 90) < 60, 255, 0).astype(np.uint8)).save(tmp_path / "m.png")
    hf = run_job("builtin", Job(image=image_from(noisy, with_alpha=False), size_mm=30.0, resolution=60,
                                mask_path=str(tmp_path / "m.png")))
    assert hf.meta["mask_from"] == "mask image"
    report = closed(heightfields_to_solid(hf))
    assert report["bbox_mm"][:2] == pytest.approx([30.0, 30.0], rel=0.05)
    Image.new("L", (20, 20), 0).save(tmp_path / "empty.png")
    with pytest.raises(ImageToPrintError) as info:
        run_job("builtin", Job(image=image_from(noisy, with_alpha=False), mask_path=str(tmp_path / "empty.png")))
    assert str(info.value) == "the mask image empty.png marks no object (white or opaque is the object)"
