# SPDX-License-Identifier: GPL-3.0-or-later
"""The installed extension's 3MF reader, for reading exported files back."""

import importlib

from conftest import MODULE


def read_3mf(path):
    return importlib.import_module(f"{MODULE}.core.threemf").read_3mf(path)
