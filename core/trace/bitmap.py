# SPDX-License-Identifier: GPL-3.0-or-later
"""Binary masks for tracing: speckles, morphology, thin parts, shapes (labelling and holes: core.raster).

Connectivity follows potrace's convention for the usual case: ink pieces are
8-connected, background (holes) 4-connected, so a count of pieces and holes
matches the loops the tracer returns.
"""

from __future__ import annotations

import numpy as np

from ..raster import box_blur, fill_holes, holes, label

# Labelling, holes and thresholds live in core.raster (other routes use them too); fill_holes,
# holes and label stay importable from here for the benchmarks.
__all__ = ["count_pieces_and_holes", "dilate", "disc", "distance_within", "erode", "fill_holes", "holes", "label",
           "narrower_than", "pieces_where", "remove_small", "rounded_rectangle", "smooth", "thin_parts"]


def remove_small(mask: np.ndarray, min_pixels: float, eight: bool = True) -> np.ndarray:
    """The mask without its pieces of fewer than ``min_pixels`` pixels."""
    if min_pixels <= 0 or not mask.any():
        return mask
    lab, areas = label(mask, eight)
    small = areas < min_pixels
    if not small.any():
        return mask
    return mask & ~small[np.maximum(lab, 0)]


def count_pieces_and_holes(mask: np.ndarray) -> tuple[int, int]:
    return int(label(mask, eight=True)[1].size), int(holes(mask)[1].size)


def _column_distance(mask: np.ndarray, cap: int) -> np.ndarray:
    """Vertical distance from each pixel to the nearest True pixel of its column (capped)."""
    h, w = mask.shape
    rows = np.arange(h, dtype=np.int64)[:, None]
    big = h + cap + 1
    above = np.where(mask, rows, -big)
    np.maximum.accumulate(above, axis=0, out=above)
    below = np.where(mask, rows, 2 * h + big)
    below = np.minimum.accumulate(below[::-1], axis=0)[::-1]
    return np.minimum(np.minimum(rows - above, below - rows), cap + 1).astype(np.float32)


def distance_within(mask: np.ndarray, radius: float) -> np.ndarray:
    """Squared Euclidean distance (pixels) to the nearest True pixel, exact up to ``radius``."""
    r = int(np.ceil(radius))
    g = _column_distance(mask, r) ** 2
    h, w = mask.shape
    best = g.copy()
    inf = np.float32((r + 1) ** 2)
    for dx in range(1, r + 1):
        cost = np.float32(dx * dx)
        if cost > inf:
            break
        np.minimum(best[:, dx:], g[:, :-dx] + cost, out=best[:, dx:])
        np.minimum(best[:, :-dx], g[:, dx:] + cost, out=best[:, :-dx])
    return best


def dilate(mask: np.ndarray, radius: float) -> np.ndarray:
    """Grow by a disc of ``radius`` pixels."""
    if radius <= 0:
        return mask.copy()
    return distance_within(mask, radius) <= radius * radius


def erode(mask: np.ndarray, radius: float) -> np.ndarray:
    """Shrink by a disc of ``radius`` pixels."""
    if radius <= 0:
        return mask.copy()
    return ~dilate(~mask, radius)


def thin_parts(mask: np.ndarray, width: float) -> np.ndarray:
    """Ink narrower than ``width`` pixels: what an opening by a disc of that diameter removes."""
    r = width / 2.0
    if r < 0.5:
        return np.zeros_like(mask)
    # distances run between pixel centres: a band t pixels wide survives an erosion by
    # r + 1/2 exactly when t > 2r (odd t), so ink narrower than ``width`` is what is removed
    r += 0.5
    opened = dilate(erode(mask, r), r)
    return mask & ~opened


FINE_PIXELS = 16e6  # the most pixels the grids twice as fine may have in all (time and memory)


def narrower_than(mask: np.ndarray, width: float, max_fine: float = FINE_PIXELS) -> np.ndarray:
    """Ink narrower than ``width`` pixels, to the pixel for even widths too.

    ``thin_parts`` opens with discs centred on pixel centres, which only come in odd pixel
    widths, so a band 2k pixels wide counts as 2k - 1: it is exact but for the bands it finds
    at ``width`` and not at ``width - 1`` (between ``width - 1`` and ``width + 1`` wide). Each
    piece of those is opened again on a grid twice as fine, where every band is an even number
    of fine pixels and a disc of 2 * width - 1 fine pixels keeps exactly the bands wider than
    ``width``. Past ``max_fine`` fine pixels in all, ``thin_parts``'s answer stands.
    """
    rough = thin_parts(mask, width)
    if not rough.any():
        return rough
    out = thin_parts(mask, width - 1.0 - 1e-6) & rough
    doubt = rough & ~out
    if not doubt.any():
        return out
    h, w = mask.shape
    reach = int(np.ceil(width)) + 2  # an opening's result depends on this neighbourhood
    lab, _ = label(doubt, eight=True)
    ys, xs = np.nonzero(lab >= 0)
    ids = lab[ys, xs]
    n = int(ids.max()) + 1
    y0, y1 = np.full(n, h), np.zeros(n, np.int64)
    x0, x1 = np.full(n, w), np.zeros(n, np.int64)
    np.minimum.at(y0, ids, ys)
    np.maximum.at(y1, ids, ys + 1)
    np.minimum.at(x0, ids, xs)
    np.maximum.at(x1, ids, xs + 1)
    budget = max_fine
    for i in range(n):
        r0, r1 = max(0, int(y0[i]) - reach), min(h, int(y1[i]) + reach)
        c0, c1 = max(0, int(x0[i]) - reach), min(w, int(x1[i]) + reach)
        size = 4.0 * (r1 - r0 + 2) * (c1 - c0 + 2)
        piece = lab[r0:r1, c0:c1] == i
        if size > budget:
            out[r0:r1, c0:c1] |= piece
            continue
        budget -= size
        crop = np.pad(mask[r0:r1, c0:c1], 1)  # outside the image is background
        fine = np.repeat(np.repeat(crop, 2, axis=0), 2, axis=1)
        thin = thin_parts(fine, 2.0 * width - 1.0 - 1e-6)
        thin = thin.reshape(crop.shape[0], 2, crop.shape[1], 2).any(axis=(1, 3))[1:-1, 1:-1]
        out[r0:r1, c0:c1] |= thin & piece
    return out


def smooth(mask: np.ndarray, radius: float) -> np.ndarray:
    """Round jaggies and tiny notches: blur the mask and threshold it at one half."""
    r = int(round(radius))
    if r < 1:
        return mask
    return box_blur(box_blur(mask.astype(np.float32), r), r) >= 0.5


def disc(shape: tuple[int, ...], cx: float, cy: float, radius: float) -> np.ndarray:
    """Pixels whose centres lie within ``radius`` of (cx, cy) (pixel-corner coordinates)."""
    h, w = shape
    y = np.arange(h, dtype=np.float64)[:, None] + 0.5
    x = np.arange(w, dtype=np.float64)[None, :] + 0.5
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius * radius


def rounded_rectangle(shape: tuple[int, ...], x0: float, y0: float, x1: float, y1: float,
                      radius: float) -> np.ndarray:
    h, w = shape
    y = np.arange(h, dtype=np.float64)[:, None] + 0.5
    x = np.arange(w, dtype=np.float64)[None, :] + 0.5
    radius = max(0.0, min(radius, (x1 - x0) / 2, (y1 - y0) / 2))
    cx = np.clip(x, x0 + radius, x1 - radius)
    cy = np.clip(y, y0 + radius, y1 - radius)
    return ((x - cx) ** 2 + (y - cy) ** 2 <= radius * radius) & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def pieces_where(mask: np.ndarray, eight: bool = True, limit: int = 5) -> list[tuple[int, float, float]]:
    """Largest pieces first: (pixel count, centre x, centre y) in pixel coordinates."""
    lab, areas = label(mask, eight)
    if areas.size == 0:
        return []
    ys, xs = np.nonzero(lab >= 0)
    ids = lab[ys, xs]
    cx = np.bincount(ids, weights=xs + 0.5, minlength=areas.size) / areas
    cy = np.bincount(ids, weights=ys + 0.5, minlength=areas.size) / areas
    order = np.argsort(-areas, kind="stable")[:limit]
    return [(int(areas[i]), float(cx[i]), float(cy[i])) for i in order]
