# SPDX-License-Identifier: GPL-3.0-or-later
"""Foreground masks: from alpha, else by removing a plain background."""

from __future__ import annotations

import numpy as np

from ..errors import ImageToPrintError
from ..gridmesh import cell_corners, cells_from_vertex_mask
from ..raster import background_colour, border, box_blur, colour_distance, fill_holes, label, otsu, resample


def clean(mask: np.ndarray, min_fraction: float = 0.05) -> np.ndarray:
    """Keep pieces at least ``min_fraction`` of the largest one; fill holes that do not reach the border."""
    if not mask.any():
        return mask
    lab, counts = label(mask, eight=False)
    mask = mask & (counts >= counts.max() * min_fraction)[np.maximum(lab, 0)]
    return fill_holes(mask)


def foreground(rgba8: np.ndarray, alpha: np.ndarray | None, mask_path: str = "") -> tuple[np.ndarray, str]:
    """(mask, how it was found): the mask image when one is given, else alpha if the image has transparency,
    else the plain border colour removed, else (a busy background, as in a photograph) the object told from
    it by colour (:func:`separate`)."""
    if mask_path:
        return from_mask_image(mask_path, rgba8.shape[1], rgba8.shape[0]), "mask image"
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
            return separate(rgb), "object told from a busy background"
        # the first of equally good cutoffs (not the middle of them, as tracing takes)
        threshold = max(otsu(distance, middle_of_ties=False), 3 * spread + 0.04)
        mask = clean(distance > threshold)
        how = "background colour"
        textured = spread > 0.03 and (not 0.01 <= mask.mean() <= 0.9 or border(mask).mean() > 0.25)
        if textured:  # a fine texture (gravel, grass) whose median is no plain colour to remove
            try:
                return separate(rgb), "object told from a busy background"
            except ImageToPrintError:
                if mask.mean() > 0.9:
                    raise
    if not mask.any():
        raise ImageToPrintError("no foreground found in the image")
    return mask, how


def from_mask_image(path: str, width: int, height: int) -> np.ndarray:
    """The object's outline from a mask image, at the picture's size: its opaque part if it has
    transparency, else its light part (white: the object)."""
    import os

    from ..image import load_image

    mask_image = load_image(path)
    values = mask_image.alpha if mask_image.alpha is not None else mask_image.grey
    mask = clean(resample(values, width, height, method="auto", clip=True) >= 0.5)
    if not mask.any():
        raise ImageToPrintError(f"the mask image {os.path.basename(path)} marks no object (white or opaque "
                                "is the object)")
    return mask


SEPARATE_SIDE = 160  # the colour models work on a copy at most this many pixels across
CANNOT_SEPARATE = ("cannot tell the object from the busy background: give a mask image of its outline "
                   "(--mask, or Mask Image in the panel), a cut-out with a transparent background, or a photo "
                   "of it on a plain one")


def _kmeans(points: np.ndarray, k: int, rng: np.random.Generator, rounds: int = 8) -> tuple[np.ndarray, ...]:
    """k colour clusters of ``points``: (means, variances, weights), the variances floored."""
    k = max(1, min(k, len(points)))
    means = points[rng.choice(len(points), k, replace=False)]
    for _ in range(rounds):
        nearest = np.argmin(((points[:, None, :] - means[None]) ** 2).sum(axis=-1), axis=1)
        for j in range(k):
            members = points[nearest == j]
            if len(members):
                means[j] = members.mean(axis=0)
    nearest = np.argmin(((points[:, None, :] - means[None]) ** 2).sum(axis=-1), axis=1)
    variances = np.stack([points[nearest == j].var(axis=0) if (nearest == j).sum() > 1 else np.full(3, 0.01)
                          for j in range(k)]) + 1e-3
    weights = np.bincount(nearest, minlength=k) / len(points) + 1e-6
    return means, variances, weights


def _log_likelihood(rgb: np.ndarray, model: tuple[np.ndarray, ...]) -> np.ndarray:
    """log p(colour) under a mixture of axis-aligned Gaussians."""
    means, variances, weights = model
    d2 = ((rgb[..., None, :] - means) ** 2 / variances).sum(axis=-1)
    terms = np.log(weights) - 0.5 * np.log(variances).sum(axis=-1) - 0.5 * d2
    top = terms.max(axis=-1)
    return top + np.log(np.exp(terms - top[..., None]).sum(axis=-1))


def separate(rgb: np.ndarray, rounds: int = 5) -> np.ndarray:
    """The object of a photograph with a busy background, offline and without a model, in the spirit of
    GrabCut: colour models (mixtures of five Gaussians) of the background, seeded by a band along the
    border, and of the object, seeded by the middle of the frame; every pixel takes the likelier one, with
    its neighbours' vote (a few rounds of mean-field smoothing), and both models are fitted again to the
    result. The object is the piece that covers the middle, holes filled. Refused in one line when what
    is found is no object: too small, nearly everything, or running along the border."""
    h, w = rgb.shape[:2]
    step = max(1, int(np.ceil(max(h, w) / SEPARATE_SIDE)))
    small = rgb[::step, ::step].astype(np.float64)
    sh, sw = small.shape[:2]
    y, x = np.mgrid[0:sh, 0:sw]
    u, v = (x + 0.5) / sw * 2 - 1, (y + 0.5) / sh * 2 - 1
    band = max(2, round(0.04 * max(sh, sw)))
    edge = np.zeros((sh, sw), bool)
    edge[:band], edge[-band:], edge[:, :band], edge[:, -band:] = True, True, True, True
    obj = (u / 0.45) ** 2 + (v / 0.45) ** 2 < 1  # the first guess: the middle of the frame
    rng = np.random.default_rng(0)
    points = small.reshape(-1, 3)
    for _ in range(rounds):
        fg, bg = points[(obj & ~edge).ravel()], points[(~obj | edge).ravel()]
        if len(fg) < 20 or len(bg) < 20:
            break
        fg = fg[rng.choice(len(fg), min(len(fg), 4000), replace=False)]
        bg = bg[rng.choice(len(bg), min(len(bg), 4000), replace=False)]
        evidence = _log_likelihood(small, _kmeans(fg, 5, rng)) - _log_likelihood(small, _kmeans(bg, 5, rng))
        evidence = np.clip(evidence, -8.0, 8.0)
        belief = 1.0 / (1.0 + np.exp(-evidence))
        for _ in range(6):  # the neighbours' vote: a smooth outline, no speckle
            vote = box_blur(belief, 2) - 0.5
            belief = 1.0 / (1.0 + np.exp(-(evidence + 6.0 * vote)))
            belief[edge] = 0.0
        obj = belief > 0.5
    lab, counts = label(obj, eight=False)
    middle = lab[(u ** 2 + v ** 2 < 0.2 ** 2) & (lab >= 0)]
    if middle.size == 0:
        raise ImageToPrintError(CANNOT_SEPARATE)
    keep = np.bincount(middle).argmax()
    obj = fill_holes(lab == keep)
    share = obj.mean()
    rim = np.concatenate([obj[band], obj[-band - 1], obj[:, band], obj[:, -band - 1]]).mean()
    if share < 0.02 or share > 0.8 or rim > 0.25:
        raise ImageToPrintError(CANNOT_SEPARATE)
    # the outline at full size: the belief resampled smoothly, within one pixel of the piece kept
    near = box_blur(obj.astype(np.float64), 1) > 0
    soft = np.where(near, np.maximum(belief, obj * 0.51), 0.0)
    full = resample(soft, sw * step, sh * step, method="bicubic")[:h, :w] > 0.5
    return clean(full)


def one_piece(mask: np.ndarray) -> tuple[np.ndarray, str]:
    """The largest piece of ``mask`` and a warning naming what was left out ("" when nothing was): the
    result is one solid, which prints as one."""
    lab, counts = label(mask, eight=False)
    if counts.size <= 1:
        return mask, ""
    keep = int(counts.argmax())
    others = counts.size - 1
    share = 1.0 - counts[keep] / counts.sum()
    return lab == keep, (f"{others} separate piece{'s' if others > 1 else ''} left out ({share:.0%} of the "
                         "outline): the result is one solid; cut the image into one picture per piece to "
                         "print them all")


def solid_mask(mask: np.ndarray) -> np.ndarray:
    """The samples the closed solid will use: corners of whole cells, bow-ties filled."""
    return cell_corners(cells_from_vertex_mask(mask))


def touches_border(mask: np.ndarray) -> bool:
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())
