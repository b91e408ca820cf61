# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure pipeline layer of Image to Print: pixels in, arrays out.

Nothing in this package imports ``bpy`` or ``mathutils``; it runs (and is
unit-tested) on plain Python with numpy, Pillow and pydelatin.
"""
