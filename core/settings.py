# SPDX-License-Identifier: GPL-3.0-or-later
"""Relief settings and presets: plain data, imported at registration (no numpy).

Each field is the one declaration of its setting (``core/schema.py``): the sidebar,
the operators' Redo panel and the command line are all derived from it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from .schema import from_dict, setting

MODES = ("RELIEF", "LITHOPHANE", "SWAP")
SHAPES = ("FLAT", "CURVED", "CYLINDER", "SPHERE")
LAMP_SHAPES = ("CYLINDER", "SPHERE")  # closed round shades: core.lamp builds them
TRANSLUCENCY_MODELS = ("LINEAR", "BEER_LAMBERT")
ALPHA_MODES = ("BASE", "CUT")


@dataclass
class ReliefSettings:
    """Every user-facing option of the relief route, in millimetres and degrees."""

    mode: str = setting("RELIEF", "Mode", "Relief, lithophane or filament-swap colour relief", flag="", items=(
        ("RELIEF", "Relief", "Grey levels become height on a base plate"),
        ("LITHOPHANE", "Lithophane", "Darker is thicker, between a minimum and maximum thickness"),
        ("SWAP", "Filament Swap", "A colour picture from a few filaments swapped at chosen layers "
         "(HueForge-style): heights on layer boundaries and a swap plan chosen for the image")))
    width_mm: float = setting(100.0, "Width", "Overall width of the plate, frame included", unit="mm", min=1.0,
                              soft_max=500.0)
    sample_mm: float = setting(0.2, "Spacing", "Distance between height samples; about half the nozzle "
                               "width", unit="mm", min=0.01, soft_max=5.0, step=1, precision=3, flag="--sample-mm")
    native_resolution: bool = setting(False, "Native Resolution", "One sample per image pixel instead of the "
                                      "sample spacing", flag="--native")
    base_mm: float = setting(1.0, "Base", "Thickness of the plate under the relief", unit="mm", min=0.01,
                             soft_max=20.0)
    depth_mm: float = setting(2.5, "Depth", "Height of the relief above the base", unit="mm", min=0.01,
                              soft_max=50.0)
    lighter_is_higher: bool = setting(False, "Lighter Is Higher", "Light pixels are raised")
    min_thickness_mm: float = setting(0.8, "Min Thickness", "Lithophane: thinnest wall, where the image is white",
                                      unit="mm", min=0.01, soft_max=10.0)
    max_thickness_mm: float = setting(3.0, "Max Thickness", "Lithophane: thickest wall, where the image is black",
                                      unit="mm", min=0.02, soft_max=20.0)
    translucency: str = setting("LINEAR", "Model", "Lithophane thickness model", flag="--translucency",
                                flag_value="BEER_LAMBERT",
                                flag_help="lithophane: Beer-Lambert thickness model instead of linear", items=(
                                    ("LINEAR", "Linear", "Thickness proportional to darkness"),
                                    ("BEER_LAMBERT", "Translucency", "Beer-Lambert: transmitted light "
                                     "proportional to luminance (Cura's translucency model)")))
    transmittance_1mm: float = setting(0.5, "Transmittance", "Lithophane: fraction of light 1 mm of the "
                                       "filament lets through", min=0.01, max=0.99, factor=True,
                                       flag="--transmittance")
    filaments: str = setting("#202020:0.6,#c0392b:1.2,#f1c40f:2.0,#f5f5f5:4.0", "Filaments",
                             "Filament swap: the filaments from the bottom up, each #rrggbb:TD (its colour and "
                             "transmission distance in mm, the thickness through which the colour beneath stops "
                             "showing), comma-separated")
    layer_height_mm: float = setting(0.08, "Layer Height", "Filament swap: the slicer's layer height; heights and "
                                     "swaps sit on its layers", unit="mm", min=0.01, max=1.0, step=1, precision=3,
                                     flag="--layer-height")
    first_layer_mm: float = setting(0.16, "First Layer", "Filament swap: the slicer's first layer height",
                                    unit="mm", min=0.01, max=1.0, step=1, precision=3, flag="--first-layer")
    filament_library: str = setting("", "My Filaments", "The user's own filaments, Name=#rrggbb:TD separated by "
                                    "semicolons, whose names may stand in Filaments", flag="",
                                    ui=False)  # in the preferences
    alpha_mode: str = setting("BASE", "Transparency", "What transparent pixels become", flag="--alpha",
                              items=(("BASE", "Keep at Base", "Transparent pixels stay at base height"),
                                     ("CUT", "Cut Out", "Transparent pixels are cut out; the outline follows the "
                                      "alpha mask")))
    black_point: float = setting(0.0, "Black Point", "Grey level mapped to black (levels)", min=0.0, max=1.0,
                                 factor=True, flag="")  # --levels BLACK WHITE (cli.py)
    white_point: float = setting(1.0, "White Point", "Grey level mapped to white (levels)", min=0.0, max=1.0,
                                 factor=True, flag="")
    gamma: float = setting(1.0, "Gamma", "Above 1 lifts mid-tones, below 1 darkens them", min=0.05, soft_max=5.0)
    smoothing: float = setting(1.0, "Smoothing", "Edge-preserving noise reduction radius in samples (0 = off)",
                               min=0.0, soft_max=5.0)
    invert: bool = setting(False, "Invert", "Invert the grey levels")
    frame_width_mm: float = setting(0.0, "Frame Width", "Width of a border around the image (0 = none)",
                                    unit="mm", min=0.0, soft_max=50.0, flag="--frame")
    frame_height_mm: float = setting(0.0, "Frame Height", "Total height of the border (0 = top of the relief)",
                                     unit="mm", min=0.0, soft_max=50.0)
    hole_diameter_mm: float = setting(0.0, "Hanging Hole", "Diameter of a hole in a tab above the top edge "
                                      "(0 = none)", unit="mm", min=0.0, soft_max=20.0, flag="--hole")
    shape: str = setting("FLAT", "Shape", "What the relief is made on", items=(
        ("FLAT", "Flat", "A flat plate"),
        ("CURVED", "Curved", "A plate bent on an arc of Curve Angle, printed standing"),
        ("CYLINDER", "Cylinder", "A lampshade: the image wrapped once round a cylinder, printed standing"),
        ("SPHERE", "Sphere", "A lamp globe: the image over a sphere (equirectangular), with an opening at the "
         "bottom for the light and a flat ring to stand on")))
    curve_angle_deg: float = setting(0.0, "Curve Angle", "Curved: the arc the plate is bent on (a flat shape with "
                                     "an angle above 0 is curved too); curved plates are stood up for printing",
                                     unit="deg", min=0.0, max=180.0, flag="--curve")
    diameter_mm: float = setting(80.0, "Diameter", "Cylinder and sphere: outside diameter, at the thickest",
                                 unit="mm", min=5.0, soft_max=300.0)
    height_mm: float = setting(0.0, "Height", "Cylinder: overall height, rims included (0 = from the image's "
                               "aspect ratio)", unit="mm", min=0.0, soft_max=300.0)
    rim_mm: float = setting(3.0, "Rim", "Cylinder: a solid band at the top and the bottom; sphere: a solid band "
                            "round the opening (0 = none)", unit="mm", min=0.0, soft_max=20.0)
    lip_diameter_mm: float = setting(0.0, "LED Lip", "Cylinder: inner diameter of a ledge inside the bottom that "
                                     "rests on a round LED puck light (0 = none)", unit="mm", min=0.0,
                                     soft_max=200.0, flag="--lip")
    lip_height_mm: float = setting(2.0, "Lip Height", "Cylinder: how tall the LED ledge is", unit="mm", min=0.2,
                                   soft_max=10.0)
    opening_mm: float = setting(40.0, "Opening", "Sphere: diameter of the opening at the bottom, for the light",
                                unit="mm", min=1.0, soft_max=200.0)
    inside_view: bool = setting(False, "Read From Inside", "Curved, cylinder and sphere: the image reads the right "
                                "way round from the concave side (the viewer inside, the light outside)",
                                flag="--inside")
    adaptive: bool = setting(False, "Adaptive", "Fewer triangles where the image is flat, within a maximum error")
    max_error_mm: float = setting(0.02, "Max Error", "Adaptive: largest height deviation it may introduce",
                                  unit="mm", min=0.0001, soft_max=0.5, step=0.1, precision=3)
    max_megapixels: float = setting(100.0, "Max Megapixels", "Refuse larger images before decoding them, 0 = no "
                                    "limit", unit="mp", min=0.0, ui=False)  # in the preferences

    @classmethod
    def from_dict(cls, values: dict) -> ReliefSettings:
        return from_dict(cls, values)

    def to_dict(self) -> dict:
        return asdict(self)


# name -> (label, description, overrides)
PRESETS: dict[str, tuple[str, str, dict]] = {
    "relief": ("Relief", "Darker is higher, on a flat base",
               dict(mode="RELIEF", lighter_is_higher=False, curve_angle_deg=0.0, shape="FLAT")),
    "relief-lighter": ("Relief, Lighter Is Higher", "Lighter is higher: height maps and depth maps",
                       dict(mode="RELIEF", lighter_is_higher=True, curve_angle_deg=0.0, shape="FLAT")),
    "lithophane": ("Lithophane", "Flat lithophane, 0.8 to 3.0 mm, darker is thicker",
                   dict(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0, curve_angle_deg=0.0,
                        shape="FLAT")),
    "curved-lithophane": ("Curved Lithophane", "Lithophane bent on a 120 degree arc, printed standing",
                          dict(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0,
                               curve_angle_deg=120.0, shape="CURVED")),
    "filament-swap": ("Filament Swap", "Colour relief from swapped filaments: 0.48 mm base, 1.6 mm of layers",
                      dict(mode="SWAP", base_mm=0.48, depth_mm=1.6, shape="FLAT", curve_angle_deg=0.0)),
    "cylinder-lamp": ("Cylinder Lampshade", "Lithophane wrapped round an 80 mm cylinder, with rims",
                      dict(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0, shape="CYLINDER")),
    "sphere-lamp": ("Sphere Lamp", "Lithophane over an 80 mm sphere, with a 40 mm opening for the light",
                    dict(mode="LITHOPHANE", min_thickness_mm=0.8, max_thickness_mm=3.0, shape="SPHERE")),
}
