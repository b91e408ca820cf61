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


def bars(widths=(2, 4, 6), length=200, block=(200, 208), hairline=0) -> np.ndarray:
    """Separate upright bars of ``widths`` pixels, ``length`` tall, 20 px apart, then a solid block
    (width, height); ``hairline`` > 0 adds a 1 px bar that many pixels tall after the block."""
    bw, bh = block
    h = max(length, bh, hairline) + 20
    x = 10
    spans = []
    for w in widths:
        spans.append((x, w, length))
        x += w + 20
    spans.append((x, bw, bh))
    x += bw + 20
    if hairline:
        spans.append((x, 1, hairline))
        x += 21
    ink = np.zeros((h, x - 10), bool)
    for x0, w, tall in spans:
        ink[10:10 + tall, x0:x0 + w] = True
    return ink


def photo_like(h: int = 240, w: int = 320, seed: int = 0, grey: bool = False) -> np.ndarray:
    """An RGB uint8 image like a photograph: smooth gradients, soft blobs of colour, sensor noise."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w] / max(h, w)
    img = np.stack([0.3 + 0.5 * x, 0.2 + 0.6 * y, 0.8 - 0.5 * x * y], axis=-1)
    for _ in range(12):
        cx, cy, s = rng.random(), rng.random() * h / w, 0.03 + 0.1 * rng.random()
        img += (rng.random(3) - 0.5)[None, None] * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * s * s))[..., None]
    img += rng.normal(0.0, 0.03, img.shape)
    if grey:
        img = img.mean(axis=-1, keepdims=True).repeat(3, axis=-1)
    return (np.clip(img, 0.0, 1.0) * 255).astype(np.uint8)


def anti_aliased(ink: np.ndarray, f: int = 4) -> Image.Image:
    """A black-on-white mask drawn f times larger, shrunk with Lanczos: soft, anti-aliased edges."""
    big = Image.fromarray(np.where(ink, 0, 255).astype(np.uint8), "L")
    return big.resize((ink.shape[1] // f, ink.shape[0] // f), Image.LANCZOS)


def small_text() -> Image.Image:
    """Two lines of small anti-aliased text, black on white."""
    im = Image.new("L", (300, 80), 255)
    ImageDraw.Draw(im).text((5, 5), "Hello World 123\nsmall text here", font=ImageFont.load_default(size=22), fill=0)
    return im


def flat_colours() -> Image.Image:
    """Flat artwork in five colours with a thick black line, drawn large and shrunk (anti-aliased)."""
    im = Image.new("RGB", (1200, 1200), (250, 240, 200))
    d = ImageDraw.Draw(im)
    d.ellipse([100, 100, 700, 700], fill=(200, 40, 40))
    d.rectangle([500, 500, 1100, 1000], fill=(40, 120, 60))
    d.polygon([(100, 1100), (600, 800), (900, 1150)], fill=(30, 30, 120))
    d.line([(0, 0), (1200, 1200)], fill=(0, 0, 0), width=12)
    return im.resize((300, 300), Image.LANCZOS)
