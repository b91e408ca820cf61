# SPDX-License-Identifier: GPL-3.0-or-later
"""Foreground masks: from alpha, else by removing a plain background."""

from __future__ import annotations

import numpy as np

from ..errors import ImageToPrintError
from ..gridmesh import cell_corners, cells_from_vertex_mask
from ..raster import background_colour, border, colour_distance, fill_holes, label, otsu


def clean(mask: np.ndarray, min_fraction: float = 0.05) -> np.ndarray:
    """Keep pieces at least ``min_fraction`` of the largest one; fill holes that do not reach the border."""
    if not mask.any():
        return mask
    lab, counts = label(mask, eight=False)
    mask = mask & (counts >= counts.max() * min_fraction)[np.maximum(lab, 0)]
    return fill_holes(mask)


def foreground(rgba8: np.ndarray, alpha: np.ndarray | None) -> tuple[np.ndarray, str]:
    """(mask, how it was found): alpha if the image has transparency, else the border colour removed."""
    if alpha is not None:
        mask = clean(alpha >= 0.5)
        how = "alpha"
    else:
        rgb = rgba8[..., :3].astype(np.float32) / 255.0
        edge = border(rgb)
        background = background_colour(rgb)
        distance = colour_distance(rgb, background)
        spread = np.sqrt(((edge - background) ** 2).sum(axis=-1)).mean() / np.sqrt(3.0)
        if spread > 0.12:
            raise ImageToPrintError("no plain background to remove (the image border varies too much): "
                                    "use an image with a transparent or plain background")
        # the first of equally good cutoffs (not the middle of them, as tracing takes)
        threshold = max(otsu(distance, middle_of_ties=False), 3 * spread + 0.04)
        mask = clean(distance > threshold)
        how = "background colour"
    if not mask.any():
        raise ImageToPrintError("no foreground found in the image")
    return mask, how


def solid_mask(mask: np.ndarray) -> np.ndarray:
    """The samples the closed solid will use: corners of whole cells, bow-ties filled."""
    return cell_corners(cells_from_vertex_mask(mask))


def touches_border(mask: np.ndarray) -> bool:
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())
