# SPDX-License-Identifier: GPL-3.0-or-later
"""Basic print checks on mesh arrays (vectorised numpy, millimetres).

Same meaning as the 3D-Print Toolbox's "Solid" check: an edge is
non-manifold unless exactly two faces use it; a manifold edge is "bad
contiguous" when both faces walk it in the same direction (one of them is
flipped).  Beyond the toolbox: a closed solid whose signed volume is not
positive is inside-out.
"""

from __future__ import annotations

import numpy as np


def next_loop(loop_start: np.ndarray, loop_total: np.ndarray, n_loops: int) -> np.ndarray:
    """Index of the following corner of the same face, for every loop."""
    nxt = np.arange(1, n_loops + 1, dtype=np.int64)
    last = (loop_start + loop_total - 1).astype(np.int64)
    nxt[last] = loop_start
    return nxt


def edge_counts(loop_vert: np.ndarray, loop_start: np.ndarray, loop_total: np.ndarray,
                loop_edge: np.ndarray | None = None, edge_v1: np.ndarray | None = None,
                n_edges: int | None = None) -> tuple[int, int]:
    """(non_manifold_edges, bad_contiguous_edges); see :func:`edge_flags`."""
    non_manifold, bad = edge_flags(loop_vert, loop_start, loop_total, loop_edge, edge_v1, n_edges)
    return len(non_manifold), len(bad)


def edge_flags(loop_vert: np.ndarray, loop_start: np.ndarray, loop_total: np.ndarray,
               loop_edge: np.ndarray | None = None, edge_v1: np.ndarray | None = None,
               n_edges: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Indices of (non-manifold edges, bad contiguous edges).

    Pass Blender's ``loop_edge``/``edge_v1`` (from ``loops.edge_index`` and
    ``edges.vertices``) to count Blender's own edges, loose edges included;
    without them edges are derived from the faces.
    """
    lv = np.asarray(loop_vert, dtype=np.int64)
    if len(lv) == 0:
        return np.arange(int(n_edges or 0)), np.zeros(0, np.int64)
    nv = lv[next_loop(np.asarray(loop_start), np.asarray(loop_total), len(lv))]
    if loop_edge is None:
        lo, hi = np.minimum(lv, nv), np.maximum(lv, nv)
        key = lo * (int(max(lv.max(), nv.max())) + 1) + hi
        uniq, loop_edge = np.unique(key, return_inverse=True)
        n_edges = len(uniq)
        forward = lv == lo
    else:
        loop_edge = np.asarray(loop_edge, dtype=np.int64)
        forward = lv == np.asarray(edge_v1, dtype=np.int64)[loop_edge]
        n_edges = int(n_edges if n_edges is not None else loop_edge.max() + 1)
    uses = np.bincount(loop_edge, minlength=n_edges)
    direction = np.bincount(loop_edge, weights=np.where(forward, 1.0, -1.0), minlength=n_edges)
    manifold = uses == 2
    return np.nonzero(~manifold)[0], np.nonzero(manifold & (direction != 0))[0]


def rows(a: np.ndarray, index) -> np.ndarray:
    """``a[index]`` for a 2D ``a``: the same rows, several times faster on large arrays."""
    return np.take(a, index, axis=0)


def cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cross product (faster than ``np.cross`` on large arrays)."""
    out = np.empty_like(a)
    out[:, 0] = a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]
    out[:, 1] = a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]
    out[:, 2] = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return out


def volume_and_area(co: np.ndarray, tris: np.ndarray) -> tuple[float, float]:
    """Signed volume (divergence theorem; positive for outward-facing closed meshes) and surface area,
    the triangles' corners gathered once and one cross product for both sums."""
    if len(tris) == 0:
        return 0.0, 0.0
    co = np.asarray(co, dtype=np.float64)
    a, b, c = (rows(co, np.asarray(tris)[:, i]) for i in range(3))
    normal = cross(b - a, c - a)  # a . ((b - a) x (c - a)) = a . (b x c)
    return (float(np.einsum("ij,ij->i", a, normal).sum() / 6.0),
            float(0.5 * np.sqrt(np.einsum("ij,ij->i", normal, normal)).sum()))


def signed_volume(co: np.ndarray, tris: np.ndarray) -> float:
    """Signed volume (divergence theorem); positive for outward-facing closed meshes."""
    return volume_and_area(co, tris)[0]


def surface_area(co: np.ndarray, tris: np.ndarray) -> float:
    return volume_and_area(co, tris)[1]


def fan_triangles(loop_vert: np.ndarray, loop_start: np.ndarray, loop_total: np.ndarray) -> np.ndarray:
    """Triangulate every face as a fan from its first corner."""
    lv = np.asarray(loop_vert, dtype=np.int64)
    starts = np.asarray(loop_start, dtype=np.int64)
    totals = np.asarray(loop_total, dtype=np.int64)
    n_tris = totals - 2
    face = np.repeat(np.arange(len(starts)), n_tris)
    k = np.arange(n_tris.sum()) - np.repeat(np.cumsum(n_tris) - n_tris, n_tris)
    s = starts[face]
    return np.stack([lv[s], lv[s + k + 1], lv[s + k + 2]], axis=1)


def measurements(co: np.ndarray, tris: np.ndarray) -> tuple[dict, float]:
    """The size, volume and area fields every report shares (mm), and the raw signed volume."""
    co = np.asarray(co, dtype=np.float64)
    volume, area = volume_and_area(co, tris)
    lo, hi = (co.min(axis=0), co.max(axis=0)) if len(co) else (np.zeros(3), np.zeros(3))
    return {
        "triangles": int(len(tris)),
        "vertices": int(len(co)),
        "bbox_mm": [round(float(v), 4) for v in (hi - lo)],
        "bbox_min_mm": [round(float(v), 4) for v in lo],
        "volume_mm3": round(abs(volume), 3),
        "signed_volume_mm3": round(volume, 3),
        "area_mm2": round(area, 3),
    }, volume


def basic_report(co: np.ndarray, loop_vert: np.ndarray, loop_start: np.ndarray, loop_total: np.ndarray,
                 tris: np.ndarray | None = None, **edge_kw) -> dict:
    """The relief issue's minimal checks (solid and inside-out); ``core.checks.full_report`` adds the rest."""
    co = np.asarray(co, dtype=np.float64)
    if tris is None:
        tris = fan_triangles(loop_vert, loop_start, loop_total)
    non_manifold, bad_contiguous = edge_counts(loop_vert, loop_start, loop_total, **edge_kw)
    stats, volume = measurements(co, tris)
    finite = bool(np.isfinite(co).all()) if len(co) else True
    checks = {
        "non_manifold_edges": non_manifold,
        "bad_contiguous_edges": bad_contiguous,
        "inside_out": bool(volume <= 0.0),
    }
    blocking = [name for name in ("non_manifold_edges", "bad_contiguous_edges", "inside_out") if checks[name]]
    if not finite:
        blocking.append("non_finite_coordinates")
    return {
        **stats,
        "checks": checks,
        "blocking": blocking,
        "printable": not blocking,
    }


def long_triangles(co: np.ndarray, tris: np.ndarray, factor: float,
                   most: float) -> tuple[np.ndarray, np.ndarray] | None:
    """``(long, ring)`` masks over ``tris``, or None: ``long`` marks triangles whose bounding box is more than
    ``factor`` times the median box across (the fan of a large flat face, say), ``ring`` the other triangles
    that share a vertex with a long one. None when there is no long triangle, or more than a ``most`` share.

    A few long triangles in a tree of small ones swell its boxes so much that every query visits them; the
    Blender adapter keeps them in a tree of their own (``operators.check``)."""
    if len(tris) == 0:
        return None
    co32 = np.asarray(co, dtype=np.float32)  # a rough measure, at half the memory traffic
    a, b, c = (rows(co32, tris[:, i]) for i in range(3))
    side, low = np.maximum(a, b), np.minimum(a, b)
    np.maximum(side, c, out=side)
    np.minimum(low, c, out=low)
    side -= low
    del a, b, c, low
    across2 = np.einsum("ij,ij->i", side, side)  # the box's diagonal, squared
    finite = np.isfinite(across2)
    if not finite.any():
        return None
    long = finite & (across2 > factor * factor * float(np.median(across2[finite])))
    count = int(long.sum())
    if count == 0 or count > most * len(tris):
        return None
    touched = np.zeros(len(co), bool)
    touched[tris[long]] = True
    return long, ~long & (touched[tris[:, 0]] | touched[tris[:, 1]] | touched[tris[:, 2]])
