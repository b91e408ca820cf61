# SPDX-License-Identifier: GPL-3.0-or-later
"""Closed cubic Bezier loops: nesting, orientation, flattening, rasterising.

A loop is an (n, 3, 2) float array: per anchor [left handle, anchor, right
handle]; segment i runs from anchor i (right handle) to anchor i + 1 (its left
handle), and the last segment closes the loop. Filling is even-odd, like
Blender's 2D curve fill: a loop nested at an odd depth is a hole.
"""

from __future__ import annotations

import numpy as np

SAMPLES = 12  # points per Bezier segment when flattening


def flatten(loop: np.ndarray, samples: int = SAMPLES) -> np.ndarray:
    """Polyline (m, 2) through the loop (closing point not repeated)."""
    p0 = loop[:, 1]
    p1 = loop[:, 2]
    p2 = np.roll(loop[:, 0], -1, axis=0)
    p3 = np.roll(loop[:, 1], -1, axis=0)
    t = (np.arange(samples, dtype=np.float64) / samples)[None, :, None]
    u = 1.0 - t
    pts = (u ** 3) * p0[:, None] + 3 * u * u * t * p1[:, None] + 3 * u * t * t * p2[:, None] + (t ** 3) * p3[:, None]
    return pts.reshape(-1, 2)


def signed_area(poly: np.ndarray) -> float:
    """Shoelace area; positive when counter-clockwise in a y-up frame."""
    x, y = poly[:, 0], poly[:, 1]
    return float(0.5 * (np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)))


def points_inside(poly: np.ndarray, pts: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon for many points."""
    if pts.size == 0:
        return np.zeros(0, bool)
    a = poly
    b = np.roll(poly, -1, axis=0)
    py = pts[:, 1][:, None]
    px = pts[:, 0][:, None]
    ay, by = a[None, :, 1], b[None, :, 1]
    crosses = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = a[None, :, 0] + (py - ay) * (b[None, :, 0] - a[None, :, 0]) / (by - ay)
    return ((crosses & (px < x_at)).sum(axis=1) % 2) == 1


def nesting_depths(polys: list[np.ndarray]) -> np.ndarray:
    """How many other loops contain each loop (0 = outermost)."""
    n = len(polys)
    depth = np.zeros(n, dtype=np.int64)
    if n < 2:
        return depth
    lo = np.array([p.min(axis=0) for p in polys])
    hi = np.array([p.max(axis=0) for p in polys])
    probe = np.array([p[0] for p in polys])
    for j in range(n):
        inside_box = np.all((probe >= lo[j]) & (probe <= hi[j]), axis=1)
        inside_box[j] = False
        cand = np.flatnonzero(inside_box)
        if cand.size:
            depth[cand[points_inside(polys[j], probe[cand])]] += 1
    return depth


def orient(loops: list[np.ndarray], y_up: bool = True) -> tuple[list[np.ndarray], np.ndarray]:
    """Wind outlines counter-clockwise and holes clockwise (in a y-up frame); return the depths too."""
    polys = [flatten(lp, 4) for lp in loops]
    depth = nesting_depths(polys)
    out = []
    for lp, poly, d in zip(loops, polys, depth):
        ccw = signed_area(poly) > 0
        if not y_up:
            ccw = not ccw
        want_ccw = d % 2 == 0
        out.append(lp if ccw == want_ccw else reverse(lp))
    return out, depth


def reverse(loop: np.ndarray) -> np.ndarray:
    """The same loop run the other way (handles swap sides)."""
    return loop[::-1, ::-1].copy()


def transform(loops: list[np.ndarray], scale: float, offset: tuple[float, float], flip_y: bool,
              mirror_x: bool = False) -> list[np.ndarray]:
    """Scale pixel-space loops to mm: p * scale + offset, with y flipped (image rows run down)."""
    sx = -scale if mirror_x else scale
    sy = -scale if flip_y else scale
    m = np.array([sx, sy])
    o = np.asarray(offset, dtype=np.float64)
    out = [lp * m + o for lp in loops]
    if (sx < 0) != (sy < 0):  # a reflection flips every winding: restore it
        out = [reverse(lp) for lp in out]
    return out


def bounds(loops: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) corners of the flattened loops."""
    pts = np.concatenate([flatten(lp) for lp in loops])
    return pts.min(axis=0), pts.max(axis=0)


def rasterize(loops: list[np.ndarray], shape: tuple[int, ...], samples: int = SAMPLES) -> np.ndarray:
    """Even-odd fill of pixel-space loops, sampled at pixel centres."""
    h, w = shape
    toggles = np.zeros((h, w + 1), dtype=np.int32)
    for lp in loops:
        poly = flatten(lp, samples)
        a = poly
        b = np.roll(poly, -1, axis=0)
        y0, y1 = np.minimum(a[:, 1], b[:, 1]), np.maximum(a[:, 1], b[:, 1])
        r0 = np.clip(np.ceil(y0 - 0.5), 0, h).astype(np.int64)  # first row whose centre is >= y0
        r1 = np.clip(np.ceil(y1 - 0.5), 0, h).astype(np.int64)  # rows with centre < y1
        count = np.maximum(r1 - r0, 0)
        if count.sum() == 0:
            continue
        e = np.repeat(np.arange(a.shape[0]), count)
        rows = np.repeat(r0, count) + (np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count))
        yc = rows + 0.5
        ax, ay, bx, by = a[e, 0], a[e, 1], b[e, 0], b[e, 1]
        x = ax + (yc - ay) * (bx - ax) / (by - ay)
        col = np.clip(np.ceil(x - 0.5), 0, w).astype(np.int64)  # first pixel whose centre is right of x
        np.add.at(toggles, (rows, col), 1)
    return (np.cumsum(toggles, axis=1)[:, :w] % 2) == 1


def segment_count(loops: list[np.ndarray]) -> int:
    return int(sum(len(lp) for lp in loops))


def straight(loop: np.ndarray, tol: float) -> np.ndarray:
    """Per anchor: is the segment leaving it a straight line (handles on the chord at 1/3 and 2/3)?"""
    p0, p1 = loop[:, 1], loop[:, 2]
    p2, p3 = np.roll(loop[:, 0], -1, axis=0), np.roll(loop[:, 1], -1, axis=0)
    chord = p3 - p0
    return ((np.abs(p1 - (p0 + chord / 3.0)).max(axis=1) <= tol) &
            (np.abs(p2 - (p0 + 2.0 * chord / 3.0)).max(axis=1) <= tol))


def merge_collinear(loop: np.ndarray, tol: float) -> np.ndarray:
    """Drop anchors in the middle of a straight run (potrace's corners along a pixel edge):
    a mesher would otherwise fill the cap with zero-area triangles between them."""
    n = len(loop)
    if n < 4:
        return loop
    s_out = straight(loop, tol)
    s_in = np.roll(s_out, 1)
    co = loop[:, 1]
    prev, nxt = np.roll(co, 1, axis=0), np.roll(co, -1, axis=0)
    a, b = co - prev, nxt - co
    cross = np.abs(a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])
    length = np.hypot(*(nxt - prev).T)
    onto = cross <= tol * np.maximum(length, tol)  # distance from the prev-next line <= tol
    forward = (a * b).sum(axis=1) > 0
    drop = s_in & s_out & onto & forward
    if not drop.any() or drop.all():
        return loop
    keep = np.flatnonzero(~drop)
    out = loop[keep].copy()
    # segments that swallowed dropped anchors are straight lines between the kept ones
    gap = (np.roll(keep, -1) - keep) % n > 1
    for j in np.flatnonzero(gap):
        k = (j + 1) % len(keep)
        p, q = out[j, 1], out[k, 1]
        out[j, 2] = p + (q - p) / 3.0
        out[k, 0] = q + (p - q) / 3.0
    return out


def snap_straight(loop: np.ndarray, tol: float) -> np.ndarray:
    """Make segments whose handles lie within ``tol`` of their chord exactly straight (handles at 1/3, 2/3)."""
    p0, p1 = loop[:, 1], loop[:, 2]
    p2, p3 = np.roll(loop[:, 0], -1, axis=0), np.roll(loop[:, 1], -1, axis=0)
    chord = p3 - p0
    length = np.maximum(np.hypot(chord[:, 0], chord[:, 1]), 1e-12)
    unit = chord / length[:, None]

    def off_line(p):
        d = p - p0
        return np.abs(d[:, 0] * unit[:, 1] - d[:, 1] * unit[:, 0])

    # all four points on one line: a straight segment, or one that runs back over itself
    # (a zero-area spike a mesher would turn into overlapping slivers)
    flat = (off_line(p1) <= tol) & (off_line(p2) <= tol)
    if not flat.any():
        return loop
    out = loop.copy()
    idx = np.flatnonzero(flat)
    nxt = (idx + 1) % len(loop)
    out[idx, 2] = p0[idx] + chord[idx] / 3.0
    out[nxt, 0] = p0[idx] + 2.0 * chord[idx] / 3.0
    return out
