#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Relief benchmark: ratios against the manual Blender way, measured in one run.

Baseline (the issue's): a grid primitive of the same resolution + Displace (image
texture) + Solidify, evaluated.  Ours: ``image_to_print.relief`` (one sample per
pixel, smoothing off as the baseline has none), evaluated.  Every measurement runs
in a fresh process so its peak memory is its own; medians of --runs runs.

    python benchmarks/relief_bench.py [--runs 3] [--sizes 512 1024 2048] [--growth 4096]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "relief_worker.py")


def smooth_image(path, n):
    """A smooth 16-bit height map (waves and a dome): the adaptive mesher's best case."""
    y, x = np.mgrid[0:n, 0:n] * (2048.0 / n)
    v = 0.5 + 0.25 * np.sin(x / 97.0) * np.cos(y / 61.0) + 0.2 * np.exp(-((x - 1024) ** 2 + (y - 900) ** 2) / 2e5)
    Image.fromarray(np.round(np.clip(v, 0, 1) * 65535).astype(np.uint16)).save(path)


def photo_like_image(path, n, seed=7):
    """A stand-in for a photograph: shaded spheres on a lit gradient, soft shadows, 8-bit, 2% sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:n, 0:n] / n
    v = 0.35 + 0.3 * x + 0.1 * np.sin(6 * y)
    for _ in range(14):
        cx, cy, r = rng.random(), rng.random(), 0.05 + 0.12 * rng.random()
        d2 = ((x - cx) ** 2 + (y - cy) ** 2) / r ** 2
        inside = d2 < 1
        shade = np.sqrt(np.clip(1 - d2, 0, 1)) * (0.6 + 0.4 * rng.random())
        v = np.where(inside, 0.15 + 0.7 * shade, v - 0.15 * np.exp(-d2 * 0.8))
    v = v + rng.normal(0, 0.02, v.shape)
    Image.fromarray(np.round(np.clip(v, 0, 1) * 255).astype(np.uint8)).save(path)


def run(mode, image, size, *extra):
    proc = subprocess.run([sys.executable, WORKER, mode, image, str(size), *map(str, extra)],
                          capture_output=True, text=True)
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"worker failed ({mode} {size}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1])


def median_of(runs, mode, image, size, *extra):
    results = [run(mode, image, size, *extra) for _ in range(runs)]
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_mib": statistics.median(r["peak_mib"] for r in results),
        "triangles": results[0]["triangles"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048])
    parser.add_argument("--growth", type=int, nargs="*", default=[4096], help="extra sizes, ours only")
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()
    import importlib.metadata

    print(f"bpy {importlib.metadata.version('bpy')}, {os.cpu_count()} cores, median of {args.runs} runs, "
          f"fresh process per run\n")
    out: dict = {"baseline_vs_ours": [], "growth": [], "adaptive": []}
    with tempfile.TemporaryDirectory() as tmp:
        print("Build + evaluation: ours vs grid primitive + Displace + Solidify")
        print(f"{'size':>6} {'base s':>8} {'ours s':>8} {'speed-up':>9} {'base MiB':>9} {'ours MiB':>9} "
              f"{'mem ratio':>9} {'base tris':>10} {'ours tris':>10}")
        for n in args.sizes:
            image = os.path.join(tmp, f"smooth{n}.png")
            smooth_image(image, n)
            base = median_of(args.runs, "baseline", image, n)
            ours = median_of(args.runs, "ours", image, n)
            row = {"size": n, "baseline": base, "ours": ours, "speedup": base["seconds"] / ours["seconds"],
                   "memory_ratio": ours["peak_mib"] / base["peak_mib"]}
            out["baseline_vs_ours"].append(row)
            print(f"{n:>5}² {base['seconds']:8.2f} {ours['seconds']:8.2f} {row['speedup']:8.2f}x "
                  f"{base['peak_mib']:9.0f} {ours['peak_mib']:9.0f} {row['memory_ratio']:8.2f}x "
                  f"{base['triangles']:>10,} {ours['triangles']:>10,}")

        print("\nGrowth of ours with image size (per megapixel should stay flat)")
        print(f"{'size':>6} {'seconds':>8} {'MiB':>8} {'s/MP':>7} {'MiB/MP':>7}")
        for n in sorted(set(args.sizes) | set(args.growth)):
            image = os.path.join(tmp, f"smooth{n}.png")
            if not os.path.exists(image):
                smooth_image(image, n)
            r = next((row["ours"] for row in out["baseline_vs_ours"] if row["size"] == n), None)
            r = r or median_of(1 if n > 2048 else args.runs, "ours", image, n)
            mp = n * n / 1e6
            out["growth"].append({"size": n, **r})
            print(f"{n:>5}² {r['seconds']:8.2f} {r['peak_mib']:8.0f} {r['seconds'] / mp:7.3f} "
                  f"{r['peak_mib'] / mp:7.1f}")

        print("\nAdaptive mode (max error 0.02 mm unless noted): triangles vs the full grid, time to build")
        print(f"{'image':>28} {'grid tris':>10} {'adaptive':>10} {'fewer':>7} {'seconds':>8}")
        n = 1024
        cases = [("smooth 1024² height map", "smooth", 0.02, 0.0),
                 ("photo-like 1024², smoothed", "photo", 0.02, 2.0),
                 ("photo-like 1024², smoothed", "photo", 0.05, 2.0)]
        for label, kind, err, smoothing in cases:
            image = os.path.join(tmp, f"{kind}{n}.png")
            if not os.path.exists(image):
                (smooth_image if kind == "smooth" else photo_like_image)(image, n)
            grid_tris = 2 * (n - 1) ** 2 + 3 * 4 * (n - 1)
            r = median_of(args.runs, "adaptive", image, n, err, smoothing)
            fewer = grid_tris / r["triangles"]
            out["adaptive"].append({"image": label, "max_error_mm": err, "grid_triangles": grid_tris, **r,
                                    "fewer": fewer})
            print(f"{label + f' @{err}':>28} {grid_tris:>10,} {r['triangles']:>10,} {fewer:6.1f}x "
                  f"{r['seconds']:8.2f}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)
    return 0


def run_timed(main) -> None:
    """Run a benchmark's ``main``, say how long the whole benchmark took, exit with its code."""
    t0 = time.perf_counter()
    code = main()
    print(f"\n(benchmark took {time.perf_counter() - t0:.0f} s)")
    sys.exit(code)


if __name__ == "__main__":
    run_timed(main)
