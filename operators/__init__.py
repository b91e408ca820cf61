# SPDX-License-Identifier: GPL-3.0-or-later
"""Thin operators: read properties, call core, turn arrays into Blender data, report."""

from .ai import IMAGE_TO_PRINT_OT_ai_mesh, IMAGE_TO_PRINT_OT_download_model, IMAGE_TO_PRINT_OT_tripo_balance
from .check import IMAGE_TO_PRINT_OT_check, IMAGE_TO_PRINT_OT_select_check
from .export import IMAGE_TO_PRINT_OT_export
from .preset import IMAGE_TO_PRINT_OT_relief_preset, IMAGE_TO_PRINT_OT_trace_preset
from .relief import IMAGE_TO_PRINT_OT_relief
from .repair import IMAGE_TO_PRINT_OT_make_printable
from .toolbox import IMAGE_TO_PRINT_OT_toolbox_check
from .trace import IMAGE_TO_PRINT_OT_trace

classes = (
    IMAGE_TO_PRINT_OT_relief,
    IMAGE_TO_PRINT_OT_relief_preset,
    IMAGE_TO_PRINT_OT_trace,
    IMAGE_TO_PRINT_OT_trace_preset,
    IMAGE_TO_PRINT_OT_ai_mesh,
    IMAGE_TO_PRINT_OT_download_model,
    IMAGE_TO_PRINT_OT_tripo_balance,
    IMAGE_TO_PRINT_OT_check,
    IMAGE_TO_PRINT_OT_select_check,
    IMAGE_TO_PRINT_OT_toolbox_check,
    IMAGE_TO_PRINT_OT_make_printable,
    IMAGE_TO_PRINT_OT_export,
)
