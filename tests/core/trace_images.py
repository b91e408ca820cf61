# SPDX-License-Identifier: GPL-3.0-or-later
"""Bitmaps and image files for the trace tests, made by the tests themselves."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont


def logo(n: int = 600) -> np.ndarray:
    """A logo-like ink mask: bold letters with counters, a ring with a dot in its hole, a star, strokes."""
    im = Image.new("L", (n, n), 255)
    d = ImageDraw.Draw(im)
    s = n / 1000
    d.text((60 * s, 40 * s), "ABOPQ8", font=ImageFont.load_default(size=int(200 * s)), fill=0)
    d.ellipse([100 * s, 420 * s, 400 * s, 720 * s], fill=0)
    d.ellipse([160 * s, 480 * s, 340 * s, 660 * s], fill=255)
    d.ellipse([220 * s, 540 * s, 280 * s, 600 * s], fill=0)
    a = np.linspace(-np.pi / 2, 1.5 * np.pi, 11)[:-1]
    r = np.where(np.arange(10) % 2 == 0, 250, 112) * s
    d.polygon([(650 * s + ri * np.cos(ai), 570 * s + ri * np.sin(ai)) for ri, ai in zip(r, a)], fill=0)
    for i, w in enumerate((3, 4, 6, 8)):
        d.line([(80 * s + i * 60 * s, 780 * s), (80 * s + i * 60 * s, 960 * s)], fill=0, width=max(1, int(w * s)))
    d.rounded_rectangle([420 * s, 800 * s, 960 * s, 970 * s], radius=40 * s, outline=0, width=max(2, int(10 * s)))
    return np.asarray(im) < 128


def save_mask(path, ink: np.ndarray) -> str:
    Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L").save(path)
    return str(path)


def ring_and_island(n: int = 200) -> np.ndarray:
    y, x = np.mgrid[0:n, 0:n]
    r = np.hypot(x - 80 + 0.5, y - n / 2 + 0.5)
    return ((r < 60) & (r > 35)) | (r < 15) | ((x >= 160) & (x < 180) & (y >= 40) & (y < 160))
