# SPDX-License-Identifier: GPL-3.0-or-later
"""Hostile input and faults: every case ends with a good file or one clear line, leaves nothing
corrupt or half-written, never crashes or hangs, and never sends a key where it should not go."""

import importlib
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

import bpy
import numpy as np
import pytest
from cli_run import run
from conftest import ROOT, datablock_counts
from judges import stl_triangles
from PIL import Image

SAMPLE = os.path.join(ROOT, "samples", "sunflower.png")
LAUNCHER = os.path.join(ROOT, "image-to-print")


def one_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def refused(ext, capfd, *argv, words):
    before = datablock_counts()
    code, out, err = run(ext, capfd, *argv)
    assert code == 1, (out, err)
    line = one_line(err)
    assert words in line, line
    assert datablock_counts() == before
    return line


def files(folder):
    return sorted(os.listdir(folder))


# --- paths aimed at each other -----------------------------------------------------------------

def test_paths_aimed_at_each_other_are_refused_before_any_work(ext, scene, tmp_path, capfd):
    image = tmp_path / "photo.png"
    image.write_bytes(open(SAMPLE, "rb").read())
    original = image.read_bytes()
    stl = tmp_path / "r.stl"
    cases = [
        (["-o", stl, "--report", stl], "is given twice as an output"),
        (["-o", stl, "-o", stl], "is given twice as an output"),
        (["-o", stl, "--report", image], "is the input file"),
        (["-o", tmp_path / "photo.png"], "unsupported output format"),
        (["-o", tmp_path / "photo.stl", "--report", tmp_path / "." / "photo.png"], "is the input file"),
    ]
    for extra, words in cases:
        refused(ext, capfd, "relief", image, *extra, "--width", 20, "--sample-mm", 1, words=words)
        assert image.read_bytes() == original
        assert files(tmp_path) == ["photo.png"]
    link = tmp_path / "alias.stl"
    os.symlink(image, link)  # -o through a link onto the input
    refused(ext, capfd, "relief", image, "-o", link, "--width", 20, words="is the input file")
    assert image.read_bytes() == original


def test_check_report_cannot_replace_the_mesh(ext, scene, tmp_path, capfd):
    code, _, err = run(ext, capfd, "relief", SAMPLE, "-o", tmp_path / "m.stl", "--width", 20, "--sample-mm", 1)
    assert code == 0, err
    mesh = (tmp_path / "m.stl").read_bytes()
    refused(ext, capfd, "check", tmp_path / "m.stl", "--report", tmp_path / "m.stl", words="is the input file")
    assert (tmp_path / "m.stl").read_bytes() == mesh


def test_an_unwritable_folder_is_refused_before_the_build_naming_the_users_path(ext, scene, tmp_path, capfd):
    start = time.perf_counter()
    line = refused(ext, capfd, "relief", SAMPLE, "-o", "/proc/r.stl", "--width", 100, "--sample-mm", 0.1,
                   words="cannot write /proc/r.stl")
    assert ".part" not in line
    assert time.perf_counter() - start < 2.0  # a 1000 x 750 relief was not built first


# --- numbers where they enter ------------------------------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["relief", "{img}", "-o", "{tmp}/r.stl", "--width", "1e-9"], "--width must be from 1 to 5000 mm, got 1e-09"),
    (["relief", "{img}", "-o", "{tmp}/r.stl", "--width", "nan"], "--width: expected a finite number"),
    (["relief", "{img}", "-o", "{tmp}/r.stl", "--depth", "inf"], "--depth: expected a finite number"),
    (["ai", "{img}", "-o", "{tmp}/r.stl", "--size", "inf"], "--size: expected a finite number"),
    (["ai", "{img}", "-o", "{tmp}/r.stl", "--inflation", "inf"], "--inflation: expected a finite number"),
    (["ai", "{img}", "-o", "{tmp}/r.stl", "--min-thickness", "1e300"], "--min-thickness must be from 0.1 to 5000"),
    (["ai", "{img}", "-o", "{tmp}/r.stl", "--timeout", "nan"], "--timeout: expected a finite number"),
    (["ai", "{img}", "-o", "{tmp}/r.stl", "--timeout", "-1"], "--timeout must be from 0.1 to 86400 s"),
    (["check", "{img}", "--build-volume", "nan", "nan", "nan"], "--build-volume: expected a finite number"),
    (["check", "{img}", "--build-volume", "0", "10", "10"], "--build-volume must be from 1 to 5000 mm"),
    (["trace", "{img}", "-o", "{tmp}/r.stl", "--threshold", "nan"], "--threshold must be auto or a number"),
])
def test_numbers_are_checked_where_they_enter(ext, scene, tmp_path, capfd, argv, words):
    names = {"img": SAMPLE, "tmp": tmp_path}
    refused(ext, capfd, *[a.format(**names) for a in argv], words=words)
    assert files(tmp_path) == []


def test_no_arguments_is_one_line_on_stderr(ext, capfd):
    code, out, err = run(ext, capfd)
    assert code == 1 and out == ""
    assert "no SUBCOMMAND" in one_line(err)


# --- images where they enter -------------------------------------------------------------------

def test_a_float_tiff_with_nan_pixels_makes_a_clean_relief_and_says_so(ext, scene, tmp_path, capfd):
    grey = np.tile(np.linspace(0, 1, 64, dtype=np.float32), (48, 1))
    grey[10:20, 10:30] = np.nan
    grey[30, 40] = np.inf
    Image.fromarray(grey, "F").save(tmp_path / "nan.tif")
    start = time.perf_counter()
    code, out, err = run(ext, capfd, "relief", tmp_path / "nan.tif", "-o", tmp_path / "r.stl", "--width", 40,
                         "--report", tmp_path / "r.json")
    assert time.perf_counter() - start < 60
    assert code == 0, err
    assert "201 pixels held no number (NaN or infinity)" in err and "RuntimeWarning" not in err
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["printable"] and report["checks"]["intersecting_faces"] == 0
    for route in ("trace", "ai"):
        code, out, err = run(ext, capfd, route, tmp_path / "nan.tif", "-o", tmp_path / f"{route}.stl")
        assert "Warning" not in err and "Traceback" not in err, err


def test_a_one_pixel_strip_is_refused_in_words(ext, scene, tmp_path, capfd):
    Image.fromarray(np.zeros((10000, 1), np.uint8)).save(tmp_path / "strip.png")
    for route in ("trace", "relief"):
        refused(ext, capfd, route, tmp_path / "strip.png", "-o", tmp_path / "s.stl",
                words="is 1 x 10000 pixels: too thin")
    Image.fromarray(np.zeros((4000, 3), np.uint8)).save(tmp_path / "thin.png")
    refused(ext, capfd, "trace", tmp_path / "thin.png", "-o", tmp_path / "s.stl", words="mm long, over 5000 mm")


# --- bounded work ------------------------------------------------------------------------------

def test_work_over_the_limit_stops_at_once_with_a_sample_spacing_that_fits(ext, scene, tmp_path, capfd):
    Image.fromarray((np.random.default_rng(0).random((4000, 4000)) * 255).astype(np.uint8)).save(tmp_path / "big.png")
    start = time.perf_counter()
    line = refused(ext, capfd, "relief", tmp_path / "big.png", "-o", tmp_path / "b.stl", "--native",
                   "--max-triangles", 1_000_000, words="would have 32,")
    assert time.perf_counter() - start < 5
    assert "over the limit of 1,000,000 given: use --sample-mm" in line and "--max-triangles 32" in line
    spacing = float(line.split("--sample-mm ")[1].split()[0])
    est = ext.core.relief.estimate(4000, 4000, ext.core.settings.ReliefSettings(sample_mm=spacing))
    assert est["triangles"] <= 1_000_000


def test_a_mesh_over_the_limit_is_refused_before_import(ext, scene, tmp_path, capfd):
    stl = tmp_path / "big.stl"
    with open(stl, "wb") as fh:
        fh.write(b"\0" * 80 + struct.pack("<I", 3_000_000))
        fh.truncate(84 + 50 * 3_000_000)
    refused(ext, capfd, "check", stl, "--max-triangles", 1_000_000, words="big.stl would have 3,000,000 triangles")


# --- foreign meshes ----------------------------------------------------------------------------

def _ply(path, header_lines, body=b""):
    path.write_bytes(("ply\nformat binary_little_endian 1.0\n" + "".join(h + "\n" for h in header_lines)
                      + "end_header\n").encode() + body)
    return path


@pytest.mark.parametrize("name, make, words", [
    ("bad_count", lambda p: _ply(p, ["element vertex abc", "property float x"]), "bad element count"),
    ("overflow", lambda p: _ply(p, ["element vertex 99999999999999999999", "property float x"]), "bad element count"),
    ("short", lambda p: _ply(p, ["element vertex 1000", "property float x", "property float y", "property float z",
                                  "element face 10", "property list uchar int vertex_indices"], b"\0" * 100),
     "declares 12,130 bytes of data, the file has 100"),
    ("no_end", lambda p: p.write_bytes(b"ply\nformat ascii 1.0\nelement vertex 3\n") and p, "no end_header"),
])
def test_malformed_ply_is_one_line_never_an_abort(tmp_path, installed, name, make, words):
    """Blender's PLY importer aborts the process on these (exit 134, nothing on stderr): run for real."""
    path = make(tmp_path / f"{name}.ply")
    proc = subprocess.run([LAUNCHER, "check", str(path)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    assert words in one_line(proc.stderr)


def test_glb_declaring_a_huge_buffer_is_refused(ext, scene, tmp_path, capfd):
    doc = json.dumps({"asset": {"version": "2.0"}, "buffers": [{"byteLength": 2 ** 40}]}).encode()
    doc += b" " * (-len(doc) % 4)
    glb = struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(doc) + 8 + 4) + struct.pack("<I4s", len(doc), b"JSON") + doc \
        + struct.pack("<I4s", 4, b"BIN\x00") + b"\0" * 4
    (tmp_path / "huge.glb").write_bytes(glb)
    line = refused(ext, capfd, "check", tmp_path / "huge.glb", words="buffer 0 declares 1,099,511,627,776 bytes")
    assert "ops.py" not in line


def test_truncated_binary_stl_says_what_is_wrong(ext, scene, tmp_path, capfd):
    (tmp_path / "t.stl").write_bytes(b"\0" * 80 + struct.pack("<I", 100) + b"\0" * 500)
    refused(ext, capfd, "check", tmp_path / "t.stl", words="needs 5,084 bytes, the file has 584")


# --- a full disk -------------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    folder = tmp_path / "small"
    folder.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)]).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    yield folder
    subprocess.run(["umount", "-l", str(folder)])


@pytest.mark.parametrize("ext_name", [".stl", ".obj", ".glb", ".3mf"])
def test_a_full_disk_is_one_line_and_leaves_the_old_file(ext, scene, small_disk, tmp_path, capfd, ext_name):
    target = small_disk / f"r{ext_name}"
    target.write_bytes(b"the old file")
    good = tmp_path / "good.stl"
    code, out, err = run(ext, capfd, "relief", SAMPLE, "-o", good, "-o", target, "--width", 100, "--sample-mm", 0.2)
    assert code == 1, (out, err)
    assert f"cannot write {target}: disk full" in one_line(err)
    assert target.read_bytes() == b"the old file"
    assert files(small_disk) == [f"r{ext_name}"]
    assert not good.exists()  # outputs count together or not at all


def test_a_full_disk_for_the_report_writes_no_mesh(ext, scene, small_disk, tmp_path, capfd):
    with open(small_disk / "filler", "wb") as fh:  # every last block
        try:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        except OSError:
            pass
    code, out, err = run(ext, capfd, "relief", SAMPLE, "-o", tmp_path / "r.stl", "--width", 20, "--sample-mm", 1,
                         "--report", small_disk / "r.json")
    assert code == 1
    assert "disk full" in one_line(err)
    assert not (tmp_path / "r.stl").exists() and files(small_disk) == ["filler"]


# --- signals -----------------------------------------------------------------------------------

def _exporting(folder) -> bool:
    """The STL exporter has begun writing its temporary file (bytes in it)."""
    return any(name.endswith(".part.stl") and os.path.getsize(os.path.join(folder, name)) > 0
               for name in os.listdir(folder))


@pytest.mark.parametrize("sig, stage", [(signal.SIGTERM, "build"), (signal.SIGINT, "build"),
                                        (signal.SIGTERM, "export")])
def test_a_signal_during_the_run_ends_it_fast_and_leaves_nothing(installed, tmp_path, sig, stage):
    """Mid-build, or while the STL exporter writes a file of some 190 MB: the run ends within seconds,
    and neither an output nor a temporary file is left."""
    Image.open(SAMPLE).resize((1600, 1200)).save(tmp_path / "in.png")
    proc = subprocess.Popen([LAUNCHER, "relief", str(tmp_path / "in.png"), "-o", str(tmp_path / "r.stl"),
                             "-o", str(tmp_path / "r.glb"), "--width", "160", "--sample-mm", "0.1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(name.endswith(".part.stl") for name in os.listdir(tmp_path)):  # the outputs exist: work began
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    if stage == "export":
        while not _exporting(tmp_path):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.005)
    else:
        time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    took = time.monotonic() - sent
    assert proc.returncode == 128 + sig, (proc.returncode, err)
    assert f"interrupted ({signal.Signals(sig).name}); nothing was written" in one_line(err)
    assert files(tmp_path) == ["in.png"]
    assert took < 5.0, f"{took:.1f} s after the signal"


def test_two_writers_on_one_path_leave_one_whole_file(installed, tmp_path):
    """Two runs writing the same output at once: each renames a complete temporary file into place, so
    the path ends as one whole, valid STL (the last to finish) and no temporary file is left. Both start as
    after an update (the launcher's install stamp gone), so both find the extension to install: one does,
    the other waits for it instead of failing on Blender's repository lock."""
    out = tmp_path / "same.stl"
    for stamp in (os.path.join(ROOT, "build", "blender-user-5.2", "image_to_print.sha256"),
                  os.path.join(ROOT, "build", "dist", "sources.sha256")):  # and the zip to build again
        if os.path.exists(stamp):
            os.remove(stamp)
    runs = [subprocess.Popen([LAUNCHER, "relief", SAMPLE, "-o", str(out), "--width", str(width), "--sample-mm",
                              "0.5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for width in (40, 60)]
    said = []
    for proc in runs:
        stdout, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        said.append(int(re.search(r"(\d+) triangles", stdout).group(1)))
    assert files(tmp_path) == ["same.stl"]
    assert said[0] != said[1]
    triangles = stl_triangles(out)
    assert triangles in said and out.stat().st_size == 84 + 50 * triangles


# --- remote calls ------------------------------------------------------------------------------

class _Raw:
    """A loopback server speaking raw HTTP: each connection gets ``answer(sock, request)``."""

    def __init__(self, answer):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.requests = []
        self.stop = threading.Event()

        def serve():
            while not self.stop.is_set():
                try:
                    conn, _ = self.sock.accept()
                except OSError:
                    return
                request = conn.recv(65536).decode("latin-1")
                self.requests.append(request)
                try:
                    answer(conn, request, self)
                except OSError:
                    pass
                conn.close()

        threading.Thread(target=serve, daemon=True).start()

    def close(self):
        self.stop.set()
        self.sock.close()


def test_a_server_dripping_one_byte_at_a_time_meets_the_whole_call_deadline(ext):
    http = importlib.import_module(ext.__name__ + ".core.ai.http")

    def drip(conn, request, server):
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
        while not server.stop.is_set():
            conn.sendall(b" ")
            time.sleep(0.3)

    server = _Raw(drip)
    try:
        start = time.monotonic()
        with pytest.raises(ext.core.errors.ImageToPrintError, match="^127.0.0.1: the answer did not arrive in time"):
            http.request_json("GET", server.url + "/status", timeout_s=2.0, retries=0)
        assert time.monotonic() - start < 4.0
    finally:
        server.close()


def test_a_silent_server_after_its_headers_is_named(ext):
    http = importlib.import_module(ext.__name__ + ".core.ai.http")

    def silent(conn, request, server):
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n")
        server.stop.wait(5)

    server = _Raw(silent)
    try:
        with pytest.raises(ext.core.errors.ImageToPrintError, match="^127.0.0.1: "):
            http.request_json("GET", server.url + "/x", timeout_s=1.0, retries=0)
    finally:
        server.close()


def test_redirects_to_plain_http_elsewhere_are_refused_and_carry_no_key(ext):
    http = importlib.import_module(ext.__name__ + ".core.ai.http")
    landed = _Raw(lambda conn, request, server: conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}"))
    other = landed.url.replace("127.0.0.1", "localhost")  # the same machine under another name

    def redirect(conn, request, server):
        conn.sendall(f"HTTP/1.0 302 Found\r\nLocation: {other}/steal\r\nContent-Length: 0\r\n\r\n".encode())

    server = _Raw(redirect)
    try:
        with pytest.raises(ext.core.errors.ImageToPrintError, match="127.0.0.1 redirected to http://localhost: only "
                                                                    "HTTPS redirects are followed"):
            http.request_json("GET", server.url + "/task", headers={"Authorization": "Bearer tsk_secret"}, retries=0)
        assert landed.requests == []
    finally:
        server.close()
        landed.close()
    handler = http._Redirects()
    request = __import__("urllib.request").request.Request("https://api.example.com/v3/task",
                                                            headers={"Authorization": "Bearer tsk_secret"})
    moved = handler.redirect_request(request, None, 302, "Found", {}, "https://cdn.example.net/model.glb")
    assert "Authorization" not in moved.headers and moved.full_url == "https://cdn.example.net/model.glb"
    same = handler.redirect_request(request, None, 302, "Found", {}, "https://api.example.com/v3/other")
    assert same.headers.get("Authorization") == "Bearer tsk_secret"


def test_nothing_is_left_in_the_scene_or_the_temp_folder(ext, scene):
    import tempfile

    assert [n for n in os.listdir(tempfile.gettempdir()) if n.startswith(".") and n.endswith((".stl", ".glb"))] == []
    assert sys.modules[ext.__name__ + ".core.outputs"].LIVE == set()
    assert len(bpy.data.objects) == 0
