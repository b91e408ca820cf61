# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace-and-extrude settings and mode presets: plain data (no numpy), in millimetres."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

MODES = ("PLATE", "KEYCHAIN", "CUTTER", "STAMP", "MULTI")
SOURCES = ("AUTO", "LUMINANCE", "ALPHA", "COLOR")
ENGINES = ("POTRACE", "FAST")
BASE_SHAPES = ("OUTLINE", "RECTANGLE")
HOLE_POSITIONS = ("TOP", "LEFT", "RIGHT", "BOTTOM")


@dataclass
class TraceSettings:
    """Every option of the trace route. Lengths in mm, areas in mm^2."""

    mode: str = "PLATE"
    width_mm: float = 80.0  # width of the traced design itself (its outline's bounding box)
    height_mm: float = 2.0  # how far the design stands up (cutter: blade height)
    base_mm: float = 1.5  # plate under the design; 0 = none
    margin_mm: float = 3.0  # base plate beyond the design
    base_shape: str = "OUTLINE"
    corner_radius_mm: float = 3.0  # rectangle base
    hole_mm: float = 0.0  # keychain hole diameter; 0 = none
    hole_position: str = "TOP"
    ring_mm: float = 2.5  # material around the hole
    bevel_mm: float = 0.0  # rounded top edges of the design
    # binarising
    source: str = "AUTO"
    threshold: float | None = None  # None = automatic (Otsu); ink is darker than this
    invert: bool = False
    background: tuple[float, float, float] | None = None  # COLOR source: picked background colour (sRGB 0..1)
    colour_tolerance: float = 0.2
    speckle_mm2: float = 0.02  # ink pieces smaller than this are dropped
    hole_mm2: float = 0.02  # holes smaller than this are filled
    smooth_mm: float = 0.0  # round jaggies before tracing
    # engine
    engine: str = "POTRACE"
    corner_threshold: float = 1.0  # potrace alphamax: 0 = polygon, 1.334 = no corners
    optimize_tolerance: float = 0.2  # potrace opttolerance in pixels; 0 = no curve optimisation
    # cookie cutter
    wall_mm: float = 1.0
    flange_mm: float = 5.0  # flange width beyond the wall; 0 = none
    flange_thickness_mm: float = 2.0
    imprint: bool = False  # inner outlines as shorter walls on a backing web
    imprint_depth_mm: float = 2.0  # how much shorter than the blade
    # multi-level
    colours: int = 3
    # printability
    nozzle_mm: float = 0.4
    max_megapixels: float = 100.0

    @classmethod
    def from_dict(cls, values: dict) -> TraceSettings:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})

    def to_dict(self) -> dict:
        return asdict(self)


# name -> (label, description, overrides)
TRACE_PRESETS: dict[str, tuple[str, str, dict]] = {
    "plate": ("Plate / Logo", "Raised design, 2 mm, on a 1.5 mm plate following its outline",
              dict(mode="PLATE", width_mm=80.0, height_mm=2.0, base_mm=1.5, margin_mm=3.0, hole_mm=0.0,
                   base_shape="OUTLINE")),
    "keychain": ("Keychain", "40 mm design on a 2 mm plate with a 4 mm keyring hole",
                 dict(mode="KEYCHAIN", width_mm=40.0, height_mm=1.5, base_mm=2.0, margin_mm=2.0, hole_mm=4.0,
                      ring_mm=2.5, base_shape="OUTLINE")),
    "cutter": ("Cookie Cutter", "1 mm wall, 12 mm tall, 5 mm x 2 mm flange",
               dict(mode="CUTTER", width_mm=80.0, height_mm=12.0, wall_mm=1.0, flange_mm=5.0,
                    flange_thickness_mm=2.0, base_mm=0.0, hole_mm=0.0)),
    "stamp": ("Stamp", "Mirrored 2 mm raised design on a 5 mm block",
              dict(mode="STAMP", width_mm=50.0, height_mm=2.0, base_mm=5.0, margin_mm=3.0, base_shape="RECTANGLE",
                   corner_radius_mm=3.0, hole_mm=0.0)),
    "multi": ("Multi-Colour", "3 colours, one object each, at stepped heights on a 1 mm plate",
              dict(mode="MULTI", width_mm=80.0, height_mm=3.0, base_mm=1.0, colours=3, margin_mm=2.0,
                   hole_mm=0.0)),
}

# the mode a CLI --mode selects, with its preset defaults
MODE_PRESET = {"PLATE": "plate", "KEYCHAIN": "keychain", "CUTTER": "cutter", "STAMP": "stamp", "MULTI": "multi"}
