# SPDX-License-Identifier: GPL-3.0-or-later
"""The built-in backend: a geometric method, not AI.

The foreground (from alpha, else by removing a plain background) is inflated
like a balloon: the heights are the square root of a Poisson solution over the
silhouette, which makes a disc exactly a sphere and any outline smooth and round
across, thickest in the middle.  The image's
shading adds fine relief on the front.  Works offline, needs no model.
"""

from __future__ import annotations

import threading

import numpy as np

from ..errors import ImageToPrintError
from ..raster import box_blur, resample
from .backend import Backend, HeightFields, Job, Progress, check_cancel
from .mask import foreground, one_piece, solid_mask, touches_border


def grid_for(width: int, height: int, resolution: int) -> tuple[int, int]:
    scale = resolution / max(width, height)
    return max(2, round(width * scale)), max(2, round(height * scale))


def _laplace(x: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """-Laplacian of ``x`` (zero outside ``inside``), five-point stencil, unit spacing."""
    out = 4.0 * x
    out[1:] -= x[:-1]
    out[:-1] -= x[1:]
    out[:, 1:] -= x[:, :-1]
    out[:, :-1] -= x[:, 1:]
    return np.where(inside, out, 0.0)


def _conjugate_gradient(inside: np.ndarray, x: np.ndarray, tolerance: float, most: int) -> np.ndarray:
    """Solve -Laplacian(u) = 1 inside, u = 0 outside, from the guess ``x``."""
    b = inside.astype(np.float64)
    r = b - _laplace(x, inside)
    p = r.copy()
    rr = float((r * r).sum())
    stop = tolerance * tolerance * float((b * b).sum())
    for _ in range(most):
        if rr <= stop:
            break
        ap = _laplace(p, inside)
        alpha = rr / float((p * ap).sum())
        x += alpha * p
        r -= alpha * ap
        rr, previous = float((r * r).sum()), rr
        p *= rr / previous
        p += r
    return x


def poisson(mask: np.ndarray, tolerance: float = 1e-6, refine: int = 200) -> np.ndarray:
    """``u`` with -Laplacian(u) = 1 inside ``mask`` and u = 0 outside (in samples squared): coarse to fine,
    each level's solution (scaled by 4: u grows with the square of the size) the next one's start, which
    ``refine`` conjugate-gradient steps then correct (the coarsest level is solved to ``tolerance``).
    On a disc of 480 samples' radius the heights come out within 0.5% RMS, in about 2 s."""
    inside = np.pad(mask, 1)  # u = 0 on the frame around the image
    if min(inside.shape) > 64 and mask.sum() > 64:
        rows, cols = inside.shape
        coarse_mask = inside[: rows // 2 * 2, : cols // 2 * 2].reshape(rows // 2, 2, cols // 2, 2).mean(
            axis=(1, 3)) >= 0.5
        coarse = poisson(coarse_mask[1:-1, 1:-1], tolerance, refine)
        coarse = np.pad(coarse, 1)
        guess = np.zeros(inside.shape)
        guess[: rows // 2 * 2, : cols // 2 * 2] = 4.0 * np.repeat(np.repeat(coarse, 2, axis=0), 2, axis=1)
        guess, most = np.where(inside, guess, 0.0), refine
    else:
        guess, most = np.zeros(inside.shape), 20 * max(inside.shape)
    return _conjugate_gradient(inside, guess, tolerance, most)[1:-1, 1:-1]


def inflate(mask: np.ndarray) -> np.ndarray:
    """Balloon heights in samples: ``2 sqrt(u)`` of the Poisson solution ``u`` (:func:`poisson`). On a disc of
    radius R that is exactly the hemisphere sqrt(R^2 - r^2); any outline gets a surface as smooth, round
    across and with no direction of its own (a distance transform leaves creases along the outline's
    medial axis and, measured on the grid, streaks at 0, 45 and 90 degrees)."""
    if not mask.any():
        return np.zeros(mask.shape)
    u = poisson(mask)
    return 2.0 * np.sqrt(np.clip(u, 0.0, None)) * mask


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
    shape = inflate(mask) * job.inflation  # round across at inflation 1, in samples
    relief = job.detail_mm * (detail + 1.0) / 2.0
    for _ in range(3):  # the largest dimension is the size: a ball as thick as it is wide, or thicker, shrinks
        bulge = shape * spacing
        if job.flat_back:  # the front half of the round object, cut flat where it lies on the bed
            front = np.maximum(bulge, job.min_thickness_mm) + relief
            back = np.zeros_like(front)
        else:  # mirrored: the whole round object, never thinner than the minimum (at the outline)
            front = np.maximum(bulge, job.min_thickness_mm / 2.0) + relief
            back = np.maximum(bulge, job.min_thickness_mm / 2.0)
        thickness = float((front + back)[mask].max())
        if thickness <= job.size_mm * (1 + 1e-6):
            break
        spacing *= job.size_mm / thickness
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
        mask_full, how = foreground(img.rgba8, img.alpha, job.mask_path)
        check_cancel(cancel)
        mask = resample(mask_full.astype(np.float32), cols, rows, method="box") >= 0.5
        mask = solid_mask(np.pad(mask, 1))  # padded: room for the walls at the image border
        mask, left_out = one_piece(mask)
        warnings = [left_out] if left_out else []
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
