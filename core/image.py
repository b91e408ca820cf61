# SPDX-License-Identifier: GPL-3.0-or-later
"""Load an image file into float arrays, honouring what the file says.

* Formats: whatever Pillow reads (PNG, JPEG, TIFF, WebP, BMP, GIF first frame...).
* 16-bit greyscale PNG/TIFF keep 16-bit precision (no 8-bit stair-steps).
* Palette, greyscale, CMYK and EXIF orientation are honoured.
* Colour is decoded from sRGB to linear light and reduced to relative
  luminance with the Rec. 709 / sRGB weights Y = 0.2126 R + 0.7152 G + 0.0722 B
  (``core.raster.luma``).
  ``grey`` is that luminance encoded back with the sRGB curve, so a greyscale
  image's grey levels come out unchanged (a grey height map maps linearly).
* Alpha becomes a mask (transparent = alpha < 0.5).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass

import numpy as np

from .errors import ImageToPrintError
from .raster import luma

DEFAULT_MAX_MEGAPIXELS = 100.0


@dataclass
class LoadedImage:
    """An image decoded to float arrays, rows top to bottom."""

    grey: np.ndarray  # (H, W) float32 in [0, 1], sRGB-encoded luminance
    alpha: np.ndarray | None  # (H, W) float32 in [0, 1], None when opaque
    rgba8: np.ndarray  # (H, W, 4) uint8, display colours for textures
    bits: int  # 8 or 16: precision of the grey channel in the file
    path: str
    warnings: tuple[str, ...] = ()  # what decoding had to change (NaN pixels read as black)

    @property
    def width(self) -> int:
        return int(self.grey.shape[1])

    @property
    def height(self) -> int:
        return int(self.grey.shape[0])

    @property
    def luminance(self) -> np.ndarray:
        """Relative luminance in linear light."""
        return srgb_to_linear(self.grey)


def mirror(img: LoadedImage) -> LoadedImage:
    """The image mirrored left to right (a shade read from inside)."""
    from dataclasses import replace

    return replace(img, grey=img.grey[:, ::-1], alpha=None if img.alpha is None else img.alpha[:, ::-1],
                   rgba8=img.rgba8[:, ::-1])


def srgb_to_linear(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4).astype(np.float32)


def linear_to_srgb(v: np.ndarray) -> np.ndarray:
    v = np.clip(np.asarray(v, dtype=np.float32), 0.0, 1.0)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * np.power(v, 1 / 2.4) - 0.055).astype(np.float32)


def image_size(path: str) -> tuple[int, int]:
    """Width and height from the file header, without decoding pixels."""
    from PIL import Image

    with Image.open(path) as im:
        w, h = im.size
        if _exif_swaps_axes(im):
            w, h = h, w
        return w, h


def _exif_swaps_axes(im) -> bool:
    try:
        orientation = im.getexif().get(0x0112, 1)
    except Exception:
        return False
    return orientation in (5, 6, 7, 8)


def _check_path(path: str) -> None:
    if not path:
        raise ImageToPrintError("no image file given")
    if not os.path.exists(path):
        raise ImageToPrintError(f"image file not found: {path}")
    if os.path.isdir(path):
        raise ImageToPrintError(f"expected an image file, got a folder: {path}")
    if os.path.getsize(path) == 0:
        raise ImageToPrintError(f"image file is empty (0 bytes): {path}")


def load_image(path: str, max_megapixels: float = DEFAULT_MAX_MEGAPIXELS) -> LoadedImage:
    """Decode ``path``; raise ImageToPrintError with one clear line on bad input."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = os.fspath(path)
    _check_path(path)
    name = os.path.basename(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            old_limit = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = None  # our own limit below gives a clearer message
            try:
                im = Image.open(path)
            finally:
                Image.MAX_IMAGE_PIXELS = old_limit
            with im:
                w, h = im.size
                megapixels = w * h / 1e6
                if max_megapixels and megapixels > max_megapixels:
                    raise ImageToPrintError(
                        f"{name} is {w}x{h} ({megapixels:.1f} megapixels), over the "
                        f"{max_megapixels:g} megapixel limit that guards against decompression bombs; "
                        f"resample it first or raise the limit (--max-megapixels / Max Megapixels)"
                    )
                if getattr(im, "n_frames", 1) > 1:
                    im.seek(0)
                im.load()
                upright = ImageOps.exif_transpose(im) or im
                return _decode(upright, path, im.format)
    except ImageToPrintError:
        raise
    except UnidentifiedImageError:
        raise ImageToPrintError(f"not an image Pillow can read: {path}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageToPrintError(f"cannot decode {name} (truncated or corrupt?): {exc}") from None


def require_size(img: LoadedImage, min_px: int, what: str) -> None:
    """Refuse an image too thin for a route (a 1 x 10000 strip) in words a person understands."""
    if min(img.width, img.height) < min_px:
        raise ImageToPrintError(
            f"{os.path.basename(img.path)} is {img.width} x {img.height} pixels: too thin to {what}; "
            f"it needs at least {min_px} pixels in each direction")


def require_length(img: LoadedImage, width_mm: float, limit_mm: float) -> None:
    """Refuse a width that makes the image's other side absurd (a 1 x 10000 strip 80 mm wide)."""
    length = width_mm * img.height / img.width
    if length > limit_mm:
        raise ImageToPrintError(
            f"{os.path.basename(img.path)} is {img.width} x {img.height} pixels, so {width_mm:g} mm wide makes it "
            f"{length:,.0f} mm long, over {limit_mm:g} mm: crop the image or give a smaller width")


def _decode(im, path: str, file_format: str | None) -> LoadedImage:
    mode = im.mode
    notes: list[str] = []
    alpha = None
    bits = 8
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        arr = np.asarray(im, dtype=np.float64)
        if mode == "I" and arr.max(initial=0) <= 255 and file_format not in ("PNG", "TIFF"):
            scale = 255.0
        else:
            scale = 65535.0
            bits = 16
        grey = np.clip(arr / scale, 0.0, 1.0).astype(np.float32)
        g8 = np.round(grey * 255).astype(np.uint8)
        rgba8 = np.dstack([g8, g8, g8, np.full_like(g8, 255)])
    elif mode == "F":
        grey = np.asarray(im, dtype=np.float32)
        bad = ~np.isfinite(grey)
        if bad.any():  # NaN would pass np.clip and poison every later step
            n = int(bad.sum())
            notes.append(f"{os.path.basename(path)}: {n:,} pixel{'s' if n != 1 else ''} held no number "
                         "(NaN or infinity) and were read as black (infinity as white)")
            grey = np.nan_to_num(grey, nan=0.0, posinf=1.0, neginf=0.0)
        grey = np.clip(grey, 0.0, 1.0)
        bits = 16
        g8 = np.round(grey * 255).astype(np.uint8)
        rgba8 = np.dstack([g8, g8, g8, np.full_like(g8, 255)])
    else:
        has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info
        if mode in ("L", "1") and "transparency" not in im.info:
            g = np.asarray(im.convert("L"), dtype=np.float32) / 255.0
            grey = g
            g8 = np.asarray(im.convert("L"))
            rgba8 = np.dstack([g8, g8, g8, np.full_like(g8, 255)])
        else:
            rgba = im.convert("RGBA") if has_alpha or mode == "P" else im.convert("RGB").convert("RGBA")
            rgba8 = np.asarray(rgba, dtype=np.uint8)
            lin = srgb_to_linear(rgba8[..., :3].astype(np.float32) / 255.0)
            grey = linear_to_srgb(luma(lin))
            if has_alpha:
                a = rgba8[..., 3].astype(np.float32) / 255.0
                if a.min() < 1.0:
                    alpha = a
    return LoadedImage(grey=np.ascontiguousarray(grey, dtype=np.float32), alpha=alpha,
                       rgba8=np.ascontiguousarray(rgba8), bits=bits, path=path, warnings=tuple(notes))
