#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""AI-route benchmark: built-in backend, 1024x1024 image to a checked mesh; ONNX time per image.

    python benchmarks/ai_bench.py [--runs 3] [--model depth.onnx]

The built-in backend's target is at most 3 s for a 1024² image, from the file
to a repaired and checked mesh object.  The ONNX figure needs a real model
(``--model``; Depth Anything V2 Small via the preferences' Download button),
timed at the model's own input size on the CPU; without one the script says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
import launch  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", help="a depth model .onnx file to time")
    args = parser.parse_args()
    ext = launch.ensure_extension()
    import bpy
    import numpy as np
    from PIL import Image

    context = bpy.context
    with tempfile.TemporaryDirectory() as tmp:
        n = 1024
        y, x = np.mgrid[0:n, 0:n]
        inside = ((x - n / 2) / (0.4 * n)) ** 2 + ((y - n / 2) / (0.3 * n)) ** 2 < 1
        rgba = np.zeros((n, n, 4), np.uint8)
        rgba[..., 0] = 120 + (60 * np.sin(x / 37.0)).astype(np.int16)
        rgba[..., 1] = 90
        rgba[..., 2] = 60 + (40 * np.cos(y / 23.0)).astype(np.int16)
        rgba[..., 3] = np.where(inside, 255, 0)
        path = os.path.join(tmp, "object.png")
        Image.fromarray(rgba, "RGBA").save(path)

        times, report = [], None
        for _ in range(args.runs):
            for obj in list(bpy.data.objects):
                bpy.data.objects.remove(obj)
            t0 = time.perf_counter()
            result = bpy.ops.image_to_print.ai_mesh(filepath=path, backend='builtin', size_mm=80.0, resolution=320)
            times.append(time.perf_counter() - t0)
            assert result == {'FINISHED'}
            report = ext.operators.check.RESULTS[context.view_layer.objects.active.name]
        print(f"bpy {bpy.app.version_string}, {os.cpu_count()} cores")
        print(f"built-in backend, {n}x{n} image -> repaired, checked mesh: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)}); target <= 3 s; "
              f"{report['triangles']:,} triangles, printable {report['printable']}")

        if not args.model:
            print("ONNX: no model given (--model PATH); nothing to time. Depth Anything V2 Small can be "
                  "downloaded from the extension's preferences.")
        else:
            from importlib import import_module

            depth = import_module(f"{launch.MODULE}.core.ai.depth")
            session = depth._session(os.path.abspath(args.model))
            in_name, out_name, fixed_h, fixed_w = depth.signature(session)
            h, w = depth.input_size(fixed_h, fixed_w, depth.MODELS["depth-anything-v2-small"])
            tensor = depth.preprocess(rgba, h, w, depth.MODELS["depth-anything-v2-small"])
            session.run([out_name], {in_name: tensor})  # warm-up
            runs = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                session.run([out_name], {in_name: tensor})
                runs.append(time.perf_counter() - t0)
            print(f"ONNX {os.path.basename(args.model)} at {h}x{w} on the CPU: median {statistics.median(runs):.2f} s "
                  f"per image (runs: {', '.join(f'{t:.2f}' for t in runs)})")
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
