# SPDX-License-Identifier: GPL-3.0-or-later
"""Relief settings and presets: plain data, imported at registration (no numpy)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MODES = ("RELIEF", "LITHOPHANE")
TRANSLUCENCY_MODELS = ("LINEAR", "BEER_LAMBERT")
ALPHA_MODES = ("BASE", "CUT")


@dataclass
class ReliefSettings:
    """Every user-facing option of the relief route, in millimetres and degrees."""

    mode: str = "RELIEF"
    width_mm: float = 100.0
    sample_mm: float = 0.2
    native_resolution: bool = False
    base_mm: float = 1.0
    depth_mm: float = 2.5
    lighter_is_higher: bool = False
    min_thickness_mm: float = 0.8
    max_thickness_mm: float = 3.0
    translucency: str = "LINEAR"
    transmittance_1mm: float = 0.5
    alpha_mode: str = "BASE"
    black_point: float = 0.0
    white_point: float = 1.0
    gamma: float = 1.0
    smoothing: float = 1.0
    invert: bool = False
    frame_width_mm: float = 0.0
    frame_height_mm: float = 0.0
    hole_diameter_mm: float = 0.0
    curve_angle_deg: float = 0.0
    adaptive: bool = False
    max_error_mm: float = 0.02
    max_megapixels: float = 100.0

    @classmethod
    def from_dict(cls, values: dict) -> ReliefSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def to_dict(self) -> dict:
        return asdict(self)


# name -> (label, description, overrides)
PRESETS: dict[str, tuple[str, str, dict]] = {
    "relief": ("Relief", "Darker is higher, on a flat base",
               dict(mode="RELIEF", lighter_is_higher=False, curve_angle_deg=0.0)),
    "relief-lighter": ("Relief, Lighter Is Higher", "Lighter is higher: height maps and depth maps",
                       dict(mode="RELIEF", lighter_is_higher=True, curve_angle_deg=0.0)),
    "lithophane": ("Lithophane", "Flat lithophane, 0.8 to 3.0 mm, darker is thicker",
                   dict(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0, curve_angle_deg=0.0)),
    "curved-lithophane": ("Curved Lithophane", "Lithophane bent on a 120 degree arc, printed standing",
                          dict(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0,
                               curve_angle_deg=120.0)),
}


@dataclass
class CheckDefaults:
    """Print-check limits in mm and degrees (Scene settings, CLI flags); ``core.checks.Thresholds``."""

    zero_mm: float = 0.001
    nonplanar_deg: float = 5.0
    sharp_deg: float = 160.0
    overhang_deg: float = 45.0
    min_thickness_mm: float = 0.8  # 2 x a 0.4 mm nozzle
    nozzle_mm: float = 0.4
    build_volume_mm: tuple[float, float, float] = (256.0, 256.0, 256.0)
    density_g_cm3: float = 1.24  # PLA

    def to_dict(self) -> dict:
        d = asdict(self)
        d["build_volume_mm"] = list(self.build_volume_mm)
        return d
