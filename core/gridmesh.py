# SPDX-License-Identifier: GPL-3.0-or-later
"""Closed solids over a grid of samples, as flat numpy arrays (mm).

Shared by the relief route (``core.solid``) and the AI route
(``core.ai.solid``):

* :class:`SolidMesh`, the flat-array mesh both hand to Blender;
* which grid cells a vertex mask keeps (no bow-ties) and which vertices they use;
* the masked-grid solid: top over the kept cells, a mirrored bottom, walls along
  the outline and around holes.

Grid sample (row r, column c) lies at x = (c - (cols - 1) / 2) * spacing,
y = ((rows - 1) / 2 - r) * spacing: the grid is centred, row 0 at the top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class SolidMesh:
    co: np.ndarray  # (N, 3) float32, mm, centred in XY, bottom at z = 0
    loop_vert: np.ndarray  # (L,) int32
    loop_start: np.ndarray  # (P,) int32
    loop_total: np.ndarray  # (P,) int32
    uv: np.ndarray  # (N, 2) float32 per vertex: pixel centres of the height texture
    uv_color: np.ndarray | None  # (N, 2) per vertex: the source image over the image area (None: same as uv)
    top_count: int  # vertices [0, top_count) form the displaced top
    max_error_mm: float | None = None  # adaptive mode: Delatin's max deviation
    # Optional edge table (E, 2) and per-corner edge index (L,), so Blender need not derive them.
    edges: np.ndarray | None = None
    corner_edge: np.ndarray | None = None
    top_rc: np.ndarray | None = None  # (top_count, 2) grid row and column of each top vertex (masked layout)
    grid: tuple[int, int] | None = None  # (rows, cols) of the full-grid layout (core.solid.grid_topology)
    # Shells whose UVs wrap round a seam (core.lamp) give them per corner, and a displacement texture of
    # (H, W, 3) ``t * direction`` for Displace's RGB to XYZ instead of the grey ``t``.
    loop_uv: np.ndarray | None = None  # (L, 2)
    loop_uv_color: np.ndarray | None = None  # (L, 2)
    height_rgb: np.ndarray | None = None

    @property
    def triangles(self) -> int:
        return int((self.loop_total - 2).sum())

    def uv_per_loop(self) -> np.ndarray:
        return self.uv[self.loop_vert] if self.loop_uv is None else self.loop_uv

    def uv_color_per_loop(self) -> np.ndarray:
        if self.loop_uv_color is not None:
            return self.loop_uv_color
        return (self.uv if self.uv_color is None else self.uv_color)[self.loop_vert]


# --- cells of a vertex mask --------------------------------------------------------------------

def clean_cells(cells: np.ndarray) -> np.ndarray:
    """Fill cells so no two cells touch only at a corner (bow-tie vertices)."""
    cells = cells.copy()
    for _ in range(64):
        p = np.pad(cells, 1)
        a, b = p[:-1, :-1], p[:-1, 1:]
        c, d = p[1:, :-1], p[1:, 1:]
        diag1 = a & d & ~b & ~c
        diag2 = b & c & ~a & ~d
        bad = diag1 | diag2
        if not bad.any():
            return cells
        # Turn on the upper-right (diag1) / upper-left (diag2) cell of each bad 2x2 block.
        fill = np.zeros_like(p)
        fill[:-1, 1:] |= diag1
        fill[:-1, :-1] |= diag2
        cells |= fill[1:-1, 1:-1]
    return cells


def cells_from_vertex_mask(mask: np.ndarray) -> np.ndarray:
    """(rows - 1, cols - 1) cells whose four corners are in the mask, bow-ties filled."""
    cells = mask[:-1, :-1] & mask[:-1, 1:] & mask[1:, :-1] & mask[1:, 1:]
    return clean_cells(cells)


def cell_corners(cells: np.ndarray) -> np.ndarray:
    """(rows, cols) vertices used by the (rows - 1, cols - 1) ``cells``."""
    rows, cols = cells.shape[0] + 1, cells.shape[1] + 1
    used = np.zeros((rows, cols), bool)
    used[:-1, :-1] |= cells
    used[:-1, 1:] |= cells
    used[1:, :-1] |= cells
    used[1:, 1:] |= cells
    return used


# --- grid coordinates and faces ----------------------------------------------------------------

def grid_xy(rows: int, cols: int, spacing_mm: float, r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x and y (mm, float32) of grid samples (r, c) on a centred grid."""
    x = (c - (cols - 1) / 2.0) * spacing_mm
    y = ((rows - 1) / 2.0 - r) * spacing_mm
    return x.astype(np.float32), y.astype(np.float32)


def grid_uv(rows: int, cols: int, r: np.ndarray, c: np.ndarray) -> np.ndarray:
    """(N, 2) UV of grid samples at the centres of a rows x cols texture's pixels."""
    u = (c + 0.5) / cols
    v = (rows - 1 - r + 0.5) / rows  # Blender images start at the bottom row
    return np.stack([u, v], axis=-1).astype(np.float32)


def polys(*groups: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Concatenate face groups given as ((F, k) index arrays, k) into int32 loop arrays."""
    n_loops = sum(g.size for g, _ in groups)
    n_faces = sum(len(g) for g, _ in groups)
    loop_vert = np.empty(n_loops, np.int32)
    loop_start = np.empty(n_faces, np.int32)
    loop_total = np.empty(n_faces, np.int32)
    li = fi = 0
    for g, k in groups:
        n = len(g)
        loop_vert[li:li + g.size] = g.reshape(-1)
        loop_total[fi:fi + n] = k
        loop_start[fi:fi + n] = np.arange(li, li + n * k, k, dtype=np.int32)
        li += g.size
        fi += n
    return loop_vert, loop_start, loop_total


# --- the full-grid layout (core.solid's grid relief) ---------------------------------------------

def walls_and_fan(ring: np.ndarray, n_top: int) -> tuple[np.ndarray, np.ndarray]:
    """Side walls under the CCW boundary loop ``ring`` (bottom copies at n_top...) and the bottom fan
    from the centre vertex (the last one)."""
    n_ring = len(ring)
    bottom = np.arange(n_top, n_top + n_ring, dtype=np.int64)
    centre = n_top + n_ring
    a, b = ring, np.roll(ring, -1)
    a2, b2 = bottom, np.roll(bottom, -1)
    return np.stack([b, a, a2, b2], axis=1), np.stack([np.full(n_ring, centre), b2, a2], axis=1)


def grid_ring(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid's vertex indices (rows, cols) and its boundary loop, counter-clockwise seen from above."""
    idx = np.arange(rows * cols, dtype=np.int32).reshape(rows, cols)
    ring = np.concatenate([
        idx[-1, :-1],  # bottom edge, left to right
        idx[:0:-1, -1],  # right edge, bottom to top
        idx[0, :0:-1],  # top edge, right to left
        idx[:-1, 0],  # left edge, top to bottom
    ])
    return idx, ring


def grid_quads(idx: np.ndarray) -> np.ndarray:
    quads = np.empty((idx.shape[0] - 1, idx.shape[1] - 1, 4), np.int32)
    quads[..., 0], quads[..., 1] = idx[1:, :-1], idx[1:, 1:]
    quads[..., 2], quads[..., 3] = idx[:-1, 1:], idx[:-1, :-1]
    return quads.reshape(-1, 4)


def grid_topology(rows: int, cols: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(loop_vert, loop_start, loop_total) of the grid layout: what ``core.solid.build_solid`` makes for a
    full rectangle at one sample per grid point (the print checks compare an evaluated mesh with it)."""
    idx, ring = grid_ring(rows, cols)
    walls, fan = walls_and_fan(ring, rows * cols)
    return polys((grid_quads(idx), 4), (walls, 4), (fan, 3))


# --- the masked-grid solid ---------------------------------------------------------------------

def masked_solid(rows: int, cols: int, spacing_mm: float, base_mm: float, cells: np.ndarray) -> SolidMesh:
    """Closed solid over ``cells`` of a rows x cols grid: flat top at ``base_mm``, bottom at 0.

    Top vertices come first (``top_count`` of them, grid positions in ``top_rc``);
    the bottom repeats them in the same order, so a caller may move top and
    bottom separately (a displaced relief, front and back height fields).
    """
    used = cell_corners(cells)
    n_top = int(used.sum())
    remap = np.full((rows, cols), -1, np.int64)
    remap[used] = np.arange(n_top)
    r, c = np.nonzero(used)
    x, y = grid_xy(rows, cols, spacing_mm, r, c)
    top_co = np.stack([x, y, np.full_like(x, base_mm)], axis=1)
    top_uv = grid_uv(rows, cols, r, c)

    cr, cc = np.nonzero(cells)
    v00, v01 = remap[cr, cc], remap[cr, cc + 1]  # (row, col) corners of each cell
    v10, v11 = remap[cr + 1, cc], remap[cr + 1, cc + 1]
    top = np.stack([v10, v11, v01, v00], axis=1)
    bottom = top[:, ::-1] + n_top

    p = np.pad(cells, 1)
    below = ~p[2:, 1:-1][cr, cc]
    right = ~p[1:-1, 2:][cr, cc]
    above = ~p[:-2, 1:-1][cr, cc]
    left = ~p[1:-1, :-2][cr, cc]
    edges = np.concatenate([
        np.stack([v10[below], v11[below]], 1),
        np.stack([v11[right], v01[right]], 1),
        np.stack([v01[above], v00[above]], 1),
        np.stack([v00[left], v10[left]], 1),
    ])
    a, b = edges[:, 0], edges[:, 1]
    walls = np.stack([b, a, a + n_top, b + n_top], axis=1)

    co = np.concatenate([top_co, top_co]).astype(np.float32)
    co[n_top:, 2] = 0.0
    uv = np.concatenate([top_uv, top_uv])
    lv, ls, lt = polys((top, 4), (bottom, 4), (walls, 4))
    return SolidMesh(co=co, loop_vert=lv, loop_start=ls, loop_total=lt, uv=uv, uv_color=None, top_count=n_top,
                     top_rc=np.stack([r, c], axis=1).astype(np.int32))
