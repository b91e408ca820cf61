# SPDX-License-Identifier: GPL-3.0-or-later
"""Foreground masks: from alpha, else by removing a plain background."""

from __future__ import annotations

import numpy as np

from ..errors import ImageToPrintError
from ..trace import bitmap


def otsu(values: np.ndarray) -> float:
    """Otsu's threshold of values in [0, 1] (the first of equally good cutoffs)."""
    return bitmap.otsu(values, middle_of_ties=False)


def clean(mask: np.ndarray, min_fraction: float = 0.05) -> np.ndarray:
    """Keep pieces at least ``min_fraction`` of the largest one; fill holes that do not reach the border."""
    if not mask.any():
        return mask
    label, counts = bitmap.label(mask, eight=False)
    mask = mask & (counts >= counts.max() * min_fraction)[np.maximum(label, 0)]
    return bitmap.fill_holes(mask)


def foreground(rgba8: np.ndarray, alpha: np.ndarray | None) -> tuple[np.ndarray, str]:
    """(mask, how it was found): alpha if the image has transparency, else the border colour removed."""
    if alpha is not None:
        mask = clean(alpha >= 0.5)
        how = "alpha"
    else:
        rgb = rgba8[..., :3].astype(np.float32) / 255.0
        border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
        background = np.median(border, axis=0)
        distance = np.sqrt(((rgb - background) ** 2).sum(axis=-1)) / np.sqrt(3.0)
        spread = np.sqrt(((border - background) ** 2).sum(axis=-1)).mean() / np.sqrt(3.0)
        if spread > 0.12:
            raise ImageToPrintError("no plain background to remove (the image border varies too much): "
                                    "use an image with a transparent or plain background")
        threshold = max(otsu(distance), 3 * spread + 0.04)
        mask = clean(distance > threshold)
        how = "background colour"
    if not mask.any():
        raise ImageToPrintError("no foreground found in the image")
    return mask, how


def solid_mask(mask: np.ndarray) -> np.ndarray:
    """The samples the closed solid will use: corners of whole cells, bow-ties filled."""
    from ..relief import cells_from_vertex_mask

    cells = cells_from_vertex_mask(mask)
    used = np.zeros(mask.shape, bool)
    used[:-1, :-1] |= cells
    used[:-1, 1:] |= cells
    used[1:, :-1] |= cells
    used[1:, 1:] |= cells
    return used


def touches_border(mask: np.ndarray) -> bool:
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())
