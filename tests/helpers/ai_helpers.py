# SPDX-License-Identifier: GPL-3.0-or-later
"""Small ONNX models and fake servers built by the tests (nothing downloaded)."""

from __future__ import annotations

import base64
import json
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np


def depth_model(path, size=56, kind="disparity"):
    """A tiny ONNX model with Depth Anything V2's contract: float32 [1,3,H,W] in, [1,H,W] out.

    Its "disparity" is the mean of the three (normalised) input channels, so the test
    knows exactly what the post-processing should produce.
    """
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("pixel_values", TensorProto.FLOAT, [1, 3, size, size])
    y = helper.make_tensor_value_info("predicted_depth", TensorProto.FLOAT, [1, size, size])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [helper.make_node("ReduceMean", ["pixel_values", "axes"], ["predicted_depth"], keepdims=0)]
    graph = helper.make_graph(nodes, "depth", [x], [y], initializer=[axes])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, str(path))
    return str(path)


def wrong_model(path):
    """A valid ONNX model with the wrong signature (a vector in, a vector out)."""
    import onnx
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9
    onnx.save(model, str(path))
    return str(path)


def tiny_glb() -> bytes:
    """A valid GLB holding one triangle."""
    return mesh_glb([(0, 0, 0), (1, 0, 0), (0, 1, 0)], [(0, 1, 2)])


def cube_glb(size=0.5) -> bytes:
    """A valid GLB holding a closed, outward-facing cube (glTF: metres, Y up)."""
    v = [(x * size, y * size, z * size) for x in (0, 1) for y in (0, 1) for z in (0, 1)]
    index = {p: i for i, p in enumerate(v)}

    def i(x, y, z):
        return index[(x * size, y * size, z * size)]

    quads = [((0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0)), ((1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)),
             ((0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)), ((0, 1, 0), (0, 1, 1), (1, 1, 1), (1, 1, 0)),
             ((0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0)), ((0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1))]
    tris = []
    for q in quads:
        a, b, c, d = (i(*p) for p in q)
        tris += [(a, b, c), (a, c, d)]
    return mesh_glb(v, tris)


def mesh_glb(vertices, triangles) -> bytes:
    positions = struct.pack(f"<{3 * len(vertices)}f", *[c for v in vertices for c in v])
    indices = struct.pack(f"<{3 * len(triangles)}I", *[i for t in triangles for i in t])
    lo = [min(v[k] for v in vertices) for k in range(3)]
    hi = [max(v[k] for v in vertices) for k in range(3)]
    gltf = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0}],
            "meshes": [{"primitives": [{"attributes": {"POSITION": 0}, "indices": 1}]}],
            "accessors": [{"bufferView": 0, "componentType": 5126, "count": len(vertices), "type": "VEC3",
                           "min": lo, "max": hi},
                          {"bufferView": 1, "componentType": 5125, "count": 3 * len(triangles), "type": "SCALAR"}],
            "bufferViews": [{"buffer": 0, "byteLength": len(positions)},
                            {"buffer": 0, "byteOffset": len(positions), "byteLength": len(indices)}],
            "buffers": [{"byteLength": len(positions) + len(indices)}]}
    js = json.dumps(gltf).encode()
    js += b" " * (-len(js) % 4)
    binary = positions + indices
    body = struct.pack("<I4s", len(js), b"JSON") + js + struct.pack("<I4s", len(binary), b"BIN\0") + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(body)) + body


def self_signed(folder) -> tuple[str, str]:
    """A self-signed certificate for localhost and 127.0.0.1: (certificate, key) PEM paths in ``folder``.
    Point SSL_CERT_FILE at the certificate and the client trusts the HTTPS fakes, as real TLS."""
    import os
    import subprocess

    cert, key = os.path.join(folder, "fake-cert.pem"), os.path.join(folder, "fake-key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return cert, key


class FakeServer:
    """A loopback HTTP server answering from a dict of handlers: (method, path) -> callable(request).
    With ``tls=(certificate, key)`` it speaks HTTPS; ``host`` is the name its ``url`` gives."""

    def __init__(self, routes, tls: tuple[str, str] | None = None, host: str = "127.0.0.1"):
        outer = self
        self.routes = routes
        self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.requests.append((method, self.path, dict(self.headers), body))
                for (m, prefix), handler in outer.routes.items():
                    if m == method and self.path.startswith(prefix):
                        status, headers, payload = handler(self.path, body)
                        break
                else:  # what FastAPI (both Hunyuan3D servers, and Gradio) answers for a route it lacks
                    status, headers, payload = 404, {"Content-Type": "application/json"}, b'{"detail":"Not Found"}'
                if callable(payload):
                    payload = payload()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self):
                self._handle("GET")

            def do_POST(self):
                self._handle("POST")

            def do_PUT(self):
                self._handle("PUT")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.scheme, self.host = ("https" if tls else "http"), host
        if tls:
            import ssl

            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self):
        return f"{self.scheme}://{self.host}:{self.httpd.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def json_reply(value, status=200):
    return lambda path, body: (status, {"Content-Type": "application/json"}, json.dumps(value).encode())


def slow(seconds, reply):
    def handler(path, body):
        time.sleep(seconds)
        return reply(path, body)

    return handler


def tripo_routes(server_url, final=None, status_seq=("queued", "running", "success"), glb=None):
    """Tripo's API v3 as its client tripo3d 1.0.0 speaks it: POST /v3/files (multipart ``file``) ->
    data.file_token; POST /v3/generation/image-to-model (``input``: the token) -> data.task_id;
    GET /v3/tasks/{id} -> data.status, progress, output.model_url (a signed address, no key)."""
    state = {"i": 0}

    def task(path, body):
        status = status_seq[min(state["i"], len(status_seq) - 1)]
        state["i"] += 1
        data = {"task_id": "t1", "type": "image_to_model", "status": status, "progress": 50}
        if status == "success":
            data["output"] = {"model_url": f"{server_url()}/signed/model.glb?sig=abc"}
        if status == "failed":
            data["error_msg"] = "the image has no recognisable object"
        return 200, {"Content-Type": "application/json"}, json.dumps({"code": 0, "data": data}).encode()

    return {
        ("POST", "/v3/files"): json_reply({"code": 0, "data": {"file_token": "file_tok"}}),
        ("POST", "/v3/generation/image-to-model"): json_reply({"code": 0, "data": {"task_id": "t1"}}),
        ("GET", "/v3/tasks/t1"): task,
        ("GET", "/signed/model.glb"): lambda p, b: (200, {"Content-Type": "model/gltf-binary"}, glb or tiny_glb()),
    }


def b64_glb():
    return base64.b64encode(tiny_glb()).decode()


__all__ = ["depth_model", "wrong_model", "tiny_glb", "cube_glb", "mesh_glb", "FakeServer", "json_reply", "slow",
           "b64_glb", "self_signed", "tripo_routes", "np"]
