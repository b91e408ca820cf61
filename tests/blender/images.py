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
