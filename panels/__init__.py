# SPDX-License-Identifier: GPL-3.0-or-later
"""Sidebar panels and menu entries: drawing only, one module per panel."""

from .ai import IMAGE_TO_PRINT_PT_ai
from .check import IMAGE_TO_PRINT_PT_check
from .export import IMAGE_TO_PRINT_PT_export
from .menus import MENUS
from .relief import IMAGE_TO_PRINT_PT_relief, IMAGE_TO_PRINT_PT_relief_image
from .trace import IMAGE_TO_PRINT_PT_trace, IMAGE_TO_PRINT_PT_trace_settings

classes = (
    IMAGE_TO_PRINT_PT_relief,
    IMAGE_TO_PRINT_PT_relief_image,
    IMAGE_TO_PRINT_PT_trace,
    IMAGE_TO_PRINT_PT_trace_settings,
    IMAGE_TO_PRINT_PT_ai,
    IMAGE_TO_PRINT_PT_check,
    IMAGE_TO_PRINT_PT_export,
)

__all__ = ["classes", "MENUS"]
