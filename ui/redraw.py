# SPDX-License-Identifier: GPL-3.0-or-later
"""Redraw what changed, and only that, and not too often. A progress bar lives in the sidebar; redrawing
the whole 3D view for it costs a frame of the scene, and so does the sidebar itself where it overlaps the
view (Region Overlap, the default): under software OpenGL with a million triangles in view that frame
took 0.4 s, and redrawn every tick the window stopped answering, Esc included, for whole runs."""

import time

import bpy

EVERY_S = 0.5  # the progress bar moves at most this often; a new stage shows at once
_last: dict = {"t": 0.0, "text": None}


def sidebars() -> None:
    """Tag the 3D views' sidebars (the "UI" regions, where our panels are) of every window for redraw."""
    _last.update(t=time.monotonic())
    for window in bpy.context.window_manager.windows:
        for area in window.screen.areas:
            if area.type == 'VIEW_3D':
                for region in area.regions:
                    if region.type == 'UI':
                        region.tag_redraw()


def progress(text: str) -> None:
    """Redraw the sidebars for a progress update: at once when ``text`` (the stage) changed, else at
    most every :data:`EVERY_S`."""
    if text != _last["text"] or time.monotonic() - _last["t"] >= EVERY_S:
        _last["text"] = text
        sidebars()
