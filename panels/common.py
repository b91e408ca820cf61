# SPDX-License-Identifier: GPL-3.0-or-later
"""What every panel of the "Image to Print" sidebar tab shares."""

import os


class Sidebar:
    bl_space_type = 'VIEW_3D'
    bl_region_type = 'UI'
    bl_category = "Image to Print"


_size_cache: dict = {}


def image_size(path):
    """Image size from its header, cached by path and mtime (panels redraw often)."""
    from ..core.image import image_size as read_size

    try:
        key = (path, os.path.getmtime(path))
    except OSError:
        return None
    if key not in _size_cache:
        try:
            _size_cache.clear()
            _size_cache[key] = read_size(path)
        except Exception:
            _size_cache[key] = None
    return _size_cache[key]


def progress(layout, wm, prefix: str = "") -> None:
    """The running task's progress bar, when one of ours (whose name starts with ``prefix``) runs."""
    if wm.image_to_print_task and wm.image_to_print_task.startswith(prefix):
        layout.progress(factor=wm.image_to_print_progress, type='BAR', text=f"{wm.image_to_print_task} (Esc cancels)")
