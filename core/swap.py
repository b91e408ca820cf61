# SPDX-License-Identifier: GPL-3.0-or-later
"""Filament-swap colour reliefs (HueForge-style): layer heights and a swap plan chosen for a photo.

A single-nozzle printer prints a relief of thin layers and swaps the filament at chosen layers. Where the
relief is n layers tall, the colour seen on top is the stack of what lies beneath: each filament's own
layers over the colour below, lighter or stronger by its transmission distance (TD, the thickness through
which the colour beneath stops showing). Composited in linear light with base-10 Beer-Lambert, a layer
of thickness d lets ``T = 10 ** (-d / TD)`` of the colour below through.

A plan says from which layer each filament (listed bottom up) prints. For a plan, each sample of the
image takes the layer count whose simulated colour is closest to it (CIEDE2000 in CIELAB), so the
heights sit on layer boundaries. The plan itself is searched (coordinate descent over the swap layers,
from equal bands) for the least mean colour difference; the naive plan (equal bands, filaments in order
of lightness) is simulated too, so the gain is measured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .errors import ImageToPrintError
from .image import linear_to_srgb, srgb_to_linear

__all__ = ["Filament", "SwapPlan", "parse_filaments", "parse_library", "plan_swaps", "palette", "delta_e_2000",
           "srgb_to_lab", "FILAMENT_PRESETS", "prusa_xml", "bambu_xml", "swap_table", "layer_z"]

MAX_FILAMENTS = 8
# Common filaments: name -> (colour, TD mm), from makers' published HueForge TDs (rounded).
FILAMENT_PRESETS: dict[str, tuple[str, float]] = {
    "Black PLA": ("#1a1a1a", 0.6),
    "Dark Grey PLA": ("#4d4d4d", 0.9),
    "Red PLA": ("#c0392b", 1.2),
    "Orange PLA": ("#e67e22", 1.6),
    "Yellow PLA": ("#f1c40f", 2.0),
    "Green PLA": ("#27ae60", 1.1),
    "Blue PLA": ("#2e5fbf", 0.9),
    "Light Grey PLA": ("#bfbfbf", 2.6),
    "White PLA": ("#f5f5f5", 4.0),
}


@dataclass(frozen=True)
class Filament:
    colour: str  # "#rrggbb", sRGB
    td_mm: float

    @property
    def linear(self) -> np.ndarray:
        rgb = np.array([int(self.colour[i:i + 2], 16) for i in (1, 3, 5)], np.float32) / 255.0
        return srgb_to_linear(rgb).astype(np.float64)


@dataclass
class SwapPlan:
    filaments: list[Filament]  # the order they print in, bottom up
    starts: list[int]  # the first layer (1-based) of each filament; starts[0] == 1
    first_layer_mm: float
    layer_mm: float
    layers: np.ndarray  # (rows, cols) int: how many layers tall each sample is
    base_layers: int
    top_layers: int
    delta_e_mean: float
    delta_e_naive: float

    def swaps(self) -> list[dict]:
        """Each change of filament: from which layer and height (mm), to which colour and TD."""
        return [{"layer": int(start), "z_mm": round(layer_z(start, self.first_layer_mm, self.layer_mm), 6),
                 "colour": f.colour, "td_mm": f.td_mm}
                for start, f in zip(self.starts[1:], self.filaments[1:])]

    def simulated(self) -> np.ndarray:
        """The print as the plan makes it: (rows, cols, 3) sRGB in [0, 1]."""
        colours = palette(self.filaments, self.starts, self.top_layers, self.first_layer_mm, self.layer_mm)
        return linear_to_srgb(colours[self.layers]).astype(np.float32)


def layer_z(layer, first_layer_mm: float, layer_mm: float):
    """The top of layer ``layer`` (1-based; a number or an array): where a filament that starts there
    begins printing."""
    return first_layer_mm + (layer - 1) * layer_mm


_FILAMENT = re.compile(r"^\s*(#?[0-9a-fA-F]{6})\s*:\s*([0-9]*\.?[0-9]+)\s*$")


def parse_library(text: str) -> dict[str, tuple[str, float]]:
    """The user's own filaments, ``"Silk Gold=#d4af37:3.2; Galaxy Black=#111111:0.5"`` (the preferences'
    My Filaments), by name."""
    out = {}
    for item in (text or "").split(";"):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        m = _FILAMENT.match(value)
        if not sep or not name.strip() or not m:
            raise ImageToPrintError(f"a filament of your own is written Name=#rrggbb:TD, got '{item.strip()}'")
        out[name.strip()] = ("#" + m.group(1).lstrip("#").lower(), float(m.group(2)))
    return out


def parse_filaments(text: str, library: str = "") -> list[Filament]:
    """``"#202020:0.6,#c0392b:1.2"`` (bottom up; colour:TD in mm), or names from the user's ``library``
    (:func:`parse_library`) or :data:`FILAMENT_PRESETS` in place of an entry."""
    items = [t for t in (text or "").split(",") if t.strip()]
    named = {**FILAMENT_PRESETS, **parse_library(library)}
    out = []
    for item in items:
        name = item.strip()
        if name in named:
            colour, td = named[name]
            out.append(Filament(colour, td))
            continue
        m = _FILAMENT.match(item)
        if not m:
            raise ImageToPrintError(f"a filament is written #rrggbb:TD (its colour and transmission distance in "
                                    f"mm), got '{item.strip()}'")
        td = float(m.group(2))
        if not 0.05 <= td <= 50.0:
            raise ImageToPrintError(f"a filament's TD must be between 0.05 and 50 mm, got {td:g} in '{item.strip()}'")
        colour = m.group(1) if m.group(1).startswith("#") else "#" + m.group(1)
        out.append(Filament(colour.lower(), td))
    if not 2 <= len(out) <= MAX_FILAMENTS:
        raise ImageToPrintError(f"a filament-swap relief needs 2 to {MAX_FILAMENTS} filaments (--filaments "
                                f"\"#202020:0.6,#f5f5f5:4.0\"), got {len(out)}")
    return out


# --- colour science --------------------------------------------------------------------------------------

_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                 [0.2126729, 0.7151522, 0.0721750],
                 [0.0193339, 0.1191920, 0.9503041]])
_WHITE = _XYZ.sum(axis=1)  # D65


def linear_to_lab(rgb: np.ndarray) -> np.ndarray:
    """Linear sRGB (..., 3) -> CIELAB (D65)."""
    xyz = np.asarray(rgb, np.float64) @ _XYZ.T / _WHITE
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB-encoded (..., 3) in [0, 1] -> CIELAB (D65)."""
    return linear_to_lab(srgb_to_linear(np.asarray(rgb, np.float32)).astype(np.float64))


def delta_e_2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005), broadcasting over leading axes."""
    L1, a1, b1 = np.moveaxis(np.asarray(lab1, np.float64), -1, 0)
    L2, a2, b2 = np.moveaxis(np.asarray(lab2, np.float64), -1, 0)
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar ** 7 / (c_bar ** 7 + 25.0 ** 7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dLp = L2 - L1
    dCp = c2p - c1p
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(c1p * c2p == 0, 0.0, dh)
    dHp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)
    L_bar = (L1 + L2) / 2
    c_bar_p = (c1p + c2p) / 2
    h_sum = h1p + h2p
    h_bar = np.where(np.abs(h1p - h2p) > 180, np.where(h_sum < 360, (h_sum + 360) / 2, (h_sum - 360) / 2), h_sum / 2)
    h_bar = np.where(c1p * c2p == 0, h_sum, h_bar)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(c_bar_p ** 7 / (c_bar_p ** 7 + 25.0 ** 7))
    s_l = 1 + 0.015 * (L_bar - 50) ** 2 / np.sqrt(20 + (L_bar - 50) ** 2)
    s_c = 1 + 0.045 * c_bar_p
    s_h = 1 + 0.015 * c_bar_p * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return np.sqrt((dLp / s_l) ** 2 + (dCp / s_c) ** 2 + (dHp / s_h) ** 2 + r_t * (dCp / s_c) * (dHp / s_h))


# --- the simulated print ---------------------------------------------------------------------------------

def palette(filaments: list[Filament], starts: list[int], top_layers: int, first_layer_mm: float,
            layer_mm: float) -> np.ndarray:
    """(top_layers + 1, 3) linear RGB: the colour on top of a stack n layers tall (row 0: nothing, the
    first filament's colour). The first layer is opaque first filament; each later layer of thickness d
    shows ``T = 10 ** (-d / TD)`` of what is below it through its own colour."""
    out = np.empty((top_layers + 1, 3))
    which = np.searchsorted(np.asarray(starts), np.arange(1, top_layers + 1), side="right") - 1
    colour = filaments[0].linear
    out[0] = colour
    for n in range(1, top_layers + 1):
        f = filaments[which[n - 1]]
        d = first_layer_mm if n == 1 else layer_mm
        through = 10.0 ** (-d / f.td_mm) if n > 1 else 0.0
        colour = colour * through + f.linear * (1 - through)
        out[n] = colour
    return out


def _quantised(lab: np.ndarray, bins: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """The distinct colours of (N, 3) Lab values on a grid ``bins`` units wide, and how many of each."""
    keys = np.round(lab / bins).astype(np.int64)
    uniq, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    sums = np.zeros((len(uniq), 3))
    np.add.at(sums, inverse.ravel(), lab)
    return sums / counts[:, None], counts.astype(np.float64)


def _cost(target_lab, weights, filaments, starts, lo, hi, first, layer) -> float:
    """Mean CIEDE2000 of the targets, each at its best layer count in [lo, hi]."""
    lab = linear_to_lab(palette(filaments, starts, hi, first, layer)[lo:hi + 1])
    de = delta_e_2000(target_lab[:, None, :], lab[None, :, :])
    return float((de.min(axis=1) * weights).sum() / weights.sum())


def equal_bands(count: int, lo: int, hi: int) -> list[int]:
    """Starts of ``count`` filaments in equal bands of the layers above the base (lo, hi]; the first
    filament also makes the base."""
    span = hi - lo
    return [1] + [lo + max(1, int(round(k * span / count))) for k in range(1, count)]


def _search(target_lab, weights, filaments, lo, hi, first, layer, cancel=None) -> tuple[list[int], float]:
    starts = equal_bands(len(filaments), lo, hi)
    best = _cost(target_lab, weights, filaments, starts, lo, hi, first, layer)
    step = max(1, (hi - lo) // 8)
    while step >= 1:
        improved = True
        while improved:
            improved = False
            for k in range(1, len(starts)):
                for move in (-step, step):
                    trial = list(starts)
                    trial[k] += move
                    low = trial[k - 1] + 1 if k > 1 else 2
                    high = trial[k + 1] - 1 if k + 1 < len(trial) else hi
                    if not low <= trial[k] <= high:
                        continue
                    if cancel is not None:
                        cancel()
                    cost = _cost(target_lab, weights, filaments, trial, lo, hi, first, layer)
                    if cost < best - 1e-9:
                        best, starts, improved = cost, trial, True
        step //= 2
    return starts, best


def plan_swaps(rgb: np.ndarray, filaments: list[Filament], base_mm: float, top_mm: float, first_layer_mm: float,
               layer_mm: float, cancel=None) -> SwapPlan:
    """The swap plan and layer counts for (..., 3) sRGB colours in [0, 1], for a relief whose base
    is ``base_mm`` and top at most ``top_mm`` (both snapped to layers)."""
    if not 0.01 <= layer_mm <= 1.0 or not 0.01 <= first_layer_mm <= 1.0:
        raise ImageToPrintError(f"layer heights must be between 0.01 and 1 mm, got {first_layer_mm:g} (first) "
                                f"and {layer_mm:g}")
    lo = max(1, int(round((base_mm - first_layer_mm) / layer_mm)) + 1)
    hi = int(round((top_mm - first_layer_mm) / layer_mm)) + 1
    if hi - lo < len(filaments):
        raise ImageToPrintError(f"{len(filaments)} filaments need at least {len(filaments)} layers above the base; "
                                f"{layer_mm:g} mm layers give {max(hi - lo, 0)} between {base_mm:g} and "
                                f"{top_mm:g} mm: raise the depth or lower the layer height")
    lab = srgb_to_lab(rgb.reshape(-1, 3))
    target, weights = _quantised(lab)
    starts, mean = _search(target, weights, filaments, lo, hi, first_layer_mm, layer_mm, cancel)
    # the naive plan: equal bands, filaments from dark to light
    order = sorted(range(len(filaments)), key=lambda i: float(linear_to_lab(filaments[i].linear)[0]))
    naive_f = [filaments[i] for i in order]
    naive = _cost(target, weights, naive_f, equal_bands(len(filaments), lo, hi), lo, hi, first_layer_mm, layer_mm)
    # every sample at its best layer count for the chosen plan
    colours = linear_to_lab(palette(filaments, starts, hi, first_layer_mm, layer_mm)[lo:hi + 1])
    best = _nearest(lab, colours) + lo
    return SwapPlan(filaments=list(filaments), starts=starts, first_layer_mm=first_layer_mm, layer_mm=layer_mm,
                    layers=best.reshape(rgb.shape[:-1]).astype(np.int32), base_layers=lo, top_layers=hi,
                    delta_e_mean=round(mean, 3), delta_e_naive=round(naive, 3))


def _nearest(lab: np.ndarray, colours: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    out = np.empty(len(lab), np.int64)
    for i in range(0, len(lab), chunk):
        out[i:i + chunk] = delta_e_2000(lab[i:i + chunk, None, :], colours[None, :, :]).argmin(axis=1)
    return out


# --- what the slicers read -------------------------------------------------------------------------------

def prusa_xml(swaps: list[dict]) -> bytes:
    """PrusaSlicer's colour changes (Metadata/Prusa_Slicer_custom_gcode_per_print_z.xml): an M600 at each
    swap's height, single-extruder mode."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<custom_gcodes_per_print_z>"]
    lines += [f'<code print_z="{s["z_mm"]:.6g}" type="0" extruder="1" color="{s["colour"]}" extra="" '
              'gcode="M600"/>' for s in swaps]
    lines += ['<mode value="SingleExtruder"/>', "</custom_gcodes_per_print_z>", ""]
    return "\n".join(lines).encode()


def bambu_xml(swaps: list[dict]) -> bytes:
    """Bambu Studio / OrcaSlicer's colour changes (Metadata/custom_gcode_per_layer.xml). Best effort: Bambu
    Studio reads project metadata only from files it recognises as its own."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<custom_gcodes_per_layer>", "<plate>",
             '<plate_info id="1"/>']
    lines += [f'<layer top_z="{s["z_mm"]:.6g}" type="0" extruder="1" color="{s["colour"].upper()}" extra="" '
              'gcode="M600"/>' for s in swaps]
    lines += ['<mode value="SingleExtruder"/>', "</plate>", "</custom_gcodes_per_layer>", ""]
    return "\n".join(lines).encode()


def swap_table(first: Filament, swaps: list[dict], first_layer_mm: float, layer_mm: float) -> str:
    """The plan as a printer's checklist, for slicers that read neither file."""
    rows = [f"Filament-swap relief: first layer {first_layer_mm:g} mm, then {layer_mm:g} mm layers",
            f"Start with {first.colour} (TD {first.td_mm:g} mm)",
            "", f"{'layer':>5}  {'Z (mm)':>8}  colour    TD (mm)"]
    rows += [f"{s['layer']:>5}  {s['z_mm']:>8.3f}  {s['colour']}  {s['td_mm']:g}" for s in swaps]
    return "\n".join(rows) + "\n"

