# SPDX-License-Identifier: GPL-3.0-or-later
"""Fill in the sidebar's relief or trace settings for a common kind of print."""

import bpy
from bpy.props import EnumProperty

from ..core.settings import PRESETS, ReliefSettings
from ..core.trace.settings import TRACE_PRESETS, TraceSettings
from ..properties import apply_overrides


def preset_items(presets):
    return [(key, label, desc) for key, (label, desc, _) in presets.items()]


class IMAGE_TO_PRINT_OT_relief_preset(bpy.types.Operator):
    """Fill in the relief settings for a common kind of print"""

    bl_idname = "image_to_print.relief_preset"
    bl_label = "Relief Preset"
    bl_options = {'REGISTER', 'UNDO'}

    preset: EnumProperty(name="Preset", items=preset_items(PRESETS))

    def execute(self, context):
        apply_overrides(context.scene.image_to_print.relief, ReliefSettings, PRESETS[self.preset][2])
        self.report({'INFO'}, f"Preset: {PRESETS[self.preset][0]}")
        return {'FINISHED'}


class IMAGE_TO_PRINT_OT_trace_preset(bpy.types.Operator):
    """Fill in the sidebar's trace settings for a kind of print"""

    bl_idname = "image_to_print.trace_preset"
    bl_label = "Trace Preset"
    bl_options = {'REGISTER', 'UNDO'}

    preset: EnumProperty(name="Preset", items=preset_items(TRACE_PRESETS))

    def execute(self, context):
        apply_overrides(context.scene.image_to_print.trace, TraceSettings, TRACE_PRESETS[self.preset][2])
        self.report({'INFO'}, f"Preset: {TRACE_PRESETS[self.preset][0]}")
        return {'FINISHED'}
