# SPDX-License-Identifier: GPL-3.0-or-later
"""Image -> height field for reliefs and lithophanes (all lengths in mm).

The result is a :class:`ReliefPlan`: a grid of normalised heights ``t`` (the
texture the Displace modifier reads), which vertices exist, the sample spacing
and the base/depth that turn ``t`` into millimetres::

    z(vertex) = base_mm + depth_mm * t
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import lamp, swap
from .errors import ImageToPrintError
from .gridmesh import cells_from_vertex_mask
from .image import LoadedImage, mirror, require_length, require_size, srgb_to_linear
from .raster import label, resample
from .schema import UNIT_MAX, check_ranges
from .settings import ALPHA_MODES, LAMP_SHAPES, MODES, PRESETS, SHAPES, TRANSLUCENCY_MODELS, ReliefSettings

__all__ = ["PRESETS", "ReliefSettings", "ReliefPlan", "plan_relief", "estimate", "apply_preset", "validate"]

MAX_GRID_VERTICES = 40_000_000


def apply_preset(settings: ReliefSettings, preset: str) -> ReliefSettings:
    if preset not in PRESETS:
        raise ImageToPrintError(f"unknown preset '{preset}' (choose from {', '.join(PRESETS)})")
    return replace(settings, **PRESETS[preset][2])


@dataclass
class ReliefPlan:
    t: np.ndarray  # (rows, cols) float32 normalised height, row 0 = top of the image
    vertex_mask: np.ndarray | None  # (rows, cols) bool, None = full rectangle
    spacing_mm: float
    base_mm: float
    depth_mm: float
    curved: bool
    adaptive: bool
    max_error_mm: float = 0.02
    image_origin: tuple[int, int] = (0, 0)  # (row, col) of the image's top-left sample
    image_shape: tuple[int, int] = (0, 0)  # (rows, cols) of the image area
    warnings: list[str] = field(default_factory=list)
    shape: str = "FLAT"  # FLAT, CURVED, or a lamp shape (core.lamp, whose profile is ``lamp``)
    mirrored: bool = False  # the image is mirrored in t, to read from the concave side (inside_view)
    lamp: Any = None  # core.lamp.LampProfile
    swap: Any = None  # core.swap.SwapPlan of a filament-swap relief: which filament from which layer

    @property
    def rows(self) -> int:
        return int(self.t.shape[0])

    @property
    def cols(self) -> int:
        return int(self.t.shape[1])

    @property
    def size_mm(self) -> tuple[float, float]:
        return ((self.cols - 1) * self.spacing_mm, (self.rows - 1) * self.spacing_mm)

    def heights_mm(self) -> np.ndarray:
        return (self.base_mm + self.depth_mm * self.t).astype(np.float32)


def _positive(value: float, what: str) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ImageToPrintError(f"{what} must be a positive number, got {value}")


def validate(s: ReliefSettings) -> None:
    """Reject nonsense settings with one line that says which and why."""
    check_ranges(s)
    if s.mode not in MODES:
        raise ImageToPrintError(f"mode must be one of {', '.join(MODES)}, got {s.mode}")
    _positive(s.width_mm, "width (mm)")
    if not s.native_resolution:
        _positive(s.sample_mm, "sample spacing (mm)")
    if s.mode in ("RELIEF", "SWAP"):
        _positive(s.base_mm, "base (mm)")
        _positive(s.depth_mm, "depth (mm)")
    else:
        _positive(s.min_thickness_mm, "minimum thickness (mm)")
        _positive(s.max_thickness_mm, "maximum thickness (mm)")
        if s.min_thickness_mm >= s.max_thickness_mm:
            raise ImageToPrintError(
                f"minimum thickness ({s.min_thickness_mm:g} mm) must be less than "
                f"maximum thickness ({s.max_thickness_mm:g} mm)")
        if s.translucency not in TRANSLUCENCY_MODELS:
            raise ImageToPrintError(f"translucency model must be LINEAR or BEER_LAMBERT, got {s.translucency}")
        if not 0.0 < s.transmittance_1mm < 1.0:
            raise ImageToPrintError(f"transmittance per mm must be between 0 and 1, got {s.transmittance_1mm}")
    if s.mode == "SWAP":
        swap.parse_filaments(s.filaments, s.filament_library)  # says what is wrong with the list
        if s.shape != "FLAT" or s.curve_angle_deg > 0:
            raise ImageToPrintError("a filament-swap relief is flat: its colours change with the printed height")
    if s.shape not in SHAPES:
        raise ImageToPrintError(f"shape must be one of {', '.join(SHAPES)}, got {s.shape}")
    if s.shape == "CURVED" and s.curve_angle_deg <= 0:
        raise ImageToPrintError("a curved plate needs a curve angle above 0 degrees (--curve DEG)")
    if s.shape in LAMP_SHAPES:
        shape = s.shape.lower()
        if s.alpha_mode == "CUT":
            raise ImageToPrintError(f"a {shape} cannot cut out transparent pixels; they stay at the thinnest wall "
                                    "(--alpha base)")
        if s.frame_width_mm > 0 or s.hole_diameter_mm > 0:
            raise ImageToPrintError(f"a frame and a hanging hole are for flat and curved plates, not a {shape} "
                                    "(it has rims instead)")
    if s.alpha_mode not in ALPHA_MODES:
        raise ImageToPrintError(f"alpha mode must be BASE or CUT, got {s.alpha_mode}")
    if not 0.0 <= s.black_point < s.white_point <= 1.0:
        raise ImageToPrintError("levels need 0 <= black point < white point <= 1")
    _positive(s.gamma, "gamma")
    for value, what in ((s.smoothing, "smoothing"), (s.frame_width_mm, "frame width (mm)"),
                        (s.frame_height_mm, "frame height (mm)"), (s.hole_diameter_mm, "hole diameter (mm)")):
        if not (math.isfinite(value) and value >= 0):
            raise ImageToPrintError(f"{what} must be zero or positive, got {value}")
    if s.frame_width_mm * 2 >= s.width_mm:
        raise ImageToPrintError(f"frame width ({s.frame_width_mm:g} mm) leaves no room for the image "
                                f"in a {s.width_mm:g} mm wide plate")
    if not 0.0 <= s.curve_angle_deg <= 180.0:
        raise ImageToPrintError(f"curve angle must be between 0 and 180 degrees, got {s.curve_angle_deg}")
    if s.adaptive:
        _positive(s.max_error_mm, "maximum error (mm)")
    if not (math.isfinite(s.max_megapixels) and s.max_megapixels >= 0):
        raise ImageToPrintError("max megapixels must be zero (no limit) or positive")


def base_and_depth(s: ReliefSettings) -> tuple[float, float]:
    if s.mode in ("RELIEF", "SWAP"):
        return float(s.base_mm), float(s.depth_mm)
    return float(s.min_thickness_mm), float(s.max_thickness_mm - s.min_thickness_mm)


def grid_shape(image_w: int, image_h: int, s: ReliefSettings) -> tuple[int, int, int, float]:
    """(image columns, image rows, frame samples, exact spacing) for an image of this size."""
    inner_w = s.width_mm - 2 * s.frame_width_mm
    if s.native_resolution:
        nx = image_w
        spacing = inner_w / max(nx - 1, 1)
    else:
        nx = max(int(round(inner_w / s.sample_mm)) + 1, 2)
        spacing = inner_w / (nx - 1)
    nf = int(round(s.frame_width_mm / spacing)) if s.frame_width_mm > 0 else 0
    spacing = s.width_mm / (nx - 1 + 2 * nf)  # the overall width comes out exact
    inner_h = inner_w * image_h / image_w
    ny = image_h if s.native_resolution else max(int(round(inner_h / spacing)) + 1, 2)
    return nx, ny, nf, spacing


def estimate(image_w: int, image_h: int, s: ReliefSettings) -> dict:
    """Size, triangle count and STL size before building (for the panel read-out)."""
    if s.shape in LAMP_SHAPES:
        return lamp.estimate(image_w, image_h, s, *base_and_depth(s))
    nx, ny, nf, spacing = grid_shape(image_w, image_h, s)
    cols, rows = nx + 2 * nf, ny + 2 * nf
    if s.hole_diameter_mm > 0:
        rows += _tab_rows(spacing, s.hole_diameter_mm)
    base, depth = base_and_depth(s)
    top_z = max(base + depth, s.frame_height_mm)
    ring = 2 * (rows - 1) + 2 * (cols - 1)
    tris = 2 * (rows - 1) * (cols - 1) + 3 * ring
    if is_curved(s):
        tris = 4 * (rows - 1) * (cols - 1) + 2 * ring
    return {
        "size_mm": [(cols - 1) * spacing, (rows - 1) * spacing, top_z],
        "samples": [cols, rows],
        "spacing_mm": spacing,
        "triangles": int(tris),
        "stl_bytes": 84 + 50 * int(tris),
    }


def check_work(image_w: int, image_h: int, s: ReliefSettings, limit: int | None = None) -> None:
    """Stop before building when the relief would not fit this machine (``core.limits.check_work``),
    suggesting the sample spacing that would. Images :func:`plan_relief` refuses anyway (too thin,
    too long) are left to it, for its clearer message."""
    from dataclasses import replace

    from . import limits

    if min(image_w, image_h) < 2 or s.width_mm * image_h / image_w > UNIT_MAX["mm"]:
        return

    def advice(cap: int) -> str:
        spacing = grid_shape(image_w, image_h, s)[3]
        better = math.ceil(spacing * math.sqrt(tris / cap) * 1.05 / 0.05) * 0.05
        fits = estimate(image_w, image_h, replace(s, native_resolution=False, sample_mm=better))["triangles"]
        return f"use --sample-mm {better:g} (about {fits:,} triangles)"

    tris = estimate(image_w, image_h, s)["triangles"]
    limits.check_work(tris, f"this {s.mode.lower()}", limit, advice)


def bilateral(values: np.ndarray, sigma: float, sigma_range: float = 0.08) -> np.ndarray:
    """Edge-preserving smoothing: a bilateral filter with spatial sigma in samples.

    Noise within ``sigma_range`` grey levels is averaged away; steps larger than
    that (edges of letters, outlines) are kept.
    """
    if sigma <= 0:
        return values
    radius = max(1, int(math.ceil(2 * sigma)))
    padded = np.pad(values, radius, mode="edge")
    h, w = values.shape
    acc = np.zeros_like(values, dtype=np.float32)
    wsum = np.zeros_like(values, dtype=np.float32)
    inv_s = -0.5 / (sigma * sigma)
    inv_r = -0.5 / (sigma_range * sigma_range)
    for dy in range(-radius, radius + 1):
        for dx in range(-radius, radius + 1):
            d2 = dx * dx + dy * dy
            if d2 > radius * radius:
                continue
            shifted = padded[radius + dy:radius + dy + h, radius + dx:radius + dx + w]
            diff = shifted - values
            wgt = np.exp(diff * diff * inv_r + d2 * inv_s, dtype=np.float32)
            acc += wgt * shifted
            wsum += wgt
    return acc / wsum


def tone_to_t(grey: np.ndarray, s: ReliefSettings) -> np.ndarray:
    """Grey levels (sRGB encoded, after levels) -> normalised height in [0, 1]."""
    if s.mode == "RELIEF":
        return grey if s.lighter_is_higher else 1.0 - grey
    if s.translucency == "LINEAR":
        return 1.0 - grey
    # Beer-Lambert (Cura's translucency model): light through thickness d is T**d,
    # so choose d with T**(d - min) proportional to the pixel's linear luminance.
    T = float(s.transmittance_1mm)
    span = float(s.max_thickness_mm - s.min_thickness_mm)
    lum = srgb_to_linear(grey)
    min_lum = T ** span
    mapped = min_lum + (1.0 - min_lum) * lum
    extra = np.log(mapped) / math.log(T)  # mm above the minimum thickness
    return np.clip(extra / span, 0.0, 1.0).astype(np.float32)


def _fill_from_neighbours(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Give unknown samples the mean of their known 8-neighbours, growing outward."""
    if known.all() or not known.any():
        return values
    values = np.where(known, values, 0.0).astype(np.float32)
    known = known.copy()
    h, w = values.shape
    while not known.all():
        pv = np.pad(values * known, 1)
        pk = np.pad(known.astype(np.float32), 1)
        total = sum(pv[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        count = sum(pk[1 + dy:1 + dy + h, 1 + dx:1 + dx + w] for dy in (-1, 0, 1) for dx in (-1, 0, 1))
        grow = ~known & (count > 0)
        if not grow.any():
            break
        values[grow] = total[grow] / count[grow]
        known |= grow
    return values


def tone_grid(img: LoadedImage, nx: int, ny: int, s: ReliefSettings) -> tuple[np.ndarray, np.ndarray | None]:
    """The image on an (ny, nx) grid of samples as normalised heights ``t`` (levels, gamma, smoothing, invert
    and the mode's tone curve applied), and its alpha there (None for an opaque image). Sample j's centre
    is at (j + 0.5) / nx of the width, so the grid also wraps round without a seam."""
    if img.alpha is not None:
        # Colours hidden under transparent pixels must not bleed into the visible ones:
        # resample with alpha weights, then fill what is transparent from its neighbours.
        alpha = resample(img.alpha, nx, ny, clip=True)
        weighted = resample(img.grey * img.alpha, nx, ny, clip=True)
        grey = np.where(alpha > 1e-6, weighted / np.maximum(alpha, 1e-6), 0.0).astype(np.float32)
        grey = _fill_from_neighbours(np.clip(grey, 0.0, 1.0), alpha >= 0.5)
    else:
        alpha = None
        grey = resample(img.grey, nx, ny, clip=True)
    grey = bilateral(grey, float(s.smoothing))
    grey = np.clip((grey - s.black_point) / (s.white_point - s.black_point), 0.0, 1.0)
    if s.gamma != 1.0:
        grey = np.power(grey, 1.0 / s.gamma)
    if s.invert:
        grey = 1.0 - grey
    return tone_to_t(grey.astype(np.float32), s), alpha


def plan_relief(img: LoadedImage, s: ReliefSettings, cancel=None) -> ReliefPlan:
    """The height field of a relief or lithophane from a decoded image. A cut-out (``alpha_mode`` CUT) is as
    wide as asked: what is left after the cut, not the image with its transparent margins, spans the width.
    A cylinder or sphere is the image unrolled, laid out round its shade by :mod:`core.lamp`. ``cancel``,
    a callable that raises to stop, is called through a filament-swap plan's search."""
    if s.shape in LAMP_SHAPES:
        return _plan_shade(img, s)
    plan, width = _plan_relief(img, s, cancel), s.width_mm
    for _ in range(4):  # the cells' outline moves by whole samples: a few rounds settle within one
        mask = plan.vertex_mask
        if mask is None or s.frame_width_mm > 0 or s.hole_diameter_mm > 0:
            break
        used = np.flatnonzero(cells_from_vertex_mask(mask).any(axis=0))
        built = (used[-1] + 1 - used[0]) * plan.spacing_mm  # cells: a cell spans one spacing
        if abs(built - s.width_mm) <= 0.5 * plan.spacing_mm:
            break
        width *= s.width_mm / built
        plan = _plan_relief(img, replace(s, width_mm=width), cancel)
    return plan


def _plan_shade(img: LoadedImage, s: ReliefSettings) -> ReliefPlan:
    """The unrolled height field of a cylinder or sphere shade, with its profile in ``lamp``."""
    validate(s)
    require_size(img, 2, f"make a {s.shape.lower()} from")
    base, depth = base_and_depth(s)
    profile, ny, cols = lamp.layout(img.width, img.height, s, base, depth)
    n = len(profile.outer)
    if n * cols * 2 > MAX_GRID_VERTICES:
        raise ImageToPrintError(f"{cols}x{n} samples ({n * cols / 1e6:.0f} million) is too many; use a larger "
                                "sample spacing or a smaller diameter")
    warnings: list[str] = list(img.warnings)
    if s.adaptive:
        warnings.append(f"adaptive mode needs a flat rectangular plate; a {s.shape.lower()} uses the full grid")
    t_img, alpha = tone_grid(mirror(img) if s.inside_view else img, cols, ny, s)
    if alpha is not None:
        t_img = np.where(alpha >= 0.5, t_img, 0.0).astype(np.float32)  # transparent: the thinnest wall
    first, last = profile.image_rows
    t = np.ones((n, cols), np.float32)  # rims and the stand band: solid, at the thickest
    t[first:last] = t_img
    if first == 1 and not profile.closed:  # the sphere's pole: one vertex, the mean of the top row
        t[0] = float(t_img[0].mean())
    return ReliefPlan(t=t, vertex_mask=None, spacing_mm=lamp.spacing(s, depth, cols), base_mm=base,
                      depth_mm=depth, curved=False, adaptive=False, max_error_mm=float(s.max_error_mm),
                      image_origin=(first, 0), image_shape=(ny, cols), warnings=warnings, shape=s.shape,
                      mirrored=bool(s.inside_view), lamp=profile)


def _plan_relief(img: LoadedImage, s: ReliefSettings, cancel=None) -> ReliefPlan:
    validate(s)
    require_size(img, 2, "make a relief from")
    require_length(img, s.width_mm, UNIT_MAX["mm"])
    nx, ny, nf, spacing = grid_shape(img.width, img.height, s)
    total = (nx + 2 * nf) * (ny + 2 * nf)
    if total > MAX_GRID_VERTICES:
        raise ImageToPrintError(
            f"{nx + 2 * nf}x{ny + 2 * nf} samples ({total / 1e6:.0f} million) is too many; "
            f"use a larger sample spacing or a smaller width")
    warnings: list[str] = list(img.warnings)
    curved = is_curved(s)
    inside = bool(s.inside_view) and curved
    if s.inside_view and not curved:
        warnings.append("reading from inside is for curved plates, cylinders and spheres: a flat plate is built "
                        "as it is")
    plan_of_swaps = None
    if s.mode == "SWAP":
        t, alpha, plan_of_swaps, base, depth = _swap_heights(img, nx, ny, s, cancel)
    else:
        t, alpha = tone_grid(mirror(img) if inside else img, nx, ny, s)
        base, depth = base_and_depth(s)
    mask = None
    if alpha is None and s.alpha_mode == "CUT":
        warnings.append("the image has no transparency: the cut-out has nothing to cut, so the whole rectangle "
                        "is built")
    if alpha is not None:
        opaque = alpha >= 0.5
        if not opaque.any():
            raise ImageToPrintError("the image is fully transparent: nothing to build")
        if s.alpha_mode == "CUT":
            mask = opaque
        else:
            t = np.where(opaque, t, 0.0).astype(np.float32)

    t_frame = 1.0
    if s.frame_height_mm > 0:
        t_frame = (s.frame_height_mm - base) / depth
        if t_frame < 0:
            raise ImageToPrintError(f"frame height ({s.frame_height_mm:g} mm) is below the base ({base:g} mm)")
    origin = (nf, nf)
    if nf:
        t = np.pad(t, nf, constant_values=t_frame)
        if mask is not None:
            mask = np.pad(mask, nf, constant_values=True)

    if s.hole_diameter_mm > 0:
        t, mask = _add_hanging_tab(t, mask, spacing, s.hole_diameter_mm, t_frame)
    origin = (t.shape[0] - ny - nf, nf)

    adaptive = bool(s.adaptive)
    if adaptive and (mask is not None or curved):
        why = "a curved plate" if curved else "a cut-out outline or hanging hole"
        warnings.append(f"adaptive mode needs a flat rectangular plate; {why} uses the full grid")
        adaptive = False
    if mask is not None:
        cells = cells_from_vertex_mask(mask)
        if not cells.any():
            raise ImageToPrintError("nothing left to build after cutting out transparent pixels")
        pieces = label(cells, eight=False)[1].size
        if pieces > 1:
            warnings.append(f"the cut-out falls into {pieces} separate pieces, which print loose: join them in "
                            "the image, or use alpha as base (--alpha base) to keep them on one plate")
    return ReliefPlan(t=np.ascontiguousarray(t, dtype=np.float32), vertex_mask=mask, spacing_mm=spacing,
                      base_mm=base, depth_mm=depth, curved=curved, adaptive=adaptive,
                      max_error_mm=float(s.max_error_mm), image_origin=origin,
                      image_shape=(ny, nx), warnings=warnings, shape="CURVED" if curved else "FLAT",
                      mirrored=inside, swap=plan_of_swaps)


def _swap_heights(img: LoadedImage, nx: int, ny: int, s: ReliefSettings, cancel=None):
    """(t, alpha, swap plan, base mm, depth mm) of a filament-swap relief: the colours on the grid, each
    sample at the layer count whose simulated colour is closest under the plan chosen for them, the base
    and depth on layer boundaries."""
    rgb = np.stack([resample(img.rgba8[..., c].astype(np.float32) / 255.0, nx, ny, clip=True) for c in range(3)],
                   axis=-1)
    alpha = resample(img.alpha, nx, ny, clip=True) if img.alpha is not None else None
    if alpha is not None and not (alpha >= 0.5).any():
        raise ImageToPrintError("the image is fully transparent: nothing to build")
    top = s.base_mm + s.depth_mm
    plan = swap.plan_swaps(rgb if alpha is None else rgb[alpha >= 0.5],
                           swap.parse_filaments(s.filaments, s.filament_library),
                           s.base_mm, top, s.first_layer_mm, s.layer_height_mm, cancel)
    if alpha is not None:  # transparent samples stay at the base
        layers = np.full((ny, nx), plan.base_layers, np.int32)
        layers[alpha >= 0.5] = plan.layers.ravel()
        plan.layers = layers
    z = swap.layer_z(plan.layers, s.first_layer_mm, s.layer_height_mm)
    base = swap.layer_z(plan.base_layers, s.first_layer_mm, s.layer_height_mm)
    depth = swap.layer_z(plan.top_layers, s.first_layer_mm, s.layer_height_mm) - base
    return ((z - base) / depth).astype(np.float32), alpha, plan, base, depth


def is_curved(s: ReliefSettings) -> bool:
    """A plate bent on an arc: the Curved shape, or (as before shapes) a flat one with a curve angle."""
    return s.shape == "CURVED" or (s.shape == "FLAT" and s.curve_angle_deg > 0)


def backlit(plan: ReliefPlan, s: ReliefSettings) -> np.ndarray:
    """What the print looks like lit from behind, as (rows, cols) sRGB values in [0, 1], the picture the
    right way round as the viewer sees it: the light through each sample's thickness by Beer-Lambert
    (``transmittance_1mm`` of it through every mm), relative to the thinnest wall the settings allow (the
    base: white); open where a cut-out leaves no material."""
    from .image import linear_to_srgb

    depth = plan.depth_mm * plan.t.astype(np.float64)  # the thickness over the base
    solid = np.ones(depth.shape, bool) if plan.vertex_mask is None else plan.vertex_mask
    light = linear_to_srgb(np.where(solid, np.power(s.transmittance_1mm, depth), 1.0))
    return light[:, ::-1] if plan.mirrored else light  # mirrored to read from inside: seen from there


def _tab_radii(diameter: float) -> tuple[float, float]:
    """Hole radius and outer radius of the round tab around it (a wall of at least 2 mm)."""
    r_hole = diameter / 2.0
    return r_hole, r_hole + max(2.0, 0.5 * diameter)


def _tab_rows(spacing: float, diameter: float) -> int:
    return int(math.ceil(2 * _tab_radii(diameter)[1] / spacing - 1e-9))


def _add_hanging_tab(t, mask, spacing, diameter, t_tab):
    """Extend the canvas upward with a round tab holding a hole of ``diameter`` mm."""
    rows, cols = t.shape
    r_hole, r_tab = _tab_radii(diameter)
    extra = _tab_rows(spacing, diameter)
    if 2 * r_tab > (cols - 1) * spacing:
        raise ImageToPrintError(f"hanging hole ({diameter:g} mm) does not fit on a "
                                f"{(cols - 1) * spacing:.1f} mm wide plate")
    t = np.concatenate([np.full((extra, cols), t_tab, np.float32), t], axis=0)
    full = np.ones((rows + extra, cols), bool) if mask is None else np.concatenate(
        [np.zeros((extra, cols), bool), mask], axis=0)
    if mask is None:
        full[:extra] = False
    # coordinates in mm, y up, origin at the old top edge
    yy = (extra - np.arange(rows + extra))[:, None] * spacing
    xx = (np.arange(cols) - (cols - 1) / 2.0)[None, :] * spacing
    cy = r_tab
    d2 = xx ** 2 + (yy - cy) ** 2
    tab = (d2 <= r_tab ** 2) | ((np.abs(xx) <= r_tab) & (yy <= cy) & (yy >= 0))
    hole = d2 <= r_hole ** 2
    full = (full | tab) & ~hole
    return t, full
