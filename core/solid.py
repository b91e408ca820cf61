# SPDX-License-Identifier: GPL-3.0-or-later
"""Height-field plan -> closed base solid as flat numpy arrays (mm).

The top surface sits flat at ``base_mm``; the Displace modifier in Blender
lifts it by ``depth_mm * t``.  Side walls reuse the top's boundary vertices
and the bottom is closed, so the displaced result is watertight and every
face winds outward by construction.

Three layouts:

* grid, sparse bottom: full rectangle, bottom = triangle fan from a centre
  vertex to the boundary ring (few faces, little memory);
* grid, dense bottom: a cell mask (cut-out alpha, hanging hole) or a curved
  plate (the bottom must bend with the top), bottom = mirrored copy of the top;
* adaptive: the top is a Garland-Heckbert triangulation (pydelatin) with
  bounded error; walls and fan bottom as in the sparse layout.
"""

from __future__ import annotations

import numpy as np

from .gridmesh import (
    SolidMesh,
    cells_from_vertex_mask,
    grid_quads,
    grid_ring,
    grid_uv,
    grid_xy,
    masked_solid,
    polys,
    walls_and_fan,
)
from .lamp import build_lamp
from .relief import ReliefPlan

__all__ = ["SolidMesh", "build_solid"]


def build_solid(plan: ReliefPlan) -> SolidMesh:
    if plan.lamp is not None:
        return build_lamp(plan)
    if plan.adaptive:
        mesh = _adaptive_solid(plan)
    elif plan.vertex_mask is not None or plan.curved:
        mask = plan.vertex_mask if plan.vertex_mask is not None else np.ones(plan.t.shape, bool)
        mesh = masked_solid(plan.rows, plan.cols, plan.spacing_mm, plan.base_mm, cells_from_vertex_mask(mask))
    else:
        mesh = _grid_solid(plan)
    whole = plan.image_origin == (0, 0) and plan.image_shape == plan.t.shape
    if whole and not plan.mirrored:
        mesh.uv_color = None
    else:
        color = _color_uv(plan, mesh.uv)
        if plan.mirrored:  # the colours follow the relief, mirrored to read from inside
            color[:, 0] = 1.0 - color[:, 0]
        mesh.uv_color = color
    return mesh


def _color_uv(plan: ReliefPlan, uv: np.ndarray) -> np.ndarray:
    """Map the image area (not frame or tab) onto the whole source image."""
    col = uv[:, 0] * plan.cols - 0.5
    row_from_bottom = uv[:, 1] * plan.rows - 0.5
    row = plan.rows - 1 - row_from_bottom
    r0, c0 = plan.image_origin
    ny, nx = plan.image_shape
    u = (col - c0) / max(nx - 1, 1)
    v = 1.0 - (row - r0) / max(ny - 1, 1)
    return np.stack([u, v], axis=1).astype(np.float32)


def _ring_walls_and_fan(top_co, top_uv, top_faces, top_k, ring, max_error=None) -> SolidMesh:
    """Closed solid from a top surface whose boundary is the single CCW loop ``ring``."""
    n_top = len(top_co)
    n_ring = len(ring)
    centre = n_top + n_ring
    co = np.empty((centre + 1, 3), np.float32)
    co[:n_top] = top_co
    co[n_top:centre, :2] = top_co[ring, :2]
    co[n_top:centre, 2] = 0.0
    co[centre] = (top_co[ring, 0].mean(), top_co[ring, 1].mean(), 0.0)
    uv = np.empty((centre + 1, 2), np.float32)
    uv[:n_top] = top_uv
    uv[n_top:centre] = top_uv[ring]
    uv[centre] = (0.5, 0.5)
    walls, fan = walls_and_fan(ring, n_top)
    lv, ls, lt = polys((top_faces, top_k), (walls, 4), (fan, 3))
    return SolidMesh(co=co, loop_vert=lv, loop_start=ls, loop_total=lt, uv=uv, uv_color=None, top_count=n_top,
                     max_error_mm=max_error)


def _grid_solid(plan: ReliefPlan) -> SolidMesh:
    rows, cols = plan.rows, plan.cols
    s = plan.spacing_mm
    top_co = np.empty((rows, cols, 3), np.float32)
    top_co[..., 0] = ((np.arange(cols) - (cols - 1) / 2.0) * s)[None, :]
    top_co[..., 1] = (((rows - 1) / 2.0 - np.arange(rows)) * s)[:, None]
    top_co[..., 2] = plan.base_mm
    top_uv = np.empty((rows, cols, 2), np.float32)
    top_uv[..., 0] = ((np.arange(cols) + 0.5) / cols)[None, :]
    top_uv[..., 1] = ((rows - 1 - np.arange(rows) + 0.5) / rows)[:, None]
    idx, ring = grid_ring(rows, cols)
    mesh = _ring_walls_and_fan(top_co.reshape(-1, 3), top_uv.reshape(-1, 2), grid_quads(idx), 4, ring)
    mesh.edges, mesh.corner_edge = _grid_edges(rows, cols, idx, ring)
    mesh.grid = (rows, cols)
    return mesh


def _grid_edges(rows: int, cols: int, idx: np.ndarray, ring: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges of the grid layout, known from its structure (no hashing of 16M corners).

    Edge blocks: H (row neighbours), V (column neighbours), W (wall verticals),
    B (bottom ring), S (fan spokes); corners in the order of ``_ring_walls_and_fan``.
    """
    n = len(ring)
    n_top = rows * cols
    n_h, n_v = rows * (cols - 1), (rows - 1) * cols
    o_w, o_b, o_s = n_h + n_v, n_h + n_v + n, n_h + n_v + 2 * n
    h = np.arange(n_h, dtype=np.int32).reshape(rows, cols - 1)
    v = (n_h + np.arange(n_v, dtype=np.int32)).reshape(rows - 1, cols)
    i = np.arange(n, dtype=np.int32)
    i_next = np.roll(i, -1)
    bottom, centre = n_top + i, n_top + n

    edges = np.empty((o_s + n, 2), np.int32)
    edges[:n_h] = np.stack([idx[:, :-1], idx[:, 1:]], axis=-1).reshape(-1, 2)
    edges[n_h:o_w] = np.stack([idx[:-1, :], idx[1:, :]], axis=-1).reshape(-1, 2)
    edges[o_w:o_b] = np.stack([ring, bottom], axis=1)
    edges[o_b:o_s] = np.stack([bottom, n_top + i_next], axis=1)
    edges[o_s:] = np.stack([np.full(n, centre), bottom], axis=1)

    ring_edge = np.concatenate([h[-1, :], v[::-1, -1], h[0, ::-1], v[:, 0]])  # ring[i] -> ring[i + 1]
    quads = np.empty((rows - 1, cols - 1, 4), np.int32)
    quads[..., 0], quads[..., 1] = h[1:, :], v[:, 1:]
    quads[..., 2], quads[..., 3] = h[:-1, :], v[:, :-1]
    walls = np.stack([ring_edge, o_w + i, o_b + i, o_w + i_next], axis=1)
    fan = np.stack([o_s + i_next, o_b + i, o_s + i], axis=1)
    corner_edge = np.concatenate([quads.reshape(-1), walls.reshape(-1), fan.reshape(-1)])
    return edges, corner_edge


def _adaptive_solid(plan: ReliefPlan) -> SolidMesh:
    """Garland-Heckbert greedy insertion (pydelatin) for the top, bounded error in mm."""
    from pydelatin import Delatin

    rows, cols = plan.rows, plan.cols
    tin = Delatin(plan.heights_mm(), max_error=float(plan.max_error_mm))
    verts = np.asarray(tin.vertices)
    c = np.rint(verts[:, 0]).astype(np.int64)
    r = (rows - 1) - np.rint(verts[:, 1]).astype(np.int64)
    tris = np.asarray(tin.triangles, dtype=np.int64)
    x, y = grid_xy(rows, cols, plan.spacing_mm, r, c)
    top_co = np.stack([x, y, np.full_like(x, plan.base_mm)], axis=1)
    # wind every triangle counter-clockwise seen from above
    p0, p1, p2 = top_co[tris[:, 0], :2], top_co[tris[:, 1], :2], top_co[tris[:, 2], :2]
    cross = (p1[:, 0] - p0[:, 0]) * (p2[:, 1] - p0[:, 1]) - (p1[:, 1] - p0[:, 1]) * (p2[:, 0] - p0[:, 0])
    tris[cross < 0] = tris[cross < 0][:, ::-1]
    # boundary vertices, ordered counter-clockwise along the rectangle
    w, h = cols - 1, rows - 1
    on_bottom, on_right, on_top, on_left = r == h, c == w, r == 0, c == 0
    boundary = on_bottom | on_right | on_top | on_left
    param = np.select([on_bottom, on_right, on_top, on_left],
                      [c, w + (h - r), w + h + (w - c), 2 * w + h + r], default=-1)
    ring = np.nonzero(boundary)[0]
    ring = ring[np.argsort(param[ring], kind="stable")]
    return _ring_walls_and_fan(top_co, grid_uv(rows, cols, r, c), tris, 3, ring, max_error=float(tin.error))
