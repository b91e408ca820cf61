# SPDX-License-Identifier: GPL-3.0-or-later
"""Trace-and-extrude settings and mode presets: plain data (no numpy), in millimetres."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from ..limits import CheckDefaults
from ..schema import from_dict, setting

MODES = ("PLATE", "KEYCHAIN", "CUTTER", "STAMP", "MULTI")
SOURCES = ("AUTO", "LUMINANCE", "ALPHA", "COLOR")
ENGINES = ("POTRACE", "FAST")
BASE_SHAPES = ("OUTLINE", "RECTANGLE")
HOLE_POSITIONS = ("TOP", "LEFT", "RIGHT", "BOTTOM")


@dataclass
class TraceSettings:
    """Every option of the trace route. Lengths in mm, areas in mm^2. Each field is the one
    declaration of its setting (``core/schema.py``)."""

    mode: str = setting("PLATE", "Mode", "What to make", flag="", items=(  # --mode picks a preset (cli.py)
        ("PLATE", "Plate / Logo", "Raised design, optionally on a base plate with a keyring hole"),
        ("KEYCHAIN", "Keychain", "Design on a plate following its outline, with a keyring hole"),
        ("CUTTER", "Cookie Cutter", "The outline becomes a thin wall with a flange"),
        ("STAMP", "Stamp", "Mirrored raised design on a block"),
        ("MULTI", "Multi-Colour", "One object per colour, each at its own height")))
    width_mm: float = setting(80.0, "Width", "Width of the traced design itself (its outline), not of the image",
                              unit="mm", min=1.0, soft_max=500.0)
    height_mm: float = setting(2.0, "Height", "How far the design stands up (cookie cutter: blade height)",
                               unit="mm", min=0.05, soft_max=50.0)
    base_mm: float = setting(1.5, "Base", "Plate under the design (0 = none)", unit="mm", min=0.0, soft_max=20.0)
    margin_mm: float = setting(3.0, "Margin", "How far the base plate reaches beyond the design", unit="mm",
                               min=0.0, soft_max=50.0)
    base_shape: str = setting("OUTLINE", "Base Shape", "Shape of the base plate", items=(
        ("OUTLINE", "Outline", "The plate follows the design's outline"),
        ("RECTANGLE", "Rectangle", "A rounded rectangle around the design")))
    corner_radius_mm: float = setting(3.0, "Corner Radius", "Corner radius of a rectangular base", unit="mm",
                                      min=0.0, soft_max=50.0)
    hole_mm: float = setting(0.0, "Hole", "Keyring hole diameter (0 = none)", unit="mm", min=0.0, soft_max=20.0)
    hole_position: str = setting("TOP", "Hole Position", "Where the keyring hole goes", items=(
        ("TOP", "Top", ""), ("LEFT", "Left", ""), ("RIGHT", "Right", ""), ("BOTTOM", "Bottom", "")))
    ring_mm: float = setting(2.5, "Ring", "Material around the keyring hole", unit="mm", min=0.0, soft_max=10.0)
    bevel_mm: float = setting(0.0, "Bevel", "Rounded edges on the design (also rounds its bottom edges)",
                              unit="mm", min=0.0, soft_max=5.0)
    # binarising
    source: str = setting("AUTO", "Ink", "What counts as ink", flag="--ink", items=(
        ("AUTO", "Auto", "Transparency where the image has it, else dark on light"),
        ("LUMINANCE", "Dark on Light", "Pixels darker than the threshold are ink (transparency on white)"),
        ("ALPHA", "Opaque", "Opaque pixels are ink"),
        ("COLOR", "Not Background", "Pixels that differ from the background colour are ink")))
    threshold: float | None = setting(None, "Threshold", "Brightness cutoff: darker pixels are ink", min=0.0,
                                      max=1.0, factor=True, none_default=0.5, flag="",  # --threshold auto|0..1
                                      none_switch=("auto_threshold", "Automatic Threshold",
                                                   "Pick the threshold from the image's histogram (Otsu)", True))
    invert: bool = setting(False, "Invert", "Swap ink and background")
    background: tuple[float, float, float] | None = setting(
        None, "Background", "Background colour to remove (Not Background ink)", colour=True,
        none_default=(1.0, 1.0, 1.0), flag="",  # --background RRGGBB
        none_switch=("pick_background", "Pick Background", "Use the colour below; off: the image border's colour",
                     False))
    colour_tolerance: float = setting(0.2, "Tolerance", "How far a colour may be from the background and still "
                                      "count as background", min=0.0, max=1.0, factor=True)
    speckle_mm2: float = setting(0.02, "Speckles", "Drop ink pieces smaller than this area", unit="mm2", min=0.0,
                                 soft_max=10.0, precision=3)
    hole_mm2: float = setting(0.02, "Fill Holes", "Fill holes smaller than this area", unit="mm2", min=0.0,
                              soft_max=10.0, precision=3, flag="--fill-holes")
    smooth_mm: float = setting(0.0, "Smooth", "Round jaggies and notches smaller than this before tracing",
                               unit="mm", min=0.0, soft_max=5.0)
    # engine
    engine: str = setting("POTRACE", "Engine", "Tracing engine", items=(
        ("POTRACE", "Potrace", "The potrace algorithm: most faithful, fewest curves (default)"),
        ("FAST", "Fast (vtracer)", "vtracer: several times faster, slightly less faithful")))
    corner_threshold: float = setting(1.0, "Corner Angle", "Smooth corners: 0 keeps every corner (polygon), "
                                      "1.334 makes everything round (potrace alphamax)", min=0.0, max=1.3334)
    optimize_tolerance: float = setting(0.2, "Optimize", "Curve optimisation tolerance in pixels (0 = off; potrace "
                                        "opttolerance)", min=0.0, soft_max=2.0, flag="--optimize")
    # cookie cutter
    wall_mm: float = setting(1.0, "Wall", "Cutter wall thickness (0.8 to 1.2 mm cuts cleanly)", unit="mm",
                             min=0.1, soft_max=5.0)
    flange_mm: float = setting(5.0, "Flange", "Flange width beyond the wall (0 = none)", unit="mm", min=0.0,
                               soft_max=20.0)
    flange_thickness_mm: float = setting(2.0, "Flange Height", "Flange thickness", unit="mm", min=0.1,
                                         soft_max=10.0)
    imprint: bool = setting(False, "Imprint", "Cutter: inner outlines as shorter imprint walls on a backing web")
    imprint_depth_mm: float = setting(2.0, "Imprint Depth", "How much shorter the imprint walls are than the blade",
                                      unit="mm", min=0.0, soft_max=20.0)
    # multi-level
    colours: int = setting(3, "Colours", "Multi-colour: number of colours besides the background", min=2, max=8)
    # the printer's nozzle: not a trace setting but the checks' one (core.limits.CheckDefaults)
    nozzle_mm: float = CheckDefaults.nozzle_mm
    max_megapixels: float = setting(100.0, "Max Megapixels", "Refuse larger images before decoding them, 0 = no "
                                    "limit", unit="mp", min=0.0, ui=False)  # in the preferences

    @classmethod
    def from_dict(cls, values: dict) -> TraceSettings:
        return from_dict(cls, values)

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
