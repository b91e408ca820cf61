# SPDX-License-Identifier: GPL-3.0-or-later
"""Front and back height fields over a mask -> one closed solid (mm, bottom at z = 0)."""

from __future__ import annotations

import numpy as np

from ..relief import ReliefPlan, cells_from_vertex_mask
from ..solid import SolidMesh, _masked_solid
from . import HeightFields


def heightfields_to_solid(hf: HeightFields) -> SolidMesh:
    """Top vertices at +front, bottom vertices at -back, walls along the outline (and holes)."""
    rows, cols = hf.mask.shape
    plan = ReliefPlan(t=np.zeros((rows, cols), np.float32), vertex_mask=hf.mask, spacing_mm=hf.spacing_mm,
                      base_mm=0.0, depth_mm=1.0, curved=False, adaptive=False, image_origin=(0, 0),
                      image_shape=(rows, cols))
    mesh = _masked_solid(plan, cells_from_vertex_mask(hf.mask))
    n_top = mesh.top_count
    r, c = mesh.top_rc[:, 0], mesh.top_rc[:, 1]
    mesh.co[:n_top, 2] = hf.front[r, c]
    mesh.co[n_top:, 2] = -hf.back[r, c]
    mesh.co[:, 2] -= mesh.co[:, 2].min()
    # the image projected from the front: the padded canvas' inner samples span the whole image
    pad = int(hf.meta.get("pad", 0))
    rr = np.concatenate([r, r])
    cc = np.concatenate([c, c])
    inner_rows, inner_cols = max(rows - 2 * pad, 1), max(cols - 2 * pad, 1)
    mesh.uv_color = np.stack([(cc - pad + 0.5) / inner_cols, 1.0 - (rr - pad + 0.5) / inner_rows],
                             axis=1).astype(np.float32)
    return mesh
