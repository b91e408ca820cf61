# SPDX-License-Identifier: GPL-3.0-or-later
"""Image to Print: turn a picture into a checked, printable solid."""

import bpy

from . import cli, operators, panels, properties

classes = (
    properties.IMAGE_TO_PRINT_PG_settings,
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
    from .operators import trace_preview

    trace_preview.unregister()
    cli.unregister()
    for menu, draw in reversed(panels.MENUS):
        getattr(bpy.types, menu).remove(draw)
    properties.unregister_properties()
    _unregister_classes()
