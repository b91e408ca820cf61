# SPDX-License-Identifier: GPL-3.0-or-later
"""Print checks of a relief that is still the height field the route built (mm, numpy, no bpy).

A relief in the grid layout (``core.gridmesh.grid_topology``) is a top surface z = Z[r, c]
over a rectangular grid, vertical side walls under its boundary and a flat bottom fan.
When the evaluated mesh still has exactly that topology (the caller compares the corner
arrays) and that geometry (this module checks the positions: x by column, y by row,
walls straight down, the bottom flat under the top), most checks follow from the
construction and the rest are arithmetic on the height grid:

* it cannot intersect itself, is manifold, winds outward and is one shell on the bed;
* the per-face and per-edge checks of ``core.checks`` (degenerate, non-planar, sharp,
  overhang) are computed on the grid with the same formulas, and on the thin rim of
  walls and bottom by ``core.checks`` itself, so their counts are those of the
  generic checks;
* wall thickness is measured straight down from each top face (the height of the
  solid under it, which is its true thickness over a flat bottom), straight up from
  the bottom and straight inward from the walls, instead of one ray along each face
  normal: a ray along a sloped face's normal overestimates it.

The generic checks take minutes on the millions of triangles of a relief at one
sample per pixel; these take about a second.
"""

from __future__ import annotations

import numpy as np

from .checks import BED_TOLERANCE_MM, Thresholds, assemble, edges_and_faces, face_normals, nonplanar_faces
from .checks import sharp_edges as generic_sharp_edges
from .gridmesh import grid_ring, walls_and_fan

__all__ = ["grid_report"]


def _is_height_field(top: np.ndarray, bottom: np.ndarray, centre: np.ndarray, ring: np.ndarray,
                     tol: float) -> bool:
    """x by column (increasing), y by row (decreasing), the bottom flat under the boundary."""
    x, y, z = top[..., 0], top[..., 1], top[..., 2]
    if not (np.isfinite(top).all() and np.isfinite(bottom).all() and np.isfinite(centre).all()):
        return False
    if np.abs(x - x[:1, :]).max() > tol or np.abs(y - y[:, :1]).max() > tol:
        return False
    if not (np.diff(x[0]) > tol).all() or not (np.diff(y[:, 0]) < -tol).all():
        return False
    bed = bottom[0, 2]
    flat = top.reshape(-1, 3)
    if np.abs(bottom[:, 2] - bed).max() > tol or abs(centre[2] - bed) > tol:
        return False
    if np.abs(bottom[:, :2] - flat[ring, :2]).max() > tol:
        return False
    inside = (x[0, 0] + tol < centre[0] < x[0, -1] - tol) and (y[-1, 0] + tol < centre[1] < y[0, 0] - tol)
    return bool(inside and z.min() > bed + tol)


def _sub(p, q):
    return p[0] - q[0], p[1] - q[1], p[2] - q[2]


def _cross(a, b):
    return a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]


def _dot(a, b):
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _sharp(n1, n2, direction, limit_deg: float) -> np.ndarray:
    """``core.checks.sharp_edges``'s rule (a convex edge whose normals differ by more than the limit),
    compared as cosines: the same result without an arccos per edge."""
    convex = _dot(direction, _cross(n1, n2)) > 0
    return convex & (_dot(n1, n2) < np.cos(np.radians(limit_deg)))


def _bilinear(z: np.ndarray, x0: float, y0: float, dx: float, dy: float, px: np.ndarray, py: np.ndarray):
    """The height grid at points (px, py), interpolated between samples."""
    fc = np.clip((px - x0) / dx, 0, z.shape[1] - 1.000001)
    fr = np.clip((y0 - py) / dy, 0, z.shape[0] - 1.000001)
    c, r = fc.astype(np.int64), fr.astype(np.int64)
    u, v = fc - c, fr - r
    return ((1 - u) * (1 - v) * z[r, c] + u * (1 - v) * z[r, c + 1] + (1 - u) * v * z[r + 1, c]
            + u * v * z[r + 1, c + 1])


def grid_report(co: np.ndarray, rows: int, cols: int, thresholds: Thresholds | None = None,
                elements: dict | None = None) -> dict | None:
    """The report of ``core.checks.full_report`` for a mesh with :func:`core.gridmesh.grid_topology`'s corners
    (the caller has compared them), or None when its positions are not a height field over a flat bottom
    (then only the generic checks can say)."""
    t = thresholds or Thresholds()
    co = np.asarray(co, dtype=np.float64)
    n_top = rows * cols
    idx, ring = grid_ring(rows, cols)
    n_ring = len(ring)
    if rows < 2 or cols < 2 or len(co) != n_top + n_ring + 1:
        return None
    top = co[:n_top].reshape(rows, cols, 3)
    bottom, centre = co[n_top:n_top + n_ring], co[-1]
    extent = float(np.abs(co).max()) if len(co) else 0.0
    if not _is_height_field(top, bottom, centre, ring, max(1e-6, extent * 1e-6)):
        return None
    bed = float(bottom[0, 2])
    nq = (rows - 1) * (cols - 1)

    # --- the top.  Quad (r, c) has corners p0 = (r+1, c), p1 = (r+1, c+1), p2 = (r, c+1), p3 = (r, c), as
    # core.solid builds it; x goes by column and y by row (checked above), so every edge runs along x or y
    # and each corner's normal is (-dy * H, -dx * V, dx * dy), H and V the height steps along its two edges.
    x, y, z = top[0, :, 0][None, :], top[:, 0, 1][:, None], top[..., 2]
    dx, dy = np.diff(x, axis=1), -np.diff(y, axis=0)
    dxdy = dx * dy
    hz, vz = np.diff(z, axis=1), z[:-1] - z[1:]  # along +x on each row, along +y on each column
    steps = {0: (hz[1:], vz[:, :-1]), 1: (hz[1:], vz[:, 1:]), 2: (hz[:-1], vz[:, 1:]), 3: (hz[:-1], vz[:, :-1])}
    nx, ny, nz = -dy * (hz[:-1] + hz[1:]), -dx * (vz[:, :-1] + vz[:, 1:]), 2.0 * dxdy  # Newell: sum of corners
    length = np.sqrt(nx * nx + ny * ny + nz * nz)
    q_area = 0.5 * length
    q_normal = (nx / length, ny / length, nz / length)  # nz > 0: never zero
    del nx, ny, nz
    cos_limit = np.cos(np.radians(t.nonplanar_deg) / 2.0)
    bent = np.zeros(q_area.shape, bool)
    corner_length = {}
    for i, (h, v) in steps.items():
        mx, my = -dy * h, -dx * v
        corner_length[i] = c_len = np.sqrt(mx * mx + my * my + dxdy * dxdy)
        cos = np.abs(mx * q_normal[0] + my * q_normal[1] + dxdy * q_normal[2]) / c_len
        bent |= (c_len > 1e-12) & (cos < cos_limit)
    # Blender's tessellation splits a quad 1-3 instead of 0-2 when the normals of triangles (0, 1, 2) and
    # (0, 2, 3), the corner normals at p1 and p3, point apart (is_quad_flip); a triangle's area is half the
    # length of the corner normal opposite its diagonal.
    (h1, v1), (h3, v3) = steps[1], steps[3]
    flip = (dy * dy * h1 * h3 + dx * dx * v1 * v3 + dxdy * dxdy) < 0
    split = np.where(flip, corner_length[0] + corner_length[2], corner_length[1] + corner_length[3])
    top_area = 0.5 * float(split.sum())
    del split
    del corner_length
    a, b, c, d = z[1:, :-1], z[1:, 1:], z[:-1, 1:], z[:-1, :-1]
    top_volume = float((dxdy / 6.0 * np.where(flip, a + 2 * b + c + 2 * d, 2 * a + b + 2 * c + d)).sum())
    first_z = (a + b + np.where(flip, d, c)) / 3.0

    # interior top edges: on row r between quads (r-1, c) and (r, c); on column c between (r, c-1) and (r, c)
    h_sharp = _sharp(tuple(n[:-1] for n in q_normal), tuple(n[1:] for n in q_normal), (dx, 0.0, hz[1:-1]),
                     t.sharp_deg)
    v_sharp = _sharp(tuple(n[:, :-1] for n in q_normal), tuple(n[:, 1:] for n in q_normal), (0.0, dy, vz[:, 1:-1]),
                     t.sharp_deg)
    n_h, n_v = rows * (cols - 1), (rows - 1) * cols
    h_id = np.arange(n_h).reshape(rows, cols - 1)
    v_id = n_h + np.arange(n_v).reshape(rows - 1, cols)
    h_len = np.sqrt(dx * dx + hz * hz)
    v_len = np.sqrt(dy * dy + vz * vz)
    # down-facing within (90 - limit) degrees of straight down (arccos(-nz) < that); never on the bed
    q_overhang = (q_area > 0) & (-q_normal[2] > np.cos(np.radians(90.0 - t.overhang_deg)))

    # --- the rim: walls and bottom fan, with the top quads along the boundary, by the generic checks
    walls_fan = _rim(idx, ring, n_top)
    strip = np.unique(np.concatenate([np.arange(cols - 1), (rows - 2) * (cols - 1) + np.arange(cols - 1),
                                      np.arange(rows - 1) * (cols - 1), np.arange(rows - 1) * (cols - 1) + cols - 2]))
    strip_quads = np.stack([idx[1:, :-1].ravel()[strip], idx[1:, 1:].ravel()[strip], idx[:-1, 1:].ravel()[strip],
                            idx[:-1, :-1].ravel()[strip]], axis=1)
    lv = np.concatenate([strip_quads.ravel(), walls_fan[0]])
    lt = np.concatenate([np.full(len(strip), 4), walls_fan[1]])
    ls = np.concatenate([[0], np.cumsum(lt)[:-1]])
    n_strip = len(strip)
    normals, area = face_normals(co, lv, ls, lt)
    edge_verts, loop_edge = edges_and_faces(lv, ls, lt)
    face_of_loop = np.repeat(np.arange(len(ls)), lt)
    rim_edge = np.zeros(len(edge_verts), bool)
    rim_edge[loop_edge[face_of_loop >= n_strip]] = True
    own = rim_edge & (edge_verts.max(axis=1) >= n_top)  # top-to-top edges are the grid's
    rim_sharp = generic_sharp_edges(co, lv, ls, lt, normals, loop_edge, len(edge_verts), t.sharp_deg)
    rim_sharp = rim_sharp[rim_edge[rim_sharp]]
    global_edge = _global_edges(edge_verts, rows, cols, ring, n_top)
    rim_len = np.linalg.norm(co[edge_verts[:, 0]] - co[edge_verts[:, 1]], axis=1)
    rf = slice(n_strip, None)  # the rim's own faces: walls, then the fan
    rim_area, rim_normal = area[rf], normals[rf]
    rim_bent = nonplanar_faces(co, lv, ls, lt, normals, t.nonplanar_deg)
    rim_bent = rim_bent[rim_bent >= n_strip] - n_strip
    rim_max_z = np.maximum.reduceat(co[lv, 2], ls)[rf]
    on_bed = (rim_max_z <= bed + BED_TOLERANCE_MM) & (rim_normal[:, 2] < 0)
    rim_down = np.arccos(np.clip(-rim_normal[:, 2], -1.0, 1.0))
    rim_overhang = (rim_area > 0) & (rim_down < np.radians(90.0 - t.overhang_deg)) & ~on_bed
    rim_wall = _rim_thickness(top, ring, co, lv[4 * n_strip:], bed, max(t.min_thickness_mm, t.nozzle_mm))
    wall_mm = np.concatenate([(first_z - bed).ravel(), rim_wall])

    rim_ids = nq + np.arange(2 * n_ring)
    found = {
        "non_manifold_edges": ("EDGE", np.zeros(0, np.int64)),
        "bad_contiguous_edges": ("EDGE", np.zeros(0, np.int64)),
        "intersecting_faces": ("FACE", np.zeros(0, np.int64)),
        "zero_area_faces": ("FACE", np.concatenate([np.nonzero(q_area.ravel() <= t.zero_mm ** 2)[0],
                                                    rim_ids[rim_area <= t.zero_mm ** 2]])),
        "zero_length_edges": ("EDGE", np.concatenate([h_id[h_len <= t.zero_mm], v_id[v_len <= t.zero_mm],
                                                      global_edge[own & (rim_len <= t.zero_mm)]])),
        "non_planar_faces": ("FACE", np.concatenate([np.nonzero(bent.ravel())[0], rim_ids[rim_bent]])),
        "sharp_edges": ("EDGE", np.sort(np.concatenate([h_id[1:-1][h_sharp], v_id[:, 1:-1][v_sharp],
                                                        global_edge[rim_sharp]]))),
        "thin_faces": ("FACE", np.nonzero(wall_mm < t.min_thickness_mm)[0]),
        "narrow_faces": ("FACE", np.nonzero(wall_mm < t.nozzle_mm)[0]),
        "overhang_faces": ("FACE", np.concatenate([np.nonzero(q_overhang.ravel())[0], rim_ids[rim_overhang]])),
        "non_manifold_vertices": ("VERT", np.zeros(0, np.int64)),
    }
    n_walls = n_ring
    wall_area, fan_area = float(rim_area[:n_walls].sum()), float(rim_area[n_walls:].sum())
    volume = top_volume - bed * fan_area  # walls are vertical: they add nothing to the flux of z
    lo = np.array([co[:, k].min() for k in range(3)])
    hi = np.array([co[:, k].max() for k in range(3)])
    stats = {
        "triangles": 2 * nq + 3 * n_ring,
        "vertices": int(len(co)),
        "bbox_mm": [round(float(v), 4) for v in (hi - lo)],
        "bbox_min_mm": [round(float(v), 4) for v in lo],
        "volume_mm3": round(abs(volume), 3),
        "signed_volume_mm3": round(volume, 3),
        "area_mm2": round(top_area + wall_area + fan_area, 3),
    }
    n_edges = n_h + n_v + 3 * n_ring
    report = assemble(stats, volume, nq + 2 * n_ring, n_edges, found, 1, 0, float(rim_area[on_bed].sum()), t, True,
                      elements)
    report["method"] = "height field"
    return report


def _rim(idx: np.ndarray, ring: np.ndarray, n_top: int) -> tuple[np.ndarray, np.ndarray]:
    """Corners and corner counts of the walls and the bottom fan, as ``core.solid`` builds them."""
    walls, fan = walls_and_fan(ring, n_top)
    return np.concatenate([walls.ravel(), fan.ravel()]), np.concatenate([np.full(len(walls), 4),
                                                                          np.full(len(fan), 3)])


def _global_edges(edge_verts: np.ndarray, rows: int, cols: int, ring: np.ndarray, n_top: int) -> np.ndarray:
    """Indices in the grid layout's edge table (``core.solid``'s order) of edges given by sorted vertex pairs."""
    u, v = edge_verts[:, 0], edge_verts[:, 1]
    n = len(ring)
    centre = n_top + n
    n_h, n_v = rows * (cols - 1), (rows - 1) * cols
    o_w, o_b, o_s = n_h + n_v, n_h + n_v + n, n_h + n_v + 2 * n
    position = np.full(n_top, -1, np.int64)
    position[ring] = np.arange(n)
    out = np.full(len(u), -1, np.int64)
    tt = v < n_top
    ru, cu = np.divmod(u[tt], cols)
    rv, cv = np.divmod(v[tt], cols)
    out[tt] = np.where(ru == rv, ru * (cols - 1) + np.minimum(cu, cv), n_h + np.minimum(ru, rv) * cols + cu)
    wall = (u < n_top) & (v >= n_top)
    out[wall] = o_w + position[u[wall]]
    ring_edge = (u >= n_top) & (v < centre)
    iu, iv = u[ring_edge] - n_top, v[ring_edge] - n_top
    out[ring_edge] = o_b + np.where(iv == iu + 1, iu, iv)
    spoke = v == centre
    out[spoke] = o_s + (u[spoke] - n_top)
    return out


def _rim_thickness(top: np.ndarray, ring: np.ndarray, co: np.ndarray, rim_lv: np.ndarray, bed: float,
                   max_mm: float) -> np.ndarray:
    """Per wall, then per bottom triangle: the solid's thickness from its first triangle's centre, straight
    inward (walls: until the top drops below the start or the far wall) or straight up (bottom), in mm."""
    rows, cols = top.shape[:2]
    z = top[..., 2]
    x0, y0 = top[0, 0, 0], top[0, 0, 1]
    dx, dy = (top[0, -1, 0] - x0) / (cols - 1), (y0 - top[-1, 0, 1]) / (rows - 1)
    n = len(ring)
    walls = rim_lv[:4 * n].reshape(n, 4)
    fan = rim_lv[4 * n:].reshape(n, 3)
    b, a = co[walls[:, 0]], co[walls[:, 1]]
    start = (b + 2 * a) / 3.0
    height = (b[:, 2] + a[:, 2] + bed) / 3.0
    along = b[:, :2] - a[:, :2]
    inward = np.stack([-along[:, 1], along[:, 0]], axis=1) / np.linalg.norm(along, axis=1, keepdims=True)
    step = min(dx, dy)
    far = np.where(np.abs(inward[:, 0]) > 0.5, top[0, -1, 0] - x0, y0 - top[-1, 0, 1])  # the plate across
    thickness = far.astype(np.float64)
    before = _bilinear(z, x0, y0, dx, dy, start[:, 0], start[:, 1])  # the top right above the start
    done = np.zeros(n, bool)
    for j in range(1, int(np.ceil(max_mm / step)) + 2):
        d = j * step
        here = _bilinear(z, x0, y0, dx, dy, start[:, 0] + inward[:, 0] * d, start[:, 1] + inward[:, 1] * d)
        leaving = ~done & (here < height)  # the top came down through the ray's height in this step
        frac = (before - height) / np.maximum(before - here, 1e-300)
        thickness = np.where(leaving, np.minimum(thickness, d - step + np.clip(frac, 0.0, 1.0) * step), thickness)
        done |= leaving
        before = here
    centre_xy = co[fan].mean(axis=1)
    up = _bilinear(z, x0, y0, dx, dy, centre_xy[:, 0], centre_xy[:, 1]) - bed
    return np.concatenate([np.where(thickness > max_mm, np.inf, thickness), up])
