# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings: one PropertyGroup on Scene (per file), AddonPreferences (global).

Lengths are plain floats in millimetres, not ``subtype='DISTANCE'``: a
distance property stores Blender units, so its default (say 100 mm) would
be wrong in every scene whose unit scale is not 1 m per unit.  Millimetres
are what a printer and its user think in, whatever the scene's units.
"""

import math

import bpy
from bpy.props import (
    BoolProperty,
    EnumProperty,
    FloatProperty,
    FloatVectorProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from .core.settings import CheckDefaults, ReliefSettings
from .core.trace.settings import TRACE_PRESETS, TraceSettings

_DEFAULTS = ReliefSettings()
_CHECK_DEFAULTS = CheckDefaults()
_TRACE = TraceSettings()


def _mm(name, description, default, min=0.0, soft_max=500.0, step=10, precision=2):
    return FloatProperty(name=name, description=description + " (mm)", default=default, min=min,
                         soft_max=soft_max, step=step, precision=precision)


class ReliefProperties:
    """Relief options shared by the operator (Redo panel, presets) and the Scene settings."""

    mode: EnumProperty(
        name="Mode",
        items=(("RELIEF", "Relief", "Grey levels become height on a base plate"),
               ("LITHOPHANE", "Lithophane", "Darker is thicker, between a minimum and maximum thickness")),
        default=_DEFAULTS.mode)
    width_mm: _mm("Width", "Overall width of the plate, frame included", _DEFAULTS.width_mm, min=1.0)
    sample_mm: _mm("Sample Spacing", "Distance between height samples; about half the nozzle width",
                   _DEFAULTS.sample_mm, min=0.01, soft_max=5.0, step=1, precision=3)
    native_resolution: BoolProperty(name="One Sample per Pixel",
                                    description="Use the image's own resolution instead of the sample spacing",
                                    default=_DEFAULTS.native_resolution)
    base_mm: _mm("Base", "Thickness of the plate under the relief", _DEFAULTS.base_mm, min=0.01, soft_max=20.0)
    depth_mm: _mm("Depth", "Height of the relief above the base", _DEFAULTS.depth_mm, min=0.01, soft_max=50.0)
    lighter_is_higher: BoolProperty(name="Lighter Is Higher", description="Light pixels are raised",
                                    default=_DEFAULTS.lighter_is_higher)
    min_thickness_mm: _mm("Min Thickness", "Thinnest wall, where the image is white",
                          _DEFAULTS.min_thickness_mm, min=0.01, soft_max=10.0)
    max_thickness_mm: _mm("Max Thickness", "Thickest wall, where the image is black",
                          _DEFAULTS.max_thickness_mm, min=0.02, soft_max=20.0)
    translucency: EnumProperty(
        name="Model",
        items=(("LINEAR", "Linear", "Thickness proportional to darkness"),
               ("BEER_LAMBERT", "Translucency", "Beer-Lambert: transmitted light proportional to luminance "
                                               "(Cura's translucency model)")),
        default=_DEFAULTS.translucency)
    transmittance_1mm: FloatProperty(name="Transmittance per mm",
                                     description="Fraction of light 1 mm of the filament lets through",
                                     default=_DEFAULTS.transmittance_1mm, min=0.01, max=0.99, subtype='FACTOR')
    alpha_mode: EnumProperty(
        name="Transparent Pixels",
        items=(("BASE", "Keep at Base", "Transparent pixels stay at base height"),
               ("CUT", "Cut Out", "Transparent pixels are cut out; the outline follows the alpha mask")),
        default=_DEFAULTS.alpha_mode)
    black_point: FloatProperty(name="Black Point", default=_DEFAULTS.black_point, min=0.0, max=1.0,
                               subtype='FACTOR', description="Grey level mapped to black (levels)")
    white_point: FloatProperty(name="White Point", default=_DEFAULTS.white_point, min=0.0, max=1.0,
                               subtype='FACTOR', description="Grey level mapped to white (levels)")
    gamma: FloatProperty(name="Gamma", default=_DEFAULTS.gamma, min=0.05, soft_max=5.0,
                         description="Above 1 lifts mid-tones, below 1 darkens them")
    smoothing: FloatProperty(name="Smoothing", default=_DEFAULTS.smoothing, min=0.0, soft_max=5.0,
                             description="Edge-preserving noise reduction radius in samples (0 = off)")
    invert: BoolProperty(name="Invert", default=_DEFAULTS.invert, description="Invert the grey levels")
    frame_width_mm: _mm("Frame Width", "Width of a border around the image (0 = none)",
                        _DEFAULTS.frame_width_mm, soft_max=50.0)
    frame_height_mm: _mm("Frame Height", "Total height of the border (0 = top of the relief)",
                         _DEFAULTS.frame_height_mm, soft_max=50.0)
    hole_diameter_mm: _mm("Hanging Hole", "Diameter of a hole in a tab above the top edge (0 = none)",
                          _DEFAULTS.hole_diameter_mm, soft_max=20.0)
    curve_angle: FloatProperty(name="Curve Angle", description="Bend the plate on an arc (0 = flat); "
                               "curved plates are stood up for printing",
                               default=math.radians(_DEFAULTS.curve_angle_deg), min=0.0, max=math.pi,
                               subtype='ANGLE')
    adaptive: BoolProperty(name="Adaptive", default=_DEFAULTS.adaptive,
                           description="Fewer triangles where the image is flat, within a maximum error")
    max_error_mm: _mm("Max Error", "Largest height deviation adaptive mode may introduce",
                      _DEFAULTS.max_error_mm, min=0.0001, soft_max=0.5, step=0.1, precision=3)


BACKEND_ITEMS = (
    ('builtin', "Built-in (geometric)", "Inflate the outline and add the image's shading: not AI, offline, no model"),
    ('onnx', "Depth Model (ONNX)", "A local depth model (Depth Anything V2 Small, Apache-2.0): offline"),
    ('hunyuan', "Hunyuan3D-2 Server", "Your own Hunyuan3D-2 API server (Tencent community licence)"),
    ('tripo', "Tripo API", "Tripo's cloud service with your API key (needs online access)"),
)


class AIProperties:
    """Options shared by the AI Mesh operator (Redo panel) and the sidebar settings."""

    backend: EnumProperty(name="Backend", items=BACKEND_ITEMS, default='builtin')
    size_mm: FloatProperty(name="Size", default=80.0, min=1.0, soft_max=500.0,
                           description="Largest dimension of the result (mm)")
    flat_back: BoolProperty(name="Flat Back", default=True,
                            description="A flat back that lies on the bed (off: mirrored front and back)")
    wall_mm: FloatProperty(name="Min Thickness", default=1.2, min=0.1, soft_max=10.0,
                           description="Thinnest the object may be anywhere, at its outline too (mm)")
    inflation: FloatProperty(name="Inflation", default=0.6, min=0.0, soft_max=2.0,
                             description="How far the shape bulges, relative to its half-width")
    detail_mm: FloatProperty(name="Shading Detail", default=0.6, min=0.0, soft_max=5.0,
                             description="Relief from the image's shading, built-in backend (mm)")
    depth_mm: FloatProperty(name="Depth Detail", default=4.0, min=0.0, soft_max=30.0,
                            description="How far the nearest point stands out, depth-model backend (mm)")
    resolution: IntProperty(name="Resolution", default=320, min=16, max=2048,
                            description="Samples along the longest side")


TRACE_MODE_ITEMS = (
    ('PLATE', "Plate / Logo", "Raised design, optionally on a base plate with a keyring hole"),
    ('KEYCHAIN', "Keychain", "Design on a plate following its outline, with a keyring hole"),
    ('CUTTER', "Cookie Cutter", "The outline becomes a thin wall with a flange"),
    ('STAMP', "Stamp", "Mirrored raised design on a block"),
    ('MULTI', "Multi-Colour", "One object per colour, each at its own height"),
)


class TraceProperties:
    """Trace-and-extrude options (prefixed: they share the Scene settings with the other routes)."""

    trace_mode: EnumProperty(name="Mode", items=TRACE_MODE_ITEMS, default=_TRACE.mode)
    trace_width_mm: _mm("Width", "Width of the traced design itself (its outline), not of the image",
                        _TRACE.width_mm, min=1.0)
    trace_height_mm: _mm("Height", "How far the design stands up (cookie cutter: blade height)",
                         _TRACE.height_mm, min=0.05, soft_max=50.0)
    trace_base_mm: _mm("Base", "Plate under the design (0 = none)", _TRACE.base_mm, soft_max=20.0)
    trace_margin_mm: _mm("Margin", "How far the base plate reaches beyond the design", _TRACE.margin_mm,
                         soft_max=50.0)
    trace_base_shape: EnumProperty(name="Base Shape", default=_TRACE.base_shape, items=(
        ('OUTLINE', "Outline", "The plate follows the design's outline"),
        ('RECTANGLE', "Rectangle", "A rounded rectangle around the design")))
    trace_corner_radius_mm: _mm("Corner Radius", "Corner radius of a rectangular base", _TRACE.corner_radius_mm,
                                soft_max=50.0)
    trace_hole_mm: _mm("Hole", "Keyring hole diameter (0 = none)", _TRACE.hole_mm, soft_max=20.0)
    trace_hole_position: EnumProperty(name="Hole Position", default=_TRACE.hole_position, items=(
        ('TOP', "Top", ""), ('LEFT', "Left", ""), ('RIGHT', "Right", ""), ('BOTTOM', "Bottom", "")))
    trace_ring_mm: _mm("Ring", "Material around the keyring hole", _TRACE.ring_mm, soft_max=10.0)
    trace_bevel_mm: _mm("Bevel", "Rounded edges on the design (also rounds its bottom edges)", _TRACE.bevel_mm,
                        soft_max=5.0)
    trace_source: EnumProperty(name="Ink", default=_TRACE.source, items=(
        ('AUTO', "Auto", "Transparency where the image has it, else dark on light"),
        ('LUMINANCE', "Dark on Light", "Pixels darker than the threshold are ink (transparency on white)"),
        ('ALPHA', "Opaque", "Opaque pixels are ink"),
        ('COLOR', "Not Background", "Pixels that differ from the background colour are ink")))
    trace_auto_threshold: BoolProperty(name="Automatic Threshold", default=True,
                                       description="Pick the threshold from the image's histogram (Otsu)")
    trace_threshold: FloatProperty(name="Threshold", default=0.5, min=0.0, max=1.0, subtype='FACTOR',
                                   description="Brightness cutoff: darker pixels are ink")
    trace_invert: BoolProperty(name="Invert", default=_TRACE.invert, description="Swap ink and background")
    trace_background: FloatVectorProperty(name="Background", size=3, subtype='COLOR_GAMMA', min=0.0, max=1.0,
                                          default=(1.0, 1.0, 1.0),
                                          description="Background colour to remove (Not Background ink)")
    trace_pick_background: BoolProperty(name="Pick Background", default=False,
                                        description="Use the colour above; off: the image border's colour")
    trace_colour_tolerance: FloatProperty(name="Tolerance", default=_TRACE.colour_tolerance, min=0.0, max=1.0,
                                          subtype='FACTOR', description="How far a colour may be from the "
                                          "background and still count as background")
    trace_speckle_mm2: FloatProperty(name="Speckles", default=_TRACE.speckle_mm2, min=0.0, soft_max=10.0,
                                     precision=3, description="Drop ink pieces smaller than this area (mm²)")
    trace_hole_mm2: FloatProperty(name="Fill Holes", default=_TRACE.hole_mm2, min=0.0, soft_max=10.0, precision=3,
                                  description="Fill holes smaller than this area (mm²)")
    trace_smooth_mm: _mm("Smooth", "Round jaggies and notches smaller than this before tracing",
                         _TRACE.smooth_mm, soft_max=5.0)
    trace_engine: EnumProperty(name="Engine", default=_TRACE.engine, items=(
        ('POTRACE', "Potrace", "The potrace algorithm: most faithful, fewest curves (default)"),
        ('FAST', "Fast (vtracer)", "vtracer: several times faster, slightly less faithful")))
    trace_corner_threshold: FloatProperty(name="Corner Threshold", default=_TRACE.corner_threshold, min=0.0,
                                          max=1.3334, description="Smooth corners: 0 keeps every corner "
                                          "(polygon), 1.334 makes everything round (potrace alphamax)")
    trace_optimize_tolerance: FloatProperty(name="Optimize", default=_TRACE.optimize_tolerance, min=0.0,
                                            soft_max=2.0, description="Curve optimisation tolerance in pixels "
                                            "(0 = off; potrace opttolerance)")
    trace_wall_mm: _mm("Wall", "Cutter wall thickness (0.8 to 1.2 mm cuts cleanly)", _TRACE.wall_mm, min=0.1,
                       soft_max=5.0)
    trace_flange_mm: _mm("Flange", "Flange width beyond the wall (0 = none)", _TRACE.flange_mm, soft_max=20.0)
    trace_flange_thickness_mm: _mm("Flange Thickness", "Flange thickness", _TRACE.flange_thickness_mm,
                                   min=0.1, soft_max=10.0)
    trace_imprint: BoolProperty(name="Imprint", default=_TRACE.imprint,
                                description="Inner outlines as shorter imprint walls on a backing web")
    trace_imprint_depth_mm: _mm("Imprint Depth", "How much shorter the imprint walls are than the blade",
                                _TRACE.imprint_depth_mm, soft_max=20.0)
    trace_colours: IntProperty(name="Colours", default=_TRACE.colours, min=2, max=8,
                               description="Number of colours besides the background")
    trace_nozzle_mm: _mm("Nozzle", "Nozzle width: features under twice this are flagged", _TRACE.nozzle_mm,
                         min=0.05, soft_max=2.0)


# Module functions, not methods: a Python method on a registered PropertyGroup
# makes the bpy 4.2 module crash at interpreter exit.
def relief_settings(props) -> ReliefSettings:
    """The core settings from an operator's or the Scene's relief properties."""
    values = {name: getattr(props, name) for name in ReliefSettings.__dataclass_fields__ if hasattr(props, name)}
    values["curve_angle_deg"] = math.degrees(props.curve_angle)
    return ReliefSettings.from_dict(values)


def copy_relief_settings(target, source) -> None:
    for name in ReliefProperties.__annotations__:
        setattr(target, name, getattr(source, name))


def trace_settings(props) -> TraceSettings:
    """The core settings from an operator's or the Scene's trace properties."""
    values = {name: getattr(props, "trace_" + name) for name in TraceSettings.__dataclass_fields__
              if hasattr(props, "trace_" + name)}
    values["threshold"] = None if props.trace_auto_threshold else props.trace_threshold
    values["background"] = tuple(props.trace_background) if props.trace_pick_background else None
    return TraceSettings.from_dict(values)


def copy_trace_settings(target, source) -> None:
    for name in TraceProperties.__annotations__:
        value = getattr(source, name)
        setattr(target, name, tuple(value) if name == "trace_background" else value)


def apply_trace_preset(props, preset: str) -> None:
    """Set a mode preset's values (TRACE_PRESETS) on operator or Scene properties."""
    for name, value in TRACE_PRESETS[preset][2].items():
        setattr(props, "trace_" + name, value)


class IMAGE_TO_PRINT_PG_settings(ReliefProperties, AIProperties, TraceProperties, bpy.types.PropertyGroup):
    """Per-file settings of the sidebar panels (``Scene.image_to_print``)."""

    image_path: StringProperty(name="Image", description="Image to turn into a relief", subtype='FILE_PATH')
    ai_image_path: StringProperty(name="Image", description="Image to infer a 3D object from", subtype='FILE_PATH')
    trace_image_path: StringProperty(name="Image", description="Logo or line art to trace", subtype='FILE_PATH')
    trace_preview: BoolProperty(name="Preview", default=True,
                                description="Show the binarised image (what will be traced) in the panel")

    # print-check limits (mm and degrees; defaults documented in core/checks.py)
    check_zero_mm: FloatProperty(name="Degenerate", default=_CHECK_DEFAULTS.zero_mm, min=0.0, soft_max=0.1,
                                 precision=4, description="Faces with area below this squared, and edges "
                                 "shorter than this, are degenerate (mm)")
    check_nonplanar: FloatProperty(name="Non-Planar", default=math.radians(_CHECK_DEFAULTS.nonplanar_deg),
                                   min=0.0, max=math.pi, subtype='ANGLE',
                                   description="Faces bent more than this are non-planar")
    check_sharp: FloatProperty(name="Sharp Edge", default=math.radians(_CHECK_DEFAULTS.sharp_deg), min=0.0,
                               max=math.pi, subtype='ANGLE', description="Convex edges sharper than this")
    check_overhang: FloatProperty(name="Overhang", default=math.radians(_CHECK_DEFAULTS.overhang_deg), min=0.0,
                                  max=math.pi / 2, subtype='ANGLE',
                                  description="Downward faces flatter than this need support")
    check_min_thickness_mm: FloatProperty(name="Min Wall", default=_CHECK_DEFAULTS.min_thickness_mm, min=0.0,
                                          soft_max=10.0, description="Walls thinner than this are thin (mm)")
    nozzle_mm: FloatProperty(name="Nozzle", default=_CHECK_DEFAULTS.nozzle_mm, min=0.01, soft_max=2.0,
                             description="Nozzle width: walls narrower than this cannot be printed (mm)")
    build_volume_mm: FloatVectorProperty(name="Build Volume", size=3, default=_CHECK_DEFAULTS.build_volume_mm,
                                         min=1.0, description="Printer build volume X, Y, Z (mm)")
    density_g_cm3: FloatProperty(name="Density", default=_CHECK_DEFAULTS.density_g_cm3, min=0.01, soft_max=10.0,
                                 description="Material density for the mass estimate (g/cm³; PLA 1.24)")


class IMAGE_TO_PRINT_AP_preferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    max_megapixels: FloatProperty(
        name="Max Megapixels", default=_DEFAULTS.max_megapixels, min=0.0,
        description="Refuse images larger than this before decoding them (decompression-bomb guard, 0 = no limit)")

    depth_model: EnumProperty(
        name="Depth Model",
        items=(("depth-anything-v2-small", "Depth Anything V2 Small", "Apache-2.0; 518 px input"),
               ("midas-v2.1-small", "MiDaS v2.1 Small", "MIT; 256 px input")),
        description="Which model the file below is (sets its pre- and post-processing)")
    depth_model_path: StringProperty(name="Model File", subtype='FILE_PATH',
                                     description="The depth model's .onnx file")
    hunyuan_url: StringProperty(name="Hunyuan3D-2 Server", default="http://127.0.0.1:8081",
                                description="Address of your Hunyuan3D-2 API server (api_server.py)")
    tripo_api_key: StringProperty(name="Tripo API Key", subtype='PASSWORD', options={'SKIP_SAVE'},
                                  description="Kept in the preferences, never in .blend files; "
                                  "the TRIPO_API_KEY environment variable takes precedence")

    def draw(self, _context):
        layout = self.layout
        layout.use_property_split = True
        layout.prop(self, "max_megapixels")
        layout.separator()
        layout.prop(self, "depth_model")
        layout.prop(self, "depth_model_path")
        layout.operator("image_to_print.download_model", icon='IMPORT')
        layout.label(text="Depth Anything V2 Small: Apache-2.0. MiDaS v2.1 small: MIT.", icon='INFO')
        layout.prop(self, "hunyuan_url")
        layout.label(text="Hunyuan3D-2: Tencent community licence (not for the EU, UK, South Korea).", icon='INFO')
        layout.prop(self, "tripo_api_key")


def preferences(context=None):
    """This extension's preferences, or None where it is not enabled as an add-on."""
    context = context or bpy.context
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon else None


def register_properties():
    bpy.types.Scene.image_to_print = PointerProperty(  # type: ignore[attr-defined]  # an RNA property
        type=IMAGE_TO_PRINT_PG_settings)
    # transient UI state (not saved): progress of a running check
    bpy.types.WindowManager.image_to_print_task = StringProperty(  # type: ignore[attr-defined]
        options={'SKIP_SAVE'})
    bpy.types.WindowManager.image_to_print_progress = FloatProperty(  # type: ignore[attr-defined]
        min=0.0, max=1.0, subtype='FACTOR', options={'SKIP_SAVE'})


def unregister_properties():
    del bpy.types.WindowManager.image_to_print_progress  # type: ignore[attr-defined]
    del bpy.types.WindowManager.image_to_print_task  # type: ignore[attr-defined]
    del bpy.types.Scene.image_to_print  # type: ignore[attr-defined]
