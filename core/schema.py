# SPDX-License-Identifier: GPL-3.0-or-later
"""The one declaration of every user-facing setting: a dataclass field with a :class:`Spec`.

Each route's settings are a dataclass in ``core`` whose fields are made with
:func:`setting`. From that one declaration come

* the core settings themselves (the dataclass: name, type, default);
* the sidebar properties (one nested PropertyGroup per route under
  ``Scene.image_to_print``) and the operator properties (Redo panel, presets),
  built by ``operators/schema_props.py``;
* the command-line flags, their help and the defaults the help shows
  (:func:`add_flags` and :func:`from_args` here, used by ``cli.py``).

Plain data, no numpy: imported at registration.
"""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field
from typing import Any

# What a field's unit means everywhere it is shown. Angles are degrees in core and
# on the command line, radians in Blender (an ANGLE property shows degrees).
UNITS = {"mm": "mm", "mm2": "mm²", "deg": "°", "mp": "megapixels", "s": "s", "": ""}

# The sane physical range where a setting declares no ``max`` of its own: no printer is 5 m wide,
# no job runs for a day. Numbers outside [min, max] (NaN and infinity included) are refused where
# they enter, with the flag and the range named (:func:`check_ranges`).
UNIT_MAX = {"mm": 5000.0, "mm2": 1.0e6, "deg": 360.0, "mp": 1000.0, "s": 86400.0, "": 1000.0}


@dataclass(frozen=True)
class Spec:
    """Everything but the name, type and default of one setting."""

    label: str
    help: str
    unit: str = ""  # a key of UNITS
    min: float | None = None
    max: float | None = None
    soft_max: float | None = None
    step: float | None = None
    precision: int | None = None
    factor: bool = False  # a 0..1 slider
    items: tuple[tuple[str, str, str], ...] = ()  # an enum: (identifier, label, description)
    # the command line: flag=None derives "--name" (unit suffix dropped, _ -> -), "" means no flag
    # (the command sets it another way, said in cli.py); flag_value makes a plain switch that sets
    # this value (``--translucency`` -> BEER_LAMBERT, ``--symmetric`` -> flat_back False)
    flag: str | None = None
    flag_value: Any = None
    flag_help: str = ""  # the command line's wording, where it differs from ``help``
    ui: bool = True  # False: not a sidebar/operator property (set elsewhere, e.g. the preferences)
    colour: bool = False  # an (r, g, b) colour, 0..1 sRGB
    path: bool = False  # a string setting that names a file (the UI's file browser, PATH on the command line)
    # A setting that may be None ("automatic"): the UI shows a switch plus the value.
    # (switch property name, its label, its help, the switch state that means None)
    none_switch: tuple[str, str, str, bool] | None = None
    none_default: Any = None  # the value shown beside the switch while it means None


def setting(default, label: str, help: str, **spec):
    """A dataclass field carrying its :class:`Spec` (the one declaration of a setting)."""
    s = Spec(label, help, **spec)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: type(default)(default), metadata={"spec": s})
    return field(default=default, metadata={"spec": s})


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    spec: Spec

    @property
    def kind(self) -> str:
        d, s = self.default if self.default is not None else self.spec.none_default, self.spec
        if s.items:
            return "enum"
        if s.colour:
            return "colour"
        if isinstance(d, bool):
            return "bool"
        if isinstance(d, int):
            return "int"
        if isinstance(d, float):
            return "float"
        if isinstance(d, (tuple, list)):
            return "vector"
        return "str"

    @property
    def prop_name(self) -> str:
        """The Blender property's name: angles are stored in radians there, so they lose ``_deg``."""
        return self.name[:-4] if self.spec.unit == "deg" and self.name.endswith("_deg") else self.name

    @property
    def flag(self) -> str:
        if self.spec.flag is not None:
            return self.spec.flag
        name = self.name
        for suffix in ("_mm2", "_mm", "_deg", "_s"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
                break
        return "--" + name.replace("_", "-")

    @property
    def max(self) -> float:
        """The largest value accepted anywhere: the declared ``max``, else the unit's physical limit."""
        return self.spec.max if self.spec.max is not None else UNIT_MAX[self.spec.unit]

    def describe(self) -> str:
        """Help with the unit and the default, as the UI tooltips and ``--help`` show them."""
        unit = UNITS[self.spec.unit]
        text = self.spec.help
        if unit and self.spec.unit not in ("deg",):
            text += f" ({unit})"
        return text


def settings_of(cls) -> list[Setting]:
    """The settings a route's dataclass declares, in declaration order."""
    out = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("spec")
        if spec is None:
            continue
        factory: Any = f.default_factory
        default = f.default if f.default is not dataclasses.MISSING else factory()
        out.append(Setting(f.name, default, spec))
    return out


def _g(value: float) -> str:
    return f"{value:g}"


def check_ranges(settings) -> None:
    """Refuse a non-finite or out-of-range number in ``settings``, naming the flag and the range."""
    import math

    from .errors import ImageToPrintError

    for s in settings_of(type(settings)):
        if s.kind not in ("int", "float", "vector"):
            continue
        value = getattr(settings, s.name)
        if value is None:
            continue
        values = value if isinstance(value, (tuple, list)) else (value,)
        lo = s.spec.min if s.spec.min is not None else -s.max
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not lo <= v <= s.max:
                unit = {"deg": " degrees"}.get(s.spec.unit, f" {UNITS[s.spec.unit]}" if s.spec.unit else "")
                name = s.flag if s.flag else s.spec.label
                shown = " ".join(_g(x) if isinstance(x, (int, float)) else repr(x) for x in values)
                raise ImageToPrintError(f"{name} must be from {_g(lo)} to {_g(s.max)}{unit}, got {shown}")


def from_dict(cls, values: dict):
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in values.items() if k in names})


# --- the command line --------------------------------------------------------

def _default_text(s: Setting) -> str:
    d = s.default
    if d is None:
        return "auto"
    if s.kind == "enum":
        return str(d).lower()
    if s.kind == "vector":
        return " ".join(f"{v:g}" for v in d)
    if isinstance(d, float):
        return f"{d:g}"
    return str(d)


def _number(kind: str, unit: str):
    cast = int if kind == "int" else float

    def parse(text):
        import math

        try:
            value = cast(text)
            if not math.isfinite(value):
                raise ValueError
        except (ValueError, OverflowError):
            what = "a whole number" if cast is int else "a finite number"
            raise argparse.ArgumentTypeError(f"expected {what}{' in ' + unit if unit else ''}, got '{text}'") \
                from None
        return value

    parse.__name__ = "number"
    return parse


def add_flags(parser: argparse.ArgumentParser, cls, defaults=None, only: tuple[str, ...] = ()) -> None:
    """Add a flag per setting of ``cls`` (or just those named in ``only``); every flag defaults to
    None (= keep the preset's value). ``defaults`` is the instance whose values the help shows
    (a preset's), default ``cls()``.
    """
    shown = defaults if defaults is not None else cls()
    for s in settings_of(cls):
        if not s.flag or (only and s.name not in only):
            continue
        value = Setting(s.name, getattr(shown, s.name), s.spec)
        help_text = (s.spec.flag_help or s.spec.help).rstrip(".")
        unit = {"deg": "degrees"}.get(s.spec.unit, UNITS[s.spec.unit])
        metavar = {"mm": "MM", "mm2": "MM2", "deg": "DEG", "mp": "MP", "s": "S"}.get(s.spec.unit, "N")
        shown_default = f" ({unit + ', ' if unit else ''}default {_default_text(value)})"
        if s.spec.flag_value is not None or s.kind == "bool":
            parser.add_argument(s.flag, dest=s.name, action="store_const", default=None,
                                const=True if s.spec.flag_value is None else s.spec.flag_value,
                                help=help_text)
        elif s.kind == "enum":
            parser.add_argument(s.flag, dest=s.name, default=None, type=str.lower,
                                choices=[i[0].lower() for i in s.spec.items], help=help_text + shown_default)
        elif s.kind == "str":
            parser.add_argument(s.flag, dest=s.name, default=None, metavar="PATH" if s.spec.path else "TEXT",
                                help=help_text + f" (default {s.default or 'none'})")
        elif s.kind == "vector":
            parser.add_argument(s.flag, dest=s.name, default=None, nargs=len(s.default),
                                type=_number("float", unit), metavar=tuple("XYZW"[:len(s.default)]),
                                help=help_text + shown_default)
        else:
            parser.add_argument(s.flag, dest=s.name, default=None, type=_number(s.kind, unit), metavar=metavar,
                                help=help_text + shown_default)


def from_args(settings, args: argparse.Namespace):
    """``settings`` with every flag the user gave applied (enum choices back to their identifiers)."""
    for s in settings_of(type(settings)):
        value = getattr(args, s.name, None) if s.flag else None  # flagless ones: the command's own flags
        if value is None:
            continue
        if s.kind == "enum" and s.spec.flag_value is None:
            value = next(i[0] for i in s.spec.items if i[0].lower() == value)
        elif s.kind == "vector":
            value = tuple(value)
        setattr(settings, s.name, value)
    return settings
