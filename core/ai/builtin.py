# SPDX-License-Identifier: GPL-3.0-or-later
"""The built-in backend: a geometric method, not AI.

The foreground (from alpha, else by removing a plain background) is inflated
like a balloon: every point rises with a circular profile of its distance to
the outline, so the shape is round and thickest in the middle.  The image's
shading adds fine relief on the front.  Works offline, needs no model.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import ImageToPrintError
from ..raster import box_blur, resample
from .backend import Backend, HeightFields, Job, Progress, check_cancel
from .mask import foreground, solid_mask, touches_border


def grid_for(width: int, height: int, resolution: int) -> tuple[int, int]:
    scale = resolution / max(width, height)
    return max(2, round(width * scale)), max(2, round(height * scale))


def chamfer_distance(mask: np.ndarray) -> np.ndarray:
    """Distance (in samples) from each inside sample to the outside, by chamfer relaxation."""
    padded = np.pad(mask, 1)
    dist = np.where(padded, np.inf, 0.0).astype(np.float32)
    h, w = mask.shape
    steps = [(dy, dx, float(np.hypot(dy, dx))) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]
    while True:
        inner = dist[1:-1, 1:-1]
        best = inner.copy()
        for dy, dx, cost in steps:
            np.minimum(best, dist[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] + cost, out=best)
        best = np.where(mask, best, 0.0)
        if np.array_equal(best, inner):
            return best
        dist[1:-1, 1:-1] = best


def inflate(mask: np.ndarray) -> np.ndarray:
    """Balloon profile in samples: a quarter circle from the outline up to the deepest point."""
    d = chamfer_distance(mask)
    radius = float(d.max())
    if radius <= 0:
        return d
    d = d + 0.5 * mask  # the outline sits half a sample outside the outermost samples
    radius += 0.5
    return np.sqrt(np.clip(d * (2 * radius - d), 0.0, None)) * mask


def shading_detail(grey: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Fine detail in [-1, 1] from the image's shading (high-pass grey, robustly scaled)."""
    blurred = box_blur(grey, max(2, round(max(grey.shape) / 48)))
    high = (grey - blurred) * mask
    scale = float(np.percentile(np.abs(high[mask]), 98)) if mask.any() else 0.0
    return np.clip(high / scale, -1.0, 1.0) if scale > 1e-6 else np.zeros_like(grey)


def heightfields_from(mask: np.ndarray, detail: np.ndarray, job: Job, warnings: list[str]) -> HeightFields:
    """Front and back heights in mm for a mask, with the job's size, inflation, detail and thickness."""
    rows, cols = mask.shape
    r, c = np.nonzero(mask)
    extent = max(int(c.max() - c.min()), int(r.max() - r.min()), 1)
    spacing = job.size_mm / extent
    bulge = inflate(mask) * spacing * job.inflation
    half = job.min_thickness_mm / 2.0
    if job.flat_back:
        front = job.min_thickness_mm + 2 * bulge + job.detail_mm * (detail + 1.0) / 2.0
        back = np.zeros_like(front)
    else:
        front = half + bulge + job.detail_mm * (detail + 1.0) / 2.0
        back = half + bulge
    front, back = np.where(mask, front, 0.0), np.where(mask, back, 0.0)
    return HeightFields(front=front.astype(np.float32), back=back.astype(np.float32), mask=mask,
                        spacing_mm=spacing, warnings=warnings)


class BuiltinBackend(Backend):
    name = "builtin"
    label = "Built-in (geometric, offline)"
    description = ("Inflates the outline like a balloon and adds the image's shading as detail: a geometric "
                   "method, not AI; no model, no network")
    licence = "part of Image to Print (GPL-3.0-or-later)"

    def run(self, job: Job, progress: Progress, cancel: threading.Event) -> HeightFields:
        img = job.image
        progress(0.05, "finding the foreground")
        cols, rows = grid_for(img.width, img.height, job.resolution)
        mask_full, how = foreground(img.rgba8, img.alpha)
        check_cancel(cancel)
        mask = resample(mask_full.astype(np.float32), cols, rows, method="box") >= 0.5
        mask = solid_mask(np.pad(mask, 1))  # padded: room for the walls at the image border
        warnings = []
        if touches_border(mask_full):
            warnings.append("the foreground touches the image border: the object may be cut off there")
        if not mask.any():
            raise ImageToPrintError("the foreground is too small for this resolution")
        progress(0.4, "inflating")
        grey = np.pad(resample(img.grey, cols, rows, method="box"), 1, mode="edge")
        detail = shading_detail(grey, mask)
        check_cancel(cancel)
        result = heightfields_from(mask, detail, job, warnings)
        result.meta.update({"mask_from": how, "pad": 1})
        progress(1.0, "done")
        return result
