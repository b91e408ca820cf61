# SPDX-License-Identifier: GPL-3.0-or-later
"""Front and back height fields over a mask -> one closed solid (mm, bottom at z = 0)."""

from __future__ import annotations

import numpy as np

from ..checks import group_reduce
from ..graph import components
from ..gridmesh import SolidMesh, cells_from_vertex_mask, masked_solid
from ..meshcheck import next_loop
from .backend import HeightFields


def heightfields_to_solid(hf: HeightFields) -> SolidMesh:
    """Top vertices at +front, bottom vertices at -back, walls along the outline (and holes)."""
    rows, cols = hf.mask.shape
    mesh = masked_solid(rows, cols, hf.spacing_mm, 0.0, cells_from_vertex_mask(hf.mask))
    n_top = mesh.top_count
    r, c = mesh.top_rc[:, 0], mesh.top_rc[:, 1]
    mesh.co[:n_top, 2] = hf.front[r, c]
    mesh.co[n_top:, 2] = -hf.back[r, c]
    _every_piece_on_the_bed(mesh)
    # the image projected from the front: the padded canvas' inner samples span the whole image
    pad = int(hf.meta.get("pad", 0))
    rr = np.concatenate([r, r])
    cc = np.concatenate([c, c])
    inner_rows, inner_cols = max(rows - 2 * pad, 1), max(cols - 2 * pad, 1)
    mesh.uv_color = np.stack([(cc - pad + 0.5) / inner_cols, 1.0 - (rr - pad + 0.5) / inner_rows],
                             axis=1).astype(np.float32)
    return mesh


def _every_piece_on_the_bed(mesh: SolidMesh) -> None:
    """Lower each separate piece (a mask with several outlines) until it rests on z = 0: with a mirrored
    back a thinner piece's lowest point is higher than a thicker one's, and a piece in the air cannot print."""
    lv = mesh.loop_vert.astype(np.int64)
    nxt = lv[next_loop(mesh.loop_start, mesh.loop_total, len(lv))]
    label = components(len(mesh.co), lv, nxt)
    lowest = group_reduce(np.minimum, label, mesh.co[:, 2].astype(np.float64), len(mesh.co), np.inf)
    mesh.co[:, 2] -= lowest[label].astype(mesh.co.dtype)
