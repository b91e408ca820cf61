# SPDX-License-Identifier: GPL-3.0-or-later
"""What the image-to-solid operators share: a file browser for images, or the sidebar's image."""

from bpy.props import BoolProperty, StringProperty
from bpy_extras.io_utils import ImportHelper

IMAGE_GLOB = "*.png;*.jpg;*.jpeg;*.tif;*.tiff;*.webp;*.bmp;*.gif"


class ImageImport(ImportHelper):
    """Opens the file browser on images, unless run from the sidebar's Create button (``from_scene``)."""

    filter_glob: StringProperty(default=IMAGE_GLOB, options={'HIDDEN'})
    from_scene: BoolProperty(default=False, options={'HIDDEN', 'SKIP_SAVE'},
                             description="Take the settings and image from the sidebar")

    def invoke(self, context, event):
        if self.from_scene:
            return self.execute(context)  # type: ignore[attr-defined]  # the Operator it is mixed into
        return ImportHelper.invoke(self, context, event)
