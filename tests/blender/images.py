# SPDX-License-Identifier: GPL-3.0-or-later
"""Test images, made by the tests themselves."""

import numpy as np
from PIL import Image


def gradient(path, w=80, h=60):
    """Left black to right white, 8-bit grey."""
    row = np.round(np.linspace(0, 255, w)).astype(np.uint8)
    Image.fromarray(np.tile(row, (h, 1)), "L").save(path)
    return str(path)


def noise(path, w=80, h=60, seed=0):
    a = (np.random.default_rng(seed).random((h, w)) * 255).astype(np.uint8)
    Image.fromarray(a, "L").save(path)
    return str(path)


def smooth(path, w=256, h=256):
    """A smooth 16-bit dome: the adaptive mesher's best case."""
    y, x = np.mgrid[0:h, 0:w]
    r2 = ((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2
    v = np.clip(1.0 - r2, 0, 1)
    Image.fromarray(np.round(v * 65535).astype(np.uint16)).save(path)
    return str(path)


def ring_rgba(path, w=80, h=80):
    """An opaque grey ring on a transparent background (a hole in the middle)."""
    y, x = np.mgrid[0:h, 0:w]
    r = np.hypot(x - w / 2 + 0.5, y - h / 2 + 0.5)
    rgba = np.zeros((h, w, 4), np.uint8)
    rgba[..., :3] = 100
    rgba[..., 3] = np.where((r < w * 0.45) & (r > w * 0.2), 255, 0)
    Image.fromarray(rgba, "RGBA").save(path)
    return str(path)


def ring_and_island(path, n=200):
    """Black on white: a ring (one hole) with a dot in its hole, and a bar to the right."""
    y, x = np.mgrid[0:n, 0:n]
    r = np.hypot(x - 80 + 0.5, y - n / 2 + 0.5)
    ink = ((r < 60) & (r > 35)) | (r < 15) | ((x >= 160) & (x < 180) & (y >= 40) & (y < 160))
    Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L").save(path)
    return str(path)


def letter_l(path, n=120):
    """An asymmetric black L on white: mirroring shows."""
    a = np.full((n, n), 255, np.uint8)
    a[20:100, 20:45] = 0
    a[75:100, 20:90] = 0
    Image.fromarray(a, "L").save(path)
    return str(path)


def two_colours(path, n=160):
    """Red disc and blue square on white."""
    y, x = np.mgrid[0:n, 0:n]
    rgb = np.full((n, n, 3), 255, np.uint8)
    rgb[np.hypot(x - 45, y - 80) < 30] = (220, 30, 30)
    rgb[(x >= 95) & (x < 145) & (y >= 55) & (y < 105)] = (30, 40, 200)
    Image.fromarray(rgb, "RGB").save(path)
    return str(path)


def blank(path, n=64, value=255):
    Image.fromarray(np.full((n, n), value, np.uint8), "L").save(path)
    return str(path)
