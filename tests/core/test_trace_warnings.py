# SPDX-License-Identifier: GPL-3.0-or-later
"""core.trace: warnings a maker can act on (issue 13): how much of the design is too narrow and the
--width that clears it; a photograph given to trace, with the relief command to run instead."""

from __future__ import annotations

import importlib.util
import math
import os
import re
import shlex

import numpy as np
import pytest
from PIL import Image
from trace_images import anti_aliased, bars, flat_colours, logo, photo_like, ring_and_island, save_mask, small_text

from core.image import load_image
from core.schema import settings_of
from core.settings import ReliefSettings
from core.trace import bitmap, photo
from core.trace.plan import plan_trace
from core.trace.settings import TraceSettings

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PX_MM = 0.1  # the bar images are traced at 0.1 mm a pixel: no upsampling, the limit 0.8 mm is 8 px


def blender_images():
    """tests/blender/images.py: the images the Blender suite traces and reliefs (plain numpy + PIL)."""
    spec = importlib.util.spec_from_file_location("blender_images", os.path.join(REPO, "tests", "blender", "images.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ink_width_mm(ink: np.ndarray) -> float:
    cols = np.flatnonzero(ink.any(axis=0))
    return (cols[-1] + 1 - cols[0]) * PX_MM


def narrow_warnings(p):
    return [w for w in p.warnings if "narrower than" in w]


def plan(path, **kw):
    # corner threshold 0 keeps the pixel outline exact (potrace would round a 2 px bar's ends into a
    # long taper), so the bars keep their widths at every --width
    kw.setdefault("corner_threshold", 0.0)
    kw.setdefault("base_mm", 1.0)
    return plan_trace(load_image(path), TraceSettings(**kw), measure=False)


# --- narrow features ---------------------------------------------------------------------------

def test_narrower_than_is_exact_for_even_and_odd_widths():
    for t in range(1, 12):
        band = np.zeros((60, 60), bool)
        band[10:50, 25:25 + t] = True
        for w in np.arange(1.0, 13.0, 0.5):
            assert bitmap.narrower_than(band, w)[30].any() == (t < w), (t, w)


def test_share_of_the_outline_that_is_narrow(tmp_path):
    """Bars 2, 4 and 6 px wide and 200 tall (0.2, 0.4, 0.6 mm) next to a 200 x 208 px block: the bars'
    outline is 2 (202 + 204 + 206) = 1224 px, the block's 816 px, so 60% of the outline is narrow."""
    ink = bars((2, 4, 6), 200, (200, 208))
    narrow_px = sum(2 * (200 + w) for w in (2, 4, 6))
    assert 100 * narrow_px / (narrow_px + 2 * (200 + 208)) == pytest.approx(60.0)
    width = ink_width_mm(ink)
    p = plan(save_mask(tmp_path / "bars.png", ink), width_mm=width)
    (w,) = narrow_warnings(p)
    assert w.startswith("Design: 60% of the outline (3 places) is narrower than 0.8 mm (2 x the 0.4 mm nozzle)")
    # the narrowest bar, 0.2 mm, clears 0.8 mm at 4 x the width (plus the margin for a finer grid)
    proposed = int(re.search(r"at --width (\d+) mm \(now ([\d.]+)\) it would all clear it$", w).group(1))
    assert math.ceil(width * 4) <= proposed <= math.ceil(width * 4 * 1.06)
    assert f"(now {width:g})" in w
    # planned at that width, nothing is narrow any more
    assert narrow_warnings(plan(save_mask(tmp_path / "bars.png", ink), width_mm=float(proposed))) == []
    # and a width well short of it still leaves the 0.2 mm bar (now 0.6 mm) narrow
    again = narrow_warnings(plan(save_mask(tmp_path / "bars.png", ink), width_mm=width * 3))
    assert len(again) == 1 and "(1 place)" in again[0]


def test_a_few_hairlines_do_not_set_the_width(tmp_path):
    """A 1 px hairline is 4.6% of the narrow outline: the width proposed clears the 2 px bar and the
    rest (all but the hairline); the hairline alone stays narrow there."""
    ink = bars((2, 4, 6), 450, (200, 208), hairline=65)
    width = ink_width_mm(ink)
    (w,) = narrow_warnings(plan(save_mask(tmp_path / "h.png", ink), width_mm=width))
    bars_px, hair_px = sum(2 * (450 + t) for t in (2, 4, 6)), 2 * (65 + 1)
    total_px = bars_px + hair_px + 2 * (200 + 208)
    assert f"{100 * (bars_px + hair_px) / total_px:.0f}% of the outline (4 places)" in w
    m = re.search(r"at --width (\d+) mm \(now [\d.]+\) all but (\d+)% of the outline would clear it$", w)
    assert m and int(m.group(2)) == round(100 * hair_px / total_px)
    proposed = int(m.group(1))
    assert proposed <= math.ceil(width * 4 * 1.06)  # set by the 2 px bar, not by the hairline (8 x)
    left = narrow_warnings(plan(save_mask(tmp_path / "h.png", ink), width_mm=float(proposed)))
    assert len(left) == 1 and "(1 place)" in left[0]
    x = float(re.search(r"at \(([-\d.]+), [-\d.]+\) mm", left[0]).group(1))
    assert x > proposed / 2 - 3  # the hairline, at the right-hand end of the design


def test_a_width_past_the_build_volume_says_to_thicken_instead(tmp_path):
    ink = bars((2, 4, 6), 200, (200, 208))
    width = ink_width_mm(ink)
    # a 1 mm nozzle: 2 mm needs the 0.2 mm bar 10 x wider, 270 mm and more: past the 256 mm bed
    (w,) = narrow_warnings(plan(save_mask(tmp_path / "bars.png", ink), width_mm=width, nozzle_mm=1.0))
    assert "narrower than 2 mm (2 x the 1 mm nozzle)" in w
    m = re.search(r"it would take --width (\d+) mm \(now [\d.]+\) to clear it, too big for the 256 x 256 mm build "
                  r"volume: make the thin parts bolder in the source image instead$", w)
    assert m and int(m.group(1)) >= 10 * width


def test_no_narrow_warning_for_bold_shapes(tmp_path):
    ink = ring_and_island()
    p = plan(save_mask(tmp_path / "r.png", ink), width_mm=50.0)
    assert narrow_warnings(p) == []


# --- photographs -------------------------------------------------------------------------------

def save_rgb(path, rgb) -> str:
    Image.fromarray(rgb).save(path)
    return str(path)


@pytest.mark.parametrize("make", [
    lambda d: save_rgb(d / "photo.png", photo_like()),
    lambda d: save_rgb(d / "grey.png", photo_like(seed=1, grey=True)[..., 0]),
    lambda d: str(Image.fromarray(photo_like(seed=2)).save(d / "photo.jpg", quality=85) or d / "photo.jpg"),
    lambda d: blender_images().gradient(d / "gradient.png"),
    lambda d: blender_images().noise(d / "noise.png"),
    lambda d: blender_images().smooth(d / "dome.png"),
], ids=["photo", "grey-photo", "photo-jpeg", "gradient", "noise", "dome"])
def test_photographs_are_recognised(tmp_path, make):
    img = load_image(make(tmp_path))
    share = photo.tonal_share(img)
    assert share > 0.55 and photo.looks_like_photo(img)


@pytest.mark.parametrize("make", [
    lambda d: save_mask(d / "logo.png", logo(600)),
    lambda d: save_mask(d / "ring.png", ring_and_island()),
    lambda d: str(anti_aliased(logo(1600)).save(d / "logo.png") or d / "logo.png"),
    lambda d: str(anti_aliased(logo(1600)).save(d / "logo.jpg", quality=70) or d / "logo.jpg"),
    lambda d: str(small_text().save(d / "text.png") or d / "text.png"),
    lambda d: str(small_text().save(d / "text.jpg", quality=60) or d / "text.jpg"),
    lambda d: str(flat_colours().save(d / "flat.png") or d / "flat.png"),
    lambda d: str(flat_colours().convert("RGB").save(d / "flat.jpg", quality=80) or d / "flat.jpg"),
    lambda d: blender_images().ring_rgba(d / "ring.png"),
    lambda d: blender_images().letter_l(d / "l.png"),
    lambda d: blender_images().two_colours(d / "two.png"),
    lambda d: str(Image.open(blender_images().two_colours(d / "two.png")).save(d / "two.jpg", quality=75)
                  or d / "two.jpg"),
    lambda d: os.path.join(REPO, "samples", "sunflower.png"),
], ids=["logo", "ring", "logo-aa", "logo-jpeg", "text", "text-jpeg", "flat", "flat-jpeg", "ring-rgba", "letter-l",
        "two-colours", "two-colours-jpeg", "sunflower"])
def test_flat_art_is_not_a_photograph(tmp_path, make):
    img = load_image(make(tmp_path))
    share = photo.tonal_share(img)
    assert share < 0.45 and not photo.looks_like_photo(img)


def test_the_sunflower_sample_is_flat_colour_on_a_gradient_sky():
    """Between the two: its sky is a gradient (about a third of it), the flower flat colours."""
    share = photo.tonal_share(load_image(os.path.join(REPO, "samples", "sunflower.png")))
    assert 0.25 < share < 0.45


def test_a_photograph_traced_proposes_the_relief_command(tmp_path):
    path = save_rgb(tmp_path / "my photo.png", photo_like())
    p = plan_trace(load_image(path), TraceSettings(width_mm=60.0))
    (w,) = [w for w in p.warnings if "photograph" in w]
    assert re.match(r"this looks like a photograph \(\d+% of it is shading, not flat colour\)", w)
    assert p.stats["tonal_percent"] > 55
    command = w.split("a relief suits it better: ", 1)[1]
    args = shlex.split(command)
    assert args == ["./image-to-print", "relief", path, "--width", "60", "-o", "my photo-relief.stl"]
    # every flag is the relief route's own: --width is ReliefSettings.width_mm (mm)
    flags = {s.flag: s.name for s in settings_of(ReliefSettings)}
    assert flags["--width"] == "width_mm"


def test_flat_art_traced_has_no_photo_warning(tmp_path):
    p = plan_trace(load_image(save_mask(tmp_path / "logo.png", logo(600))), TraceSettings(width_mm=80.0))
    assert not [w for w in p.warnings if "photograph" in w]
    assert p.stats["tonal_percent"] < 5


def test_a_cut_out_photo_traced_by_its_transparency_is_no_photo_warning(tmp_path):
    """Ink from the alpha channel: the outline is the cut-out's, the shading inside does not matter."""
    rgb = photo_like()
    h, w = rgb.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    alpha = np.where(np.hypot(x - w / 2, y - h / 2) < 0.4 * h, 255, 0).astype(np.uint8)
    Image.fromarray(np.dstack([rgb, alpha]), "RGBA").save(tmp_path / "cut.png")
    img = load_image(str(tmp_path / "cut.png"))
    assert photo.looks_like_photo(img)
    p = plan_trace(img, TraceSettings(width_mm=40.0))
    assert not [w for w in p.warnings if "photograph" in w]
