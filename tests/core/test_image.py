# SPDX-License-Identifier: GPL-3.0-or-later
"""core.image: decoding files into grey / alpha arrays, and rejecting bad input."""

from __future__ import annotations

import math
import os
import pathlib

import numpy as np
import pytest
from core_helpers import srgb_decode
from PIL import Image

from core.errors import ImageToPrintError
from core.image import image_size, linear_to_srgb, load_image, srgb_to_linear


def srgb_encode(v):
    v = np.asarray(v, dtype=np.float64)
    return np.where(v <= 0.0031308, v * 12.92, 1.055 * v ** (1 / 2.4) - 0.055)


def noise_rgb(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


# --- the transfer curves ------------------------------------------------------------------------

def test_srgb_curves_match_the_standard_and_invert_each_other():
    v = np.linspace(0, 1, 1001)
    np.testing.assert_allclose(srgb_to_linear(v), srgb_decode(v), atol=2e-7)
    np.testing.assert_allclose(linear_to_srgb(v), srgb_encode(v), atol=2e-7)
    np.testing.assert_allclose(linear_to_srgb(srgb_to_linear(v)), v, atol=2e-6)
    assert srgb_to_linear(np.float32(0.5)) == pytest.approx(0.21404114, abs=1e-7)


def test_linear_to_srgb_clips_out_of_range_input():
    np.testing.assert_allclose(linear_to_srgb(np.array([-0.5, 1.5])), [0.0, 1.0], atol=1e-7)


# --- greyscale precision ------------------------------------------------------------------------

def test_8bit_grey_png_values_come_back_exactly(tmp_path):
    arr = np.arange(256, dtype=np.uint8).reshape(16, 16)
    Image.fromarray(arr).save(tmp_path / "grey.png")
    img = load_image(str(tmp_path / "grey.png"))
    assert (img.width, img.height) == (16, 16)
    assert img.bits == 8
    assert img.alpha is None
    assert img.grey.dtype == np.float32
    np.testing.assert_array_equal(img.grey, arr.astype(np.float32) / np.float32(255))
    np.testing.assert_array_equal(img.rgba8[..., 0], arr)
    np.testing.assert_array_equal(img.rgba8[..., 3], 255)


def test_16bit_grey_png_keeps_16bit_steps(tmp_path):
    # a ramp whose neighbours differ by one 16-bit step: an 8-bit path would collapse it
    arr = (30000 + np.arange(40 * 30)).astype(np.uint16).reshape(30, 40)
    im = Image.fromarray(arr)
    assert im.mode == "I;16"
    im.save(tmp_path / "grey16.png")
    img = load_image(str(tmp_path / "grey16.png"))
    assert img.bits == 16
    assert img.grey.shape == (30, 40)
    assert len(np.unique(img.grey)) == 1200 > 256
    np.testing.assert_allclose(img.grey, arr / 65535.0, atol=1e-7)
    steps = np.diff(img.grey.astype(np.float64).ravel())
    np.testing.assert_allclose(steps, 1 / 65535, atol=1e-7)  # float32 resolution near 0.5 is 3e-8


def test_16bit_grey_tiff_keeps_16bit_precision(tmp_path):
    arr = np.linspace(0, 65535, 64 * 8).astype(np.uint16).reshape(8, 64)
    Image.fromarray(arr).save(tmp_path / "grey16.tif")
    img = load_image(str(tmp_path / "grey16.tif"))
    assert img.bits == 16
    np.testing.assert_allclose(img.grey, arr / 65535.0, atol=1e-7)
    assert img.grey[0, 0] == 0.0 and img.grey[-1, -1] == 1.0


def test_1bit_png_is_black_and_white(tmp_path):
    im = Image.new("1", (5, 4), 1)
    im.putpixel((2, 1), 0)
    im.save(tmp_path / "bw.png")
    img = load_image(str(tmp_path / "bw.png"))
    expected = np.ones((4, 5), np.float32)
    expected[1, 2] = 0.0
    np.testing.assert_array_equal(img.grey, expected)


def test_float_tiff_is_read_as_16bit_grey(tmp_path):
    arr = np.array([[0.25, 0.5], [1.5, -1.0]], np.float32)
    Image.fromarray(arr).save(tmp_path / "float.tif")
    img = load_image(str(tmp_path / "float.tif"))
    assert img.bits == 16
    np.testing.assert_array_equal(img.grey, [[0.25, 0.5], [1.0, 0.0]])


# --- colour -------------------------------------------------------------------------------------

@pytest.mark.parametrize("rgb, weight", [((255, 0, 0), 0.2126), ((0, 255, 0), 0.7152), ((0, 0, 255), 0.0722)])
def test_primary_colours_give_srgb_encoded_rec709_luminance(tmp_path, rgb, weight):
    Image.new("RGB", (3, 2), rgb).save(tmp_path / "c.png")
    img = load_image(str(tmp_path / "c.png"))
    np.testing.assert_allclose(img.grey, float(srgb_encode(weight)), atol=1e-6)
    np.testing.assert_allclose(img.grey, linear_to_srgb(np.float32(weight)), atol=1e-6)
    np.testing.assert_allclose(img.luminance, weight, atol=1e-6)
    assert tuple(img.rgba8[0, 0]) == (*rgb, 255)
    assert img.alpha is None


def test_pure_red_is_not_the_naive_average(tmp_path):
    Image.new("RGB", (2, 2), (255, 0, 0)).save(tmp_path / "red.png")
    grey = float(load_image(str(tmp_path / "red.png")).grey[0, 0])
    assert grey == pytest.approx(0.4984, abs=2e-4)  # sRGB(0.2126), not 0.2126 nor 1/3


def test_random_rgb_matches_independent_luminance(tmp_path):
    rgb = noise_rgb(12, 17)
    Image.fromarray(rgb).save(tmp_path / "noise.png")
    img = load_image(str(tmp_path / "noise.png"))
    lin = srgb_decode(rgb / 255.0)
    y = lin @ np.array([0.2126, 0.7152, 0.0722])
    np.testing.assert_allclose(img.grey, srgb_encode(y), atol=2e-6)
    np.testing.assert_array_equal(img.rgba8[..., :3], rgb)


def test_grey_stored_as_rgb_keeps_its_grey_level(tmp_path):
    levels = np.arange(0, 256, 15, dtype=np.uint8)
    rgb = np.repeat(levels[None, :, None], 3, axis=2)
    Image.fromarray(rgb).save(tmp_path / "greyrgb.png")
    img = load_image(str(tmp_path / "greyrgb.png"))
    np.testing.assert_allclose(img.grey[0], levels / 255.0, atol=2e-6)


def test_palette_png_decodes_through_its_palette(tmp_path):
    im = Image.new("P", (4, 3))
    im.putpalette([255, 0, 0, 0, 255, 0] + [0] * (3 * 254))
    im.putpixel((1, 2), 1)
    im.save(tmp_path / "pal.png")
    img = load_image(str(tmp_path / "pal.png"))
    assert img.grey.shape == (3, 4)
    assert img.alpha is None
    assert img.grey[0, 0] == pytest.approx(float(srgb_encode(0.2126)), abs=1e-6)
    assert img.grey[2, 1] == pytest.approx(float(srgb_encode(0.7152)), abs=1e-6)
    assert tuple(img.rgba8[2, 1]) == (0, 255, 0, 255)


def test_palette_png_with_transparent_index_gives_alpha(tmp_path):
    im = Image.new("P", (4, 3))
    im.putpalette([0, 0, 0, 255, 255, 255] + [0] * (3 * 254))
    im.putpixel((0, 0), 1)
    im.save(tmp_path / "palt.png", transparency=1)
    img = load_image(str(tmp_path / "palt.png"))
    expected = np.ones((3, 4), np.float32)
    expected[0, 0] = 0.0
    np.testing.assert_array_equal(img.alpha, expected)


def test_cmyk_jpeg_loads_as_colour(tmp_path):
    Image.new("CMYK", (9, 6), (0, 0, 0, 0)).save(tmp_path / "cmyk.jpg")
    assert Image.open(tmp_path / "cmyk.jpg").mode == "CMYK"
    img = load_image(str(tmp_path / "cmyk.jpg"))
    assert img.grey.shape == (6, 9)
    assert img.rgba8.shape == (6, 9, 4)
    np.testing.assert_allclose(img.grey, 1.0, atol=1e-6)  # no ink: white


def test_cmyk_full_black_ink_is_dark(tmp_path):
    Image.new("CMYK", (8, 8), (0, 0, 0, 255)).save(tmp_path / "black.jpg")
    assert load_image(str(tmp_path / "black.jpg")).grey.max() < 0.05


def test_animated_gif_uses_its_first_frame(tmp_path):
    frames = [Image.new("L", (7, 5), v) for v in (0, 255, 128)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert Image.open(tmp_path / "anim.gif").n_frames == 3
    img = load_image(str(tmp_path / "anim.gif"))
    assert img.grey.shape == (5, 7)
    np.testing.assert_allclose(img.grey, 0.0, atol=1e-6)


@pytest.mark.parametrize("ext", ["bmp", "webp", "tif", "tiff", "jpg", "png"])
def test_common_formats_load_with_the_right_shape(tmp_path, ext):
    rgb = np.zeros((6, 10, 3), np.uint8)
    rgb[:, 5:] = 255
    path = tmp_path / f"img.{ext}"
    Image.fromarray(rgb).save(path, **({"lossless": True} if ext == "webp" else {}))
    img = load_image(str(path))
    assert (img.width, img.height) == (10, 6)
    assert img.grey.shape == (6, 10) and img.rgba8.shape == (6, 10, 4)
    assert image_size(str(path)) == (10, 6)
    # left half black, right half white (lossy JPEG within a few levels)
    assert img.grey[:, :3].max() < 0.05 and img.grey[:, 7:].min() > 0.95


def test_path_objects_are_accepted(tmp_path):
    Image.new("L", (3, 2), 7).save(tmp_path / "p.png")
    img = load_image(pathlib.Path(tmp_path / "p.png"))
    assert img.grey.shape == (2, 3)
    assert img.path == str(tmp_path / "p.png")


def test_unicode_file_name_loads(tmp_path):
    path = tmp_path / "bild-ü-画像.png"
    Image.new("L", (4, 3), 51).save(path)
    img = load_image(str(path))
    assert img.grey.shape == (3, 4)
    np.testing.assert_array_equal(img.grey, np.float32(51) / np.float32(255))
    assert image_size(str(path)) == (4, 3)


# --- EXIF orientation ---------------------------------------------------------------------------

def save_with_orientation(im, path, orientation):
    exif = im.getexif()
    exif[0x0112] = orientation
    im.save(path, exif=exif)


@pytest.mark.parametrize("ext", ["jpg", "png"])
def test_exif_orientation_6_rotates_the_image(tmp_path, ext):
    arr = np.zeros((30, 60), np.uint8)
    arr[:, :10] = 255  # white band at the stored image's left edge
    path = tmp_path / f"rot6.{ext}"
    save_with_orientation(Image.fromarray(arr), path, 6)
    img = load_image(str(path))
    assert (img.width, img.height) == (30, 60)
    assert image_size(str(path)) == (30, 60)
    # orientation 6 = rotate 90 degrees clockwise for display: the left band becomes the top band
    assert img.grey[:8, :].min() > 0.9
    assert img.grey[12:, :].max() < 0.1


def test_exif_orientation_6_on_16bit_png_keeps_precision(tmp_path):
    arr = (1000 + np.arange(20 * 12)).astype(np.uint16).reshape(12, 20)
    path = tmp_path / "rot16.png"
    save_with_orientation(Image.fromarray(arr), path, 6)
    img = load_image(str(path))
    assert img.bits == 16
    np.testing.assert_allclose(img.grey, np.rot90(arr, -1) / 65535.0, atol=1e-7)
    assert image_size(str(path)) == (12, 20)


def test_exif_orientation_1_and_3_keep_the_size(tmp_path):
    for orientation in (1, 3):
        path = tmp_path / f"o{orientation}.jpg"
        save_with_orientation(Image.new("L", (40, 20), 0), path, orientation)
        assert image_size(str(path)) == (40, 20)
        assert load_image(str(path)).grey.shape == (20, 40)


# --- alpha --------------------------------------------------------------------------------------

def test_rgba_with_transparent_pixels_gives_alpha(tmp_path):
    rgba = np.full((4, 5, 4), 255, np.uint8)
    rgba[1, 2, 3] = 0
    rgba[3, 4, 3] = 128
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    img = load_image(str(tmp_path / "rgba.png"))
    assert img.alpha is not None
    assert img.alpha.shape == (4, 5)
    assert img.alpha[1, 2] == 0.0
    assert img.alpha[3, 4] == pytest.approx(128 / 255)
    assert (img.alpha == 1.0).sum() == 18
    np.testing.assert_array_equal(img.rgba8[..., 3], rgba[..., 3])


def test_fully_opaque_rgba_has_no_alpha(tmp_path):
    Image.new("RGBA", (5, 4), (10, 200, 30, 255)).save(tmp_path / "opaque.png")
    img = load_image(str(tmp_path / "opaque.png"))
    assert img.alpha is None


def test_grey_with_alpha_la_gives_alpha(tmp_path):
    im = Image.new("LA", (3, 2), (100, 255))
    im.putpixel((0, 0), (50, 0))
    im.save(tmp_path / "la.png")
    img = load_image(str(tmp_path / "la.png"))
    np.testing.assert_array_equal(img.alpha, [[0, 1, 1], [1, 1, 1]])
    assert img.grey[0, 1] == pytest.approx(100 / 255, abs=2e-6)


def test_greyscale_png_with_trns_transparency_gives_alpha(tmp_path):
    arr = np.array([[0, 128], [255, 7]], np.uint8)
    Image.fromarray(arr).save(tmp_path / "ltrns.png", transparency=7)
    img = load_image(str(tmp_path / "ltrns.png"))
    assert img.alpha is not None
    np.testing.assert_array_equal(img.alpha, [[1, 1], [1, 0]])


def test_rgb_png_with_trns_transparency_gives_alpha(tmp_path):
    rgb = np.full((2, 2, 3), 200, np.uint8)
    rgb[0, 0] = (10, 20, 30)
    Image.fromarray(rgb).save(tmp_path / "rgbtrns.png", transparency=(10, 20, 30))
    img = load_image(str(tmp_path / "rgbtrns.png"))
    assert img.alpha is not None
    np.testing.assert_array_equal(img.alpha, [[0, 1], [1, 1]])


def test_32bit_integer_tiff_with_small_values_is_16bit_data(tmp_path):
    arr = (np.arange(12).reshape(3, 4) * 20).astype(np.int32)  # 0..220 out of 65535: a very dark image
    Image.fromarray(arr).save(tmp_path / "int32.tif")
    assert Image.open(tmp_path / "int32.tif").mode == "I"
    img = load_image(str(tmp_path / "int32.tif"))
    assert img.bits == 16
    np.testing.assert_allclose(img.grey, arr / 65535.0, atol=1e-7)


def test_16bit_big_endian_tiff(tmp_path):
    arr = (np.arange(12).reshape(3, 4) * 5000 + 7).astype(">u2")
    Image.fromarray(arr).save(tmp_path / "be.tif")
    assert Image.open(tmp_path / "be.tif").mode == "I;16B"
    img = load_image(str(tmp_path / "be.tif"))
    assert img.bits == 16
    np.testing.assert_allclose(img.grey, arr.astype(np.float64) / 65535.0, atol=1e-7)


@pytest.mark.parametrize("ext, kw", [("webp", {"lossless": True}), ("png", {}), ("tif", {})])
def test_multi_frame_files_use_their_first_frame(tmp_path, ext, kw):
    frames = [Image.new("RGB", (5, 4), (v, v, v)) for v in (30, 200)]
    frames[0].save(tmp_path / f"multi.{ext}", save_all=True, append_images=frames[1:], **kw)
    assert Image.open(tmp_path / f"multi.{ext}").n_frames == 2
    np.testing.assert_allclose(load_image(str(tmp_path / f"multi.{ext}")).grey, 30 / 255, atol=1e-6)


# --- bad input ----------------------------------------------------------------------------------

def assert_one_line(exc: ImageToPrintError) -> str:
    msg = str(exc)
    assert msg and "\n" not in msg and "\r" not in msg
    assert "Traceback" not in msg
    return msg


def load_error(path, **kw) -> str:
    with pytest.raises(ImageToPrintError) as info:
        load_image(path, **kw)
    return assert_one_line(info.value)


def test_missing_file(tmp_path):
    assert "not found" in load_error(str(tmp_path / "nope.png"))


def test_empty_path():
    assert "no image file" in load_error("")


def test_folder_instead_of_file(tmp_path):
    assert "folder" in load_error(str(tmp_path))


def test_zero_byte_file(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    assert "empty" in load_error(str(tmp_path / "empty.png"))


def test_text_file_renamed_png(tmp_path):
    (tmp_path / "notes.png").write_text("this is not an image\nsecond line\n")
    assert "not an image" in load_error(str(tmp_path / "notes.png"))


def test_truncated_jpeg(tmp_path):
    Image.fromarray(noise_rgb(96, 128, seed=3)).save(tmp_path / "full.jpg", quality=95)
    data = (tmp_path / "full.jpg").read_bytes()
    (tmp_path / "half.jpg").write_bytes(data[: len(data) // 2])
    msg = load_error(str(tmp_path / "half.jpg"))
    assert "half.jpg" in msg
    assert "truncated" in msg


def test_truncated_png(tmp_path):
    Image.fromarray(noise_rgb(64, 64, seed=4)).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "half.png").write_bytes(data[: len(data) // 2])
    load_error(str(tmp_path / "half.png"))


def test_over_the_megapixel_limit(tmp_path):
    Image.new("L", (100, 100), 0).save(tmp_path / "big.png")
    msg = load_error(str(tmp_path / "big.png"), max_megapixels=0.001)
    assert "megapixel" in msg
    assert "100x100" in msg


def test_megapixel_limit_zero_means_no_limit(tmp_path):
    Image.new("L", (100, 100), 0).save(tmp_path / "big.png")
    assert load_image(str(tmp_path / "big.png"), max_megapixels=0).grey.shape == (100, 100)


def test_megapixel_limit_is_checked_before_decoding(tmp_path, monkeypatch):
    # the guard must run on the header size alone: decoding a bomb is what it prevents
    Image.new("L", (100, 100), 0).save(tmp_path / "big.png")
    monkeypatch.setattr(Image.Image, "load", lambda self: pytest.fail("decoded before the size check"))
    load_error(str(tmp_path / "big.png"), max_megapixels=0.001)


def test_loading_leaves_pillows_bomb_limit_alone(tmp_path):
    before = Image.MAX_IMAGE_PIXELS
    Image.new("L", (10, 10), 0).save(tmp_path / "small.png")
    load_image(str(tmp_path / "small.png"))
    load_error(str(tmp_path / "small.png"), max_megapixels=1e-5)
    assert Image.MAX_IMAGE_PIXELS == before


def test_error_messages_collapse_whitespace():
    assert str(ImageToPrintError("a\nb\t  c\r\n")) == "a b c"


def test_image_size_reads_the_header(tmp_path):
    Image.new("RGB", (123, 45)).save(tmp_path / "s.png")
    assert image_size(str(tmp_path / "s.png")) == (123, 45)
    assert os.path.getsize(tmp_path / "s.png") > 0
    assert math.isclose(load_image(str(tmp_path / "s.png")).grey.size, 123 * 45)
