# SPDX-License-Identifier: GPL-3.0-or-later
"""Does an image given to the trace route look like a photograph?

Tracing keeps outlines of flat colour: logos, line art, text, flat artwork of a few colours.
A photograph's picture is in its shading, which a trace reduces to blotches; the relief
route keeps it. The measure is the share of the image that is shading rather than flat
colour:

* find the image's flat colours: up to ``MODES`` times, the most common colour among the
  pixels not yet matched (5 bits a channel), with every pixel within ``TOLERANCE`` of it
  (8-bit levels, any channel: JPEG noise in a flat area stays within it);
* a pixel is *flat* where it and its 8 neighbours all match the same colour (a smooth
  gradient matches one colour only in a thin band, noise hardly anywhere);
* the pixels within ``EDGE_PX`` of a flat pixel are flat colour or the anti-aliased edge
  between two flat colours; transparent pixels are background;
* whatever remains is shading: ``tonal_share`` is its share of the opaque pixels.

Flat artwork (PNG or JPEG, anti-aliased or not, thin lines or text) scores under about
0.25; photographs, rendered scenes, gradients and noise over about 0.6. An illustration of
flat colours on a gradient sky (``samples/sunflower.png``) scores about 0.37: not a photo.
"""

from __future__ import annotations

import math
import os
import shlex

import numpy as np

from ..image import LoadedImage
from . import bitmap

MODES = 6  # flat colours looked for (the trace route's multi-colour mode takes up to 8, most art has fewer)
TOLERANCE = 5  # 8-bit levels a flat colour's pixels may differ from it
EDGE_PX = 2.0  # an anti-aliased edge reaches this far from the flat colours on either side
PHOTO_SHARE = 0.5  # shading over half the image: a photograph
MAX_PIXELS = 1e6  # larger images are measured on every n-th pixel (flat colours stay flat)


def tonal_share(img: LoadedImage) -> float:
    """The share (0..1) of the image's opaque pixels that is shading rather than flat colour."""
    h, w = img.rgba8.shape[:2]
    step = max(1, math.ceil(math.sqrt(h * w / MAX_PIXELS)))
    rgb = img.rgba8[::step, ::step, :3].astype(np.int16)
    opaque = np.ones(rgb.shape[:2], bool) if img.alpha is None else img.alpha[::step, ::step] >= 0.5
    n = int(opaque.sum())
    if n == 0:
        return 0.0
    q = (rgb >> 3).astype(np.int32)
    code = (q[..., 0] << 10) | (q[..., 1] << 5) | q[..., 2]
    matched = ~opaque
    flat = ~opaque  # transparent pixels: background
    for _ in range(MODES):
        rest = ~matched
        left = int(rest.sum())
        if left < 0.01 * n:
            break
        codes = code[rest]
        top = int(np.bincount(codes, minlength=1 << 15).argmax())
        colour = rgb[rest][codes == top].mean(axis=0)
        member = opaque & (np.abs(rgb - colour).max(axis=-1) <= TOLERANCE)
        matched |= member
        flat |= bitmap.erode(member, 1.5)  # the 3 x 3 neighbourhood matches too
    near_flat = bitmap.dilate(flat, EDGE_PX) & opaque
    return 1.0 - float(near_flat.sum()) / n


def looks_like_photo(img: LoadedImage) -> bool:
    return tonal_share(img) > PHOTO_SHARE


def photo_warning(img: LoadedImage, width_mm: float, share: float) -> str:
    """The one line proposing the relief route, with a command that runs as written."""
    stem = os.path.splitext(os.path.basename(img.path))[0] or "image"
    command = (f"./image-to-print relief {shlex.quote(img.path)} --width {width_mm:g} "
               f"-o {shlex.quote(stem + '-relief.stl')}")
    return (f"this looks like a photograph ({100.0 * share:.0f}% of it is shading, not flat colour), which a trace "
            f"reduces to blotches: a relief suits it better: {command}")
