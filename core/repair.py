# SPDX-License-Identifier: GPL-3.0-or-later
"""Repair planning on mesh arrays: which elements a "Make Printable" pass removes.

The Blender adapter applies the plan with bmesh operators (merge by distance,
fill holes, recalculate normals, ...); the element selection is vectorised here.
"""

from __future__ import annotations

import numpy as np

from .graph import components
from .meshcheck import cross


def loose_elements(n_verts: int, edge_verts: np.ndarray, loop_edge: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(edges used by no face, vertices used by no edge)."""
    uses = np.bincount(np.asarray(loop_edge, dtype=np.int64), minlength=len(edge_verts))
    loose_edges = np.nonzero(uses == 0)[0]
    used = np.zeros(n_verts, bool)
    used[np.asarray(edge_verts, dtype=np.int64)[uses > 0].ravel()] = True
    return loose_edges, np.nonzero(~used)[0]


def interior_faces(loop_start: np.ndarray, loop_total: np.ndarray, loop_edge: np.ndarray, n_edges: int) -> np.ndarray:
    """Faces all of whose edges are shared by three or more faces (walls inside a solid)."""
    if len(loop_start) == 0:
        return np.zeros(0, np.int64)
    uses = np.bincount(np.asarray(loop_edge, dtype=np.int64), minlength=n_edges)
    crowded = (uses[loop_edge] > 2).astype(np.int8)
    all_crowded = np.minimum.reduceat(crowded, np.asarray(loop_start, dtype=np.int64))
    return np.nonzero(all_crowded == 1)[0]


def small_shells(co: np.ndarray, tris: np.ndarray, tri_face: np.ndarray, edge_verts: np.ndarray,
                 min_volume_mm3: float) -> tuple[np.ndarray, int]:
    """(faces of shells whose enclosed volume is below ``min_volume_mm3``, number of such shells)."""
    label = components(len(co), edge_verts[:, 0], edge_verts[:, 1])
    tri_shell = label[np.asarray(tris)[:, 0]]
    p = np.asarray(co, dtype=np.float64)[np.asarray(tris)]
    vol = np.einsum("ij,ij->i", p[:, 0], cross(p[:, 1], p[:, 2])) / 6.0
    shells, inverse = np.unique(tri_shell, return_inverse=True)
    shell_volume = np.abs(np.bincount(inverse, weights=vol, minlength=len(shells)))
    tiny = shell_volume < min_volume_mm3
    if not tiny.any() or tiny.all():  # never delete everything
        return np.zeros(0, np.int64), 0
    faces = np.unique(np.asarray(tri_face)[tiny[inverse]])
    return faces, int(tiny.sum())

