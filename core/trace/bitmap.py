# SPDX-License-Identifier: GPL-3.0-or-later
"""Binary masks for tracing: thresholds, connected pieces, holes, morphology.

Connectivity follows potrace's convention for the usual case: ink pieces are
8-connected, background (holes) 4-connected, so a count of pieces and holes
matches the loops the tracer returns.
"""

from __future__ import annotations

import numpy as np

from ..checks import components


def otsu(values: np.ndarray, bins: int = 256, middle_of_ties: bool = True) -> float:
    """Otsu's threshold of values in [0, 1].

    Where several cutoffs separate the classes equally well (a pure black-and-white
    image separates equally at any level between its two values), the middle of that
    range, so anti-aliased or resampled edges keep their position (else the first).
    """
    hist, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = hist.astype(np.float64) / max(hist.sum(), 1)
    omega = np.cumsum(p)
    mu = np.cumsum(p * (edges[:-1] + edges[1:]) / 2)
    between = (mu[-1] * omega - mu) ** 2 / np.maximum(omega * (1 - omega), 1e-12)
    if not middle_of_ties:
        return float(edges[int(np.argmax(between)) + 1])
    best = between.max()
    if best <= 0:
        return 0.5
    top = np.flatnonzero(between >= best * (1 - 1e-9))
    return float((edges[top[0] + 1] + edges[top[-1] + 1]) / 2)


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal runs of True: (row, start, end) with end exclusive, in row-major order."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1).ravel()  # +1 where a run starts, -1 just after it ends
    at = np.flatnonzero(d)
    up = d[at] > 0
    starts, ends = at[up], at[~up]
    return (starts // (w + 1)).astype(np.int64), (starts % (w + 1)).astype(np.int64), \
        (ends % (w + 1)).astype(np.int64)


def label(mask: np.ndarray, eight: bool) -> tuple[np.ndarray, np.ndarray]:
    """(label image with -1 outside the mask, pixel count per label); labels are 0..n-1."""
    h, w = mask.shape
    row, start, end = runs(mask)
    n_runs = row.size
    out = np.full(mask.shape, -1, dtype=np.int32)
    if n_runs == 0:
        return out, np.zeros(0, dtype=np.int64)
    stride = w + 2
    slack = 1 if eight else 0
    # a run in row r touches the runs of row r - 1 whose [start, end) overlaps [start - slack, end + slack)
    end_key = row * stride + end
    start_key = row * stride + start
    q_lo = (row - 1) * stride + start - slack
    q_hi = (row - 1) * stride + end + slack
    lo = np.searchsorted(end_key, q_lo, side="right")
    hi = np.searchsorted(start_key, q_hi, side="left")
    count = np.maximum(hi - lo, 0)
    b = np.repeat(np.arange(n_runs), count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    a = np.repeat(lo, count) + offsets
    keep = row[a] == row[b] - 1
    root = components(n_runs, a[keep], b[keep])
    ids, run_label = np.unique(root, return_inverse=True)
    lengths = end - start
    areas = np.bincount(run_label, weights=lengths, minlength=ids.size).astype(np.int64)
    flat = out.reshape(-1)
    pos = np.repeat(row * w + start - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
    flat[pos] = np.repeat(run_label, lengths)
    return out, areas


def remove_small(mask: np.ndarray, min_pixels: float, eight: bool = True) -> np.ndarray:
    """The mask without its pieces of fewer than ``min_pixels`` pixels."""
    if min_pixels <= 0 or not mask.any():
        return mask
    lab, areas = label(mask, eight)
    small = areas < min_pixels
    if not small.any():
        return mask
    return mask & ~small[np.maximum(lab, 0)]


def holes(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(label image of the enclosed background pieces, their pixel counts); 4-connected."""
    lab, areas = label(~mask, eight=False)
    border = np.unique(np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]]))
    enclosed = np.ones(areas.size, bool)
    enclosed[border[border >= 0]] = False
    keep = np.flatnonzero(enclosed)
    remap = np.full(areas.size, -1, dtype=np.int32)
    remap[keep] = np.arange(keep.size, dtype=np.int32)
    return np.where(lab >= 0, remap[np.maximum(lab, 0)], -1), areas[keep]


def fill_holes(mask: np.ndarray, max_pixels: float | None = None) -> np.ndarray:
    """Fill enclosed background pieces (all, or those under ``max_pixels``)."""
    lab, areas = holes(mask)
    if areas.size == 0:
        return mask
    fill = np.ones(areas.size, bool) if max_pixels is None else areas < max_pixels
    return mask | ((lab >= 0) & fill[np.maximum(lab, 0)])


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


def smooth(mask: np.ndarray, radius: float) -> np.ndarray:
    """Round jaggies and tiny notches: blur the mask and threshold it at one half."""
    r = int(round(radius))
    if r < 1:
        return mask
    from ..ai.builtin import box_blur

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
