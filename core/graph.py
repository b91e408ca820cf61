# SPDX-License-Identifier: GPL-3.0-or-later
"""Graphs given as node counts and edge lists: connected components (vectorised union-find).

Shared by the print checks (shells, fans around a vertex), the repair planner
(small shells) and the pixel-mask labelling in :mod:`core.raster` (runs of pixels).
"""

from __future__ import annotations

import numpy as np


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component label (smallest member) of nodes 0..n-1 joined by pairs (a, b)."""
    parent = np.arange(n, dtype=np.int64)
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    while True:
        pa, pb = parent[a], parent[b]
        lo, hi = np.minimum(pa, pb), np.maximum(pa, pb)
        diff = lo != hi
        if not diff.any():
            return parent
        np.minimum.at(parent, hi[diff], lo[diff])
        while True:  # pointer jumping until every node points at its root
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand
