# SPDX-License-Identifier: GPL-3.0-or-later
"""Which way a lampshade reads: its wall thickness against an image and against the image's mirror.

Shared by the core tests (the shell as core builds it) and the Blender tests (the evaluated object).
"""

from __future__ import annotations

import math

import numpy as np


def reads(top: np.ndarray, lamp, dark: np.ndarray, centre_z: float | None = None) -> dict:
    """The correlation of the outside vertices' distance from the axis (cylinder, ``centre_z`` None) or from
    the centre (sphere) with ``dark`` (rows top to bottom), and with its mirror, each at its best turn round
    the axis, for a viewer outside, whose right is anticlockwise seen from above. ``lamp`` is the plan's
    LampProfile: it says which rows carry the image."""
    theta = np.arctan2(top[:, 1], top[:, 0])
    first, last = lamp.image_rows
    if centre_z is None:
        thick = np.hypot(top[:, 0], top[:, 1])
        z_hi, z_lo = lamp.outer[first, 1], lamp.outer[last - 1, 1]
        v = (z_hi - top[:, 2]) / (z_hi - z_lo)
    else:
        rel = top - [0.0, 0.0, centre_z]
        thick = np.linalg.norm(rel, axis=1)
        lat = np.arcsin(np.clip(rel[:, 2] / thick, -1, 1))
        rows_lat = np.arctan2(lamp.outer[:, 1] - centre_z, lamp.outer[:, 0])
        v = (rows_lat[first] - lat) / (rows_lat[first] - rows_lat[last - 1])
    keep = (v >= 0) & (v <= 1)
    h, w = dark.shape
    rows = np.clip((v[keep] * (h - 1)).round().astype(int), 0, h - 1)
    best = {}
    for name, sign in (("straight", 1), ("mirrored", -1)):
        scores = []
        for shift in np.linspace(0, 1, 120, endpoint=False):
            cols = np.clip(((sign * theta[keep] / (2 * math.pi) + shift) % 1.0 * w).astype(int), 0, w - 1)
            scores.append(np.corrcoef(thick[keep], dark[rows, cols])[0, 1])
        best[name] = max(scores)
    return best
