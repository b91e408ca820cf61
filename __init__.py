# SPDX-License-Identifier: GPL-3.0-or-later
"""Image to Print: turn a picture into a checked, printable solid."""

import sys

try:
    import numpy  # noqa: F401  (Blender's own builds bundle it; distribution builds may not)
except ImportError:
    # "Add-on ..." ImportErrors are printed by Blender as one line, without a traceback,
    # and nothing is registered.
    raise ImportError(
        "Add-on Image to Print needs numpy, which this Blender's Python {}.{} does not have: install it "
        "(Debian and Ubuntu: 'apt install python3-numpy'; Fedora: 'dnf install python3-numpy'; "
        "Arch: 'pacman -S python-numpy'), then enable the extension again".format(*sys.version_info[:2]),
        name="numpy") from None

import bpy

from . import cli, operators, panels, properties

classes = (
    *properties.GROUPS,
    properties.IMAGE_TO_PRINT_AP_preferences,
    *operators.classes,
    *panels.classes,
)

_register_classes, _unregister_classes = bpy.utils.register_classes_factory(classes)


def register():
    _register_classes()
    properties.register_properties()
    for menu, draw in panels.MENUS:
        getattr(bpy.types, menu).append(draw)
    cli.register()


def unregister():
    from .ui import trace_preview

    trace_preview.unregister()
    cli.unregister()
    for menu, draw in reversed(panels.MENUS):
        getattr(bpy.types, menu).remove(draw)
    properties.unregister_properties()
    _unregister_classes()
