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


def progress(layout, prefix: str = "") -> None:
    """The running task's progress bar, when one of ours (whose name starts with ``prefix``) runs."""
    from ..ui.state import TASK

    if TASK["text"] and TASK["text"].startswith(prefix):
        layout.progress(factor=TASK["fraction"], type='BAR', text=f"{TASK['text']} (Esc cancels)")


def wrapped(layout, context, text: str, icon: str = 'NONE') -> None:
    """A label wrapped to the sidebar's width (a long one is otherwise cut in its middle); the icon on its
    first line, the others indented to match."""
    import textwrap

    region = context.region
    scale = context.preferences.system.ui_scale
    width = (region.width if region else 300) / scale - 40 - (20 if icon != 'NONE' else 0)  # margins, icon
    col = layout.column(align=True)
    for number, part in enumerate(textwrap.wrap(text, max(12, int(width / 7.5))) or [""]):
        col.label(text=part, icon=icon if number == 0 else ('BLANK1' if icon != 'NONE' else 'NONE'))


def notice(layout, context, where: str) -> None:
    """The last error, cancellation or warnings of ``where``'s operators, in a box at the panel's top."""
    from ..ui.notice import read

    lines = read(where)
    if not lines:
        return
    box = layout.box()
    for level, text in lines:
        wrapped(box, context, text, 'ERROR' if level == "ERROR" else 'INFO')
