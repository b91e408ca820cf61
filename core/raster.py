# SPDX-License-Identifier: GPL-3.0-or-later
"""Operations on pixel arrays shared by every route (relief, trace, AI).

* float images: resampling, block averages, box blur, Otsu's threshold, luminance,
  transparency onto white;
* the image border: its samples, the background colour, colour distance;
* boolean masks: horizontal runs, connected pieces, enclosed holes.

Arrays are (rows, cols), row 0 at the top of the image.
"""

from __future__ import annotations

import numpy as np

from .graph import components

LUMA_WEIGHTS = (0.2126, 0.7152, 0.0722)  # Rec. 709 / sRGB
RESAMPLE_METHODS = ("auto", "box", "bicubic")


# --- float images ------------------------------------------------------------------------------

def resample(values: np.ndarray, cols: int, rows: int, method: str = "auto", clip: bool = False) -> np.ndarray:
    """A float image resized to (rows, cols) with Pillow, as float32.

    ``method``: "box", "bicubic", or "auto" (box filter when shrinking both ways,
    else bicubic).  The same size gives a float32 copy.  ``clip`` keeps a
    resized result in [0, 1] (bicubic overshoots at edges).
    """
    from PIL import Image

    if method not in RESAMPLE_METHODS:
        raise ValueError(f"unknown resampling method {method!r}")
    h, w = values.shape
    if (w, h) == (cols, rows):
        return values.astype(np.float32, copy=True)
    im = Image.fromarray(np.ascontiguousarray(values, dtype=np.float32), mode="F")
    if method == "auto":
        method = "box" if cols <= w and rows <= h else "bicubic"
    pil_method = Image.Resampling.BOX if method == "box" else Image.Resampling.BICUBIC
    out = np.asarray(im.resize((cols, rows), pil_method), dtype=np.float32)
    return np.clip(out, 0.0, 1.0) if clip else out


def block_reduce(values: np.ndarray, f: int, reduce: str = "mean", pad: bool = False) -> np.ndarray:
    """The image on a grid f times coarser: the mean (or, for masks, "any") of each f x f block.

    Edges that do not fill a whole block are cut off, or with ``pad`` filled
    with zeros (False) so every sample is in some block.
    """
    h, w = values.shape
    if pad:
        hh, ww = -(-h // f) * f, -(-w // f) * f
        padded = np.zeros((hh, ww), values.dtype)
        padded[:h, :w] = values
    else:
        hh, ww = h // f * f, w // f * f
        padded = values[:hh, :ww]
    blocks = padded.reshape(hh // f, f, ww // f, f)
    if reduce == "any":
        return blocks.any(axis=(1, 3))
    if reduce == "mean":
        return blocks.mean(axis=(1, 3))
    raise ValueError(f"unknown block reduction {reduce!r}")


def downsample(mask: np.ndarray, f: int, cover: bool = False) -> np.ndarray:
    """The mask on a grid f times coarser: a coarse pixel is True where most of its block is
    (edges stay put within half a coarse pixel), or with ``cover`` where any of it is."""
    if f <= 1:
        return mask
    return block_reduce(mask, f, "any", pad=True) if cover else block_reduce(mask, f, "mean", pad=True) >= 0.5


def box_blur(values: np.ndarray, radius: int) -> np.ndarray:
    """Mean over a (2r+1)^2 window, edges repeated (summed-area table)."""
    k = 2 * radius + 1
    padded = np.pad(values.astype(np.float64), radius + 1, mode="edge")
    table = padded.cumsum(axis=0).cumsum(axis=1)
    h, w = values.shape
    total = table[k:k + h, k:k + w] - table[:h, k:k + w] - table[k:k + h, :w] + table[:h, :w]
    return (total / (k * k)).astype(np.float32)


def otsu(values: np.ndarray, bins: int = 256, middle_of_ties: bool = True) -> float:
    """Otsu's threshold of values in [0, 1].

    Where several cutoffs separate the classes equally well (a pure black-and-white
    image separates equally at any level between its two values), the middle of that
    range, so anti-aliased or resampled edges keep their position (else the first).
    """
    hist, edges = np.histogram(values, bins=bins, range=(0.0, 1.0))
    p = hist.astype(np.float64) / max(hist.sum(), 1)
    omega = np.cumsum(p)
    mu = np.cumsum(p * (edges[:-1] + edges[1:]) / 2)
    between = (mu[-1] * omega - mu) ** 2 / np.maximum(omega * (1 - omega), 1e-12)
    if not middle_of_ties:
        return float(edges[int(np.argmax(between)) + 1])
    best = between.max()
    if best <= 0:
        return 0.5
    top = np.flatnonzero(between >= best * (1 - 1e-9))
    return float((edges[top[0] + 1] + edges[top[-1] + 1]) / 2)


def over_white(values: np.ndarray, alpha: np.ndarray, white: float = 1.0) -> np.ndarray:
    """Transparency flattened onto white: ``values * alpha + white * (1 - alpha)``
    (``alpha`` in [0, 1], broadcast against ``values``; ``white`` 255 for 8-bit levels)."""
    return values * alpha + white * (1.0 - alpha)


def luma(rgb: np.ndarray) -> np.ndarray:
    """Relative luminance with the Rec. 709 weights of the last axis' first three values
    (linear light in, linear light out; on sRGB-encoded values it is only an ordering)."""
    wr, wg, wb = LUMA_WEIGHTS
    return rgb[..., 0] * wr + rgb[..., 1] * wg + rgb[..., 2] * wb


# --- the border --------------------------------------------------------------------------------

def border(values: np.ndarray) -> np.ndarray:
    """The samples along the image's edge: top row, bottom row, left column, right column
    (corners twice), concatenated along the first axis."""
    return np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])


def background_colour(rgb: np.ndarray) -> np.ndarray:
    """The median colour of the border of an (H, W, 3) image."""
    return np.median(border(rgb), axis=0)


def colour_distance(rgb: np.ndarray, colour) -> np.ndarray:
    """Euclidean distance of every pixel's colour from ``colour``, scaled to [0, 1] for RGB in [0, 1]."""
    return np.sqrt(((rgb - colour) ** 2).sum(axis=-1)) / np.sqrt(3.0)


# --- boolean masks -----------------------------------------------------------------------------

def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Horizontal runs of True: (row, start, end) with end exclusive, in row-major order."""
    h, w = mask.shape
    padded = np.zeros((h, w + 2), dtype=np.int8)
    padded[:, 1:-1] = mask
    d = np.diff(padded, axis=1).ravel()  # +1 where a run starts, -1 just after it ends
    at = np.flatnonzero(d)
    up = d[at] > 0
    starts, ends = at[up], at[~up]
    return (starts // (w + 1)).astype(np.int64), (starts % (w + 1)).astype(np.int64), \
        (ends % (w + 1)).astype(np.int64)


def label(mask: np.ndarray, eight: bool) -> tuple[np.ndarray, np.ndarray]:
    """(label image with -1 outside the mask, pixel count per label); labels are 0..n-1.

    ``eight``: pixels touching at a corner belong to the same piece (else only edges join).
    """
    h, w = mask.shape
    row, start, end = runs(mask)
    n_runs = row.size
    out = np.full(mask.shape, -1, dtype=np.int32)
    if n_runs == 0:
        return out, np.zeros(0, dtype=np.int64)
    stride = w + 2
    slack = 1 if eight else 0
    # a run in row r touches the runs of row r - 1 whose [start, end) overlaps [start - slack, end + slack)
    end_key = row * stride + end
    start_key = row * stride + start
    q_lo = (row - 1) * stride + start - slack
    q_hi = (row - 1) * stride + end + slack
    lo = np.searchsorted(end_key, q_lo, side="right")
    hi = np.searchsorted(start_key, q_hi, side="left")
    count = np.maximum(hi - lo, 0)
    b = np.repeat(np.arange(n_runs), count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    a = np.repeat(lo, count) + offsets
    keep = row[a] == row[b] - 1
    root = components(n_runs, a[keep], b[keep])
    ids, run_label = np.unique(root, return_inverse=True)
    lengths = end - start
    areas = np.bincount(run_label, weights=lengths, minlength=ids.size).astype(np.int64)
    flat = out.reshape(-1)
    pos = np.repeat(row * w + start - (np.cumsum(lengths) - lengths), lengths) + np.arange(lengths.sum())
    flat[pos] = np.repeat(run_label, lengths)
    return out, areas


def holes(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(label image of the enclosed background pieces, their pixel counts); 4-connected."""
    lab, areas = label(~mask, eight=False)
    edge = np.unique(border(lab))
    enclosed = np.ones(areas.size, bool)
    enclosed[edge[edge >= 0]] = False
    keep = np.flatnonzero(enclosed)
    remap = np.full(areas.size, -1, dtype=np.int32)
    remap[keep] = np.arange(keep.size, dtype=np.int32)
    return np.where(lab >= 0, remap[np.maximum(lab, 0)], -1), areas[keep]


def fill_holes(mask: np.ndarray, max_pixels: float | None = None) -> np.ndarray:
    """Fill enclosed background pieces (all, or those under ``max_pixels``)."""
    lab, areas = holes(mask)
    if areas.size == 0:
        return mask
    fill = np.ones(areas.size, bool) if max_pixels is None else areas < max_pixels
    return mask | ((lab >= 0) & fill[np.maximum(lab, 0)])
