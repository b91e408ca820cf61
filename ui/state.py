# SPDX-License-Identifier: GPL-3.0-or-later
"""Check results per object, kept out of the .blend (as the 3D-Print Toolbox does): the checks
and the routes write them, the Print Checks panel shows them."""

RESULTS: dict[str, dict] = {}  # object name -> its last check report
ELEMENTS: dict[str, dict] = {}  # object name -> check name -> (domain, indices) for the select buttons

# Our running task (its line and its progress, 0..1) and the last notice of a panel ("Where\tLEVEL:text"
# lines, ui/notice.py): plain Python, not RNA properties. Setting an add-on's RNA property makes Blender
# redraw every window (an NC_WINDOW notifier): with a million triangles in view under software OpenGL
# that is a frame of the scene per progress tick, and the window froze for whole runs. The operators set
# these and redraw only the sidebars (ui/redraw.py); the panels read them.
TASK: dict = {"text": "", "fraction": 0.0}
NOTICE: dict = {"text": ""}
ACCOUNT: dict = {"tripo": ""}  # the last balance asked for (Preferences: Check Tripo Balance), not saved


def running() -> bool:
    """Whether one of our long operators runs now (its Create buttons are greyed out meanwhile)."""
    return bool(TASK["text"])
