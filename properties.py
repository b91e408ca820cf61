# SPDX-License-Identifier: GPL-3.0-or-later
"""Settings: one PropertyGroup per route under ``Scene.image_to_print`` (per file), AddonPreferences (global).

Every property of a route is derived from its settings dataclass in ``core``, where
each setting is declared once (``core/schema.py``): label, help, unit, range, default.

Lengths are plain floats in millimetres, not ``subtype='DISTANCE'``: a
distance property stores Blender units, so its default (say 100 mm) would
be wrong in every scene whose unit scale is not 1 m per unit.  Millimetres
are what a printer and its user think in, whatever the scene's units.
They carry Blender's camera unit, which is millimetres and never scaled by
the scene, so a field reads "100 mm" and accepts "1 cm" (in a scene whose
unit system is None, Blender shows bare numbers: the panels then say mm).
"""

import math
from typing import Any

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    FloatVectorProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from .core import schema
from .core.ai.settings import AISettings
from .core.limits import CheckDefaults
from .core.schema import Setting, settings_of
from .core.settings import ReliefSettings
from .core.trace.settings import TraceSettings

_DEFAULTS = ReliefSettings()


def _prop(s: Setting):
    """The Blender property for one declared setting (``core/schema.py``)."""
    spec = s.spec
    common: dict[str, Any] = {"name": spec.label, "description": s.describe()}
    limits: dict[str, Any] = {key: value for key, value in
                              (("min", spec.min), ("max", s.max), ("soft_max", spec.soft_max)) if value is not None}
    default = s.default if s.default is not None else spec.none_default
    kind = s.kind
    if kind == "enum":
        return EnumProperty(items=spec.items, default=default, **common)
    if kind == "bool":
        return BoolProperty(default=default, **common)
    if kind == "int":
        ints: dict[str, Any] = {k: int(v) for k, v in limits.items()}
        return IntProperty(default=default, **ints, **common)
    if kind == "str":
        return StringProperty(default=default, subtype='FILE_PATH' if spec.path else 'NONE', **common)
    if kind == "colour":
        return FloatVectorProperty(size=3, subtype='COLOR_GAMMA', min=0.0, max=1.0, default=default, **common)
    # Millimetres shown as "100 mm" in every scene that has units, whatever its unit scale: Blender's
    # camera unit (a lens's focal length) is millimetres, never scaled. The value stays plain mm.
    mm: dict[str, Any] = {"subtype": 'DISTANCE_CAMERA', "unit": 'CAMERA'} if spec.unit == "mm" else {}
    if kind == "vector":
        vector: dict[str, Any] = {"subtype": 'XYZ', "unit": 'CAMERA'} if mm else {}
        return FloatVectorProperty(size=len(default), default=default, **limits, **vector, **common)
    if spec.unit == "deg":  # radians in Blender, shown in degrees
        radians: dict[str, Any] = {k: math.radians(v) for k, v in limits.items()}
        return FloatProperty(default=math.radians(default), subtype='ANGLE', **radians, **common)
    extra: dict[str, Any] = {}
    if spec.step is not None:
        extra["step"] = spec.step
    if spec.precision is not None:
        extra["precision"] = spec.precision
    elif spec.unit == "mm":
        extra["precision"] = 2
    if spec.factor:
        extra["subtype"] = 'FACTOR'
    return FloatProperty(default=default, **limits, **extra, **mm, **common)


def _annotations(cls) -> dict:
    """Blender properties for every UI setting of a route's settings dataclass (and the switches
    of its "automatic" settings)."""
    props: dict[str, Any] = {}
    for s in settings_of(cls):
        if not s.spec.ui:
            continue
        if s.spec.none_switch:
            switch, label, help_text, means_none = s.spec.none_switch
            props[switch] = BoolProperty(name=label, description=help_text, default=(s.default is None) == means_none)
        props[s.prop_name] = _prop(s)
    return props


def _mixin(name: str, cls):
    return type(name, (), {"__annotations__": _annotations(cls), "__doc__": f"{cls.__name__}, as Blender properties"})


# Mixins shared by each route's operator (Redo panel, presets) and its sidebar group.
ReliefProperties: Any = _mixin("ReliefProperties", ReliefSettings)
TraceProperties: Any = _mixin("TraceProperties", TraceSettings)
AIProperties: Any = _mixin("AIProperties", AISettings)
CheckProperties: Any = _mixin("CheckProperties", CheckDefaults)


# Module functions, not methods: a Python method on a registered PropertyGroup
# makes the bpy 4.2 module crash at interpreter exit.
def settings_from(props, cls, **overrides):
    """The core settings (``cls``) from an operator's or the sidebar's properties."""
    values: dict[str, Any] = {}
    for s in settings_of(cls):
        if not s.spec.ui:
            continue
        value = getattr(props, s.prop_name)
        if s.spec.none_switch and getattr(props, s.spec.none_switch[0]) == s.spec.none_switch[3]:
            value = None
        elif s.spec.unit == "deg":
            value = math.degrees(value)
        elif s.kind in ("colour", "vector"):
            value = tuple(value)
        values[s.name] = value
    values.update(overrides)
    return schema.from_dict(cls, values)


def copy_settings(target, source, cls) -> None:
    """Copy every property a route's settings make from ``source`` to ``target``."""
    for name in _annotations(cls):
        value = getattr(source, name)
        setattr(target, name, tuple(value) if not isinstance(value, (str, bool, int, float)) else value)


def apply_overrides(props, cls, overrides: dict) -> None:
    """Set core values (a preset's) on operator or sidebar properties."""
    by_name = {s.name: s for s in settings_of(cls)}
    for name, value in overrides.items():
        s = by_name[name]
        if s.spec.none_switch:
            setattr(props, s.spec.none_switch[0], (value is None) == s.spec.none_switch[3])
            if value is None:
                continue
        setattr(props, s.prop_name, math.radians(value) if s.spec.unit == "deg" else value)


def _new_image(where: str) -> None:
    """Another image chosen: the panel's last error (about the image before) goes."""
    from .ui.notice import clear

    clear(where)


class IMAGE_TO_PRINT_PG_relief(ReliefProperties, bpy.types.PropertyGroup):
    """The sidebar's relief settings (``Scene.image_to_print.relief``)."""

    image_path: StringProperty(name="Image", description="Image to turn into a relief", subtype='FILE_PATH',
                               update=lambda _self, _context: _new_image("Relief"))


class IMAGE_TO_PRINT_PG_trace(TraceProperties, bpy.types.PropertyGroup):
    """The sidebar's trace settings (``Scene.image_to_print.trace``)."""

    image_path: StringProperty(name="Image", description="Logo or line art to trace", subtype='FILE_PATH',
                               update=lambda _self, _context: _new_image("Trace"))
    preview: BoolProperty(name="Preview", default=True,
                          description="Show the binarised image (what will be traced) in the panel")


class IMAGE_TO_PRINT_PG_ai(AIProperties, bpy.types.PropertyGroup):
    """The sidebar's AI-mesh settings (``Scene.image_to_print.ai``)."""

    image_path: StringProperty(name="Image", description="Image to infer a 3D object from", subtype='FILE_PATH',
                               update=lambda _self, _context: _new_image("AI mesh"))


class IMAGE_TO_PRINT_PG_check(CheckProperties, bpy.types.PropertyGroup):
    """Print-check limits and the printer (``Scene.image_to_print.check``): one nozzle for every route."""


class IMAGE_TO_PRINT_PG_settings(bpy.types.PropertyGroup):
    """Per-file settings of the sidebar panels (``Scene.image_to_print``), one group per route."""

    relief: PointerProperty(type=IMAGE_TO_PRINT_PG_relief)
    trace: PointerProperty(type=IMAGE_TO_PRINT_PG_trace)
    ai: PointerProperty(type=IMAGE_TO_PRINT_PG_ai)
    check: PointerProperty(type=IMAGE_TO_PRINT_PG_check)


def _swap_changed(self, _context) -> None:
    from .operators.swap import refresh

    refresh(self.id_data)


class IMAGE_TO_PRINT_PG_swap(bpy.types.PropertyGroup):
    """One filament of a filament-swap relief's plan: from which layer it prints, its colour and TD."""

    layer: IntProperty(name="Layer", min=1, soft_max=500, default=1, update=_swap_changed,
                       description="The first layer printed in this filament (1 = the first layer)")
    colour: FloatVectorProperty(name="Colour", subtype='COLOR_GAMMA', size=3, min=0.0, max=1.0,
                                default=(1.0, 1.0, 1.0), update=_swap_changed, description="The filament's colour")
    td_mm: FloatProperty(name="TD (mm)", min=0.05, max=50.0, default=1.0, precision=2, update=_swap_changed,
                         description="Transmission distance: the thickness through which the colour beneath "
                         "stops showing")


GROUPS = (IMAGE_TO_PRINT_PG_relief, IMAGE_TO_PRINT_PG_trace, IMAGE_TO_PRINT_PG_ai, IMAGE_TO_PRINT_PG_check,
          IMAGE_TO_PRINT_PG_swap, IMAGE_TO_PRINT_PG_settings)


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
    tripo_url: StringProperty(name="Tripo Server", default="",
                              description="Tripo's API v3 address; empty: https://openapi.tripo3d.ai (in China "
                              "https://openapi.tripo3d.com, or your proxy)")
    tripo_api_key: StringProperty(name="Tripo API Key", subtype='PASSWORD', options={'SKIP_SAVE'},
                                  description="Kept in the preferences, never in .blend files; "
                                  "the TRIPO_API_KEY environment variable takes precedence")

    my_filaments: StringProperty(
        name="My Filaments", default="",
        description="Your own filaments for filament-swap reliefs, \"Name=#rrggbb:TD\" separated by "
        "semicolons (TD in mm); their names can stand in the relief's Filaments list")

    def draw(self, _context):
        layout = self.layout
        layout.use_property_split = True
        layout.prop(self, "max_megapixels")
        layout.prop(self, "my_filaments")
        from .core.swap import FILAMENT_PRESETS

        layout.label(text="Filament presets: " + ", ".join(FILAMENT_PRESETS), icon='INFO')
        layout.separator()
        layout.prop(self, "depth_model")
        layout.prop(self, "depth_model_path")
        layout.operator("image_to_print.download_model", icon='IMPORT')
        layout.label(text="Depth Anything V2 Small: Apache-2.0. MiDaS v2.1 small: MIT.", icon='INFO')
        layout.prop(self, "hunyuan_url")
        layout.label(text="Hunyuan3D-2: Tencent community licence (not for the EU, UK, South Korea).", icon='INFO')
        layout.prop(self, "tripo_url")
        layout.prop(self, "tripo_api_key")
        row = layout.row()
        row.operator("image_to_print.tripo_balance", icon='FUND')
        from .ui.state import ACCOUNT

        if ACCOUNT["tripo"]:
            row.label(text=ACCOUNT["tripo"])


def preferences(context=None):
    """This extension's preferences, or None where it is not enabled as an add-on."""
    context = context or bpy.context
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon else None


def register_properties():
    bpy.types.Scene.image_to_print = PointerProperty(  # type: ignore[attr-defined]  # an RNA property
        type=IMAGE_TO_PRINT_PG_settings)
    bpy.types.Object.image_to_print_swaps = CollectionProperty(  # type: ignore[attr-defined]
        type=IMAGE_TO_PRINT_PG_swap, name="Filament Swaps")


def unregister_properties():
    del bpy.types.Object.image_to_print_swaps  # type: ignore[attr-defined]
    del bpy.types.Scene.image_to_print  # type: ignore[attr-defined]
