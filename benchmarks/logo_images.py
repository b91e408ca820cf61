# SPDX-License-Identifier: GPL-3.0-or-later
"""Deterministic test images for the trace benchmark: a logo and a line-art colouring page.

Both are drawn at the requested size (never upscaled), black on white, as 8-bit
greyscale arrays (0 = ink). The logo is drawn with Pillow, text in its
built-in font only (``ImageFont.load_default(size=...)``, anti-aliased); its shapes
scale with the image while the widths that test thin features (the 1..8 px lines,
the 10 px frame) stay in pixels. The line art is drawn from distances to its
polylines, so its strokes are pure black and white without pinholes.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WHITE = 255
BLACK = 0


def _star(cx: float, cy: float, r_out: float, r_in: float, points: int, turn: float = -math.pi / 2) -> list:
    pts = []
    for k in range(2 * points):
        r = r_out if k % 2 == 0 else r_in
        a = turn + math.pi * k / points
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def _disc(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill: int) -> None:
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)


def logo(n: int) -> np.ndarray:
    """An n x n logo: bold capitals with counters (ABOPQ8), a line of small text, a ring with an
    island in its hole, a 10-point star, slanted lines 1..8 px wide, a rounded frame 10 px wide."""
    s = n / 1000.0
    im = Image.new("L", (n, n), WHITE)
    d = ImageDraw.Draw(im)
    d.rounded_rectangle((20 * s, 20 * s, n - 1 - 20 * s, n - 1 - 20 * s), radius=70 * s, outline=BLACK, width=10)
    big = ImageFont.load_default(size=round(190 * s))
    d.text((80 * s, 50 * s), "ABOPQ8", font=big, fill=BLACK, stroke_width=max(1, round(6 * s)), stroke_fill=BLACK)
    small = ImageFont.load_default(size=round(38 * s))
    d.text((85 * s, 300 * s), "Image to Print - trace benchmark 0123456789", font=small, fill=BLACK)
    # a ring with a dot island in its hole
    cx, cy = 250 * s, 555 * s
    _disc(d, cx, cy, 150 * s, BLACK)
    _disc(d, cx, cy, 95 * s, WHITE)
    _disc(d, cx, cy, 40 * s, BLACK)
    # a 10-point star
    d.polygon(_star(715 * s, 560 * s, 175 * s, 80 * s, 10), fill=BLACK)
    # slanted lines 1..8 px wide
    for k, width in enumerate(range(1, 9)):
        y = 765 * s + k * 22 * s
        d.line((80 * s, y, 920 * s, y + 25 * s), fill=BLACK, width=width)
    return np.asarray(im, dtype=np.uint8).copy()


def _closed(points: list) -> list:
    return [*points, points[0]]


def _ellipse_points(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0, count: int = 120) -> list:
    ca, sa = math.cos(angle), math.sin(angle)
    pts = []
    for k in range(count):
        t = 2 * math.pi * k / count
        x, y = rx * math.cos(t), ry * math.sin(t)
        pts.append((cx + x * ca - y * sa, cy + x * sa + y * ca))
    return pts


def _stroke(ink: np.ndarray, points: list, width: float) -> None:
    """Ink every pixel whose centre lies within width / 2 of the polyline (round caps and joins).

    Drawn from the distance to each segment rather than with Pillow's wide lines, whose joints
    leave one-pixel pinholes that would count as holes of the design."""
    r = width / 2.0
    h, w = ink.shape
    pts = np.asarray(points, dtype=np.float64)
    for a, b in zip(pts[:-1], pts[1:]):
        x0, y0 = np.floor(np.minimum(a, b) - r).astype(int)
        x1, y1 = np.ceil(np.maximum(a, b) + r).astype(int) + 1
        x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if x0 >= x1 or y0 >= y1:
            continue
        y, x = np.mgrid[y0:y1, x0:x1] + 0.5
        d = b - a
        length2 = float(d @ d)
        t = np.clip(((x - a[0]) * d[0] + (y - a[1]) * d[1]) / length2, 0.0, 1.0) if length2 > 0 else 0.0
        ink[y0:y1, x0:x1] |= (x - a[0] - t * d[0]) ** 2 + (y - a[1] - t * d[1]) ** 2 <= r * r


def _disc_mask(n: int, cx: float, cy: float, r: float) -> np.ndarray:
    y, x = np.mgrid[0:n, 0:n] + 0.5
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def line_art(n: int) -> np.ndarray:
    """An n x n colouring page: strokes 3..10 px wide (circles, petals, a spiral, waves, a house, a sun)."""
    s = n / 1000.0
    ink = np.zeros((n, n), dtype=bool)

    def stroke(points: list, width: float) -> None:
        _stroke(ink, points, width)

    # a flower: eight petals around a centre, with a stem and a leaf
    fx, fy = 280 * s, 330 * s
    for k in range(8):
        a = math.pi * k / 4
        stroke(_closed(_ellipse_points(fx + 95 * s * math.cos(a), fy + 95 * s * math.sin(a), 75 * s, 34 * s, a)), 6)
    ink[_disc_mask(n, fx, fy, 50 * s)] = False  # the petals stop at the flower's centre
    stroke(_closed(_ellipse_points(fx, fy, 46 * s, 46 * s)), 8)
    stroke([(fx + 14 * s * math.sin(t / 30), fy + 185 * s + t * s) for t in range(0, 420, 6)], 9)
    stroke(_closed(_ellipse_points(fx + 70 * s, fy + 360 * s, 62 * s, 24 * s, -0.6)), 5)
    # a sun with rays
    sx, sy = 800 * s, 180 * s
    stroke(_closed(_ellipse_points(sx, sy, 77 * s, 77 * s)), 7)
    for k in range(12):
        a = math.pi * k / 6 + 0.1
        stroke([(sx + 105 * s * math.cos(a), sy + 105 * s * math.sin(a)),
                (sx + 150 * s * math.cos(a), sy + 150 * s * math.sin(a))], 5)
    # a spiral
    cx, cy = 700 * s, 520 * s
    stroke([(cx + 1.3 * t * s * math.cos(t / 14), cy + 1.3 * t * s * math.sin(t / 14)) for t in range(4, 130)], 4)
    # a house with a door and two windows
    stroke(_closed([(470 * s, 930 * s), (470 * s, 760 * s), (600 * s, 650 * s), (730 * s, 760 * s),
                    (730 * s, 930 * s)]), 7)
    stroke([(577 * s, 930 * s), (577 * s, 842 * s), (623 * s, 842 * s), (623 * s, 930 * s)], 5)
    for x0 in (495, 655):
        stroke(_closed([(x0 * s, 780 * s), ((x0 + 50) * s, 780 * s), ((x0 + 50) * s, 830 * s), (x0 * s, 830 * s)]), 3)
    # rolling hills and overlapping circles (a colouring page's many small regions)
    stroke([(x * s, 960 * s - 35 * s * math.sin(x / 70)) for x in range(20, 981, 5)], 10)
    for k in range(4):
        stroke(_closed(_ellipse_points((805 + 35 * k) * s, (750 + 25 * k) * s, 60 * s, 60 * s)), 4)
    return np.where(ink, BLACK, WHITE).astype(np.uint8)
