# SPDX-License-Identifier: GPL-3.0-or-later
"""The one exception type users see."""


class ImageToPrintError(Exception):
    """A problem with the user's input or settings.

    Its message is one line meant for a person: it is shown in the UI report
    and on stderr, never with a traceback.
    """

    def __init__(self, message: str):
        super().__init__(" ".join(str(message).split()))


class Cancelled(ImageToPrintError):
    """The user cancelled (Esc, Ctrl-C): every route stops between stages and leaves nothing behind."""

    def __init__(self):
        super().__init__("cancelled")
